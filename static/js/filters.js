// HR's list filters apply as soon as one changes (the Apply button stays for keyboards and for
// browsers without script). No inline script: the CSP allows only our own files.
(function () {
  "use strict";
  document.querySelectorAll("form[data-apply-on-change]").forEach(function (form) {
    form.addEventListener("change", function (event) {
      if (event.target.tagName === "SELECT") form.submit();
    });
  });
})();
