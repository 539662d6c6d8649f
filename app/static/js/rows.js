// Repeating rows of a form table (当事人 …): add and remove rows in the page. Without scripts
// the form still posts its rows; the server rebuilds them from the dotted names.
(function () {
  "use strict";
  function renumber(row, name, from, to) {
    var old = name + "." + from + ".", neu = name + "." + to + ".";
    var oldId = old.replace(/\./g, "-"), newId = neu.replace(/\./g, "-");
    row.querySelectorAll("[name],[id],[for],[aria-describedby]").forEach(function (el) {
      ["name", "id", "for", "aria-describedby"].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value) { el.setAttribute(attr, value.split(old).join(neu).split(oldId).join(newId)); }
      });
    });
    row.querySelectorAll("label").forEach(function (label) {
      label.textContent = label.textContent.replace(/（第\d+项）/, "（第" + (to + 1) + "项）");
    });
  }
  function indexOf(row, name) {
    var field = row.querySelector("[name^='" + name + ".']");
    return field ? parseInt(field.getAttribute("name").slice(name.length + 1), 10) : 0;
  }
  function removeButton(row, table) {
    var cell = document.createElement("td");
    var button = document.createElement("button");
    button.type = "button"; button.className = "secondary"; button.textContent = "删除";
    button.addEventListener("click", function () {
      if (table.tBodies[0].rows.length > 1) { row.remove(); }
    });
    cell.appendChild(button); row.appendChild(cell);
  }
  document.querySelectorAll("table.rows[data-name]").forEach(function (table) {
    var name = table.dataset.name, body = table.tBodies[0];
    table.tHead.rows[0].appendChild(document.createElement("th"));
    Array.prototype.forEach.call(body.rows, function (row) { removeButton(row, table); });
    var add = document.createElement("button");
    add.type = "button"; add.className = "secondary add-row"; add.textContent = "添加一行";
    add.addEventListener("click", function () {
      var last = body.rows[body.rows.length - 1];
      var next = last.cloneNode(true);
      var from = indexOf(last, name);
      renumber(next, name, from, from + 1);
      next.querySelectorAll("input, textarea").forEach(function (el) {
        if (el.type === "checkbox" || el.type === "radio") { el.checked = false; } else { el.value = ""; }
      });
      next.querySelectorAll("select").forEach(function (el) { el.selectedIndex = 0; });
      next.querySelectorAll(".error, [role=alert]").forEach(function (el) { el.remove(); });
      next.lastElementChild.remove();
      removeButton(next, table);
      body.appendChild(next);
    });
    table.insertAdjacentElement("afterend", add);
  });
})();

// Sections the schema's if/then asks for only under a condition (the agreement block only when
// 调解成功): shown and posted only while the condition holds. The server applies the same rule.
// The form designer calls OneDoorConditions.apply(preview) after drawing its live preview.
(function () {
  "use strict";
  function current(scope, name) {
    var inputs = scope.querySelectorAll("[name='" + name + "']");
    if (inputs.length === 1 && inputs[0].type === "checkbox") { return inputs[0].checked ? "true" : "false"; }
    var checked = scope.querySelector("[name='" + name + "']:checked");
    var field = checked || scope.querySelector("select[name='" + name + "']");
    return field ? field.value : "";
  }
  function apply(root) {
    (root || document).querySelectorAll("[data-when-name]").forEach(function (section) {
      var scope = section.closest("form, .preview-fields") || document, name = section.dataset.whenName;
      function update() {
        var on = current(scope, name) === section.dataset.whenValue;
        section.hidden = !on;
        section.querySelectorAll("input, select, textarea, button").forEach(function (el) { el.disabled = !on; });
      }
      scope.querySelectorAll("[name='" + name + "']").forEach(function (el) { el.addEventListener("change", update); });
      update();
    });
  }
  window.OneDoorConditions = { apply: apply };
  apply(document);
})();

// Date rules the schema declares (x-not-before, x-not-future), read from the data attributes the
// server derives from the same keywords, with the server's own messages. Checked as the dates
// change; the submit still goes to the server, which answers every error of the form at once.
(function () {
  "use strict";
  document.querySelectorAll("form[data-today]").forEach(function (form) {
    var today = form.dataset.today;
    var dated = form.querySelectorAll("[data-not-before-message], [data-not-future-message]");
    function problems(el) {
      var found = [];
      if (el.disabled || !el.value) { return found; }
      if (el.dataset.notFutureMessage && el.value > today) { found.push(el.dataset.notFutureMessage); }
      if (el.dataset.notBeforeMessage) {
        var other = form.querySelector("[name='" + el.dataset.notBefore + "']");
        if (other && !other.disabled && other.value && el.value < other.value) {
          found.push(el.dataset.notBeforeMessage);
        }
      }
      return found;
    }
    function show(el) {
      var id = el.id + "-rule", old = document.getElementById(id);
      if (old) { old.remove(); }
      var found = problems(el);
      if (found.length) {
        var note = document.createElement("div");
        note.className = "error"; note.id = id; note.setAttribute("role", "alert");
        note.textContent = found.join("；");
        el.insertAdjacentElement("afterend", note);
        el.setAttribute("aria-invalid", "true");
      } else if (!el.closest(".invalid")) {
        el.removeAttribute("aria-invalid");
      }
    }
    function checkAll() { dated.forEach(show); }
    dated.forEach(function (el) {
      if (el.dataset.notFutureMessage) { el.max = today; }
      el.addEventListener("change", checkAll);
      var other = el.dataset.notBefore && form.querySelector("[name='" + el.dataset.notBefore + "']");
      if (other) { other.addEventListener("change", checkAll); }
    });
  });
})();
