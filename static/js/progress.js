// Updates the collective-grant progress bar without a reload; reloads once the job is done so
// that the summary appears. No inline script: the CSP allows only our own files.
(function () {
  "use strict";
  var panel = document.getElementById("batch-progress");
  // Polled while the job runs, and after it while mails are still on their way.
  if (!panel) return;
  var running = panel.dataset.status === "running";
  if (!running && panel.dataset.mailWaiting === "0") return;
  var url = panel.dataset.progressUrl;
  function set(id, value) { document.getElementById(id).textContent = value; }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) {
        document.getElementById("batch-bar").value = data.percent;
        set("batch-percent", data.percent);
        set("batch-processed", data.processed);
        set("batch-total", data.total);
        set("batch-invited", data.invited);
        // "Running" or "waiting to resume", with the time of the last chunk.
        var state = document.getElementById("batch-state");
        if (state && data.message) {
          state.dataset.state = data.state;
          set("batch-state-message", data.message);
          set("batch-state-badge", data.state_label);
          document.getElementById("batch-state-badge").className = "badge badge-" + data.state;
        }
        set("batch-mail-sent", data.sent);
        set("batch-mail-waiting", data.waiting);
        set("batch-mail-undelivered", data.undelivered);
        if (running && data.status === "done") { window.location.reload(); }
        else if (data.status === "running" || data.waiting > 0) { setTimeout(poll, running ? 1000 : 5000); }
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 500);
})();
