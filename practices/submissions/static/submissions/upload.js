// Upload with progress: the file is sent in the background (bytes sent are shown), then the
// page follows the server's validation and import until the result is ready. Without
// JavaScript the form posts normally and the result page explains how to follow progress.
(function () {
  "use strict";

  function poll(url, bar, stage, done) {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        if (bar) { bar.value = state.progress_percent; }
        if (stage) { stage.textContent = state.progress_message + " (" + state.progress_percent + "%)"; }
        if (state.processing && !state.stalled) {
          window.setTimeout(function () { poll(url, bar, stage, done); }, 1000);
        } else {
          done(state);
        }
      })
      .catch(function () { window.setTimeout(function () { poll(url, bar, stage, done); }, 3000); });
  }

  function setupUpload(form) {
    var input = form.querySelector("input[type=file]");
    var zone = form.querySelector("[data-dropzone]");
    var name = form.querySelector("[data-dropzone-name]");
    var box = form.querySelector("[data-upload-progress]");
    var bar = form.querySelector("[data-upload-bar]");
    var stage = form.querySelector("[data-upload-stage]");
    var button = form.querySelector("button[type=submit]");
    if (!input || !window.FormData || !window.XMLHttpRequest) { return; }

    if (zone) {
      zone.hidden = false;
      ["dragenter", "dragover"].forEach(function (type) {
        zone.addEventListener(type, function (event) { event.preventDefault(); zone.classList.add("is-over"); });
      });
      ["dragleave", "drop"].forEach(function (type) {
        zone.addEventListener(type, function () { zone.classList.remove("is-over"); });
      });
      zone.addEventListener("drop", function (event) {
        event.preventDefault();
        if (event.dataTransfer && event.dataTransfer.files.length) {
          input.files = event.dataTransfer.files;
          input.dispatchEvent(new Event("change"));
        }
      });
      zone.addEventListener("click", function () { input.click(); });
      zone.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); input.click(); }
      });
      input.addEventListener("change", function () {
        if (name) { name.textContent = input.files.length ? "Selected: " + input.files[0].name : ""; }
      });
    }

    form.addEventListener("submit", function (event) {
      if (!input.files.length) { return; } // let the server say what is missing
      event.preventDefault();
      var request = new XMLHttpRequest();
      request.open("POST", form.action || window.location.href);
      request.setRequestHeader("Accept", "application/json");
      box.hidden = false;
      button.disabled = true;
      stage.textContent = "Uploading…";
      request.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          var percent = Math.round((e.loaded / e.total) * 100);
          bar.value = percent;
          stage.textContent = "Uploading: " + percent + "%";
        }
      });
      request.addEventListener("load", function () {
        var payload = {};
        try { payload = JSON.parse(request.responseText); } catch (e) { payload = {}; }
        if (request.status === 202 && payload.queued === false) {
          // Saved, but the queue is down: say so (it is processed once the queue is back).
          button.disabled = false;
          stage.textContent = payload.message + " ";
          var saved = document.createElement("a");
          saved.href = payload.detail_url;
          saved.textContent = "See that version.";
          stage.appendChild(saved);
        } else if (request.status === 202) {
          bar.value = 0;
          stage.textContent = "Uploaded. Checking the file…";
          poll(payload.detail_url + "progress/", bar, stage, function () {
            window.location.href = payload.detail_url;
          });
        } else if (request.status === 200 && payload.detail_url) {
          button.disabled = false;
          stage.textContent = payload.message + " ";
          var link = document.createElement("a");
          link.href = payload.detail_url;
          link.textContent = "See that version.";
          stage.appendChild(link);
        } else {
          button.disabled = false;
          var messages = [];
          var errors = (payload && payload.errors) || {};
          Object.keys(errors).forEach(function (field) {
            errors[field].forEach(function (e) { messages.push(e.message); });
          });
          stage.textContent = messages.length ? messages.join(" ") : "The upload failed (" + request.status + ").";
        }
      });
      request.addEventListener("error", function () {
        button.disabled = false;
        stage.textContent = "The upload was interrupted; try again.";
      });
      request.send(new FormData(form));
    });
  }

  document.querySelectorAll("form[data-upload]").forEach(setupUpload);
  document.querySelectorAll("[data-poll]").forEach(function (section) {
    var bar = section.querySelector("[data-upload-bar]");
    var stage = section.querySelector("[data-upload-stage]");
    poll(section.getAttribute("data-progress-url"), bar, stage, function () { window.location.reload(); });
  });
})();
