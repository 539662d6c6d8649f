/* Render each [data-bpmn-url] element with the bpmn-js viewer (served by the app, no CDN)
   and mark finished, current and overdue elements. */
(function () {
  "use strict";
  function render(el) {
    var viewer = new BpmnJS({ container: el });
    return fetch(el.dataset.bpmnUrl, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.text(); })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        var canvas = viewer.get("canvas");
        var registry = viewer.get("elementRegistry");
        canvas.zoom("fit-viewport");
        var states = JSON.parse(el.dataset.states || "{}");
        Object.keys(states).forEach(function (id) {
          if (registry.get(id)) { canvas.addMarker(id, "od-" + states[id]); }
        });
        el.dataset.rendered = "true";
      })
      .catch(function (err) {
        el.dataset.rendered = "error";
        el.textContent = "流程图加载失败：" + err.message;
      });
  }
  document.querySelectorAll("[data-bpmn-url]").forEach(render);
})();
