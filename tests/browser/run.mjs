// Plume as an agent uses it, in headless Chromium: sign in, open the inbox, open a review, watch the draft
// stream in, edit it, check a source link, approve, see it published; an agent of another organisation gets a 404;
// a hostile review renders as text. Screenshots of each screen go to test-output/screenshots/.
//
// Needs: PLUME_BIN (a built plume binary), PostgreSQL at DATABASE_URL (a fresh database is created and dropped),
// Chromium at CHROMIUM_PATH (default /usr/bin/chromium). The model is a fake OpenAI-compatible server started
// here, so that the streaming path is the real one.
import { chromium } from "playwright-core";
import { spawn, execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import assert from "node:assert/strict";

const started = Date.now();
const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const plume = process.env.PLUME_BIN || join(root, "plume");
const shots = join(root, "test-output", "screenshots");
mkdirSync(shots, { recursive: true });
const adminURL = process.env.PLUME_TEST_DATABASE_URL || process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test?sslmode=disable";
const dbName = "plume_browser_" + randomBytes(4).toString("hex");
const dbURL = (() => { const u = new URL(adminURL); u.pathname = "/" + dbName; return u.toString(); })();
const tmp = mkdtempSync(join(tmpdir(), "plume-browser-"));
const exportPath = join(tmp, "publications.jsonl");
const password = "mot-de-passe-du-test-navigateur";
const log = (...a) => console.log("browser-test:", ...a);

// The fake model streams a grounded reply in small pieces, slowly enough for the page to show it growing.
const reply = "Bonjour,\n\nNous avons bien reçu votre message au sujet de votre aide au logement. " +
  "L'aide au logement est versée chaque mois par la Caf, sous conditions de ressources [1]. " +
  "Vous pouvez suivre votre dossier depuis votre espace personnel sur caf.fr [1].\n\n" +
  "Nous vous prions d'agréer nos salutations distinguées.";
const llm = createServer((req, res) => {
  let body = "";
  req.on("data", (c) => { body += c; });
  req.on("end", async () => {
    if (!req.url.endsWith("/chat/completions")) { res.writeHead(404).end(); return; }
    const q = JSON.parse(body || "{}");
    const chunk = (delta, finish) => JSON.stringify({ id: "fake", object: "chat.completion.chunk", created: 0, model: "fake",
      choices: [{ index: 0, delta, finish_reason: finish }] });
    if (!q.stream) {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ id: "fake", object: "chat.completion", created: 0, model: "fake",
        choices: [{ index: 0, message: { role: "assistant", content: reply }, finish_reason: "stop" }],
        usage: { prompt_tokens: 100, completion_tokens: 60, total_tokens: 160 } }));
      return;
    }
    res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
    res.write("data: " + chunk({ role: "assistant", content: "" }, null) + "\n\n");
    const words = reply.split(/(?<= )/);
    for (let i = 0; i < words.length; i += 3) {
      res.write("data: " + chunk({ content: words.slice(i, i + 3).join("") }, null) + "\n\n");
      await new Promise((r) => setTimeout(r, 60));
    }
    res.write("data: " + chunk({}, "stop") + "\n\n");
    res.write("data: " + JSON.stringify({ id: "fake", object: "chat.completion.chunk", created: 0, model: "fake", choices: [],
      usage: { prompt_tokens: 100, completion_tokens: 60, total_tokens: 160 } }) + "\n\n");
    res.end("data: [DONE]\n\n");
  });
});
await new Promise((r) => llm.listen(0, "127.0.0.1", r));
const port = await new Promise((r) => { const s = createServer(); s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => r(p)); }); });
const base = `http://127.0.0.1:${port}`;
const env = { ...process.env, DATABASE_URL: dbURL, PLUME_ADDR: `127.0.0.1:${port}`, PLUME_SECURE_COOKIES: "false",
  PUBLISH_EXPORT_PATH: exportPath, LLM_BASE_URL: `http://127.0.0.1:${llm.address().port}/v1`, LLM_MODEL: "fake", LLM_API_KEY: "test",
  PLUME_LOG_LEVEL: "warn" };
const cli = (...args) => execFileSync(plume, args, { env, cwd: root, stdio: ["ignore", "pipe", "pipe"] }).toString();

