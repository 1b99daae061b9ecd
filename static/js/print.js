// The "Print" button of the printable documents. A file, not an inline script: the CSP allows
// none. Without JavaScript the button stays hidden and the PDF links still work.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print-button]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
});
