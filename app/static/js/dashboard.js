/* 态势大屏: draws the figures of data.json with ECharts (SVG renderer) and polls for fresh ones.
   Every bar, slice and grid links to the list of cases behind it. */
(function () {
  "use strict";
  var root = document.getElementById("dashboard");
  if (!root || !window.echarts) { return; }
  var status = document.getElementById("dash-status");
  var charts = {};
  var lastGood = null;

  function chart(id) {
    if (!charts[id]) { charts[id] = echarts.init(document.getElementById(id), null, {renderer: "svg"}); }
    return charts[id];
  }

  function listUrl(figure, key) {
    var sep = root.dataset.list.indexOf("?") >= 0 ? "&" : "?";
    return root.dataset.list + sep + "figure=" + encodeURIComponent(figure) + "&key=" + encodeURIComponent(key);
  }

  function bars(id, figure, lines, horizontal) {
    var names = lines.map(function (l) { return l.level ? l.label + "·" + l.level : l.label; });
    var values = lines.map(function (l) { return {value: l.count, key: l.key}; });
    var category = {type: "category", data: names, axisLabel: {interval: 0, width: 110, overflow: "truncate"}};
    var value = {type: "value", minInterval: 1};
    var c = chart(id);
    c.setOption({
      grid: {left: horizontal ? 130 : 40, right: 30, top: 24, bottom: horizontal ? 20 : 50},
      tooltip: {trigger: "item"},
      xAxis: horizontal ? value : category, yAxis: horizontal ? Object.assign({inverse: true}, category) : value,
      series: [{type: "bar", data: values, itemStyle: {color: figure === "overdue" ? "#c62828" : "#1f6fb2"},
                label: {show: true, position: horizontal ? "right" : "top"}}],
      graphic: lines.length ? [] : [{type: "text", left: "center", top: "middle", style: {text: "暂无", fontSize: 16, fill: "#888"}}]
    }, true);
    c.off("click");
    c.on("click", function (p) { if (p.data && p.data.key !== undefined) { window.location = listUrl(figure, p.data.key); } });
  }

  function risks(lines) {
    var box = document.getElementById("risk-tiles");
    box.textContent = "";
    lines.forEach(function (l) {
      var a = document.createElement("a");
      a.className = "tier-" + l.key; a.href = listUrl("risk", l.key);
      var n = document.createElement("strong"); n.textContent = l.count;
      a.appendChild(n); a.appendChild(document.createTextNode(l.label));
      box.appendChild(a);
    });
  }

  function trend(t) {
    var lines = t.lines;
    chart("chart-trend").setOption({
      grid: {left: 50, right: 50, top: 30, bottom: 30}, tooltip: {trigger: "axis"},
      legend: {data: ["受理", "化解", "化解率"]},
      xAxis: {type: "category", data: lines.map(function (l) { return l.label; })},
      yAxis: [{type: "value", name: "件", minInterval: 1}, {type: "value", name: "%", min: 0, max: 100}],
      series: [
        {name: "受理", type: "bar", data: lines.map(function (l) { return l.received; }), itemStyle: {color: "#90b4d6"}},
        {name: "化解", type: "bar", data: lines.map(function (l) { return l.resolved; }), itemStyle: {color: "#2e7d32"}},
        {name: "化解率", type: "line", yAxisIndex: 1, data: lines.map(function (l) { return l.received ? l.rate : null; }),
         label: {show: true, formatter: "{c}%"}, itemStyle: {color: "#c62828"}}
      ]
    }, true);
    document.getElementById("trend-definition").textContent = "口径：" + t.definition;
  }

  function map(geo) {
    var empty = !geo.features.length;
    document.getElementById("map-empty").hidden = !empty;
    if (empty) { return; }
    echarts.registerMap("grids", geo);
    var max = Math.max.apply(null, geo.features.map(function (f) { return f.properties.count; }).concat([1]));
    var c = chart("chart-map");
    c.setOption({
      tooltip: {trigger: "item", formatter: function (p) { return p.name + "：" + (p.value || 0) + " 件"; }},
      visualMap: {min: 0, max: max, left: 10, bottom: 10, text: ["多", "少"], calculable: true,
                  inRange: {color: ["#e8f1fa", "#fdd49e", "#fc8d59", "#b30000"]}},
      series: [{type: "map", map: "grids", roam: true, nameProperty: "name",
                label: {show: true, fontSize: 10, formatter: function (p) { return (p.value || 0) + ""; }},
                data: geo.features.map(function (f) { return {name: f.properties.name, value: f.properties.count, id: f.properties.id}; })}]
    }, true);
    c.off("click");
    c.on("click", function (p) { if (p.data) { window.location = listUrl("grid", String(p.data.id)); } });
  }

  function warnings(rows) {
    var box = document.getElementById("warning-list");
    box.textContent = "";
    if (!rows.length) { var none = document.createElement("li"); none.textContent = "暂无预警"; box.appendChild(none); }
    rows.forEach(function (w) {
      var li = document.createElement("li");
      var tag = document.createElement("strong"); tag.textContent = w.rule + " ";
      li.appendChild(tag); li.appendChild(document.createTextNode(w.at + " " + w.text));
      box.appendChild(li);
    });
  }

  function satisfaction(s) {
    document.getElementById("satisfaction-rate").textContent = s.rated ? s.text : "暂无评价";
    document.getElementById("satisfaction-counts").textContent =
      s.month + "：满意和基本满意 " + s.satisfied + " 条 / 评价 " + s.rated + " 条";
    document.getElementById("satisfaction-definition").textContent = "口径：" + s.definition;
  }

  function draw(data) {
    satisfaction(data.satisfaction);
    warnings(data.warnings);
    bars("chart-intake", "intake", data.intake_today, false);
    bars("chart-open", "open", data.open_by_route, true);
    bars("chart-overdue", "overdue", data.overdue_by_handler, true);
    risks(data.risks);
    trend(data.trend);
    map(data.map);
  }

  function load() {
    fetch(root.dataset.src, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        lastGood = data.generated_at; draw(data);
        status.className = "dash-status"; status.textContent = "数据时间 " + data.generated_at + "，每 " + root.dataset.refresh + " 秒自动刷新";
        root.dataset.loaded = data.generated_at;
      })
      .catch(function () {
        status.className = "dash-status offline";
        status.textContent = lastGood ? "网络中断，显示 " + lastGood + " 的数据" : "无法获取数据，稍后自动重试";
      });
  }

  window.addEventListener("resize", function () { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); });
  load();
  window.setInterval(load, Number(root.dataset.refresh) * 1000);
})();
