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
