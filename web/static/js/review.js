// The review screen: streams drafts as the model writes them, rewrites the draft or a selection, inserts a
// source passage. Without JavaScript the same buttons post ordinary forms.
"use strict";
(function () {
  var form = document.getElementById("form-editeur");
  if (!form) { return; }
  var reviewID = form.getAttribute("data-review");
  var editor = document.getElementById("texte");
  var stream = document.getElementById("flux");
  var status = document.getElementById("etat-redaction");
  var alertBox = document.getElementById("plume-alerte");
  var alertText = document.getElementById("plume-alerte-texte");
  var busy = false;

  function say(msg) { status.textContent = msg; }
  function fail(msg) {
    alertText.textContent = msg;
    alertBox.hidden = false;
    say("");
  }
  function setBusy(b) {
    busy = b;
    stream.setAttribute("aria-busy", b ? "true" : "false");
    form.querySelectorAll("button").forEach(function (btn) { btn.disabled = b; });
  }

  // drafts posts to the drafting API and reads its server-sent events: delta, then draft or error.
  function draft(body) {
    if (busy) { return; }
    alertBox.hidden = true;
    setBusy(true);
    stream.textContent = "";
    stream.hidden = false;
    say("Rédaction en cours…");
    fetch("/api/v1/reviews/" + reviewID + "/drafts?stream=true", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "text/event-stream", "X-CSRF-Token": window.plumeCSRF() },
      body: JSON.stringify(body)
    }).then(function (res) {
      if (!res.ok) {
        return res.json().catch(function () { return {}; }).then(function (e) {
          throw new Error(e.message || ("Erreur " + res.status));
        });
      }
      var done = false;
      return window.plumeReadEvents(res.body, function (ev, v) {
        if (ev === "delta") {
          stream.textContent += v.text;
        } else if (ev === "draft") {
          done = true;
          editor.value = v.text;
          stream.textContent = v.text;
          say("Brouillon prêt (version " + v.version + ").");
          // The version in the address makes it a new page even when the previous draft was shown the same way.
          window.location.assign("/avis/" + reviewID + "?fait=brouillon&version=" + encodeURIComponent(v.version) + "#editeur");
        } else if (ev === "error") {
          done = true;
          throw new Error(v.message || "La rédaction a échoué.");
        }
      }).then(function () {
        if (!done) { throw new Error("La connexion s'est interrompue avant la fin du brouillon."); }
      });
    }).catch(function (err) {
      stream.hidden = true;
      setBusy(false);
      fail(err.message);
    });
  }

  form.addEventListener("submit", function (e) {
    var btn = e.submitter;
    if (!btn || !btn.hasAttribute("data-stream")) { return; }
    e.preventDefault();
    var instruction = btn.getAttribute("data-instruction");
    if (!instruction) { draft({}); return; }
    var text = editor.value;
    var sel = text.slice(editor.selectionStart, editor.selectionEnd).trim();
    if (sel) {
      instruction += " Ne réécris que ce passage et garde le reste à l'identique : « " + sel + " »";
    }
    draft({ instruction: instruction, text: text });
  });

  // Inserting a passage puts its text at the cursor, as the agent's own edit to save.
  document.querySelectorAll("button.plume-insert").forEach(function (btn) {
    btn.hidden = false;
    btn.addEventListener("click", function () {
      var t = btn.getAttribute("data-insert");
      var start = editor.selectionStart, end = editor.selectionEnd, v = editor.value;
      var sep = start > 0 && v.charAt(start - 1) !== "\n" ? "\n" : "";
      editor.value = v.slice(0, start) + sep + t + v.slice(end);
      editor.focus();
      editor.selectionStart = editor.selectionEnd = start + sep.length + t.length;
      say("Passage inséré dans la réponse : enregistrez pour le garder.");
    });
  });
})();
