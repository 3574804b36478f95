/* Crossdock workbench: the little behaviour the pages need beyond htmx, kept out of
   the templates because the Content-Security-Policy allows no inline script, no inline
   event handler (hx-on) and no eval. Plain DOM, no framework. */
"use strict";

/* The copilot form empties its question once the answer has been appended. */
document.addEventListener("htmx:afterRequest", function (event) {
  var form = event.detail.elt;
  if (form && form.id === "ask-form" && event.detail.successful) {
    form.reset();
  }
});
