// HR's employee list: "select all on this page" ticks every row (it needs script, so it is
// hidden without it), and "all N matching this filter" stands for every row, on every page.
// No inline script: the CSP allows only our own files.
(function () {
  "use strict";
  var form = document.querySelector("form[data-selection]");
  if (!form) return;
  var rows = Array.prototype.slice.call(
    document.querySelectorAll("input[type=checkbox][form='" + form.id + "'][name=employee]")
  );
  var page = document.getElementById("select-page");
  var all = document.getElementById("select-all");
  var wrapper = form.querySelector("[data-select-page]");
  if (wrapper) wrapper.hidden = false;
  function sync() {
    var ticked = rows.filter(function (box) { return box.checked; }).length;
    page.checked = ticked === rows.length && rows.length > 0;
    page.indeterminate = ticked > 0 && ticked < rows.length;
  }
  page.addEventListener("change", function () {
    rows.forEach(function (box) { box.checked = page.checked; });
    sync();
  });
  rows.forEach(function (box) { box.addEventListener("change", sync); });
  if (all) {
    // Every matching employee is selected: the rows of this page are among them.
    all.addEventListener("change", function () {
      rows.forEach(function (box) { box.checked = all.checked; box.disabled = all.checked; });
      page.disabled = all.checked;
      sync();
    });
  }
  sync();
})();
