// Follow a release's computation without reloading: every element with
// data-release-progress="<url>" polls that JSON state once a second, shows how long the
// release has been queued or computing, and reloads the page once it is done (a draft, or
// failed), so the counts and links of the finished release appear. Without JavaScript the
// page shows the state it was loaded with; reloading it shows the rest.
(function () {
  "use strict";

  function describe(state) {
    var seconds = state.seconds_since_request;
    if (state.status === "queued") {
      return "Queued: waiting for a worker (" + seconds + " s)";
    }
    return "Computing every cell (" + seconds + " s since it was requested)";
  }

  function follow(element) {
    var url = element.getAttribute("data-release-progress");
    var stage = element.querySelector("[data-release-stage]");
    function poll() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (state) {
          if (state.processing) {
            if (stage) { stage.textContent = describe(state); }
            window.setTimeout(poll, 1000);
          } else {
            if (stage) { stage.textContent = state.status_display; }
            window.location.reload();
          }
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    }
    poll();
  }

  document.querySelectorAll("[data-release-progress]").forEach(follow);
})();
