/* Report charts: every .report-chart carries its ECharts option; drawn with the SVG renderer and
   no animation, so what prints is what shows. Resized to the paper width before printing. */
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var charts = [];
  document.querySelectorAll(".report-chart[data-option]").forEach(function (el) {
    var option = JSON.parse(el.dataset.option);
    option.animation = false;
    var chart = echarts.init(el, null, {renderer: "svg"});
    chart.setOption(option);
    el.dataset.drawn = "1";
    charts.push(chart);
  });
  function resize() { charts.forEach(function (c) { c.resize(); }); }
  window.addEventListener("resize", resize);
  window.addEventListener("beforeprint", resize);
  window.addEventListener("afterprint", resize);
})();
