/* The form designer: the fields of a JSON Schema form as a list to add, reorder and edit (key,
   Chinese title, type, required, choices with labels), kept in step with the raw JSON, and a
   live preview drawn by the server with the task pages' renderer. Shapes it cannot edit here
   (nested groups, tables) are kept as they are and edited in the JSON. */
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

  function attach(opts) {
    var textarea = opts.textarea, list = opts.list, preview = opts.preview, rows = [], schema = null, timer = null;

    function read() {
      try { schema = JSON.parse(textarea.value); } catch (err) { schema = null; }
      if (!schema || typeof schema.properties !== "object" || schema.properties === null) {
        list.innerHTML = "<p class=\"masked\">JSON 有误，修正后这里显示字段列表</p>"; rows = []; return;
      }
      var required = schema.required || [], ui = opts.ui ? opts.ui() : {};
      rows = Object.keys(schema.properties).map(function (key) {
        var prop = schema.properties[key] || {};
        return { key: key, title: prop.title || "", type: typeOf(prop), required: required.indexOf(key) >= 0,
                 choices: choicesOf(prop, ui[key]), old: prop };
      });
      draw();
    }

    function write() {
      var props = {}, required = [];
      rows.forEach(function (row) {
        if (!row.key) { return; }
        props[row.key] = propFor(row, row.old);
        row.old = props[row.key];
        if (row.required) { required.push(row.key); }
      });
      schema.properties = props; schema.required = required;
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
        key.addEventListener("change", function () { row.key = key.value.trim(); write(); });
        var title = document.createElement("input"); title.value = row.title; title.size = 16;
        title.addEventListener("change", function () { row.title = title.value.trim(); write(); });
        var type = document.createElement("select");
        TYPES.forEach(function (t) { var o = document.createElement("option"); o.value = t[0]; o.textContent = t[1]; type.appendChild(o); });
        type.value = row.type;
        type.addEventListener("change", function () { row.type = type.value; row.touched = true; write(); draw(); });
        var req = document.createElement("input"); req.type = "checkbox"; req.checked = row.required;
        req.addEventListener("change", function () { row.required = req.checked; write(); });
        li.appendChild(control(row, index, "key", "字段名", key));
        li.appendChild(control(row, index, "title", "标题", title));
        li.appendChild(control(row, index, "type", "类型", type));
        li.appendChild(control(row, index, "required", "必填", req));
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
            if (r.ok) { return r.text().then(function (html) { preview.innerHTML = html; }); }
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
