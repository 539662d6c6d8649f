/* The form designer: the fields of a JSON Schema form as a list to add, reorder and edit (key,
   Chinese title, type, required, choices with labels), kept in step with the raw JSON, and a
   live preview drawn by the server with the task pages' renderer. Shapes it cannot edit here
   (nested groups, tables) are kept as they are and edited in the JSON.
   A field can be a conditional section: shown (and required) only while another choice or
   yes/no field has a given value. That is written as JSON Schema if/then — the form's own
   if/then, else one entry of allOf per condition — which the task pages' renderer reads. */
(function () {
  "use strict";
  var TYPES = [["text", "单行文本"], ["textarea", "多行文本"], ["integer", "整数"], ["number", "数字"],
    ["date", "日期"], ["boolean", "是/否"], ["choice", "单选"], ["keep", "其他（在 JSON 中编辑）"]];

  function typeOf(prop) {
    if (prop.oneOf || prop.enum) { return prop.type === "string" || !prop.type ? "choice" : "keep"; }
    if (prop.type === "string") { return prop.format === "date" ? "date" : (prop.maxLength || 0) > 200 ? "textarea" : prop.format ? "keep" : "text"; }
    return { integer: "integer", number: "number", boolean: "boolean" }[prop.type] || "keep";
  }

  function choicesOf(prop, hints) {
    if (prop.oneOf) { return prop.oneOf.map(function (o) { return o.const + "=" + (o.title || o.const); }).join("\n"); }
    var names = (hints && hints["ui:enumNames"]) || [];
    return (prop.enum || []).map(function (v, i) { return v + "=" + (names[i] || v); }).join("\n");
  }

  function propFor(row, old) {
    // A field whose type and choices were not touched keeps its definition (enum labels may
    // live in the display-hints file; formats and limits stay as written).
    if (old && !row.touched) { return Object.assign({}, old, { title: row.title }); }
    var base = { title: row.title };
    if (old && old.description) { base.description = old.description; }
    switch (row.type) {
      case "textarea": base.type = "string"; base.maxLength = Math.max(2000, (old && old.maxLength) || 0); break;
      case "integer": base.type = "integer"; break;
      case "number": base.type = "number"; break;
      case "date": base.type = "string"; base.format = "date"; break;
      case "boolean": base.type = "boolean"; break;
      case "choice":
        base.type = "string";
        base.oneOf = row.choices.split("\n").map(function (l) { return l.trim(); }).filter(Boolean).map(function (l) {
          var at = l.indexOf("="), value = at < 0 ? l : l.slice(0, at).trim(), label = at < 0 ? l : l.slice(at + 1).trim();
          return { "const": value, title: label || value };
        });
        break;
      case "keep": return Object.assign({}, old || {}, { title: row.title });
      default: base.type = "string"; if (old && old.maxLength && old.maxLength <= 200) { base.maxLength = old.maxLength; }
    }
    return base;
  }

  // An if/then this designer wrote and can edit again: one `const` in `if`, only `required` in `then`.
  function simpleRule(rule) {
    if (!rule || typeof rule.if !== "object" || !rule.if || typeof rule.then !== "object" || !rule.then) { return null; }
    var ifKeys = Object.keys(rule.if).filter(function (k) { return k !== "properties" && k !== "required"; });
    var props = rule.if.properties || {}, names = Object.keys(props);
    if (ifKeys.length || names.length !== 1 || !props[names[0]] || !("const" in props[names[0]])) { return null; }
    if (Object.keys(props[names[0]]).length !== 1) { return null; }
    if (Object.keys(rule.then).some(function (k) { return k !== "required"; })) { return null; }
    return { name: names[0], value: props[names[0]]["const"], fields: rule.then.required || [] };
  }

  function ruleFor(name, value, fields) {
    var props = {}; props[name] = { "const": value };
    return { "if": { properties: props, required: [name] }, then: { required: fields } };
  }

  // (value, label) pairs a condition can test for the field of `row`.
  function valuesOf(row) {
    if (row.type === "boolean") { return [[true, "是"], [false, "否"]]; }
    if (row.type !== "choice") { return []; }
    return row.choices.split("\n").map(function (l) { return l.trim(); }).filter(Boolean).map(function (l) {
      var at = l.indexOf("="); return at < 0 ? [l, l] : [l.slice(0, at).trim(), l.slice(at + 1).trim() || l.slice(0, at).trim()];
    });
  }

  function attach(opts) {
    var textarea = opts.textarea, list = opts.list, preview = opts.preview, rows = [], schema = null, timer = null;
    var keptRules = [], topLevel = false;

    function readConditions() {
      var found = {}, always = schema.required || [];
      keptRules = []; topLevel = false;
      var top = simpleRule(schema);
      if (top) { topLevel = true; top.fields.forEach(function (f) { if (always.indexOf(f) < 0) { found[f] = found[f] || top; } }); }
      (Array.isArray(schema.allOf) ? schema.allOf : []).forEach(function (rule) {
        var simple = simpleRule(rule);
        if (!simple) { keptRules.push(rule); return; }
        simple.fields.forEach(function (f) { if (always.indexOf(f) < 0) { found[f] = found[f] || simple; } });
      });
      return found;
    }

    function writeConditions() {
      var keys = rows.map(function (r) { return r.key; }), groups = [], byKey = {};
      rows.forEach(function (row) {
        if (!row.key || !row.when || keys.indexOf(row.when.name) < 0) { return; }
        var id = JSON.stringify([row.when.name, row.when.value]);
        if (!byKey[id]) { byKey[id] = { name: row.when.name, value: row.when.value, fields: [] }; groups.push(byKey[id]); }
        byKey[id].fields.push(row.key);
      });
      var rules = groups.map(function (g) { return ruleFor(g.name, g.value, g.fields); });
      if (topLevel) { delete schema.if; delete schema.then; }
      if (topLevel && rules.length) { var first = rules.shift(); schema.if = first.if; schema.then = first.then; }
      var all = keptRules.concat(rules);
      if (all.length) { schema.allOf = all; } else { delete schema.allOf; }
    }

    function read() {
      try { schema = JSON.parse(textarea.value); } catch (err) { schema = null; }
      if (!schema || typeof schema.properties !== "object" || schema.properties === null) {
        list.innerHTML = "<p class=\"masked\">JSON 有误，修正后这里显示字段列表</p>"; rows = []; return;
      }
      var required = schema.required || [], ui = opts.ui ? opts.ui() : {}, when = readConditions();
      rows = Object.keys(schema.properties).map(function (key) {
        var prop = schema.properties[key] || {};
        return { key: key, title: prop.title || "", type: typeOf(prop), required: required.indexOf(key) >= 0,
                 choices: choicesOf(prop, ui[key]), old: prop,
                 when: when[key] ? { name: when[key].name, value: when[key].value } : null };
      });
      draw();
    }

    function write() {
      var props = {}, required = [];
      rows.forEach(function (row) {
        if (!row.key) { return; }
        props[row.key] = propFor(row, row.old);
        row.old = props[row.key];
        if (row.required && !row.when) { required.push(row.key); }
      });
      schema.properties = props; schema.required = required;
      writeConditions();
      textarea.value = JSON.stringify(schema, null, 2) + "\n";
      textarea.dispatchEvent(new Event("input"));
    }

    function control(row, index, name, label, element) {
      var wrap = document.createElement("label"); wrap.className = "fd-" + name;
      wrap.appendChild(document.createTextNode(label)); wrap.appendChild(element);
      element.setAttribute("aria-label", label + "（第 " + (index + 1) + " 个字段）");
      return wrap;
    }

    function draw() {
      list.innerHTML = "";
      rows.forEach(function (row, index) {
        var li = document.createElement("li"); li.className = "fd-field"; li.dataset.key = row.key;
        var key = document.createElement("input"); key.value = row.key; key.size = 14;
        key.addEventListener("change", function () {
          var before = row.key; row.key = key.value.trim();
          rows.forEach(function (r) { if (r.when && r.when.name === before) { r.when.name = row.key; } });
          write();
        });
        var title = document.createElement("input"); title.value = row.title; title.size = 16;
        title.addEventListener("change", function () { row.title = title.value.trim(); write(); });
        var type = document.createElement("select");
        TYPES.forEach(function (t) { var o = document.createElement("option"); o.value = t[0]; o.textContent = t[1]; type.appendChild(o); });
        type.value = row.type;
        type.addEventListener("change", function () { row.type = type.value; row.touched = true; write(); draw(); });
        var req = document.createElement("input"); req.type = "checkbox"; req.checked = row.required || !!row.when;
        req.disabled = !!row.when;
        req.addEventListener("change", function () { row.required = req.checked; write(); });
        var cond = document.createElement("select"), always = document.createElement("option");
        always.value = ""; always.textContent = "始终显示"; cond.appendChild(always);
        rows.forEach(function (other) {
          if (other === row) { return; }
          valuesOf(other).forEach(function (v) {
            var o = document.createElement("option"); o.value = JSON.stringify([other.key, v[0]]);
            o.textContent = "仅当「" + (other.title || other.key) + "」为「" + v[1] + "」时显示"; cond.appendChild(o);
          });
        });
        if (row.when) {
          var current = JSON.stringify([row.when.name, row.when.value]);
          if (!Array.prototype.some.call(cond.options, function (o) { return o.value === current; })) {
            var gone = document.createElement("option"); gone.value = current;
            gone.textContent = "按原条件显示（条件所依据的选项已改动）"; cond.appendChild(gone);
          }
          cond.value = current;
        }
        cond.addEventListener("change", function () {
          var picked = cond.value ? JSON.parse(cond.value) : null;
          row.when = picked ? { name: picked[0], value: picked[1] } : null;
          write(); draw();
        });
        li.appendChild(control(row, index, "key", "字段名", key));
        li.appendChild(control(row, index, "title", "标题", title));
        li.appendChild(control(row, index, "type", "类型", type));
        li.appendChild(control(row, index, "required", row.when ? "条件满足时必填" : "必填", req));
        li.appendChild(control(row, index, "when", "显示条件", cond));
        if (row.type === "choice") {
          var choices = document.createElement("textarea"); choices.rows = 3; choices.value = row.choices;
          choices.placeholder = "每行一个：值=显示文字";
          choices.addEventListener("change", function () { row.choices = choices.value; row.touched = true; write(); });
          li.appendChild(control(row, index, "choices", "选项（每行 值=显示文字）", choices));
        }
        [["上移", -1], ["下移", 1]].forEach(function (m) {
          var b = document.createElement("button"); b.type = "button"; b.className = "secondary"; b.textContent = m[0];
          b.setAttribute("aria-label", m[0] + " " + (row.title || row.key));
          b.disabled = index + m[1] < 0 || index + m[1] >= rows.length;
          b.addEventListener("click", function () {
            var other = rows[index + m[1]]; rows[index + m[1]] = row; rows[index] = other; write(); draw();
          });
          li.appendChild(b);
        });
        var del = document.createElement("button"); del.type = "button"; del.className = "secondary"; del.textContent = "删除";
        del.setAttribute("aria-label", "删除 " + (row.title || row.key));
        del.addEventListener("click", function () { rows.splice(index, 1); write(); draw(); });
        li.appendChild(del);
        list.appendChild(li);
      });
    }

    function add() {
      if (!schema) { return; }
      var n = rows.length + 1, key = "field_" + n;
      while (rows.some(function (r) { return r.key === key; })) { n += 1; key = "field_" + n; }
      rows.push({ key: key, title: "新字段", type: "text", required: false, choices: "", old: null, touched: true });
      write(); draw();
    }

    function refresh() {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var parsed; try { parsed = JSON.parse(textarea.value); } catch (err) { return; }
        fetch(opts.previewUrl, { method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": opts.csrf },
          body: JSON.stringify({ schema: parsed, ui: opts.ui ? opts.ui() : {} }) })
          .then(function (r) {
            if (r.ok) {
              return r.text().then(function (html) {
                preview.innerHTML = html;
                if (window.OneDoorConditions) { window.OneDoorConditions.apply(preview); }
              });
            }
            return r.json().then(function (j) {
              preview.innerHTML = "<p class=\"bad\"></p>"; preview.firstChild.textContent = j.message;
            });
          })
          .then(function () { preview.dataset.rendered = String(Date.now()); });
      }, 250);
    }

    textarea.addEventListener("input", refresh);
    textarea.addEventListener("change", read);
    return { read: function () { read(); refresh(); }, add: add };
  }

  window.OneDoorFormDesigner = { attach: attach };
})();
