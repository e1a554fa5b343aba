// Follow a background export: poll its status once a second until it is done or failed.
(function () {
  "use strict";
  var box = document.getElementById("export-job");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var byId = function (id) { return document.getElementById(id); };

  function show(data) {
    byId("job-progress").value = data.progress;
    byId("job-percent").textContent = data.progress + "%";
    byId("job-status").textContent = data.status_label;
    byId("job-step").textContent = data.step;
    byId("job-stale").hidden = !data.stale;
    if (data.status === "failed") {
      byId("job-error-text").textContent = data.error;
      byId("job-error").hidden = false;
    }
    if (data.status === "done") {
      byId("job-download-link").href = data.download_url;
      byId("job-filename").textContent = data.filename;
      byId("job-download").hidden = false;
    }
    return data.status === "done" || data.status === "failed";
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) { if (!show(data)) { window.setTimeout(poll, 1000); } })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  poll();
})();
