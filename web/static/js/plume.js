// Plume's page behaviour, loaded as a file so that the Content-Security-Policy can forbid inline scripts.
"use strict";
document.addEventListener("htmx:configRequest", function (e) {
  // Every htmx request carries the CSRF token the server put in the page.
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) { e.detail.headers["X-CSRF-Token"] = meta.content; }
});
