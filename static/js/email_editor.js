// HR's email-text editor (R16): placeholders inserted by click, and the preview beside the
// editor kept up to date as HR types. No inline script: the CSP allows only our own files.
// Without script the placeholders are listed with their meaning and "Show preview" posts the
// form into the preview frame.
(function () {
  "use strict";
  var form = document.getElementById("email-text-form");
  var previewButton = document.getElementById("show-preview");
  var frame = document.getElementById("mail-preview");
  if (!form || !previewButton || !frame) return;
  var subject = form.elements.namedItem("subject");
  var body = form.elements.namedItem("body");

  // --- Placeholders -----------------------------------------------------------------------
  var lastField = body;
  [subject, body].forEach(function (field) {
    field.addEventListener("focus", function () { lastField = field; });
  });

  function insert(field, text) {
    var start = field.selectionStart, end = field.selectionEnd;
    if (typeof start !== "number") { start = end = field.value.length; }
    field.setRangeText(text, start, end, "end");
    field.focus();
    field.dispatchEvent(new Event("input", { bubbles: true }));
  }

  document.querySelectorAll("[data-with-script]").forEach(function (el) { el.hidden = false; });
  document.querySelectorAll("[data-without-script]").forEach(function (el) { el.hidden = true; });
  document.querySelectorAll("button[data-placeholder]").forEach(function (button) {
    button.disabled = false;
    button.addEventListener("click", function () {
      // A personal link never goes in a subject: it goes in the text instead.
      var field = button.hasAttribute("data-body-only") ? body : lastField;
      insert(field, button.getAttribute("data-placeholder"));
    });
  });

  // --- Live preview -----------------------------------------------------------------------
  // Each refresh loads into a new frame that replaces the shown one once loaded: the page
  // does not flicker, and the browser's Back button does not step through every preview
  // (a frame's first page replaces its blank start instead of adding a history entry).
  var count = 0;
  var pending = null;
  var timer = null;

  function refresh() {
    if (pending) { pending.remove(); }
    var fresh = frame.cloneNode(false);
    count += 1;
    fresh.removeAttribute("src");
    fresh.id = "mail-preview-" + count;
    fresh.name = "mail-preview-" + count;
    fresh.hidden = true;
    frame.after(fresh);
    pending = fresh;
    var submitted = false;
    fresh.addEventListener("load", function () {
      if (!submitted || pending !== fresh) return;
      frame.remove();
      fresh.hidden = false;
      frame = fresh;
      pending = null;
    });
    previewButton.formTarget = fresh.name;
    submitted = true;
    form.requestSubmit(previewButton);
  }

  previewButton.addEventListener("click", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    refresh();
  });
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
})();
