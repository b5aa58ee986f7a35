// Plume's page behaviour, loaded as a file so that the Content-Security-Policy can forbid inline scripts.
// It runs before the pages' own (deferred) scripts, which use the helpers it defines.
"use strict";

// plumeCSRF is the token the server put in the page; every state-changing request carries it.
window.plumeCSRF = function () {
  var meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
};

// plumeReadEvents reads a server-sent event stream from a fetch body, calling handle(name, data) with each
// event's parsed JSON as it arrives (a block may span several network reads); the promise settles at the end
// of the stream, and rejects if handle throws.
window.plumeReadEvents = function (body, handle) {
  var reader = body.getReader();
  var decoder = new TextDecoder();
  var buf = "";
  function dispatch(block) {
    var name = "message", data = "";
    block.split("\n").forEach(function (line) {
      if (line.indexOf("event:") === 0) { name = line.slice(6).trim(); }
      else if (line.indexOf("data:") === 0) { data += line.slice(5).trim(); }
    });
    if (data) { handle(name, JSON.parse(data)); }
  }
  function pump() {
    return reader.read().then(function (r) {
      if (r.done) {
        if (buf.trim()) { dispatch(buf); }
        return;
      }
      buf += decoder.decode(r.value, { stream: true });
      var i;
      while ((i = buf.indexOf("\n\n")) >= 0) {
        var block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        dispatch(block);
      }
      return pump();
    });
  }
  return pump();
};

document.addEventListener("htmx:configRequest", function (e) {
  // Every htmx request carries the CSRF token the server put in the page.
  e.detail.headers["X-CSRF-Token"] = window.plumeCSRF();
});
