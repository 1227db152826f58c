// Staff pages' small behaviours, kept out of the HTML: the Content-Security-Policy runs no inline
// script or event handler. A <select data-submit-on-change> submits its form when changed (the
// organisation switcher; a <noscript> button does it without JavaScript).
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-submit-on-change]");
  if (select && select.form) select.form.requestSubmit();
});

// A <details data-closed-on-phone> starts closed on a narrow screen, where it would push what the
// page is for below the fold (the families list's filters), unless it holds filters in use
// (data-filtered). Without JavaScript it stays open.
if (window.matchMedia("(max-width: 640px)").matches) {
  document.querySelectorAll("details[data-closed-on-phone]:not([data-filtered])").forEach((details) => {
    details.open = false;
  });
}
