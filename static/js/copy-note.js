// The record note's "Copy the note" button. A file, not an inline script: the CSP allows none.
// Without JavaScript the button stays hidden and the note is a read-only textarea to select.
(function () {
  "use strict";

  function say(button, text) {
    var status = document.getElementById(button.dataset.copyStatus);
    if (status) {
      status.textContent = text;
    }
  }

  function copy(button) {
    var note = document.getElementById(button.dataset.copyNote);
    if (!note) {
      return;
    }
    function selectIt() {
      note.focus();
      note.select();
      say(button, "Could not copy: the note is selected, press Ctrl+C (⌘C on a Mac).");
    }
    if (!navigator.clipboard || !window.isSecureContext) {
      selectIt();
      return;
    }
    navigator.clipboard.writeText(note.value).then(function () {
      say(button, "Copied: paste it into the record.");
    }, selectIt);
  }

  function setUp(root) {
    root.querySelectorAll("[data-copy-note]").forEach(function (button) {
      if (button.dataset.copyReady) {
        return;
      }
      button.dataset.copyReady = "yes";
      button.hidden = false;
      button.addEventListener("click", function () {
        copy(button);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUp(document);
  });
  // htmx redraws the note after a prescription is recorded: set up the new button.
  document.addEventListener("htmx:load", function (event) {
    setUp(event.target);
  });
})();
