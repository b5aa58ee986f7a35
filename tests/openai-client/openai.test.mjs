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
