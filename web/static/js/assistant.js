// The assistant's chat: posts the question and reads the answer as a stream of server-sent events
// (sources, delta, done, error) with fetch, so the adviser sees the answer as it is written.
// Without JavaScript the form posts normally and the page shows the stored answer.
"use strict";
(function () {
  var form = document.getElementById("assistant-form");
  if (!form || !window.fetch || !window.TextDecoder) { return; }
  var question = document.getElementById("assistant-question");
  var submit = document.getElementById("assistant-submit");
  var live = document.getElementById("assistant-live");
  var liveQuestion = document.getElementById("assistant-live-question");
  var liveAnswer = document.getElementById("assistant-live-answer");
  var liveSources = document.getElementById("assistant-live-sources");
  var turns = document.getElementById("assistant-turns");
  var errorBox = document.getElementById("assistant-error");
  var errorMessage = document.getElementById("assistant-error-message");
  var conversation = document.getElementById("assistant-conversation");

  function showError(msg) {
    errorMessage.textContent = msg;
    errorBox.classList.remove("fr-hidden");
    errorBox.focus && errorBox.focus();
  }

  function busy(on) {
    submit.disabled = on;
    live.setAttribute("aria-busy", on ? "true" : "false");
  }

  // fromHTML parses a fragment the server rendered with html/template (escaped), so htmx can wire its forms.
  function fromHTML(html) {
    var t = document.createElement("template");
    t.innerHTML = html;
    return t.content;
  }

  function addConversation(id, url, title) {
    var list = document.getElementById("assistant-conversations");
    var empty = document.getElementById("assistant-conversations-vide");
    if (!list || list.querySelector('a[href="' + url + '"]')) { return; }
    if (empty) { empty.remove(); }
    var li = document.createElement("li");
    li.className = "fr-sidemenu__item";
    var a = document.createElement("a");
    a.className = "fr-sidemenu__link";
    a.href = url;
    a.setAttribute("aria-current", "page");
    a.textContent = title;
    li.appendChild(a);
    list.insertBefore(li, list.firstChild);
  }

  function handle(name, data) {
    switch (name) {
      case "sources":
        liveSources.replaceChildren(fromHTML(data.html));
        break;
      case "delta":
        liveAnswer.appendChild(document.createTextNode(data.text));
        break;
      case "done":
        var frag = fromHTML(data.html);
        var article = frag.firstElementChild;
        turns.appendChild(frag);
        if (window.htmx && article) { window.htmx.process(article); }
        live.classList.add("fr-hidden");
        liveAnswer.textContent = "";
        liveSources.replaceChildren();
        if (conversation.value === "0") {
          conversation.value = String(data.conversation);
          addConversation(data.conversation, data.url, data.title);
          history.replaceState(null, "", data.url);
        }
        question.value = "";
        break;
      case "error":
        live.classList.add("fr-hidden");
        showError(data.message);
        break;
    }
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = question.value.trim();
    if (!text) { question.focus(); return; }
    errorBox.classList.add("fr-hidden");
    liveQuestion.textContent = text;
    liveAnswer.textContent = "";
    liveSources.replaceChildren();
    live.classList.remove("fr-hidden");
    busy(true);
    fetch(form.action, {
      method: "POST",
      headers: { "Accept": "text/event-stream", "X-CSRF-Token": window.plumeCSRF() },
      body: new URLSearchParams(new FormData(form)),
      credentials: "same-origin"
    }).then(function (res) {
      var type = res.headers.get("Content-Type") || "";
      if (!res.ok || type.indexOf("text/event-stream") !== 0) {
        return res.text().then(function () {
          live.classList.add("fr-hidden");
          showError(res.status === 429 ? "Trop de questions en peu de temps : réessayez dans une minute." :
            "La question n'a pas pu être envoyée (erreur " + res.status + "). Rechargez la page et réessayez.");
        });
      }
      return window.plumeReadEvents(res.body, handle);
    }).catch(function () {
      live.classList.add("fr-hidden");
      showError("Connexion interrompue : la réponse n'a pas pu être reçue. Réessayez.");
    }).finally(function () { busy(false); });
  });

  question.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit", { cancelable: true }));
    }
  });
})();
