// Tests of src/aioanthropic/web/static/anthropic-stream.js under node's test runner.
// Run by tests/test_web_js.py, which writes the streams (from the Python SDK) and a manifest:
// CASES=<manifest.json>, each case {name, path, contentType}; the messages the module rebuilds
// are written to OUT=<file.json> for the Python side to compare with the SDK's own.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import {
  EventReader,
  MessageBuilder,
  NDJSONDecoder,
  SSEDecoder,
  StreamError,
  readMessageStream,
  streamMessage,
} from "../../src/aioanthropic/web/static/anthropic-stream.js";

function responseOf(chunks, contentType, status = 200) {
  const body = new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  return new Response(body, { status, headers: { "content-type": contentType } });
}

function rebuild(chunks, contentType) {
  // The bytes-to-message path of readMessageStream, without the fetch plumbing.
  const reader = new EventReader(contentType);
  const builder = new MessageBuilder();
  for (const chunk of chunks) for (const event of reader.feed(chunk)) builder.feed(event);
  for (const event of reader.end()) builder.feed(event);
  assert.ok(builder.done);
  return builder.message;
}

const cases = process.env.CASES ? JSON.parse(readFileSync(process.env.CASES, "utf8")) : [];
const rebuilt = {};

for (const { name, path, contentType } of cases) {
  test(`${name}: the same message at every split point`, async () => {
    const bytes = new Uint8Array(readFileSync(path));
    // Through fetch's Response: the whole body at once, then byte by byte.
    const read = async (chunks) => {
      const seen = [];
      const message = await readMessageStream(responseOf(chunks, contentType), {
        onText: (delta) => seen.push(delta),
      });
      return { message, seen };
    };
    const whole = await read([bytes]);
    const byByte = await read(Array.from(bytes, (b) => Uint8Array.of(b)));
    assert.deepEqual(byByte.message, whole.message);
    assert.deepEqual(byByte.seen, whole.seen);
    // Every two-piece split (inside multi-byte UTF-8 and CR LF too), through the same reader.
    for (let i = 1; i < bytes.length; i++) {
      assert.deepEqual(rebuild([bytes.subarray(0, i), bytes.subarray(i)], contentType), whole.message);
    }
    rebuilt[name] = whole.message;
  });
}

test("an error event throws a StreamError with the partial message", async () => {
  const lines = [
    { type: "message_start", message: { id: "m", role: "assistant", content: [], usage: { input_tokens: 1 } } },
    { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
    { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Half" } },
    { type: "error", error: { type: "overloaded_error", message: "busy" } },
  ];
  const bytes = new TextEncoder().encode(lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
  await assert.rejects(readMessageStream(responseOf([bytes], "application/x-ndjson")), (error) => {
    assert.ok(error instanceof StreamError);
    assert.equal(error.type, "overloaded_error");
    assert.equal(error.message, "busy");
    assert.equal(error.partialMessage.content[0].text, "Half");
    return true;
  });
});

test("a body that ends before message_stop is an incomplete_stream error", async () => {
  const bytes = new TextEncoder().encode('{"type":"ping"}\n');
  await assert.rejects(readMessageStream(responseOf([bytes], "application/x-ndjson")), { type: "incomplete_stream" });
});

test("an HTTP error with a non-event body names the status", async () => {
  const bytes = new TextEncoder().encode("");
  await assert.rejects(readMessageStream(responseOf([bytes], "application/x-ndjson", 502)), { status: 502 });
});

test("a line that is not JSON is an invalid_response error, not a crash", async () => {
  const bytes = new TextEncoder().encode("<html>\n");
  await assert.rejects(readMessageStream(responseOf([bytes], "application/x-ndjson")), { type: "invalid_response" });
});

test("SSE: comments, CRLF, multi-line data and a CR LF split between two data lines", () => {
  // Read as two line ends, the split "\r" + "\n" would be a blank line that dispatches the
  // first half of the data on its own.
  const decoder = new SSEDecoder();
  const events = [
    ...decoder.feed(": keep-alive\r\nevent: ping\r\n"),
    ...decoder.feed('data: {"type":\r'),
    ...decoder.feed('\ndata: "ping"}\r\n\r\n'),
    ...decoder.end(),
  ];
  assert.deepEqual(events, [{ type: "ping" }]);
});

test("NDJSON: a last line without a newline is not lost", () => {
  const decoder = new NDJSONDecoder();
  assert.deepEqual(decoder.feed('{"type":"ping"}\n{"type":'), [{ type: "ping" }]);
  assert.deepEqual(decoder.feed('"message_stop"}'), []);
  assert.deepEqual(decoder.end(), [{ type: "message_stop" }]);
});

test("unknown events and deltas change nothing", () => {
  const builder = new MessageBuilder();
  builder.feed({ type: "message_start", message: { content: [] } });
  builder.feed({ type: "content_block_start", index: 0, content_block: { type: "text", text: "a" } });
  builder.feed({ type: "content_block_delta", index: 0, delta: { type: "future_delta", x: 1 } });
  builder.feed({ type: "future_event" });
  assert.deepEqual(builder.message.content, [{ type: "text", text: "a" }]);
});

test("streamMessage: abort() cancels the fetch and resolves with what arrived", async () => {
  let cancelled = false;
  const head = new TextEncoder().encode(
    [
      { type: "message_start", message: { content: [] } },
      { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
      { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "partial" } },
    ].map((l) => JSON.stringify(l) + "\n").join(""),
  );
  const fakeFetch = async (url, init) => {
    assert.equal(init.method, "POST");
    assert.deepEqual(JSON.parse(init.body), { messages: [{ role: "user", content: "hi" }] });
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(head);
        init.signal.addEventListener("abort", () => {
          cancelled = true;
          controller.error(new DOMException("aborted", "AbortError"));
        });
      },
    });
    return new Response(body, { headers: { "content-type": "application/x-ndjson" } });
  };
  let stream;
  const gotText = new Promise((resolve) => {
    stream = streamMessage("/api/chat", { messages: [{ role: "user", content: "hi" }] }, { fetch: fakeFetch, onText: resolve });
  });
  await gotText;
  stream.abort();
  const { message, aborted } = await stream.done;
  assert.equal(aborted, true);
  assert.equal(cancelled, true);
  assert.equal(message.content[0].text, "partial");
});

test.after(() => {
  if (process.env.OUT) writeFileSync(process.env.OUT, JSON.stringify(rebuilt));
});
