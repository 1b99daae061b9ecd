// Leaving a questionnaire step with answers not yet saved asks first (the browser's own "Leave
// site?" prompt). A file, not an inline script: the CSP allows none.
//
// A form marked data-unsaved-warning is "dirty" once what it would send differs from what it
// sent when the page was shown; a page that shows answers not yet saved (typed values kept after
// an error) starts dirty (data-unsaved="true"). Submitting the form never asks; htmx's live
// refreshes redraw parts of the form without leaving the page and do not count as changes.
(function () {
  "use strict";

  function snapshot(form) {
    var pairs = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && name.charAt(0) !== "_") {
        pairs.push(name + "=" + value);
      }
    });
    return pairs.sort().join("&");
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-unsaved-warning]");
    if (!form) {
      return;
    }
    var shown = snapshot(form);
    var startsDirty = form.dataset.unsaved === "true";
    var submitting = false;

    form.addEventListener("submit", function () {
      submitting = true;
    });
    // A page restored from the back/forward cache is a fresh start for this check.
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) {
        submitting = false;
      }
    });
    window.addEventListener("beforeunload", function (event) {
      if (submitting || (!startsDirty && snapshot(form) === shown)) {
        return;
      }
      event.preventDefault();
      // Older browsers show the prompt only when returnValue is set.
      event.returnValue = "";
    });
  });
})();
