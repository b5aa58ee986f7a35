// The review screen: streams drafts in place as the model writes them (with a cancel button), keeps the agent's
// text when the model fails, warns before unsaved work is lost, checks the text being edited against its sources
// as the agent types, ties [n] markers to source cards, inserts standard replies with « / », guards publication
// with a dialog and an undo window, and offers keyboard shortcuts. Without JavaScript the same buttons post
// ordinary forms, which the server validates the same way.
"use strict";
(function () {
  var form = document.getElementById("form-editeur");
  var $ = function (id) { return document.getElementById(id); };
  var sources = document.querySelectorAll(".plume-source");

  // Source cards light up when a [n] marker of theirs is hovered, focused or under the caret.
  function light(n) {
    sources.forEach(function (s) {
      var on = String(n) === s.getAttribute("data-source");
      s.classList.toggle("plume-source--lit", on);
      if (on) {
        var d = s.querySelector("details.plume-passage");
        if (d) { d.open = true; }
        // Bring the card into view inside its own pane, never by scrolling the page under the agent's pointer.
        var pane = s.closest(".plume-pane--citizen");
        if (pane && pane.scrollHeight > pane.clientHeight) {
          var top = s.offsetTop - pane.offsetTop;
          if (top < pane.scrollTop || top + s.offsetHeight > pane.scrollTop + pane.clientHeight) { pane.scrollTop = Math.max(0, top - 8); }
        }
      }
    });
  }
  var relecture = $("relecture");
  if (relecture) {
    ["mouseover", "focusin"].forEach(function (ev) {
      relecture.addEventListener(ev, function (e) {
        var a = e.target.closest && e.target.closest(".plume-cite");
        if (a) { light(a.getAttribute("data-cite")); }
      });
    });
    ["mouseout", "focusout"].forEach(function (ev) {
      relecture.addEventListener(ev, function (e) {
        if (e.target.closest && e.target.closest(".plume-cite")) { light(null); }
      });
    });
  }

  // Navigation shortcuts work on every review, editable or not.
  document.addEventListener("keydown", function (e) {
    if (!(e.altKey && e.shiftKey)) { return; }
    var link = null;
    if (e.key === "ArrowRight") { link = $("avis-suivant"); }
    if (e.key === "ArrowLeft") { link = $("avis-precedent"); }
    if (link) { e.preventDefault(); link.click(); }
  });

  if (!form) { return; }
  var reviewID = form.getAttribute("data-review");
  var offline = form.getAttribute("data-offline") === "true";
  var editor = $("texte");
  var stream = $("flux");
  var status = $("etat-redaction");
  var alertBox = $("plume-alerte");
  var cancelBtn = $("bouton-annuler");
  var versionField = $("version-editee");
  var saved = editor.value;
  var busy = false, submitting = false, controller = null, lastBody = null;

  // Side by side (from 1200 px), the editor gives up height so that its actions stay in the window whatever sits
  // above it — a colleague's presence, a message, a conflict, a long title — down to about eight lines.
  function fitEditor() {
    editor.style.height = ""; stream.style.height = "";
    if (window.innerWidth < 1200) { return; }
    var actions = form.querySelector(".plume-actions");
    var over = actions.getBoundingClientRect().bottom + window.scrollY - window.innerHeight + 8;
    if (over > 0) {
      var h = Math.max(160, editor.offsetHeight - over) + "px";
      editor.style.height = h; stream.style.height = h;
    }
  }
  fitEditor();
  window.addEventListener("resize", fitEditor);

  function say(msg) { status.textContent = msg; }
  function dirty() { return editor.value.trim() !== saved.trim(); }

  // Leaving the page with unsaved edits asks first; submitting the form is not leaving.
  window.addEventListener("beforeunload", function (e) {
    if (!submitting && dirty()) { e.preventDefault(); e.returnValue = ""; }
  });
  form.addEventListener("submit", function () { submitting = true; }, true);

  // fail shows the alert at the top: the agent's text stays in the editor. Model failures offer a retry and an
  // offline draft; the technical detail is folded away (the server already removed internal addresses).
  function fail(title, msg, detail, modelActions) {
    $("plume-alerte-titre").textContent = title;
    $("plume-alerte-texte").textContent = msg;
    $("plume-alerte-technique").textContent = detail || "";
    $("plume-alerte-detail").hidden = !detail;
    $("plume-alerte-actions").hidden = !modelActions;
    $("bouton-hors-ligne").hidden = offline;
    alertBox.hidden = false;
    alertBox.scrollIntoView({ block: "start" });
    alertBox.focus({ preventScroll: true });
    say("");
  }
  function setBusy(b) {
    busy = b;
    stream.setAttribute("aria-busy", b ? "true" : "false");
    form.querySelectorAll("button").forEach(function (btn) {
      if (btn === cancelBtn) { return; }
      if (b) { btn.setAttribute("data-was-disabled", btn.disabled ? "1" : ""); btn.disabled = true; }
      else { btn.disabled = btn.getAttribute("data-was-disabled") === "1"; }
    });
    cancelBtn.hidden = !b;
    // The stream draws where the editor was, so it is in view.
    editor.hidden = b;
    stream.hidden = !b;
  }

  // draft posts to the drafting API and reads its server-sent events: delta, then draft or error.
  function draft(body) {
    if (busy) { return; }
    lastBody = body;
    body.keep_draft = !body.offline;
    alertBox.hidden = true;
    stream.textContent = "";
    setBusy(true);
    say("Rédaction en cours…");
    controller = new AbortController();
    var started = Date.now();
    var tick = setInterval(function () {
      say("Rédaction en cours… " + Math.round((Date.now() - started) / 1000) + " s");
    }, 1000);
    fetch("/api/v1/reviews/" + reviewID + "/drafts?stream=true", {
      method: "POST",
      credentials: "same-origin",
      signal: controller.signal,
      headers: { "Content-Type": "application/json", "Accept": "text/event-stream", "X-CSRF-Token": window.plumeCSRF() },
      body: JSON.stringify(body)
    }).then(function (res) {
      if (!res.ok) {
        return res.json().catch(function () { return {}; }).then(function (e) {
          var err = new Error(e.message || ("Erreur " + res.status));
          err.info = e;
          throw err;
        });
      }
      var done = false;
      return window.plumeReadEvents(res.body, function (ev, v) {
        if (ev === "delta") {
          stream.textContent += v.text;
        } else if (ev === "draft") {
          done = true;
          stream.textContent = v.text;
          say("Brouillon prêt (version " + v.version + ").");
          submitting = true;
          // The version in the address makes it a new page even when the previous draft was shown the same way.
          window.location.assign("/avis/" + reviewID + "?fait=brouillon&version=" + encodeURIComponent(v.version) + "#editeur");
        } else if (ev === "error") {
          done = true;
          var err = new Error(v.message || "La rédaction a échoué.");
          err.info = v;
          throw err;
        }
      }).then(function () {
        if (!done) { throw new Error("La connexion s'est interrompue avant la fin du brouillon."); }
      });
    }).catch(function (err) {
      clearInterval(tick);
      setBusy(false);
      if (err.name === "AbortError") {
        say("Rédaction annulée : votre texte est inchangé.");
        editor.focus();
        return;
      }
      var info = err.info || {};
      if (info.code === "model_unavailable") {
        fail("Le modèle n'a pas répondu ; votre brouillon est conservé",
          "Vous pouvez réessayer, proposer un brouillon hors ligne rédigé à partir des sources, ou continuer à la main.",
          info.detail || "", true);
      } else {
        fail("La rédaction n'a pas abouti ; votre brouillon est conservé", err.message, "", false);
      }
    }).then(function () { clearInterval(tick); });
  }
  cancelBtn.addEventListener("click", function () { if (controller) { controller.abort(); } });
  $("bouton-reessayer").addEventListener("click", function () { if (lastBody) { draft(lastBody); } });
  $("bouton-hors-ligne").addEventListener("click", function () {
    var b = Object.assign({}, lastBody || {}, { offline: true });
    delete b.instruction;
    draft(b);
  });

  // A new draft over unsaved edits asks first, in the page: the edits would otherwise be replaced.
  var pendingRegenerate = null;
  function confirmReplace(go) {
    var box = $("avertissement-modifs");
    if (!box) {
      box = document.createElement("div");
      box.id = "avertissement-modifs";
      box.className = "fr-alert fr-alert--warning fr-alert--sm fr-mb-1w";
      box.setAttribute("role", "alert");
      box.innerHTML = '<p>Vos modifications ne sont pas enregistrées : un nouveau brouillon les remplacerait.</p>' +
        '<ul class="fr-btns-group fr-btns-group--inline fr-btns-group--sm fr-mt-1w">' +
        '<li><button type="button" class="fr-btn fr-btn--sm" id="modifs-enregistrer">Enregistrer d\'abord</button></li>' +
        '<li><button type="button" class="fr-btn fr-btn--sm fr-btn--secondary" id="modifs-remplacer">Remplacer quand même</button></li>' +
        '<li><button type="button" class="fr-btn fr-btn--sm fr-btn--tertiary" id="modifs-garder">Garder mon texte</button></li></ul>';
      form.insertBefore(box, form.querySelector(".plume-editor-group"));
      $("modifs-enregistrer").addEventListener("click", function () { box.hidden = true; form.requestSubmit($("bouton-enregistrer")); });
      $("modifs-remplacer").addEventListener("click", function () { box.hidden = true; if (pendingRegenerate) { pendingRegenerate(); } });
      $("modifs-garder").addEventListener("click", function () { box.hidden = true; editor.focus(); });
    }
    pendingRegenerate = go;
    box.hidden = false;
    $("modifs-garder").focus();
  }

  var approving = false;
  form.addEventListener("submit", function (e) {
    var btn = e.submitter;
    if (btn && (btn.id === "bouton-publier" || btn.id === "bouton-publier-suivant") && !approving) {
      e.preventDefault();
      submitting = false;
      openPublish(btn);
      return;
    }
    if (!btn || !btn.hasAttribute("data-stream")) { return; }
    e.preventDefault();
    submitting = false;
    var instruction = btn.getAttribute("data-instruction");
    if (!instruction) {
      if (dirty()) { confirmReplace(function () { draft({}); }); return; }
      draft({});
      return;
    }
    var text = editor.value;
    var sel = text.slice(editor.selectionStart, editor.selectionEnd).trim();
    if (sel) {
      instruction += " Ne réécris que ce passage et garde le reste à l'identique : « " + sel + " »";
    }
    draft({ instruction: instruction, text: text });
  });

  // insertAt puts text at the caret as the agent's own edit.
  function insertAt(t, start, end) {
    var v = editor.value;
    if (start === undefined) { start = editor.selectionStart; end = editor.selectionEnd; }
    editor.value = v.slice(0, start) + t + v.slice(end);
    editor.focus();
    editor.selectionStart = editor.selectionEnd = start + t.length;
    editor.dispatchEvent(new Event("input", { bubbles: true }));
  }
  document.querySelectorAll("button.plume-insert").forEach(function (btn) {
    btn.hidden = false;
    btn.addEventListener("click", function () {
      var start = editor.selectionStart;
      var sep = start > 0 && editor.value.charAt(start - 1) !== "\n" ? "\n" : "";
      insertAt(sep + btn.getAttribute("data-insert"));
      say("Extrait inséré dans la réponse : enregistrez pour le garder.");
    });
  });
  function cite(n) {
    var start = editor.selectionStart;
    var sep = start > 0 && !/\s/.test(editor.value.charAt(start - 1)) ? " " : "";
    insertAt(sep + "[" + n + "]");
    say("Renvoi [" + n + "] inséré.");
  }
  document.querySelectorAll("button.plume-cite-button").forEach(function (btn) {
    btn.hidden = false;
    btn.addEventListener("click", function () { cite(btn.getAttribute("data-cite")); });
  });
  document.querySelectorAll("button.plume-dismiss").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var card = btn.closest(".plume-source");
      card.classList.add("plume-source--dismissed");
      say("Source [" + btn.getAttribute("data-dismiss") + "] masquée.");
    });
  });

  // Sources the text does not cite are drawn as secondary, and may be dismissed.
  function markCited() {
    var cited = {};
    editor.value.replace(/\[(\d{1,2})\]/g, function (_, n) { cited[n] = true; return _; });
    sources.forEach(function (s) {
      var n = s.getAttribute("data-source"), on = !!cited[n];
      s.classList.toggle("plume-source--uncited", !on);
      var badge = s.querySelector(".plume-cited-badge");
      if (badge) { badge.hidden = !on; }
      var dismiss = s.querySelector(".plume-dismiss");
      if (dismiss) { dismiss.hidden = on; }
      if (on) { s.classList.remove("plume-source--dismissed"); }
    });
  }
  // The caret on a [n] marker lights its source.
  function caretCite() {
    var v = editor.value, i = editor.selectionStart;
    var before = v.slice(Math.max(0, i - 4), i), after = v.slice(i, i + 4);
    var m = /\[(\d{1,2})$/.exec(before + after.split("]")[0]) || /\[(\d{1,2})\]$/.exec(before);
    var around = (before + after).match(/\[(\d{1,2})\]/);
    light(m ? m[1] : (around ? around[1] : null));
  }
  ["keyup", "click", "select"].forEach(function (ev) { editor.addEventListener(ev, caretCite); });

  // The grounding check runs on the text being edited, a moment after the agent stops typing.
  var timer = null, seq = 0;
  function recheck() {
    var mine = ++seq;
    var body = new URLSearchParams();
    body.set("texte", editor.value);
    fetch(relecture.getAttribute("data-url"), {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": window.plumeCSRF() }, body: body
    }).then(function (r) { return r.ok ? r.text() : null; }).then(function (html) {
      if (html !== null && mine === seq) { relecture.innerHTML = html; }
    }).catch(function () { /* the last check stays shown */ });
  }
  editor.addEventListener("input", function () {
    markCited();
    if (dirty()) { say("Modifications non enregistrées."); }
    clearTimeout(timer);
    timer = setTimeout(recheck, 600);
  });
  markCited();

  // Standard replies: « / » at the start of a line opens the list, filtered by what follows.
  var replies = [];
  try { replies = JSON.parse(($("reponses-types-donnees") || {}).textContent || "[]"); } catch (e) { replies = []; }
  var slashBox = $("reponses-types-liste"), slashList = $("reponses-types-options");
  var slashMatches = [], slashIndex = 0, slashStart = -1;
  function slashQuery() {
    var v = editor.value, i = editor.selectionStart;
    var lineStart = v.lastIndexOf("\n", i - 1) + 1;
    var m = /^\/([^\n]{0,40})$/.exec(v.slice(lineStart, i));
    return m ? { start: lineStart, q: m[1].toLowerCase() } : null;
  }
  function closeSlash() { slashBox.hidden = true; slashStart = -1; editor.removeAttribute("aria-activedescendant"); }
  function drawSlash() {
    slashList.innerHTML = "";
    slashMatches.forEach(function (r, i) {
      var li = document.createElement("li");
      li.id = "reponse-type-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", i === slashIndex ? "true" : "false");
      li.textContent = r.titre;
      li.addEventListener("mousedown", function (e) { e.preventDefault(); slashIndex = i; pickSlash(); });
      slashList.appendChild(li);
    });
    editor.setAttribute("aria-activedescendant", "reponse-type-" + slashIndex);
  }
  function pickSlash() {
    var r = slashMatches[slashIndex];
    if (!r) { return; }
    var start = slashStart;
    closeSlash();
    insertAt(r.corps, start, editor.selectionStart);
    say("Réponse type « " + r.titre + " » insérée.");
  }
  editor.addEventListener("input", function () {
    var sq = replies.length ? slashQuery() : null;
    if (!sq) { closeSlash(); return; }
    slashMatches = replies.filter(function (r) { return r.titre.toLowerCase().indexOf(sq.q) >= 0; });
    if (!slashMatches.length) { closeSlash(); return; }
    slashStart = sq.start;
    slashIndex = 0;
    slashBox.hidden = false;
    drawSlash();
  });
  editor.addEventListener("keydown", function (e) {
    if (slashBox.hidden) { return; }
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      slashIndex = (slashIndex + (e.key === "ArrowDown" ? 1 : slashMatches.length - 1)) % slashMatches.length;
      drawSlash();
    } else if (e.key === "Enter" || e.key === "Tab") {
      e.preventDefault();
      pickSlash();
    } else if (e.key === "Escape") {
      e.preventDefault();
      closeSlash();
    }
  });
  editor.addEventListener("blur", function () { setTimeout(closeSlash, 150); });

  // Keyboard shortcuts (listed on the page).
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey && !e.altKey && e.key === "Enter") {
      e.preventDefault();
      form.requestSubmit($("bouton-enregistrer"));
      return;
    }
    if (!(e.altKey && e.shiftKey)) { return; }
    if (e.code === "KeyE") { e.preventDefault(); editor.focus(); }
    else if (e.code === "KeyP" && $("bouton-publier")) { e.preventDefault(); form.requestSubmit($("bouton-publier")); }
    else if (/^Digit[1-9]$/.test(e.code)) {
      var n = e.code.slice(5);
      if ($("source-" + n)) { e.preventDefault(); cite(n); }
    }
  });

  // Publication: a dialog lists what the server found. Blocking items stop it; the other points, which the agent
  // has mostly seen on the screen already (sentences without source, checks), are acknowledged all at once by the
  // confirm button, « J'ai relu ces points, publier ». Then an undo window of a few seconds passes before the
  // approval is sent and the publication job queued.
  var modal = $("modale-publier");
  if (!modal) { return; }
  var confirmBtn = $("modale-confirmer"), cancelModal = $("modale-annuler");
  var publishBtn = null, countdown = null, opener = null;
  // The points acknowledged by the confirm button go with the approval, for its audit entry.
  var relu = document.createElement("input");
  relu.type = "hidden"; relu.name = "relu"; form.appendChild(relu);
  var undoSeconds = Number(document.documentElement.getAttribute("data-undo-seconds") || "5");
  function closeModal() {
    if (countdown) { clearInterval(countdown); countdown = null; say("Publication annulée : rien n'a été envoyé."); }
    modal.classList.remove("fr-modal--opened");
    if (modal.open) { modal.close(); }
    if (opener) { opener.focus(); }
  }
  function openPublish(btn) {
    publishBtn = btn;
    opener = btn;
    $("modale-etat").textContent = "Vérification en cours…";
    $("modale-bloquants").hidden = true;
    $("modale-avertissements").hidden = true;
    $("modale-annulation").hidden = true;
    confirmBtn.disabled = true;
    confirmBtn.hidden = false;
    confirmBtn.textContent = "Confirmer la publication";
    relu.value = "";
    cancelModal.textContent = "Annuler";
    if (!modal.open) { modal.showModal(); }
    modal.classList.add("fr-modal--opened");
    var body = new URLSearchParams(new FormData(form));
    fetch("/avis/" + reviewID + "/verification", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json", "X-CSRF-Token": window.plumeCSRF() }, body: body
    }).then(function (r) {
      if (r.status === 409) {
        // A colleague saved a newer version: the ordinary save shows both texts.
        approving = true;
        form.requestSubmit($("bouton-enregistrer"));
        return null;
      }
      return r.json().then(function (v) { if (!r.ok) { throw new Error(v.message || ("Erreur " + r.status)); } return v; });
    }).then(function (v) {
      if (!v) { return; }
      versionField.value = v.version;
      saved = editor.value;
      var hard = v.warnings.filter(function (w) { return w.hard; });
      var soft = v.warnings.filter(function (w) { return !w.hard; });
      var hl = $("modale-bloquants-liste"); hl.innerHTML = "";
      hard.forEach(function (w) { var li = document.createElement("li"); li.setAttribute("data-guard-item", w.key); li.textContent = w.message; hl.appendChild(li); });
      $("modale-bloquants").hidden = hard.length === 0;
      var sl = $("modale-avertissements-liste"); sl.innerHTML = "";
      soft.forEach(function (w) { var li = document.createElement("li"); li.setAttribute("data-warning", w.key); li.textContent = w.message; sl.appendChild(li); });
      relu.value = soft.map(function (w) { return w.key; }).join(",");
      $("modale-avertissements").hidden = soft.length === 0;
      if (hard.length) {
        $("modale-etat").textContent = "Publication refusée : votre texte est enregistré (version " + v.version + "), corrigez-le puis approuvez à nouveau.";
        confirmBtn.hidden = true;
      } else if (soft.length) {
        $("modale-etat").textContent = soft.length + " point" + (soft.length > 1 ? "s" : "") + " à relire avant de publier.";
        confirmBtn.textContent = "J'ai relu ces points, publier";
      } else {
        $("modale-etat").textContent = "Aucun avertissement. La réponse sera publiée sur Services Publics+.";
      }
      confirmBtn.disabled = hard.length > 0;
      // Focus goes to what must be read: the blocking items' way out, the points to read again, or the button.
      (hard.length ? cancelModal : (soft.length ? $("modale-avertissements") : confirmBtn)).focus();
    }).catch(function (err) {
      $("modale-etat").textContent = "La vérification n'a pas abouti : " + err.message;
    });
  }
  confirmBtn.addEventListener("click", function () {
    confirmBtn.disabled = true;
    var left = undoSeconds;
    $("modale-annulation").hidden = false;
    cancelModal.textContent = "Annuler la publication";
    cancelModal.focus();
    var show = function () { $("modale-compte").textContent = "Publication dans " + left + " s : vous pouvez encore annuler."; };
    show();
    countdown = setInterval(function () {
      left--;
      if (left > 0) { show(); return; }
      clearInterval(countdown);
      countdown = null;
      $("modale-compte").textContent = "Publication envoyée…";
      approving = true;
      submitting = true;
      form.requestSubmit(publishBtn);
    }, 1000);
  });
  cancelModal.addEventListener("click", closeModal);
  $("modale-fermer").addEventListener("click", closeModal);
  modal.addEventListener("cancel", function (e) { e.preventDefault(); closeModal(); });
})();
