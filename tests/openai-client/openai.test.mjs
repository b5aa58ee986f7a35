// Plume's OpenAI-compatible endpoint, driven by the official openai npm client. Run by the Go test
// TestOpenAINodeClient (internal/web), which starts Plume and a fake model and sets PLUME_URL and PLUME_TOKEN.
import { test } from "node:test";
import assert from "node:assert/strict";
import OpenAI from "openai";

const baseURL = process.env.PLUME_URL;
const apiKey = process.env.PLUME_TOKEN;
if (!baseURL || !apiKey) {
  throw new Error("PLUME_URL and PLUME_TOKEN must be set (run through go test ./internal/web -run TestOpenAINodeClient)");
}
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 30_000 });
const question = "Une personne a perdu sa carte Vitale, que faire ?";

function checkSources(sources) {
  assert.ok(Array.isArray(sources) && sources.length > 0, "sources field missing");
  sources.forEach((s, i) => {
    assert.equal(s.n, i + 1);
    assert.match(s.url, /^https:\/\//);
    assert.ok(s.title && s.doc_id, "source without title or doc_id");
  });
}

test("models lists plume-assistant", async () => {
  const page = await client.models.list();
  assert.ok(page.data.some((m) => m.id === "plume-assistant"));
});

test("chat completion carries the answer and its sources", async () => {
  const res = await client.chat.completions.create({
    model: "plume-assistant",
    messages: [{ role: "user", content: question }],
  });
  assert.equal(res.object, "chat.completion");
  assert.equal(res.choices[0].message.role, "assistant");
  assert.match(res.choices[0].message.content, /\[1\]/);
  assert.ok(res.usage.total_tokens > 0);
  checkSources(res.sources);
  assert.equal(res.sources[0].cited, true);
});

test("streamed chat completion: sources in the first chunk, text in order, usage at the end", async () => {
  const stream = await client.chat.completions.create({
    model: "plume-assistant",
    messages: [{ role: "user", content: question }],
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = "";
  let first = null;
  let usage = null;
  let finish = null;
  for await (const chunk of stream) {
    assert.equal(chunk.object, "chat.completion.chunk");
    if (first === null) { first = chunk; }
    for (const c of chunk.choices) {
      text += c.delta.content ?? "";
      if (c.finish_reason) { finish = c.finish_reason; }
    }
    if (chunk.usage) { usage = chunk.usage; }
  }
  checkSources(first.sources);
  assert.equal(text, "Déclarez la perte en ligne [1]. Demandez une nouvelle carte [2].");
  assert.equal(finish, "stop");
  assert.ok(usage && usage.total_tokens > 0, "no usage");
});

test("a bad token is an authentication error", async () => {
  const bad = new OpenAI({ baseURL, apiKey: "plm_inconnu", maxRetries: 0 });
  await assert.rejects(bad.chat.completions.create({ model: "plume-assistant", messages: [{ role: "user", content: question }] }),
    (err) => err instanceof OpenAI.AuthenticationError && err.status === 401);
});

test("an unknown model is refused with an OpenAI error object", async () => {
  await assert.rejects(client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: question }] }),
    (err) => err instanceof OpenAI.NotFoundError && err.code === "model_not_found");
});

test("models.retrieve returns plume-assistant, and an unknown model is a 404", async () => {
  const m = await client.models.retrieve("plume-assistant");
  assert.equal(m.id, "plume-assistant");
  assert.equal(m.object, "model");
  await assert.rejects(client.models.retrieve("gpt-4o"), (err) => err instanceof OpenAI.NotFoundError && err.code === "model_not_found");
});

test("max_tokens is accepted as an upper bound", async () => {
  const res = await client.chat.completions.create({
    model: "plume-assistant", max_tokens: 5, temperature: 0.2, top_p: 0.9,
    messages: [{ role: "user", content: question }],
  });
  assert.equal(res.object, "chat.completion");
  assert.ok(["stop", "length"].includes(res.choices[0].finish_reason));
});

test("responses.create answers with text and sources", async () => {
  const res = await client.responses.create({ model: "plume-assistant", input: question, max_output_tokens: 200 });
  assert.equal(res.object, "response");
  assert.equal(res.status, "completed");
  assert.match(res.output_text, /\[1\]/);
  assert.ok(res.usage.total_tokens > 0);
  checkSources(res.sources);
});

test("responses.create streams its events", async () => {
  const stream = await client.responses.create({
    model: "plume-assistant", stream: true,
    input: [{ role: "user", content: [{ type: "input_text", text: question }] }],
  });
  const types = [];
  let text = "";
  let completed = null;
  for await (const ev of stream) {
    types.push(ev.type);
    if (ev.type === "response.output_text.delta") { text += ev.delta; }
    if (ev.type === "response.completed") { completed = ev.response; }
  }
  assert.equal(types[0], "response.created");
  assert.equal(text, "Déclarez la perte en ligne [1]. Demandez une nouvelle carte [2].");
  assert.ok(completed && completed.output[0].content[0].text === text, "no response.completed with the whole text");
});

// Each parameter Plume cannot honour is refused with a 400 naming it, never silently ignored.
const unsupported = [
  ["n", { n: 2 }],
  ["tools", { tools: [{ type: "function", function: { name: "meteo", parameters: { type: "object", properties: {} } } }] }],
  ["tool_choice", { tool_choice: "required" }],
  ["response_format", { response_format: { type: "json_object" } }],
  ["logprobs", { logprobs: true }],
  ["top_logprobs", { top_logprobs: 2 }],
];
for (const [param, extra] of unsupported) {
  test(`${param} is a 400 unsupported_parameter`, async () => {
    await assert.rejects(client.chat.completions.create({ model: "plume-assistant", messages: [{ role: "user", content: question }], ...extra }),
      (err) => err instanceof OpenAI.BadRequestError && err.code === "unsupported_parameter" && err.param === param);
  });
}

test("a system message is refused with a clear 400", async () => {
  await assert.rejects(client.chat.completions.create({ model: "plume-assistant",
    messages: [{ role: "system", content: "Réponds en anglais." }, { role: "user", content: question }] }),
  (err) => err instanceof OpenAI.BadRequestError && err.code === "unsupported_parameter" && /system/.test(err.message));
});

test("a temperature of the wrong type or out of range is a 400", async () => {
  await assert.rejects(client.chat.completions.create({ model: "plume-assistant", messages: [{ role: "user", content: question }], temperature: "hot" }),
    (err) => err instanceof OpenAI.BadRequestError && err.code === "invalid_type" && err.param === "temperature");
  await assert.rejects(client.chat.completions.create({ model: "plume-assistant", messages: [{ role: "user", content: question }], temperature: 3 }),
    (err) => err instanceof OpenAI.BadRequestError && err.param === "temperature");
});

test("embeddings are not offered, and say so", async () => {
  await assert.rejects(client.embeddings.create({ model: "plume-assistant", input: "x" }),
    (err) => err instanceof OpenAI.NotFoundError && err.code === "unsupported_endpoint" && /embeddings/.test(err.message));
});

test("/openapi.json is a valid OpenAPI 3.1 document", async () => {
  const { Validator } = await import("@seriousme/openapi-schema-validator");
  const doc = await (await fetch(baseURL.replace(/\/v1\/?$/, "") + "/openapi.json")).json();
  const validator = new Validator();
  const res = await validator.validate(doc);
  assert.equal(validator.version, "3.1");
  assert.ok(res.valid, JSON.stringify(res.errors, null, 1));
});
