// Staff pages' small behaviours, kept out of the HTML: the Content-Security-Policy runs no inline
// script or event handler. A <select data-submit-on-change> submits its form when changed (the
// organisation switcher; a <noscript> button does it without JavaScript).
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-submit-on-change]");
  if (select && select.form) select.form.requestSubmit();
});