let server, browser, failed = false;
try {
  execFileSync("psql", [adminURL, "-qc", `CREATE DATABASE ${dbName}`], { stdio: "inherit" });
  cli("migrate");
  cli("corpus", "load", "--format", "vdd", "corpus/vdd");
  const hostile = "<script>alert('xss')</script><img src=x onerror=alert(1)> " + "a".repeat(3000) + " 😀👍 مرحبا بكم في الخدمة שלום עולם " +
    "Texte très long. ".repeat(1100);
  const reviews = [
    { external_id: "caf-1", organisation: "CAF de la Gironde", organisation_slug: "caf-gironde", title: "Aide au logement non versée",
      body: "Bonjour, je n'ai pas reçu mon aide au logement ce mois-ci alors que mon dossier est complet. Pouvez-vous m'aider ?",
      feeling: "Négatif", topic: "Aide au logement", author_pseudonym: "Camille", written_at: "2026-01-05" },
    { external_id: "caf-2", organisation: "CAF de la Gironde", organisation_slug: "caf-gironde", title: "<b>Avis piégé</b>",
      body: hostile, feeling: "Neutre", topic: "Sécurité", written_at: "2026-01-06" },
    { external_id: "cpam-1", organisation: "CPAM du Rhône", organisation_slug: "cpam-rhone", title: "Remboursement en attente",
      body: "Mes soins ne sont toujours pas remboursés depuis trois semaines.", feeling: "Négatif", topic: "Remboursements", written_at: "2026-01-04" },
  ];
  const file = join(tmp, "avis.jsonl");
  writeFileSync(file, reviews.map((r) => JSON.stringify(r)).join("\n") + "\n");
  cli("reviews", "import", file);
  cli("users", "add", "--email", "agent@caf.test", "--name", "Agent CAF", "--role", "agent", "--org", "caf-gironde", "--password", password);
  cli("users", "add", "--email", "chef@caf.test", "--name", "Superviseure CAF", "--role", "superviseur", "--org", "caf-gironde", "--password", password);
  cli("users", "add", "--email", "agent@cpam.test", "--name", "Agent CPAM", "--role", "agent", "--org", "cpam-rhone", "--password", password);

  server = spawn(plume, ["serve"], { env, cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  await new Promise((ok, ko) => {
    const t = setTimeout(() => ko(new Error("plume serve n'a pas démarré en 30 s")), 30000);
    server.stdout.on("data", (d) => { if (d.toString().includes("écoute sur")) { clearTimeout(t); ok(); } });
    server.on("exit", (c) => ko(new Error("plume serve s'est arrêté : " + c)));
  });
  log("serveur prêt sur", base);

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--no-first-run"],
  });
  const signIn = async (email) => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "fr-FR" });
    const page = await ctx.newPage();
    page.on("dialog", async (d) => { failed = true; console.error("ÉCHEC : une boîte de dialogue s'est ouverte :", d.message()); await d.dismiss(); });
    page.on("pageerror", (e) => {
      failed = true; console.error("ÉCHEC : erreur JavaScript :", e.stack || e.message);
    });
    page.on("response", (r) => { if (r.status() >= 400 && !r.url().match(/\/avis\/\d+$/)) { console.error("réponse", r.status(), r.url()); } });
    await page.goto(base + "/connexion");
    await page.getByLabel("Adresse électronique").fill(email);
    await page.getByLabel("Mot de passe").fill(password);
    await page.getByRole("button", { name: "Se connecter" }).click();
    await page.waitForURL(/\/avis/);
    return page;
  };
  const shot = (page, name) => page.screenshot({ path: join(shots, name), fullPage: true });

  // 1. Inbox: the oldest unanswered review first, only the CAF's. The background job drafts imported reviews
  // first: wait for it, so that its drafts do not land in the middle of the agent's work.
  const agent = await signIn("agent@caf.test");
  await agent.getByRole("heading", { name: "Avis à traiter" }).waitFor();
  for (let i = 0; i < 60; i++) {
    if ((await agent.locator("table tbody tr", { hasText: "1 version" }).count()) === 2) { break; }
    await new Promise((r) => setTimeout(r, 500));
    await agent.reload();
  }
  const rows = agent.locator("table tbody tr");
  assert.equal(await rows.count(), 2, "la boîte de la CAF montre ses 2 avis");
  assert.ok(!(await agent.content()).includes("Remboursement en attente"), "l'avis de la CPAM n'apparaît pas");
  assert.match(await rows.first().innerText(), /Aide au logement non versée/, "le plus ancien sans réponse d'abord");
  await shot(agent, "01-boite-de-reception.png");

  // 2. Review: open it and ask for a draft, which streams in.
  await agent.getByRole("link", { name: "Aide au logement non versée" }).click();
  await agent.waitForURL(/\/avis\/\d+$/);
  const reviewURL = agent.url();
  const reviewID = reviewURL.split("/").pop();
  await shot(agent, "02-avis.png");
  await agent.locator("#bouton-generer").click();
  await agent.waitForFunction(() => (document.getElementById("flux")?.textContent || "").includes("aide au logement"), null, { timeout: 20000 });
  await shot(agent, "03-brouillon-en-cours.png");
  await agent.waitForURL(/fait=brouillon/, { timeout: 30000 });
  const drafted = await agent.locator("#texte").inputValue();
  assert.match(drafted, /Bonjour Camille,/, "le brouillon streamé est dans l'éditeur, avec le pseudonyme");
  assert.match(drafted, /espace personnel/);

  // A rewrite of a selection streams a new version too.
  await agent.locator("#texte").evaluate((el) => { el.focus(); el.setSelectionRange(0, 20); });
  const before = Number(new URL(agent.url()).searchParams.get("version"));
  await agent.getByRole("button", { name: "Plus court" }).click();
  await agent.waitForURL(new RegExp("version=" + (before + 1)), { timeout: 30000 });
  await agent.locator("#titre-editeur", { hasText: new RegExp("version " + (before + 1)) }).waitFor();

  // 3. Sources: a cited passage links to service-public.fr.
  const link = agent.locator("a.plume-source-link").first();
  const href = await link.getAttribute("href");
  assert.match(href, /^https:\/\/www\.service-public\.fr\//, "lien vers service-public.fr : " + href);
  assert.ok(await agent.locator(".plume-source .fr-badge", { hasText: "citée" }).count() >= 1, "une source est marquée citée");

  // 4. Edit and save.
  await agent.locator("#texte").fill(drafted.replace("Nous vous prions", "N'hésitez pas à nous recontacter si besoin.\n\nNous vous prions"));
  await agent.getByRole("button", { name: "Enregistrer la version" }).click();
  await agent.getByText("Votre version est enregistrée.").waitFor();
  assert.match(await agent.locator("#texte").inputValue(), /recontacter/);
  await shot(agent, "04-version-modifiee.png");

  // 5. Approve; the export publisher acknowledges and the review becomes publie.
  await agent.getByRole("button", { name: "Approuver et publier" }).click();
  await agent.waitForURL(/fait=publication/);
  await shot(agent, "05-publication-en-cours.png");
  let published = false;
  for (let i = 0; i < 60 && !published; i++) {
    await agent.goto(reviewURL);
    published = (await agent.locator("#statut-avis").textContent()).includes("publié");
    if (!published) { await new Promise((r) => setTimeout(r, 500)); }
  }
  assert.ok(published, "l'avis est publié après l'accusé de réception");
  await agent.getByRole("heading", { name: "Réponse publiée" }).waitFor();
  assert.ok(existsSync(exportPath) && readFileSync(exportPath, "utf8").includes("recontacter"), "la réponse modifiée est exportée");
  await shot(agent, "06-publie.png");

  // 6. History: every version with its diff and who did what.
  await agent.goto(reviewURL + "/historique");
  assert.ok(await agent.locator("ins.plume-ins").count() >= 1, "l'historique montre les ajouts");
  await agent.getByText("a approuvé la réponse").first().waitFor();
  await shot(agent, "07-historique.png");

  // 7. A hostile review renders as text and the page stays usable.
  await agent.goto(base + "/avis");
  await agent.getByRole("link", { name: "Avis piégé" }).click();
  await agent.waitForURL(/\/avis\/\d+$/);
  assert.ok((await agent.locator("#texte-clair").innerText()).includes("<script>alert('xss')</script>"), "les balises s'affichent en texte");
  assert.equal(await agent.locator("#texte-clair img, #texte-clair script, #texte-clair b").count(), 0, "aucune balise interprétée");
  const overflow = await agent.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, "pas de défilement horizontal (" + overflow + " px)");
  await agent.locator("#bouton-generer").scrollIntoViewIfNeeded();
  await shot(agent, "08-avis-hostile.png");

  // 7b. The assistant: a question streams an answer in the page (shared event-stream reader of plume.js).
  await agent.goto(base + "/assistant");
  await agent.locator("#assistant-question").fill("J'ai perdu ma carte Vitale, que faire ?");
  await agent.locator("#assistant-form button[type=submit], #assistant-submit").first().click();
  await agent.waitForFunction(() => (document.getElementById("assistant-live-answer")?.textContent || "").length > 20, null, { timeout: 20000 });
  assert.ok(await agent.locator("#assistant-error").evaluate((el) => el.classList.contains("fr-hidden")), "pas d'erreur affichée");
  await shot(agent, "08b-assistant.png");

  // 8. Statistics for the supervisor.
  const chef = await signIn("chef@caf.test");
  await chef.goto(base + "/statistiques");
  await chef.getByRole("heading", { name: "Statistiques" }).waitFor();
  assert.match(await chef.locator(".plume-kpis").innerText(), /1 \/ 0/, "une réponse publiée, aucun avis écarté");
  await shot(chef, "09-statistiques.png");

  // 9. An agent of another organisation gets a 404 for this review, and does not see it in their inbox.
  const other = await signIn("agent@cpam.test");
  assert.ok(!(await other.content()).includes("Aide au logement non versée"), "la boîte de la CPAM ne montre pas l'avis de la CAF");
  const res = await other.goto(base + "/avis/" + reviewID);
  assert.equal(res.status(), 404, "un agent de la CPAM reçoit 404 pour un avis de la CAF");
  await shot(other, "10-autre-organisation-404.png");

  // 10. Publication guard (its own scenario below).
  await publicationGuardScenario({ signIn, cli, shot });
} catch (e) {
  failed = true;
  console.error("ÉCHEC :", e.stack || e.message);
} finally {
  if (browser) { await browser.close(); }
  if (server) { server.kill("SIGTERM"); await new Promise((r) => server.once("exit", r)); }
  llm.close();
  if (process.env.KEEP_DB) { log("base conservée :", dbURL); } else {
    try { execFileSync("psql", [adminURL, "-qc", `DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`], { stdio: "inherit" }); } catch { /* reported by psql */ }
  }
  rmSync(tmp, { recursive: true, force: true });
}
// publicationGuardScenario: a supervisor forbids a promise; an agent tries to publish a reply carrying the
// citizen's phone and NIR and that promise; the server refuses it with the three items listed, keeps the text,
// and publishes it once they are removed.
async function publicationGuardScenario({ signIn, cli, shot }) {
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
  await agent.getByRole("button", { name: "Approuver et publier" }).click();
  await agent.getByText("Publication refusée").first().waitFor({ timeout: 20000 });
  const items = await agent.locator("ul.guard-items li, [data-guard-item]").allInnerTexts();
  assert.ok(items.some((t) => t.includes("numéro de téléphone") && t.includes("06 12 34 56 78")), "le téléphone est listé : " + items.join(" | "));
  assert.ok(items.some((t) => t.includes("NIR") && t.includes("2 85 03 75 116 238 42")), "le NIR est listé : " + items.join(" | "));
  assert.ok(items.some((t) => t.includes("engagement interdit")), "l'engagement interdit est listé : " + items.join(" | "));
  assert.equal(items.length, 3, "trois éléments, pas plus : " + items.join(" | "));
  await shot(agent, "11-publication-refusee.png");

  // The refused text is kept: the agent fixes it in place and publishes.
  await agent.goto(url);
  assert.match(await agent.locator("#texte").inputValue(), /sous 8 jours/, "le texte refusé est conservé");
  await agent.locator("#texte").fill("Bonjour Lodie75,\n\nMerci pour votre avis. Un conseiller reprend votre dossier de prime d'activité ; " +
    "vous pouvez suivre son avancement depuis votre espace personnel sur caf.fr.\n\nLe service relations usagers");
  await agent.getByRole("button", { name: "Approuver et publier" }).click();
  await agent.waitForURL(/fait=publication/, { timeout: 20000 });
  let published = false;
  for (let i = 0; i < 60 && !published; i++) {
    await agent.goto(url);
    published = (await agent.locator("#statut-avis").textContent()).includes("publié");
    if (!published) { await new Promise((r) => setTimeout(r, 500)); }
  }
  assert.ok(published, "la réponse corrigée est publiée");
  const exported = readFileSync(exportPath, "utf8");
  assert.ok(exported.includes("Lodie75") && !exported.includes("06 12 34 56 78") && !exported.includes("116 238"), "la réponse exportée ne porte ni téléphone ni NIR");
  await shot(agent, "12-publication-corrigee.png");
}

log(`${failed ? "ÉCHEC" : "réussi"} en ${((Date.now() - started) / 1000).toFixed(1)} s ; captures dans ${shots}`);
process.exit(failed ? 1 : 0);
