// Plume as an agent uses it, in headless Chromium: sign in, open the inbox, open a review, watch the draft
// stream in, edit it, check a source link, approve, see it published; an agent of another organisation gets a 404;
// a hostile review renders as text; reviews pulled from the Services Publics+ portal reach an agent signed in
// through ProConnect (OpenID Connect). Screenshots of each screen go to test-output/screenshots/.
//
// The test is a list of scenarios (async functions taking the shared context `t`), run in order after the common
// set-up: add yours as one function and one line in `scenarios` at the bottom. Helpers on `t`: signIn(email,
// viewport?), shot(page, name), cli(...args), approveViaModal(page) (the guarded publish dialog), base, tmp,
// exportPath, importReviews([...]), startServer(env) (a second server, e.g. without a model), world (the harness
// scenario the first server runs in) and openWorld(options) (another one, with a database and fakes of its own).
//
// Needs: PLUME_BIN (a built plume binary), PLUMETEST_BIN (a built cmd/plumetest, the test harness), PostgreSQL at
// DATABASE_URL, Chromium at CHROMIUM_PATH (default /usr/bin/chromium). The harness serves the Go fakes — the
// OpenAI-compatible model (so that the streaming path is the real one), the portal, the OpenID Connect provider —
// and prepares each world's database (migrated, sample corpus loaded), dropped when the world closes.
import { chromium } from "playwright-core";
import { spawn, execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { once } from "node:events";
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import assert from "node:assert/strict";

const started = Date.now();
const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const plume = process.env.PLUME_BIN || join(root, "plume");
const shots = join(root, "test-output", "screenshots");
mkdirSync(shots, { recursive: true });
const tmp = mkdtempSync(join(tmpdir(), "plume-browser-"));
const exportPath = join(tmp, "publications.jsonl");
const password = "mot-de-passe-du-test-navigateur";
const log = (...a) => console.log("browser-test:", ...a);

// The model streams a grounded reply word by word, slowly enough for the page to show it growing.
const reply = { text: "Bonjour,\n\nNous avons bien reçu votre message au sujet de votre aide au logement. " +
  "L'aide au logement est versée chaque mois par la Caf, sous conditions de ressources [1]. " +
  "Vous pouvez suivre votre dossier depuis votre espace personnel sur caf.fr [1].\n\n" +
  "Nous vous prions d'agréer nos salutations distinguées.", chunk_delay_ms: 20 };

// The harness (cmd/plumetest): its control API opens worlds and drives their fakes.
const harness = spawn(process.env.PLUMETEST_BIN || join(root, "plumetest"), [], { stdio: ["ignore", "pipe", "inherit"] });
const harnessURL = await new Promise((ok, ko) => {
  const tm = setTimeout(() => ko(new Error("plumetest n'a pas démarré en 30 s")), 30000);
  harness.stdout.on("data", (d) => { const m = /écoute sur (http:\/\/\S+)/.exec(d.toString()); if (m) { clearTimeout(tm); ok(m[1]); } });
  harness.on("exit", (c) => ko(new Error("plumetest s'est arrêté : " + c)));
});
const control = async (method, path, body) => {
  const res = await fetch(harnessURL + path, { method, headers: { "Content-Type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) { throw new Error(`plumetest ${method} ${path} : ${res.status} ${text}`); }
  return text ? JSON.parse(text) : null;
};
const worlds = [];
// openWorld opens a harness scenario: a fresh database and fakes of its own. Its methods drive them: the model's
// answer when nothing is queued (setModel), queued answers (queueReplies), the requests it received (requests,
// each with the text that left Plume), records added to the portal (addRecords), its faults (setFaults), the
// calls it received (portalCalls), and the identity the next ProConnect sign-in gets (queueLogin).
async function openWorld(options) {
  const w = await control("POST", "/scenarios", options);
  worlds.push(w);
  const at = (path) => "/scenarios/" + w.id + path;
  return { ...w,
    setModel: (r) => control("PUT", at("/model"), r),
    queueReplies: (rs) => control("POST", at("/model/replies"), rs),
    requests: () => control("GET", at("/model/requests")),
    addRecords: (o) => control("POST", at("/portal/records"), o),
    setFaults: (f) => control("PUT", at("/portal/faults"), f),
    portalCalls: () => control("GET", at("/portal/calls")),
    queueLogin: (l) => control("POST", at("/oidc/logins"), l) };
}
const world = await openWorld({ model: reply });
const freePort = () => new Promise((r) => { const s = createServer(); s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => r(p)); }); });
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const env = { ...process.env, DATABASE_URL: world.database_url, PLUME_ADDR: `127.0.0.1:${port}`, PLUME_SECURE_COOKIES: "false",
  PUBLISH_EXPORT_PATH: exportPath, LLM_BASE_URL: world.model_url, LLM_MODEL: "fake", LLM_API_KEY: "test",
  PLUME_LOG_LEVEL: "warn", LLM_MAX_RETRIES: "0", PLUME_LOGIN_RATE: "1000" };
const cli = (...args) => execFileSync(plume, args, { env, cwd: root, stdio: ["ignore", "pipe", "pipe"] }).toString();

let server, browser, failed = false;
const servers = [];
const t = { base, tmp, exportPath, cli, world, openWorld, clicks: 0, figures: {} };

// startServer runs `plume serve` with env overrides and resolves with its base URL once it listens.
async function startServer(extra = {}) {
  const p = extra.PLUME_ADDR ? Number(extra.PLUME_ADDR.split(":")[1]) : await freePort();
  const srv = spawn(plume, ["serve"], { env: { ...env, ...extra, PLUME_ADDR: `127.0.0.1:${p}` }, cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  servers.push(srv);
  await new Promise((ok, ko) => {
    const tm = setTimeout(() => ko(new Error("plume serve n'a pas démarré en 30 s")), 30000);
    srv.stdout.on("data", (d) => { if (d.toString().includes("écoute sur")) { clearTimeout(tm); ok(); } });
    srv.on("exit", (c) => ko(new Error("plume serve s'est arrêté : " + c)));
  });
  return `http://127.0.0.1:${p}`;
}
t.startServer = startServer;

t.importReviews = (list, name = "avis-" + randomBytes(3).toString("hex") + ".jsonl") => {
  const file = join(tmp, name);
  writeFileSync(file, list.map((r) => JSON.stringify(r)).join("\n") + "\n");
  cli("reviews", "import", file);
};

// signIn opens a fresh browser context signed in as email; a dialog or a JavaScript error fails the test.
t.signIn = async (email, { viewport = { width: 1280, height: 900 }, at = base, allowDialogs = false } = {}) => {
  const ctx = await browser.newContext({ viewport, locale: "fr-FR" });
  const page = await ctx.newPage();
  if (!allowDialogs) {
    page.on("dialog", async (d) => { failed = true; console.error("ÉCHEC : une boîte de dialogue s'est ouverte :", d.message()); await d.dismiss(); });
  }
  page.on("pageerror", (e) => { failed = true; console.error("ÉCHEC : erreur JavaScript :", e.stack || e.message); });
  await page.goto(at + "/connexion?suite=/avis");
  await page.getByLabel("Adresse électronique").fill(email);
  await page.getByLabel("Mot de passe").fill(password);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.waitForURL(/\/avis/);
  return page;
};
t.shot = (page, name) => page.screenshot({ path: join(shots, name), fullPage: true });
t.shotView = (page, name) => page.screenshot({ path: join(shots, name), fullPage: false });

// approveViaModal publishes the editor's text through the guarded dialog: open it, confirm (which acknowledges
// the points to read again, if any), and let the undo window pass. Returns the dialog's blocking items when
// publication is refused.
t.approveViaModal = async (page, { button = "#bouton-publier" } = {}) => {
  await page.locator(button).click();
  const modal = page.locator("#modale-publier");
  await modal.waitFor({ state: "visible" });
  await page.waitForFunction(() => !/Vérification en cours/.test(document.getElementById("modale-etat").textContent), null, { timeout: 20000 });
  const blocking = await page.locator("#modale-bloquants:not([hidden]) li").allInnerTexts();
  if (blocking.length) { return blocking; }
  await page.locator("#modale-confirmer").click();
  await page.waitForURL(/fait=publication/, { timeout: 20000 });
  return [];
};

async function waitPublished(page, url) {
  for (let i = 0; i < 60; i++) {
    await page.goto(url);
    if ((await page.locator("#statut-avis").textContent()).includes("publié")) { return true; }
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}
const inView = async (page, sel) => {
  const b = await page.locator(sel).first().boundingBox();
  const vp = page.viewportSize();
  return b && b.y >= -1 && b.x >= -1 && b.y + b.height <= vp.height + 1 && b.x + b.width <= vp.width + 1 ? b : null;
};

// 1. Inbox, draft streaming, rewrite, save, guarded approval, publication, history, hostile review, assistant,
// statistics, organisation isolation.
async function agentJourney(t) {
  const agent = await t.signIn("agent@caf.test");
  await agent.getByRole("heading", { name: "Avis à traiter" }).waitFor();
  for (let i = 0; i < 60; i++) {
    if ((await agent.locator(".plume-inbox-row", { hasText: "1 version" }).count()) === 2) { break; }
    await new Promise((r) => setTimeout(r, 500));
    await agent.reload();
  }
  const rows = agent.locator(".plume-inbox-row");
  assert.equal(await rows.count(), 2, "la boîte de la CAF montre ses 2 avis");
  assert.ok(!(await agent.content()).includes("Remboursement en attente"), "l'avis de la CPAM n'apparaît pas");
  assert.match(await rows.first().innerText(), /Aide au logement non versée/, "le plus ancien sans réponse d'abord");
  await t.shot(agent, "01-boite-de-reception.png");

  await agent.getByRole("link", { name: "Aide au logement non versée" }).click();
  await agent.waitForURL(/\/avis\/\d+$/);
  const reviewURL = agent.url();
  t.reviewID = reviewURL.split("/").pop();
  t.reviewURL = reviewURL;
  await t.shot(agent, "02-avis.png");
  // A new draft over the auto-draft: no unsaved edits, so no warning.
  await agent.locator("#bouton-generer").click();
  await agent.waitForFunction(() => (document.getElementById("flux")?.textContent || "").includes("aide au logement"), null, { timeout: 20000 });
  const fb = await inView(agent, "#flux");
  assert.ok(fb, "le brouillon s'écrit à la place de l'éditeur, dans la fenêtre");
  assert.ok(await agent.locator("#texte").isHidden(), "l'éditeur laisse la place au flux");
  assert.ok(await agent.locator("#bouton-annuler").isVisible(), "un bouton d'annulation pendant la rédaction");
  await t.shotView(agent, "03-brouillon-en-cours.png");
  await agent.waitForURL(/fait=brouillon/, { timeout: 30000 });
  const drafted = await agent.locator("#texte").inputValue();
  assert.match(drafted, /Bonjour Camille,/, "le brouillon streamé est dans l'éditeur, avec le pseudonyme (un prénom)");
  assert.match(drafted, /espace personnel/);

  await agent.locator("#texte").evaluate((el) => { el.focus(); el.setSelectionRange(0, 20); });
  const before = Number(new URL(agent.url()).searchParams.get("version"));
  await agent.getByRole("button", { name: "Plus court" }).click();
  await agent.waitForURL(new RegExp("version=" + (before + 1)), { timeout: 30000 });
  await agent.locator("#titre-editeur", { hasText: new RegExp("version " + (before + 1)) }).waitFor();

  const link = agent.locator("a.plume-source-link").first();
  assert.match(await link.getAttribute("href"), /^https:\/\/www\.service-public\.fr\//, "lien vers service-public.fr");
  assert.ok(await agent.locator(".plume-source .plume-cited-badge:not([hidden])").count() >= 1, "une source est marquée citée");

  await agent.locator("#texte").fill(drafted.replace("Nous vous prions", "N'hésitez pas à nous recontacter si besoin.\n\nNous vous prions"));
  await agent.locator("#bouton-enregistrer").click();
  await agent.getByText("Votre version est enregistrée.").waitFor();
  assert.match(await agent.locator("#texte").inputValue(), /recontacter/);
  await t.shot(agent, "04-version-modifiee.png");

  const blocked = await t.approveViaModal(agent);
  assert.deepEqual(blocked, [], "rien ne bloque la publication");
  await t.shot(agent, "05-publication-en-cours.png");
  assert.ok(await waitPublished(agent, reviewURL), "l'avis est publié après l'accusé de réception");
  await agent.getByRole("heading", { name: "Réponse publiée" }).waitFor();
  assert.ok(existsSync(exportPath) && readFileSync(exportPath, "utf8").includes("recontacter"), "la réponse modifiée est exportée");
  await t.shot(agent, "06-publie.png");

  await agent.goto(reviewURL + "/historique");
  assert.ok(await agent.locator("ins.plume-ins").count() >= 1, "l'historique montre les ajouts");
  await agent.getByText("a approuvé la réponse").first().waitFor();
  await t.shot(agent, "07-historique.png");

  await agent.goto(base + "/avis");
  await agent.getByRole("link", { name: "Avis piégé" }).click();
  await agent.waitForURL(/\/avis\/\d+$/);
  assert.ok((await agent.locator("#texte-clair").innerText()).includes("<script>alert('xss')</script>"), "les balises s'affichent en texte");
  assert.equal(await agent.locator("#texte-clair img, #texte-clair script, #texte-clair b").count(), 0, "aucune balise interprétée");
  const overflow = await agent.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, "pas de défilement horizontal (" + overflow + " px)");
  await t.shot(agent, "08-avis-hostile.png");

  await agent.goto(base + "/assistant");
  await agent.locator("#assistant-question").fill("J'ai perdu ma carte Vitale, que faire ?");
  await agent.locator("#assistant-form button[type=submit], #assistant-submit").first().click();
  await agent.waitForFunction(() => (document.getElementById("assistant-live-answer")?.textContent || "").length > 20, null, { timeout: 20000 });
  assert.ok(await agent.locator("#assistant-error").evaluate((el) => el.classList.contains("fr-hidden")), "pas d'erreur affichée");
  await t.shot(agent, "08b-assistant.png");

  const chef = await t.signIn("chef@caf.test");
  await chef.goto(base + "/statistiques");
  await chef.getByRole("heading", { name: "Statistiques" }).waitFor();
  assert.match(await chef.locator(".plume-kpis").innerText(), /1 \/ 0/, "une réponse publiée, aucun avis écarté");
  await t.shot(chef, "09-statistiques.png");

  const other = await t.signIn("agent@cpam.test");
  assert.ok(!(await other.content()).includes("Aide au logement non versée"), "la boîte de la CPAM ne montre pas l'avis de la CAF");
  const res = await other.goto(base + "/avis/" + t.reviewID);
  assert.equal(res.status(), 404, "un agent de la CPAM reçoit 404 pour un avis de la CAF");
  await t.shot(other, "10-autre-organisation-404.png");
  await Promise.all([agent, chef, other].map((p) => p.context().close()));
}

// More reviews for the screen scenarios: drafted by the background job, which the scenarios wait for.
async function moreReviews(t) {
  const base7 = { organisation: "CAF de la Gironde", organisation_slug: "caf-gironde", feeling: "Négatif", topic: "Aide au logement" };
  const list = [];
  for (let i = 1; i <= 8; i++) {
    list.push({ ...base7, external_id: "caf-ecran-" + i, title: "Aide au logement en attente n° " + i, written_at: "2026-01-1" + (i % 10),
      author_pseudonym: i % 2 ? "Merci" : "Lucie", body: "Bonjour, mon aide au logement n'est toujours pas versée depuis " + (i + 1) + " semaines. Que faire ?" });
  }
  t.importReviews(list);
  const agent = await t.signIn("agent@caf.test");
  // The periodic job drafts reviews the CLI imported, without a restart; give it a moment, then draft the rest
  // through the API so that the screen scenarios do not depend on its schedule.
  let auto = 0;
  for (let i = 0; i < 20; i++) {
    await agent.goto(base + "/avis?statut=brouillon_pret");
    auto = await agent.locator(".plume-inbox-row", { hasText: "Aide au logement en attente" }).count();
    if (auto >= 8) { break; }
    await new Promise((r) => setTimeout(r, 1000));
  }
  log(`avis importés par la CLI rédigés automatiquement en 20 s : ${auto} / 8`);
  t.figures.autoDrafted = auto;
  await agent.goto(base + "/avis?statut=nouveau");
  const csrf = await agent.locator('meta[name="csrf-token"]').getAttribute("content");
  for (const a of await agent.locator(".plume-inbox-row a.plume-inbox-link").all()) {
    const id = (await a.getAttribute("href")).split("/").pop();
    const r = await agent.request.post(base + "/api/v1/reviews/" + id + "/drafts", { headers: { "X-CSRF-Token": csrf, "Content-Type": "application/json" }, data: {} });
    assert.ok(r.ok(), "brouillon par l'API : " + r.status());
  }
  await agent.goto(base + "/avis?statut=brouillon_pret");
  assert.ok((await agent.locator(".plume-inbox-row", { hasText: "Aide au logement en attente" }).count()) >= 8, "les 8 avis ont un brouillon");
  t.screenIDs = [];
  for (const a of await agent.locator(".plume-inbox-row a.plume-inbox-link").all()) {
    if ((await a.innerText()).includes("Aide au logement en attente")) { t.screenIDs.push((await a.getAttribute("href")).split("/").pop()); }
  }
  // « Merci » is not a name: the greeting stays « Bonjour, ».
  await agent.goto(base + "/avis/" + t.screenIDs[0]);
  const txt = await agent.locator("#texte").inputValue();
  assert.ok(!/Bonjour Merci/.test(txt), "pas de « Bonjour Merci, » : " + txt.slice(0, 40));
  await agent.context().close();
}

// 2. Side by side: the citizen's message, the editor and the approve button all inside the viewport.
async function sideBySide(t) {
  for (const vp of [{ width: 1440, height: 900 }, { width: 1366, height: 768 }]) {
    const page = await t.signIn("agent@caf.test", { viewport: vp });
    await page.goto(base + "/avis/" + t.screenIDs[0]);
    for (const sel of ["#texte-clair", "#texte", "#bouton-publier"]) {
      const b = await inView(page, sel);
      assert.ok(b, `${sel} dans la fenêtre à ${vp.width}×${vp.height}`);
    }
    const msg = await page.locator("#texte-clair").boundingBox(), ed = await page.locator("#texte").boundingBox();
    assert.ok(msg.x + msg.width <= ed.x, "message et éditeur côte à côte");
    await t.shotView(page, `11-cote-a-cote-${vp.width}.png`);
    await page.context().close();
  }
}

// 3. Live citations: hovering [1] lights source 1; clicking « Citer » inserts a marker; uncited sources are
// secondary and can be hidden; the grounding check follows the text being edited.
async function liveCitations(t) {
  const page = await t.signIn("agent@caf.test");
  await page.goto(base + "/avis/" + t.screenIDs[0]);
  const cite = page.locator("#relecture .plume-cite[data-cite='1']").first();
  await cite.hover();
  assert.ok(await page.locator("#source-1").evaluate((el) => el.classList.contains("plume-source--lit")), "survoler [1] éclaire la source 1");
  await t.shotView(page, "12-citation-survolee.png");
  await cite.focus();
  assert.ok(await page.locator("#source-1.plume-source--lit").count() === 1, "le focus clavier sur [1] éclaire la source 1");
  const n = await page.locator(".plume-source").count();
  if (n >= 2) {
    const last = page.locator(".plume-source").last();
    const k = await last.getAttribute("data-source");
    const uncited = await last.evaluate((el) => el.classList.contains("plume-source--uncited"));
    if (uncited) {
      await last.locator(".plume-dismiss").click();
      assert.ok(!(await last.isVisible()), "une source non citée peut être masquée");
    }
    await page.locator("#texte").evaluate((el) => { el.focus(); el.setSelectionRange(el.value.length, el.value.length); });
    await page.locator(`#source-1 .plume-cite-button`).click();
    assert.match(await page.locator("#texte").inputValue(), /\[1\]$/, "cliquer « Citer [1] » insère le renvoi");
    void k;
  }
  // A new unsupported sentence is flagged while typing, before any save.
  await page.locator("#texte").evaluate((el) => { el.focus(); el.setSelectionRange(el.value.length, el.value.length); });
  await page.keyboard.type("\n\nLe montant de votre aide sera de 4321 euros par mois dès le 3 mars.");
  // The check follows the text being edited (debounced), not the last save.
  await page.waitForFunction(() => /4321/.test(document.getElementById("relecture")?.textContent || ""), null, { timeout: 10000 });
  await page.context().close();
}

// 4. Unsaved edits: regenerating asks first, in the page; leaving asks the browser's question.
async function unsavedWarning(t) {
  const page = await t.signIn("agent@caf.test", { allowDialogs: true });
  await page.goto(base + "/avis/" + t.screenIDs[1]);
  await page.locator("#texte").click();
  await page.keyboard.type(" Une phrase ajoutée à la main.");
  await page.locator("#bouton-generer").click();
  await page.locator("#avertissement-modifs").waitFor();
  assert.ok(await page.locator("#flux").isHidden(), "aucune rédaction lancée tant que l'agent n'a pas choisi");
  await t.shotView(page, "13-modifications-non-enregistrees.png");
  await page.getByRole("button", { name: "Garder mon texte" }).click();
  assert.match(await page.locator("#texte").inputValue(), /ajoutée à la main/, "le texte est gardé");
  let asked = null;
  page.once("dialog", async (d) => { asked = d.type(); await d.dismiss(); });
  await page.locator(".fr-breadcrumb__link", { hasText: "Avis à traiter" }).click({ noWaitAfter: true });
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(asked, "beforeunload", "quitter la page avec des modifications non enregistrées demande confirmation");
  assert.match(page.url(), /\/avis\/\d+/, "la page reste ouverte");
  await page.context().close();
}

// 5. Optimistic concurrency: a save from a stale page is refused with the newer text shown, and the agent's
// own text kept.
async function staleConflict(t) {
  const a = await t.signIn("agent@caf.test");
  const b = await t.signIn("chef@caf.test");
  const url = base + "/avis/" + t.screenIDs[2];
  await a.goto(url);
  await b.goto(url);
  await b.locator("#texte").fill("Version de la superviseure, plus récente.");
  await b.locator("#bouton-enregistrer").click();
  await b.getByText("Votre version est enregistrée.").waitFor();
  await a.goto(url + "?x=1").catch(() => {});
  await a.goBack().catch(() => {});
  // a still shows the old version (loaded before b saved): reload a fresh copy of that state.
  const stale = await t.signIn("agent@caf.test");
  await stale.goto(url);
  await stale.locator("#version-editee").evaluate((el) => { el.value = String(Number(el.value) - 1); });
  await stale.locator("#texte").fill("Texte de l'agent, écrit sur l'ancienne version.");
  const [res] = await Promise.all([stale.waitForResponse((r) => r.url().endsWith("/enregistrer")), stale.locator("#bouton-enregistrer").click()]);
  assert.equal(res.status(), 409, "enregistrer une version périmée donne un conflit");
  await stale.locator("#conflit").waitFor();
  assert.match(await stale.locator("#texte-plus-recent").innerText(), /superviseure/, "le texte plus récent est montré");
  assert.match(await stale.locator("#texte").inputValue(), /ancienne version/, "le texte de l'agent est gardé dans l'éditeur");
  assert.ok(await inView(stale, "#conflit"), "le conflit est visible sans défiler");
  await t.shotView(stale, "14-conflit.png");
  // History offers to restore an older version.
  await stale.goto(url + "/historique");
  await stale.getByRole("button", { name: "Restaurer cette version" }).first().click();
  await stale.getByText("Votre version est enregistrée.").waitFor();
  await Promise.all([a, b, stale].map((p) => p.context().close()));
}

// 6. Standard replies: a supervisor writes one in the settings; an agent inserts it by typing « / ».
async function standardReply(t) {
  const chef = await t.signIn("chef@caf.test");
  await chef.goto(base + "/parametres");
  await chef.getByRole("button", { name: "Ajouter la réponse type" }).click();
  assert.ok(await chef.locator("#reponse-titre-erreur").isVisible(), "un titre vide est signalé sur le champ");
  await chef.locator("#reponse-titre").fill("Délais de versement");
  await chef.locator("#reponse-corps").fill("Les aides au logement sont versées le 5 de chaque mois.");
  await chef.getByRole("button", { name: "Ajouter la réponse type" }).click();
  await chef.getByText("Réponse type ajoutée.").waitFor();
  await t.shot(chef, "15-reponses-types.png");
  const agent = await t.signIn("agent@caf.test");
  await agent.goto(base + "/avis/" + t.screenIDs[3]);
  await agent.locator("#texte").evaluate((el) => { el.focus(); el.setSelectionRange(el.value.length, el.value.length); });
  await agent.keyboard.type("\n/dél");
  await agent.locator("#reponses-types-liste").waitFor();
  await t.shotView(agent, "16-reponse-type-slash.png");
  await agent.keyboard.press("Enter");
  const text = await agent.locator("#texte").inputValue();
  assert.match(text, /versées le 5 de chaque mois\.$/, "la réponse type remplace « /dél »");
  assert.ok(!text.includes("/dél"), "le raccourci est retiré");
  await Promise.all([chef, agent].map((p) => p.context().close()));
}

// 7. Flow: « Enregistrer et avis suivant », then one typical reply timed: ≤ 3 clicks, no scroll.
async function nextReviewFlow(t) {
  const page = await t.signIn("agent@caf.test", { viewport: { width: 1366, height: 768 } });
  await page.goto(base + "/avis/" + t.screenIDs[4]);
  await page.getByRole("button", { name: "Enregistrer et avis suivant" }).click();
  await page.waitForURL(/precedent=/);
  assert.notEqual(page.url().split("?")[0].split("/").pop(), t.screenIDs[4], "on passe à un autre avis");

  // The typical reply: from the inbox, open the oldest drafted review, publish and go on.
  await page.goto(base + "/avis?statut=brouillon_pret");
  const t0 = Date.now();
  let clicks = 0;
  await page.locator(".plume-inbox-row a.plume-inbox-link").first().click(); clicks++;
  await page.waitForURL(/\/avis\/\d+$/);
  assert.ok(await inView(page, "#bouton-publier-suivant"), "« Publier et avis suivant » visible sans défiler");
  // The draft is read where it stands: the page never scrolls (checked before each click and at the end).
  let scrolled = await page.evaluate(() => window.scrollY);
  await page.locator("#bouton-publier-suivant").click(); clicks++;
  await page.waitForFunction(() => !/Vérification en cours/.test(document.getElementById("modale-etat").textContent));
  const points = await page.locator("#modale-avertissements-liste li").allInnerTexts();
  assert.ok(await page.locator("#modale-confirmer").isEnabled(), "rien ne bloque : confirmer est possible d'emblée");
  if (points.length) {
    assert.equal((await page.locator("#modale-confirmer").innerText()).trim(), "J'ai relu ces points, publier", "un seul geste reconnaît les points à relire");
  }
  scrolled = Math.max(scrolled, await page.evaluate(() => window.scrollY));
  await page.locator("#modale-confirmer").click(); clicks++;
  await page.waitForURL(/fait=publication&precedent=/, { timeout: 20000 });
  scrolled = Math.max(scrolled, await page.evaluate(() => window.scrollY));
  t.figures.typical = { clicks, seconds: (Date.now() - t0) / 1000, scrollY: scrolled, points: points.length };
  log(`réponse type : ${clicks} clics, ${t.figures.typical.seconds.toFixed(1)} s (dont 5 s d'annulation possible), défilement ${scrolled} px, ${points.length} point(s) à relire`);
  assert.ok(clicks <= 3, `au plus 3 clics pour une réponse type (${clicks})`);
  assert.equal(scrolled, 0, "aucun défilement pendant la réponse type");
  await page.context().close();
}

// 8. Guarded publish: the dialog lists warnings to tick, blocks on personal data, and the undo window cancels.
async function guardedPublish(t) {
  const page = await t.signIn("agent@caf.test");
  await page.goto(base + "/avis/" + t.screenIDs[5]);
  // Undo: confirm, then cancel within the window: nothing is published.
  await page.locator("#texte").fill("Bonjour,\n\nMerci pour votre message. Votre aide au logement est versée chaque mois par la Caf [1].\n\nLe service relations usagers");
  await page.locator("#bouton-publier").click();
  await page.waitForFunction(() => !/Vérification en cours/.test(document.getElementById("modale-etat").textContent));
  await t.shotView(page, "17-modale-publication.png");
  // A very short reply: at least one point to read again, acknowledged by the confirm button itself.
  const points = await page.locator("#modale-avertissements-liste li").allInnerTexts();
  assert.ok(points.some((p) => /très courte/.test(p)), "les points à relire sont listés : " + points.join(" | "));
  assert.equal((await page.locator("#modale-confirmer").innerText()).trim(), "J'ai relu ces points, publier");
  assert.ok(await page.locator("#modale-confirmer").isEnabled(), "les points à relire ne bloquent pas");
  await page.locator("#modale-confirmer").click();
  await page.locator("#modale-annulation").waitFor();
  await t.shotView(page, "18-annulation-possible.png");
  await page.getByRole("button", { name: "Annuler la publication" }).click();
  await new Promise((r) => setTimeout(r, 6000));
  assert.doesNotMatch(page.url(), /fait=publication/, "annuler pendant le délai n'envoie rien");
  assert.match(await page.locator("#statut-avis").innerText(), /Brouillon prêt|Nouveau/i, "l'avis n'est pas en publication");
  // Block: a personal-data marker left in the text stops publication.
  await page.locator("#texte").fill("Bonjour [PERSONNE_1],\n\nVotre aide au logement est versée chaque mois par la Caf [1].\n\nLe service relations usagers");
  const blocked = await t.approveViaModal(page);
  assert.ok(blocked.length >= 1, "une donnée personnelle bloque la publication : " + blocked.join(" | "));
  assert.ok(await page.locator("#modale-confirmer").isHidden(), "pas de bouton de confirmation quand c'est bloqué");
  await t.shotView(page, "19-publication-bloquee.png");
  await page.context().close();
}

// 9. Model states: a failing model keeps the draft and says so at the top; offline, rewrites are disabled.
async function modelStates(t) {
  const page = await t.signIn("agent@caf.test", { viewport: { width: 1366, height: 768 } });
  await page.goto(base + "/avis/" + t.screenIDs[6]);
  const kept = "Mon brouillon à moi, à garder.";
  await page.locator("#texte").fill(kept);
  await page.locator("#bouton-enregistrer").click();
  await page.getByText("Votre version est enregistrée.").waitFor();
  await t.world.setModel({ status: 503 });
  try {
    await page.getByRole("button", { name: "Plus formel" }).click();
    await page.locator("#plume-alerte").waitFor({ state: "visible", timeout: 30000 });
  } finally { await t.world.setModel(reply); }
  await t.shotView(page, "20-modele-en-panne.png");
  assert.match(await page.locator("#plume-alerte").innerText(), /Le modèle n'a pas répondu ; votre brouillon est conservé/);
  assert.ok(await inView(page, "#plume-alerte"), "l'alerte est dans la fenêtre");
  assert.equal(await page.locator("#texte").inputValue(), kept, "le brouillon de l'agent est conservé");
  const detail = await page.locator("#plume-alerte-technique").textContent();
  assert.ok(!/127\.0\.0\.1|localhost|http:\/\//.test(detail), "aucune adresse interne : " + detail);
  assert.ok(await page.getByRole("button", { name: "Réessayer" }).isVisible());
  assert.ok(await page.getByRole("button", { name: "Proposer un brouillon hors ligne" }).isVisible());
  await page.reload();
  assert.equal(await page.locator("#texte").inputValue(), kept, "aucune version hors ligne n'a remplacé le brouillon");
  await page.context().close();

  const offBase = await t.startServer({ LLM_BASE_URL: "" });
  const off = await t.signIn("agent@caf.test", { at: offBase });
  await off.goto(offBase + "/avis/" + t.screenIDs[6]);
  await off.locator("#bandeau-hors-ligne").waitFor();
  assert.ok(await off.getByRole("button", { name: "Plus court" }).isDisabled(), "réécriture désactivée hors ligne");
  assert.match(await off.locator("#reecrire-indisponible").innerText(), /aucun modèle/, "la raison est donnée");
  await t.shotView(off, "21-hors-ligne.png");
  await off.goto(offBase + "/avis");
  assert.ok(await off.locator("#badge-hors-ligne-boite").isVisible(), "badge hors ligne dans la boîte");
  await off.context().close();
}

// 10. Inbox: ≥ 6 reviews above the fold at 1366×768, the selected status visibly chosen; cards at 390 px.
async function inboxLayouts(t) {
  const page = await t.signIn("agent@caf.test", { viewport: { width: 1366, height: 768 } });
  await page.goto(base + "/avis");
  const visible = await page.locator(".plume-inbox-row").evaluateAll((rs) => rs.filter((r) => r.getBoundingClientRect().bottom <= window.innerHeight).length);
  await t.shotView(page, "22-boite-1366.png");
  assert.ok(visible >= 6, `au moins 6 avis sans défiler à 1366×768 (${visible})`);
  await page.goto(base + "/avis?statut=brouillon_pret");
  const cur = page.locator(".plume-counts a[aria-current]");
  assert.equal(await cur.count(), 1, "un seul filtre courant");
  const [bgCur, bgOther] = await Promise.all([cur.evaluate((e) => getComputedStyle(e).backgroundColor),
    page.locator(".plume-counts a:not([aria-current])").first().evaluate((e) => getComputedStyle(e).backgroundColor)]);
  assert.notEqual(bgCur, bgOther, "le filtre courant se distingue");
  await page.context().close();

  const mobile = await t.signIn("agent@caf.test", { viewport: { width: 390, height: 844 } });
  await mobile.goto(base + "/avis");
  const narrow = await mobile.locator(".plume-inbox-row, .plume-inbox-row a.plume-inbox-link, .plume-inbox-row .plume-inbox-excerpt").evaluateAll((els) =>
    els.filter((e) => e.getBoundingClientRect().width < 120).map((e) => e.className + " " + Math.round(e.getBoundingClientRect().width)));
  assert.deepEqual(narrow, [], "aucun élément de la liste plus étroit que 120 px à 390 px");
  const overflow = await mobile.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, "pas de défilement horizontal à 390 px");
  await t.shot(mobile, "23-boite-390.png");
  // The review screen stacks, actions right under the editor.
  await mobile.goto(base + "/avis/" + t.screenIDs[7]);
  await t.shot(mobile, "24-avis-390.png");
  await mobile.context().close();
}

// 11. Weight: a second page view transfers little (compressed, cached assets).
async function pageWeight(t) {
  const page = await t.signIn("agent@caf.test");
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await page.goto(base + "/avis");
  await page.goto(base + "/avis/" + t.screenIDs[7]);
  let bytes = 0, count = 0;
  cdp.on("Network.loadingFinished", (e) => { bytes += e.encodedDataLength; count++; });
  await page.goto(base + "/avis");
  await page.waitForLoadState("networkidle");
  t.figures.secondView = { bytes, requests: count };
  log(`deuxième page vue : ${(bytes / 1024).toFixed(1)} Ko transférés en ${count} requêtes`);
  assert.ok(bytes <= 100 * 1024, `deuxième page vue ≤ 100 Ko (${bytes} o)`);
  const fav = await page.goto(base + "/favicon.ico");
  assert.equal(fav.status(), 200, "favicon servie");
  await page.context().close();
}

// 12. Inline errors: setting aside with « Autre » and no précision keeps the form and marks the field.
async function inlineErrors(t) {
  const page = await t.signIn("agent@caf.test");
  await page.goto(base + "/avis/" + t.screenIDs[7]);
  await page.locator("#motif").selectOption("Autre");
  await page.getByRole("button", { name: "Écarter l'avis" }).click();
  await page.locator("#precision-erreur").waitFor();
  assert.equal(await page.locator("#motif").inputValue(), "Autre", "le formulaire est gardé");
  await t.shot(page, "25-erreur-en-ligne.png");
  await page.context().close();
}

// 14. Assignment: « Me l'attribuer », the holder named to a colleague who clicks too late (409), « Mes avis » in
// the inbox and the holder on each card, « Libérer ».
async function assignment(t) {
  t.cli("users", "add", "--email", "agent2@caf.test", "--name", "Second agent CAF", "--role", "agent", "--org", "caf-gironde", "--password", password);
  const url = base + "/avis/" + t.screenIDs[7];
  const late = await t.signIn("agent2@caf.test", { viewport: { width: 1366, height: 768 } });
  await late.goto(url);
  assert.ok(await late.locator("#bouton-attribuer").isVisible(), "un avis libre propose « Me l'attribuer »");
  const page = await t.signIn("agent@caf.test", { viewport: { width: 1366, height: 768 } });
  await page.goto(url);
  await page.locator("#bouton-attribuer").click();
  await page.waitForURL(/fait=attribue/);
  assert.match(await page.locator("#attribution-etat").textContent(), /À moi/, "l'avis est à moi");
  await t.shotView(page, "26-attribue.png");
  const pb = await page.locator("#bouton-publier").boundingBox();
  assert.ok(await inView(page, "#bouton-publier"), `l'attribution ne repousse pas « Approuver et publier » hors de la fenêtre (bas à ${Math.round(pb.y + pb.height)} px)`);
  // The colleague's page was drawn before: their click is refused, the holder named, in view.
  const [res] = await Promise.all([late.waitForResponse((r) => r.url().endsWith("/attribution")), late.locator("#bouton-attribuer").click()]);
  assert.equal(res.status(), 409, "prendre un avis déjà pris : conflit");
  await late.locator("#attribution-conflit").waitFor();
  assert.match(await late.locator("#attribution-conflit").innerText(), /déjà attribué à Agent CAF/, "le conflit nomme qui l'a pris");
  assert.ok(await inView(late, "#attribution-conflit"), "le conflit est visible sans défiler");
  await t.shotView(late, "27-attribution-conflit.png");
  await page.goto(base + "/avis");
  await page.locator("#filtre-mes-avis").click();
  await page.waitForURL(/mes=1/);
  const mine = page.locator(".plume-inbox-row");
  assert.equal(await mine.count(), 1, "« Mes avis » ne montre que l'avis pris");
  assert.match(await mine.first().innerText(), /À moi/, "la carte dit « À moi »");
  await t.shotView(page, "28-mes-avis.png");
  await late.goto(base + "/avis");
  assert.match(await late.locator(".plume-inbox-row", { has: late.locator(`a[href="/avis/${t.screenIDs[7]}"]`) }).innerText(), /À Agent CAF/,
    "la carte nomme le collègue qui a l'avis");
  await page.goto(url);
  await page.locator("#bouton-liberer").click();
  await page.waitForURL(/fait=libere/);
  assert.ok(await page.locator("#bouton-attribuer").isVisible(), "libéré, l'avis se reprend");
  await Promise.all([page, late].map((p) => p.context().close()));
}

// openPublishByKey opens the publish dialog with Alt+Maj+P and waits for its check. Twice in a fresh-clone CI
// (never when run alone) the dialog did not stay open: either it never showed, or the page was reloaded under it,
// which is what a newer version saved meanwhile does (409: the ordinary save takes over). The shortcut is then
// tried again on the page as it is, at most twice, and each retry is logged so that the cause can be traced.
async function openPublishByKey(page) {
  for (let attempt = 1; ; attempt++) {
    await page.locator("#bouton-publier").waitFor();
    await page.keyboard.press("Alt+Shift+KeyP");
    try {
      await page.locator("#modale-publier").waitFor({ state: "visible", timeout: 5000 });
      await page.waitForFunction(() => !/Vérification en cours/.test(document.getElementById("modale-etat").textContent), null,
        { timeout: 10000 });
      if (await page.locator("#modale-annuler").isVisible()) { return; }
    } catch (e) {
      if (attempt === 3) { throw e; }
    }
    if (attempt === 3) { throw new Error("Alt+Maj+P : la fenêtre de publication ne reste pas ouverte"); }
    log(`Alt+Maj+P : fenêtre de publication absente (essai ${attempt}, ${page.url()}), nouvel essai`);
    await page.waitForLoadState("load");
  }
}

// 15. Keyboard shortcuts and presence: a colleague's opening is shown; Alt+Maj+E, Alt+Maj+1, Ctrl+Entrée,
// Alt+Maj+P and Alt+Maj+→ do what the page lists.
async function shortcutsAndPresence(t) {
  const url = base + "/avis/" + t.screenIDs[7];
  const chef = await t.signIn("chef@caf.test");
  await chef.goto(url);
  const page = await t.signIn("agent@caf.test", { viewport: { width: 1366, height: 768 } });
  await page.goto(url);
  assert.match(await page.locator(".plume-presence").first().innerText(), /chef@caf\.test consulte cet avis/, "la présence d'un collègue est signalée");
  await page.keyboard.press("Alt+Shift+KeyE");
  assert.equal(await page.evaluate(() => document.activeElement.id), "texte", "Alt+Maj+E : l'éditeur a le focus");
  await page.locator("#texte").evaluate((el) => { el.setSelectionRange(el.value.length, el.value.length); });
  await page.keyboard.press("Alt+Shift+Digit1");
  assert.match(await page.locator("#texte").inputValue(), /\[1\]$/, "Alt+Maj+1 : cite la source 1");
  await page.keyboard.press("Control+Enter");
  await page.waitForURL(/fait=enregistre/);
  assert.match(await page.locator("#texte").inputValue(), /\[1\]$/, "Ctrl+Entrée : la version est enregistrée");
  await openPublishByKey(page);
  await page.locator("#modale-annuler").click();
  await page.locator("#modale-publier").waitFor({ state: "hidden" });
  await page.keyboard.press("Alt+Shift+ArrowRight");
  await page.waitForURL((u) => /\/avis\/\d+$/.test(u.pathname) && !u.pathname.endsWith("/" + t.screenIDs[7]));
  await Promise.all([chef, page].map((p) => p.context().close()));
}

// 13. axe-core on every page: no serious or critical violation.
async function accessibility(t) {
  const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  const pages = { agent: ["/avis", "/avis/" + t.reviewID, "/avis/" + t.reviewID + "/historique", "/avis/" + t.screenIDs[7], "/assistant",
    "/accessibilite", "/mentions-legales", "/donnees-personnelles"], chef: ["/parametres", "/statistiques"] };
  const report = [];
  const check = async (page, path) => {
    const res = await page.goto(base + path);
    assert.equal(res.status(), 200, path);
    await page.evaluate(axeSource);
    const r = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
    const bad = r.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    for (const v of bad) { report.push(`${path}: ${v.id} (${v.impact}) ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`); }
  };
  for (const [who, paths] of Object.entries(pages)) {
    const page = await t.signIn(who === "agent" ? "agent@caf.test" : "chef@caf.test");
    for (const p of paths) { await check(page, p); }
    if (who === "agent") {
      // The publish dialog, open.
      await page.goto(base + "/avis/" + t.screenIDs[7]);
      await page.locator("#bouton-publier").click();
      await page.waitForFunction(() => !/Vérification en cours/.test(document.getElementById("modale-etat").textContent));
      await new Promise((r) => setTimeout(r, 800)); // the dialog's opening transition
      await page.evaluate(axeSource);
      const r = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
      for (const v of r.violations.filter((v) => v.impact === "serious" || v.impact === "critical")) { report.push(`modale: ${v.id} (${v.impact}) ${v.nodes.slice(0, 3).map((n) => n.target.join(" ") + " " + (n.any[0]?.message || "")).join(", ")}`); }
    }
    await page.context().close();
  }
  const anon = await browser.newContext({ locale: "fr-FR" });
  const p = await anon.newPage();
  await check(p, "/connexion");
  await check(p, "/docs");
  await anon.close();
  assert.deepEqual(report, [], "axe-core : aucune violation grave ou critique");
  log("axe-core : aucune violation grave ou critique sur", Object.values(pages).flat().length + 3, "pages");
}

// (privacy) Publication guard: a supervisor forbids a promise; an agent tries to publish a reply carrying the
// citizen's phone and NIR and that promise; the dialog lists the three items, keeps the text, and publishes it
// once they are removed.
async function publicationGuard({ signIn, cli, shot, approveViaModal }) {
  const chef = await signIn("chef@caf.test");
  await chef.goto(base + "/parametres");
  await chef.locator("#forbidden").fill("sous 8 jours, c'est garanti");
  await chef.getByRole("button", { name: "Enregistrer" }).click();
  await chef.waitForLoadState();

  const file = join(tmp, "avis-garde.jsonl");
  writeFileSync(file, JSON.stringify({ external_id: "caf-garde", organisation: "CAF de la Gironde", organisation_slug: "caf-gironde",
    title: "Prime d'activité suspendue", author_pseudonym: "Lodie75", feeling: "Négatif", topic: "Prime d'activité", written_at: "2026-01-07",
    body: "Je suis Élodie Ndiaye, joignable au 06 12 34 56 78, NIR 2 85 03 75 116 238 42. Ma prime d'activité est suspendue depuis deux mois." }) + "\n");
  cli("reviews", "import", file);

  const agent = await signIn("agent@caf.test");
  await agent.getByRole("link", { name: "Prime d'activité suspendue" }).click();
  await agent.waitForURL(/\/avis\/\d+$/);
  const url = agent.url();
  const bad = "Bonjour Lodie75,\n\nMerci pour votre avis. Nous vous rappellerons au 06 12 34 56 78.\n" +
    "Votre NIR 2 85 03 75 116 238 42 est bien enregistré.\nVotre dossier sera traité sous 8 jours, c'est garanti.\n\nLe service relations usagers";
  await agent.locator("#texte").fill(bad);
  await approveViaModal(agent);
  await agent.getByText("Publication refusée").first().waitFor({ timeout: 20000 });
  const items = await agent.locator("ul.guard-items li, [data-guard-item]").allInnerTexts();
  assert.ok(items.some((t) => t.includes("numéro de téléphone") && t.includes("06 12 34 56 78")), "le téléphone est listé : " + items.join(" | "));
  assert.ok(items.some((t) => t.includes("NIR") && t.includes("2 85 03 75 116 238 42")), "le NIR est listé : " + items.join(" | "));
  assert.ok(items.some((t) => t.includes("engagement interdit")), "l'engagement interdit est listé : " + items.join(" | "));
  assert.equal(items.length, 3, "trois éléments, pas plus : " + items.join(" | "));
  await shot(agent, "30-publication-refusee.png");

  // The refused text is kept: the agent fixes it in place and publishes.
  await agent.goto(url);
  assert.match(await agent.locator("#texte").inputValue(), /sous 8 jours/, "le texte refusé est conservé");
  await agent.locator("#texte").fill("Bonjour Lodie75,\n\nMerci pour votre avis. Un conseiller reprend votre dossier de prime d'activité ; " +
    "vous pouvez suivre son avancement depuis votre espace personnel sur caf.fr.\n\nLe service relations usagers");
  assert.deepEqual(await approveViaModal(agent), [], "plus rien ne bloque");
  let published = false;
  for (let i = 0; i < 60 && !published; i++) {
    await agent.goto(url);
    published = (await agent.locator("#statut-avis").textContent()).includes("publié");
    if (!published) { await new Promise((r) => setTimeout(r, 500)); }
  }
  assert.ok(published, "la réponse corrigée est publiée");
  const exported = readFileSync(exportPath, "utf8");
  assert.ok(exported.includes("Lodie75") && !exported.includes("06 12 34 56 78") && !exported.includes("116 238"), "la réponse exportée ne porte ni téléphone ni NIR");
  await shot(agent, "31-publication-corrigee.png");
}

// 15. The API's documentation, for integrators: /docs rendered on the server from /openapi.json, without a
// script from elsewhere, readable and accessible.
async function apiDocs(t) {
  const ctx = await browser.newContext({ locale: "fr-FR", viewport: { width: 1366, height: 768 } });
  const page = await ctx.newPage();
  const outside = [];
  page.on("request", (r) => { if (!r.url().startsWith(base)) { outside.push(r.url()); } });
  const res = await page.goto(base + "/docs");
  assert.equal(res.status(), 200);
  assert.match(await page.locator("h1").innerText(), /API de Plume/);
  const doc = await (await page.request.get(base + "/openapi.json")).json();
  assert.equal(doc.openapi, "3.1.0");
  assert.equal(await page.locator("article h3").count(), Object.values(doc.paths).reduce((n, ops) => n + Object.keys(ops).length, 0), "une section par opération");
  await page.locator("#createChatCompletion").scrollIntoViewIfNeeded();
  assert.match(await page.locator("#createChatCompletion").innerText(), /\/v1\/chat\/completions/);
  assert.deepEqual(outside, [], "rien n'est chargé d'ailleurs");
  const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  await page.evaluate(axeSource);
  const r = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = r.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id} (${v.impact}) ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
  assert.deepEqual(bad, [], "axe-core : aucune violation grave ou critique sur /docs");
  await page.goto(base + "/docs");
  await t.shot(page, "32-documentation-api.png");
  await ctx.close();
}

// 16. A world of its own (database, model, portal, identity provider): reviews pulled from the Services Publics+
// portal reach an agent signed in through ProConnect (OpenID Connect). The portal fails its first call and the
// model its first request, both retried; nothing personal of a pulled review reaches the model; a sign-in the
// provider refuses leaves the browser signed out.
async function pullAndSignIn(t) {
  const w = await t.openWorld({ model: { text: "Bonjour,\n\nNous avons bien reçu votre message au sujet de votre prime d'activité. " +
    "La prime d'activité est versée chaque mois par la Caf [1].\n\nNous vous prions d'agréer nos salutations distinguées." },
  portal_seed: 7, portal_records: 4 });
  const personal = { id_experience: 990001, titre: "Prime d'activité suspendue", ressenti_usager: "Négatif",
    description: "Bonjour, je suis Élodie Ndiaye, joignable au 06 12 34 56 78. Ma prime d'activité est suspendue depuis deux mois sans explication.",
    intitule_structure_1: "Caf de la Gironde", intitule_typologie_1: "Caisse d'Allocations Familiales (CAF)",
    date_de_publication: "2023-01-06", ecrit_le: "2023-01-05", pseudonyme_usager: "Lodie75" };
  const { ids } = await w.addRecords({ generate: 2, records: [personal] });
  assert.equal(ids.length, 3, "deux avis générés et l'avis écrit ici sont sur le portail");
  await w.setFaults({ calls: { 1: "500" } });
  await w.queueReplies([{ status: 503 }]);
  const p = await freePort();
  const at = await t.startServer({ PLUME_ADDR: `127.0.0.1:${p}`, PLUME_BASE_URL: `http://127.0.0.1:${p}`, DATABASE_URL: w.database_url,
    LLM_BASE_URL: w.model_url, LLM_MAX_RETRIES: "1", SPP_BASE_URL: w.portal_url, SPP_DATASET: w.portal_dataset,
    OIDC_ISSUER: w.oidc_issuer, OIDC_CLIENT_ID: w.oidc_client_id, OIDC_CLIENT_SECRET: w.oidc_client_secret,
    OIDC_ORG_MAP: "13000548100010=caisse-d-allocations-familiales-caf", OIDC_ROLE_MAP: "plume-agents=agent", PUBLISH_EXPORT_PATH: join(tmp, "publications-portail.jsonl") });

  // The pull runs when the server starts: through the portal's 500, retried.
  let calls = [];
  for (let i = 0; i < 60 && !calls.some((c) => c.status === 200 && c.returned > 0); i++) {
    await new Promise((r) => setTimeout(r, 500));
    calls = await w.portalCalls();
  }
  assert.deepEqual(calls.slice(0, 1).map((c) => [c.status, c.fault]), [[500, "500"]], "le premier appel au portail échoue");
  assert.ok(calls.some((c) => c.status === 200 && c.returned > 0), "la collecte reprend et lit les avis : " + JSON.stringify(calls));

  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "fr-FR" });
  const page = await ctx.newPage();
  page.on("pageerror", (e) => { failed = true; console.error("ÉCHEC : erreur JavaScript :", e.stack || e.message); });
  // Nothing queued at the provider: it refuses, and Plume says so without a session.
  await page.goto(at + "/connexion?suite=/avis");
  await page.getByRole("link", { name: "Se connecter avec ProConnect" }).click();
  await page.waitForLoadState();
  assert.ok(!/\/avis/.test(new URL(page.url()).pathname), "une connexion refusée n'ouvre pas la boîte : " + page.url());
  await t.shot(page, "33-proconnect-refus.png");
  // The organisation (the pulled reviews' typology; the provider names it by its SIRET) exists once the pull
  // stored them: the sign-in is retried until then.
  let inbox = false;
  for (let i = 0; i < 20 && !inbox; i++) {
    await w.queueLogin({ subject: "agent-proconnect-1", claims: { email: "camille.martin@caf.test", email_verified: true,
      name: "Camille Martin", organisation: "13000548100010", groups: ["plume-agents"] } });
    await page.goto(at + "/connexion?suite=/avis");
    await page.getByRole("link", { name: "Se connecter avec ProConnect" }).click();
    await page.waitForLoadState();
    inbox = /^\/avis/.test(new URL(page.url()).pathname);
    if (!inbox) { await new Promise((r) => setTimeout(r, 500)); }
  }
  assert.ok(inbox, "l'agent connecté par ProConnect arrive dans sa boîte : " + page.url());

  // The pulled review, drafted by the background job despite the model's first failure.
  const row = page.locator(".plume-inbox-row", { hasText: "Prime d'activité suspendue" });
  for (let i = 0; i < 60; i++) {
    await page.goto(at + "/avis");
    if ((await row.count()) === 1 && (await row.innerText()).includes("1 version")) { break; }
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.match(await row.innerText(), /1 version/, "l'avis collecté a son brouillon");
  await t.shot(page, "34-boite-proconnect-collecte.png");
  await row.locator("a.plume-inbox-link").click();
  await page.waitForURL(/\/avis\/\d+$/);
  assert.match(await page.locator("#texte-clair").innerText(), /Élodie Ndiaye/, "l'agent lit l'avis en clair");
  assert.match(await page.locator("#texte").inputValue(), /prime d'activité est versée chaque mois/, "le brouillon vient du modèle");
  await t.shot(page, "35-avis-collecte.png");

  const reqs = (await w.requests()).filter((r) => r.path.endsWith("/chat/completions"));
  const texts = reqs.map((r) => r.text);
  assert.ok(new Set(texts).size < texts.length, "la requête refusée (503) est renvoyée à l'identique");
  const leaks = texts.filter((x) => /Ndiaye|Élodie|06 12 34 56 78/.test(x)).map((x) => x.slice(0, 120));
  assert.deepEqual(leaks, [], "aucune donnée personnelle de l'avis collecté n'atteint le modèle");
  log(`portail : ${calls.length} appel(s) ; modèle : ${reqs.length} requête(s), aucune donnée personnelle`);
  await ctx.close();
}

// The scenarios, in order; each may rely on the data of those before it.
const scenarios = [agentJourney, moreReviews, sideBySide, liveCitations, unsavedWarning, staleConflict, standardReply,
  nextReviewFlow, guardedPublish, modelStates, inboxLayouts, pageWeight, inlineErrors, assignment, shortcutsAndPresence, publicationGuard,
  accessibility, apiDocs, pullAndSignIn];

try {
  const hostile = "<script>alert('xss')</script><img src=x onerror=alert(1)> " + "a".repeat(3000) + " 😀👍 مرحبا بكم في الخدمة שלום עולם " +
    "Texte très long. ".repeat(1100);
  t.importReviews([
    { external_id: "caf-1", organisation: "CAF de la Gironde", organisation_slug: "caf-gironde", title: "Aide au logement non versée",
      body: "Bonjour, je n'ai pas reçu mon aide au logement ce mois-ci alors que mon dossier est complet. Pouvez-vous m'aider ?",
      feeling: "Négatif", topic: "Aide au logement", author_pseudonym: "Camille", written_at: "2026-01-05" },
    { external_id: "caf-2", organisation: "CAF de la Gironde", organisation_slug: "caf-gironde", title: "<b>Avis piégé</b>",
      body: hostile, feeling: "Neutre", topic: "Sécurité", written_at: "2026-01-06" },
    { external_id: "cpam-1", organisation: "CPAM du Rhône", organisation_slug: "cpam-rhone", title: "Remboursement en attente",
      body: "Mes soins ne sont toujours pas remboursés depuis trois semaines.", feeling: "Négatif", topic: "Remboursements", written_at: "2026-01-04" },
  ], "avis.jsonl");
  cli("users", "add", "--email", "agent@caf.test", "--name", "Agent CAF", "--role", "agent", "--org", "caf-gironde", "--password", password);
  cli("users", "add", "--email", "chef@caf.test", "--name", "Superviseure CAF", "--role", "superviseur", "--org", "caf-gironde", "--password", password);
  cli("users", "add", "--email", "agent@cpam.test", "--name", "Agent CPAM", "--role", "agent", "--org", "cpam-rhone", "--password", password);

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--no-first-run"],
  });
  await startServer({ PLUME_ADDR: `127.0.0.1:${port}` });
  log("serveur prêt sur", base);
  const only = process.env.SCENARIOS ? process.env.SCENARIOS.split(",") : null;
  for (const s of scenarios) {
    if (only && !only.includes(s.name)) { continue; }
    const s0 = Date.now();
    try {
      await s(t);
      log(`✓ ${s.name} (${((Date.now() - s0) / 1000).toFixed(1)} s)`);
    } catch (e) {
      failed = true;
      console.error(`ÉCHEC ${s.name} :`, e.stack || e.message);
      if (process.env.STOP_ON_FAILURE) { break; }
    }
  }
} catch (e) {
  failed = true;
  console.error("ÉCHEC :", e.stack || e.message);
} finally {
  if (browser) { await browser.close(); }
  for (const srv of servers) { srv.kill("SIGTERM"); await new Promise((r) => { if (srv.exitCode !== null) { r(); } else { srv.once("exit", r); } }); }
  if (process.env.KEEP_DB) {
    // Killed outright, the harness drops nothing.
    log("bases conservées :", worlds.map((w) => w.database_url).join(" "));
    harness.kill("SIGKILL");
  } else {
    for (const w of worlds) { await control("DELETE", "/scenarios/" + w.id).catch((e) => console.error(e.message)); }
    harness.kill("SIGTERM");
  }
  if (harness.exitCode === null) { await once(harness, "exit"); }
  rmSync(tmp, { recursive: true, force: true });
}
if (Object.keys(t.figures).length) { writeFileSync(join(root, "test-output", "figures.json"), JSON.stringify(t.figures, null, 2)); }
log(`${failed ? "ÉCHEC" : "réussi"} en ${((Date.now() - started) / 1000).toFixed(1)} s ; captures dans ${shots}`);
process.exit(failed ? 1 : 0);
