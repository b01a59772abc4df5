// Proposes the hours of a leave request from its working days (Monday to Friday) as the employee
// fills in the dates; hours the employee typed themselves are left alone. The server makes the
// same proposal when the field is left empty (employees/leave/forms.py). No inline script: the
// CSP allows only our own files.
(function () {
  "use strict";
  var form = document.getElementById("leave-request");
  if (!form) return;
  var perDay = parseFloat(form.dataset.hoursPerDay);
  var hours = form.querySelector("input[name=hours]");
  var status = document.getElementById("working-days");
  var typed = hours.value !== "";
  hours.addEventListener("input", function () { typed = hours.value !== ""; });

  function dateOf(name) {
    var parts = ["day", "month", "year"].map(function (part) {
      var input = form.querySelector("input[name=" + name + "_" + part + "]");
      return input && /^[0-9]+$/.test(input.value.trim()) ? parseInt(input.value, 10) : NaN;
    });
    if (parts.some(isNaN) || parts[2] < 1000) return null;
    var date = new Date(Date.UTC(parts[2], parts[1] - 1, parts[0]));
    return date.getUTCDate() === parts[0] && date.getUTCMonth() === parts[1] - 1 ? date : null;
  }

  function workingDays(start, end) {
    var count = 0;
    for (var day = new Date(start); day <= end; day.setUTCDate(day.getUTCDate() + 1)) {
      var weekday = day.getUTCDay();
      if (weekday !== 0 && weekday !== 6) count += 1;
    }
    return count;
  }

  function propose() {
    var start = dateOf("start_date");
    var end = dateOf("end_date");
    if (!start || !end || end < start || (end - start) / 86400000 > 366) {
      status.textContent = "";
      return;
    }
    var days = workingDays(start, end);
    status.textContent = (days === 1 ? status.dataset.one : status.dataset.many).replace("{days}", days);
    if (!typed) hours.value = days ? String(days * perDay) : "";
  }

  form.addEventListener("input", function (event) {
    if (event.target !== hours) propose();
  });
  propose();
})();
