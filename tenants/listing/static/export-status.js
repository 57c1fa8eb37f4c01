// Progressive enhancement for the export page: follow the export's progress without
// reloading by hand. Without this file the page's "Refresh" link does the same.
(function () {
  var box = document.getElementById("export-state");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-status-url");
  var label = document.getElementById("export-state-label");
  var bar = document.getElementById("export-progress");
  var text = document.getElementById("export-progress-text");
  var delay = 1000;

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) {
        if (!status) { return; }
        if (label) { label.textContent = status.label; }
        if (bar) { bar.value = status.progress; }
        if (text) { text.textContent = "(" + status.progress + " %)"; }
        if (status.finished) {
          window.location.reload();  // the page then shows the download link
          return;
        }
        delay = Math.min(delay * 1.5, 5000);
        window.setTimeout(poll, delay);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, delay);
})();
