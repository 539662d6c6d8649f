// Phone layout helpers: the header menu toggle, and column labels copied onto table cells so a
// table read as cards on a narrow screen still says what each value is.
(function () {
  "use strict";
  var toggle = document.getElementById("menu-toggle");
  var menu = document.getElementById("top-menu");
  if (toggle && menu) {
    toggle.hidden = false;
    menu.classList.add("collapsible");
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      menu.classList.toggle("open", open);
    });
  }
  // macros/file.html: say which file(s) were chosen, in Chinese.
  document.querySelectorAll("input.file-input").forEach(function (input) {
    var shown = document.querySelector('[data-file-for="' + input.id + '"]');
    if (!shown) { return; }
    var say = function () {
      var files = input.files || [];
      shown.textContent = files.length === 0 ? "未选择文件"
        : files.length === 1 ? files[0].name : "已选择 " + files.length + " 个文件";
    };
    input.addEventListener("change", say);
    if (input.form) { input.form.addEventListener("reset", function () { setTimeout(say, 0); }); }
  });
  document.querySelectorAll("table.list, form.task table.rows").forEach(function (table) {
    var heads = Array.prototype.map.call(table.querySelectorAll(":scope > thead th"), function (th) {
      return th.textContent.trim();
    });
    if (!heads.length) { return; }
    table.classList.add("cards");
    table.querySelectorAll(":scope > tbody > tr").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, i) {
        if (heads[i] && !cell.hasAttribute("data-label")) { cell.setAttribute("data-label", heads[i]); }
      });
    });
  });
})();
