/* The in-browser modeler: bpmn-js for .bpmn, dmn-js for .dmn, a JSON editor with live checks
   for forms. Save → draft; 检查 → the deploy checks on the draft, problems highlighted;
   部署 → publish. Everything is served by the app (no CDN). */
(function () {
  "use strict";
  var app = document.getElementById("modeler-app");
  if (!app) { return; }
  var csrf = document.querySelector("meta[name=csrf-token]").content;
  var statusEl = document.getElementById("status");
  var problemsEl = document.getElementById("problems");
  var panel = document.getElementById("properties");
  var texts = {}, dirty = {}, current = null, lastProblems = [], importing = false, lastInput = 0; // last keystroke in a debounced editor
  var zh = [OneDoorZh.module];
  // The standard properties panel with our provider (app/static/src/, bundled at install time);
  // the provider's choices (forms, deadline rules, lanes, departments…) come from the server.
  var choices = JSON.parse(app.dataset.choices || "{}");
  var OPEN_GROUPS = {};  // ours and the engine-relevant standard groups start open
  ["general", "onedoor-task", "onedoor-flow", "onedoor-call", "onedoor-decision", "onedoor-script", "onedoor-message",
    "onedoor-lane-role", "timer", "message", "multiInstance"].forEach(function (id) { OPEN_GROUPS[id] = { open: true }; });
  var bpmn = new OneDoorBpmn.Modeler({ container: "#canvas", propertiesPanel: { parent: "#properties", layout: { groups: OPEN_GROUPS } },
    additionalModules: zh.concat(OneDoorBpmn.modules), onedoor: { choices: choices },
    moddleExtensions: { spiffworkflow: OneDoorBpmn.descriptor } });
  var dmn = new DmnJS({ container: "#dmn-canvas", common: { keyboard: { bindTo: window } },
    drd: { additionalModules: zh }, decisionTable: { additionalModules: zh },
    literalExpression: { additionalModules: zh } });
  var formText = document.getElementById("form-text");
  function uiName(name) { return name.replace(/\.json$/, ".uischema.json"); }
  var designer = OneDoorFormDesigner.attach({
    textarea: formText, list: document.getElementById("fd-list"), preview: document.getElementById("form-preview"),
    previewUrl: app.dataset.previewUrl, csrf: csrf,
    ui: function () { try { return JSON.parse(texts[uiName(current)] || "{}"); } catch (err) { return {}; } }
  });
  document.getElementById("fd-add").addEventListener("click", function () { designer.add(); });
  var formErrors = document.getElementById("form-errors");

  function say(text) { statusEl.textContent = text; }
  function kind(name) { return name.endsWith(".bpmn") ? "bpmn" : name.endsWith(".dmn") ? "dmn" : "form"; }
  function request(method, url, body) {
    return fetch(url, { method: method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: body === undefined ? undefined : JSON.stringify(body) });
  }

  bpmn.on("propertiesPanel.updated", function (e) {
    panel.dataset.elementId = e.element ? e.element.id : "";
  });
  // The panel's text fields commit after a short debounce: wait it out before saving.
  panel.addEventListener("input", function () { lastInput = Date.now(); });
  // Every editor reports edits through its own command stack: BPMN has one, each DMN view
  // (DRD, decision table, literal expression) another. Imports clear a stack: that is no edit.
  function edited(e) {
    if (!current || importing || (e && e.trigger === "clear")) { return; }
    dirty[current] = true; showDirty();
  }
  bpmn.on("commandStack.changed", edited);
  var watched = [];
  dmn.on("views.changed", function () {
    renderDmnViews();
    var viewer = dmn.getActiveViewer();
    if (viewer && watched.indexOf(viewer) < 0) { watched.push(viewer); viewer.on("commandStack.changed", edited); }
  });
  // Decision-table cells commit their text after a short debounce: typing already counts.
  document.getElementById("dmn-canvas").addEventListener("input", function () {
    lastInput = Date.now(); edited();
  });
  formText.addEventListener("input", function () { edited(); validateForm(); });
  window.addEventListener("beforeunload", function (e) {
    if (unsaved().length) { e.preventDefault(); e.returnValue = ""; }
  });

  function unsaved() { return Object.keys(dirty).filter(function (n) { return dirty[n]; }); }
  function showDirty() {
    var names = unsaved();
    app.dataset.dirty = names.length ? "true" : "false";
    document.getElementById("dirty-note").textContent = names.length ? "有未保存的修改：" + names.join("、") : "";
  }
  function settled() {
    // Wait out the decision table's input debounce so the last keystroke is in the model.
    var wait = Math.max(0, lastInput + 400 - Date.now());
    return new Promise(function (resolve) { setTimeout(resolve, wait); });
  }

  function validateForm() {
    var problems = [];
    try {
      var schema = JSON.parse(formText.value);
      if (!current.endsWith(".uischema.json")) {
        if (schema.type !== "object") { problems.push("表单最外层须是对象（\"type\": \"object\"）"); }
        if (typeof schema.properties !== "object" || schema.properties === null) { problems.push("缺少字段定义"); }
        (schema.required || []).forEach(function (key) {
          if (!schema.properties || !(key in schema.properties)) { problems.push("必填字段「" + key + "」没有定义"); }
        });
      }
    } catch (err) { problems.push("格式错误：" + err.message); }
    formErrors.className = problems.length ? "bad" : "good";
    formErrors.textContent = problems.length ? problems.join("；") : "格式正确";
    return problems;
  }

  function stash() {
    if (!current) { return Promise.resolve(); }
    var active = document.activeElement;
    if (active && (panel.contains(active) || document.getElementById("dmn-canvas").contains(active))) { active.blur(); }
    var k = kind(current), name = current;
    if (k === "form") { texts[name] = formText.value; return Promise.resolve(); }
    var editor = k === "bpmn" ? bpmn : dmn;
    return settled().then(function () {
      if (!dirty[name]) { return null; }
      return editor.saveXML({ format: true }).then(function (r) { texts[name] = r.xml; });
    });
  }

  function load(name) {
    return texts[name] !== undefined ? Promise.resolve(texts[name]) :
      fetch(app.dataset.filesUrl + encodeURIComponent(name), { credentials: "same-origin" })
        .then(function (r) { return r.text(); }).then(function (t) { texts[name] = t; return t; });
  }

  function show(name) {
    return stash().then(function () { return load(name); }).then(function (text) {
      var k = kind(name), wasDirty = !!dirty[name];
      current = name;
      document.querySelectorAll("#file-tabs a").forEach(function (a) { a.classList.toggle("active", a.dataset.file === name); });
      document.getElementById("canvas").hidden = k !== "bpmn";
      document.getElementById("dmn-canvas").hidden = k !== "dmn";
      document.getElementById("dmn-canvas").dataset.file = k === "dmn" ? name : "";
      document.getElementById("form-editor").hidden = k !== "form";
      panel.hidden = k !== "bpmn";
      document.querySelector(".modeler-layout").classList.toggle("wide", k !== "bpmn");
      var views = document.getElementById("dmn-views"); if (views) { views.hidden = k !== "dmn"; }
      if (k === "form") {
        formText.value = text; validateForm();
        var isUi = /\.uischema\.json$/.test(name), hasUi = !!document.querySelector("#file-tabs a[data-file=\"" + uiName(name) + "\"]");
        document.getElementById("form-designer").hidden = isUi;
        return (!isUi && hasUi ? load(uiName(name)) : Promise.resolve()).then(function () { if (!isUi) { designer.read(); } });
      }
      var editor = k === "bpmn" ? bpmn : dmn;
      importing = true;
      return editor.importXML(text).then(function () {
        importing = false;
        dirty[name] = wasDirty;
        if (k === "bpmn") { fitBesidePalette(); mark(); }
        else { return openFirstTable(); }
      });
    }).then(function () { app.dataset.ready = "true"; })
      .catch(function (err) { importing = false; say("打开文件失败：" + err.message); });
  }

  // Fit the diagram into the part of the canvas right of the palette, so nothing covers it.
  function fitBesidePalette() {
    var canvas = bpmn.get("canvas");
    canvas.zoom("fit-viewport", "auto");
    var palette = document.querySelector("#canvas .djs-palette"), box = document.getElementById("canvas").getBoundingClientRect();
    var vb = canvas.viewbox();
    if (!palette || !vb.inner.width || !box.width) { return; }
    var left = palette.getBoundingClientRect().right - box.left + 16, top = 24;
    var scale = Math.min(1, (box.width - left - 16) / vb.inner.width, (box.height - top - 16) / vb.inner.height);
    canvas.viewbox({ x: vb.inner.x - left / scale, y: vb.inner.y - top / scale,
      width: box.width / scale, height: box.height / scale });
  }

  function openFirstTable() {
    var table = dmn.getViews().filter(function (v) { return v.type === "decisionTable"; })[0];
    if (!table) { return null; }
    importing = true;
    return dmn.open(table).then(function () { importing = false; }, function () { importing = false; });
  }

  function renderDmnViews() {
    var bar = document.getElementById("dmn-views");
    if (!bar) {
      bar = document.createElement("div"); bar.id = "dmn-views"; bar.className = "filters";
      document.querySelector(".modeler-layout").before(bar);
    }
    bar.hidden = kind(current || "") !== "dmn";
    bar.innerHTML = "";
    dmn.getViews().forEach(function (view) {
      var b = document.createElement("button");
      b.type = "button"; b.className = "secondary";
      b.textContent = (view.type === "drd" ? "决策关系图" : "决策表：") + (view.type === "drd" ? "" : (view.element.name || view.element.id));
      b.addEventListener("click", function () { stash().then(function () { dmn.open(view); }); });
      bar.appendChild(b);
    });
  }

  function save() {
    return stash().then(function () {
      var names = unsaved();
      // One file after another: each save rewrites the draft's row.
      return names.reduce(function (done, n) {
        return done.then(function () {
          var sent = texts[n];
          return request("PUT", app.dataset.filesUrl + encodeURIComponent(n), { content: sent })
            .then(function (r) {
              return r.json().then(function (j) {
                if (!r.ok) { throw new Error(j.message); }
                if (texts[n] === sent) { dirty[n] = false; }
              });
            });
        });
      }, Promise.resolve()).then(function () { showDirty(); say(names.length ? "草稿已保存" : "没有需要保存的修改"); return showChanges(); });
    }).catch(function (err) { say("保存失败：" + err.message); throw err; });
  }

  function showChanges() {
    return fetch(app.dataset.changesUrl, { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) { document.getElementById("draft-changes").innerHTML = html; });
  }

  function mark() {
    markDmn();
    if (kind(current || "") !== "bpmn") { return; }
    var registry = bpmn.get("elementRegistry"), canvas = bpmn.get("canvas");
    registry.forEach(function (el) { canvas.removeMarker(el.id, "od-error"); });
    lastProblems.forEach(function (p) {
      if (p.file === current && p.element_id && registry.get(p.element_id)) { canvas.addMarker(p.element_id, "od-error"); }
    });
  }

  // The decision table re-renders its cells on every change: highlight by a style rule, not a class.
  function markDmn() {
    var style = document.getElementById("dmn-marks");
    if (!style) { style = document.createElement("style"); style.id = "dmn-marks"; document.head.appendChild(style); }
    style.textContent = lastProblems.filter(function (p) { return kind(p.file) === "dmn" && p.element_id; })
      .map(function (p) {
        var id = CSS.escape(p.element_id);
        return "#dmn-canvas[data-file=\"" + CSS.escape(p.file) + "\"] td[data-element-id=\"" + id + "\"], " +
          "#dmn-canvas[data-file=\"" + CSS.escape(p.file) + "\"] td[data-row-id=\"" + id + "\"]" +
          " { outline: 3px solid #c8161d; outline-offset: -3px; background: #fdecec !important; }";
      }).join("\n");
  }

  function problemItem(p) {
    var li = document.createElement("li");
    li.dataset.elementId = p.element_id || ""; li.dataset.file = p.file;
    li.textContent = p.file + (p.line ? "：第 " + p.line + " 行 " : "：") + p.message;
    li.addEventListener("click", function () { focusProblem(p); });
    return li;
  }

  function showWarnings(warnings) {
    if (!warnings || !warnings.length) { return; }
    var h = document.createElement("h2"); h.textContent = "提醒（不影响部署）：" + warnings.length + " 项";
    var ul = document.createElement("ul"); ul.id = "warning-list";
    warnings.forEach(function (w) { ul.appendChild(problemItem(w)); });
    problemsEl.appendChild(h); problemsEl.appendChild(ul);
  }

  function showProblems(problems, okText) {
    lastProblems = problems;
    problemsEl.innerHTML = "";
    if (!problems.length) {
      problemsEl.innerHTML = "<p class=\"ok\"></p>"; problemsEl.firstChild.textContent = okText;
    } else {
      var h = document.createElement("h2"); h.textContent = "检查未通过：" + problems.length + " 个问题";
      var ul = document.createElement("ul"); ul.id = "problem-list";
      problems.forEach(function (p) { ul.appendChild(problemItem(p)); });
      problemsEl.appendChild(h); problemsEl.appendChild(ul);
    }
    mark();
  }

  function focusProblem(p) {
    var go = p.file === current ? Promise.resolve() : show(p.file);
    go.then(function () {
      if (!p.element_id) { return; }
      if (kind(p.file) === "dmn") {
        var cell = document.querySelector("#dmn-canvas td[data-element-id=\"" + CSS.escape(p.element_id) + "\"]");
        if (cell) { cell.scrollIntoView({ block: "center" }); }
        return;
      }
      if (kind(p.file) !== "bpmn") { return; }
      var el = bpmn.get("elementRegistry").get(p.element_id);
      if (el) { bpmn.get("selection").select(el); }
    });
  }

  function check() {
    say("正在检查…");
    return save().then(function () { return request("POST", app.dataset.checkUrl, {}); })
      .then(function (r) { return r.json(); })
      .then(function (j) {
        showProblems(j.problems, "检查通过，可以部署"); showWarnings(j.warnings);
        say(j.ok ? "检查通过" : "检查未通过"); return j.ok;
      })
      .catch(function (err) { say("检查失败：" + err.message); });
  }

  function deploy() {
    say("正在部署…");
    return save().then(function () { return request("POST", app.dataset.deployUrl, { note: document.getElementById("deploy-note").value }); })
      .then(function (r) { return r.json(); })
      .then(function (j) {
        if (!j.ok) { showProblems(j.problems || [], ""); say(j.message || "部署被拒绝"); return; }
        var created = j.deployed.filter(function (d) { return d.new; })
          .map(function (d) { return d.process_id + " 版本 " + d.version; });
        showProblems([], created.length ? "已部署：" + created.join("、") : "文件没有变化，未产生新版本");
        var link = document.createElement("a"); link.href = j.url; link.id = "deployed-link"; link.textContent = "查看版本列表";
        problemsEl.appendChild(link);
        say("部署成功");
        app.dataset.deployed = "true";
      }).catch(function (err) { say("部署失败：" + err.message); });
  }

  function addFile() {
    var name = document.getElementById("new-file").value.trim();
    if (!/^[\w.-]+\.json$/.test(name)) { say("表单文件名须以 .json 结尾"); return; }
    texts[name] = "{\n  \"title\": \"\",\n  \"type\": \"object\",\n  \"properties\": {},\n  \"required\": []\n}\n";
    dirty[name] = true;
    if (!/\.uischema\.json$/.test(name)) { (choices.forms = choices.forms || []).push({ value: name, label: name }); }
    var a = document.createElement("a"); a.href = "#"; a.dataset.file = name; a.textContent = name;
    document.getElementById("file-tabs").appendChild(a);
    show(name);
  }

  document.getElementById("file-tabs").addEventListener("click", function (e) {
    var a = e.target.closest("a[data-file]"); if (!a) { return; }
    e.preventDefault(); show(a.dataset.file);
  });
  document.getElementById("save-draft").addEventListener("click", save);
  document.getElementById("check-draft").addEventListener("click", check);
  document.getElementById("deploy-draft").addEventListener("click", deploy);
  document.getElementById("add-file").addEventListener("click", addFile);
  window.onedoorModeler = { bpmn: bpmn, dmn: dmn, show: show, unsaved: unsaved, fit: fitBesidePalette };
  show(app.dataset.main).then(showChanges);
})();
