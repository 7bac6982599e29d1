// anthropic-stream.js: read a Messages API event stream in the browser (no dependencies).
//
// How this works
// --------------
// fetch() hands the body over as Uint8Array chunks. An EventReader turns bytes into events:
// NDJSON (one JSON event a line, what aioanthropic.web's ndjson_response sends) or SSE
// (`event:`/`data:` lines, blank line ends an event; the API's own format). A MessageBuilder is
// fed one event at a time and rebuilds the Message: text, thinking (and its signature), and
// tool_use input, whose JSON arrives in fragments and is parsed once, at content_block_stop.
// Unknown event and delta types reach onEvent and change nothing. An `error` event (or an HTTP
// error status, or a body that ends before message_stop) becomes a StreamError carrying the
// partial message, so nothing already received is lost. Stopping is an AbortController: abort()
// cancels the fetch, which closes the connection, which the server sees as a disconnect.

/** An error from the stream or the server: `type` is the API's error type. */
export class StreamError extends Error {
  constructor(type, message, partialMessage = null, status = null) {
    super(message);
    this.name = "StreamError";
    this.type = type;
    this.partialMessage = partialMessage;
    this.status = status;
  }
}

/** Splits NDJSON text into parsed events; feed() returns the events complete so far. */
export class NDJSONDecoder {
  constructor() {
    this.buffer = "";
  }
  feed(text) {
    this.buffer += text;
    const lines = this.buffer.split("\n");
    this.buffer = lines.pop();
    return lines.filter((line) => line.trim() !== "").map(parseEvent);
  }
  end() {
    const rest = this.buffer;
    this.buffer = "";
    return rest.trim() === "" ? [] : [parseEvent(rest)];
  }
}

/** Server-sent events (WHATWG HTML "Server-sent events": data lines joined with "\n"). */
export class SSEDecoder {
  constructor() {
    this.buffer = "";
    this.data = [];
    this.skipLF = false;
  }
  feed(text) {
    // A chunk that ended with "\r" ended a line; if the next starts with "\n", that is the
    // rest of the same "\r\n", not an empty line (which would dispatch an event).
    if (this.skipLF && text.startsWith("\n")) text = text.slice(1);
    this.skipLF = false;
    this.buffer += text;
    const lines = this.buffer.split(/\r\n|\r|\n/);
    this.buffer = lines.pop();
    if (this.buffer === "" && text.endsWith("\r")) this.skipLF = true;
    const events = [];
    for (const line of lines) this.line(line, events);
    return events;
  }
  line(line, events) {
    if (line === "") {
      if (this.data.length > 0) events.push(parseEvent(this.data.join("\n")));
      this.data = [];
      return;
    }
    if (line.startsWith(":")) return; // a comment
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.data.push(value);
  }
  end() {
    const events = [];
    if (this.buffer !== "") this.line(this.buffer, events);
    this.buffer = "";
    this.line("", events);
    return events;
  }
}

function parseEvent(text) {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new StreamError("invalid_response", `not a JSON event: ${text.slice(0, 80)}`);
  }
}

/** The decoder for a response's content type: SSE for text/event-stream, else NDJSON. */
export function decoderFor(contentType) {
  return /^text\/event-stream/i.test(contentType || "") ? new SSEDecoder() : new NDJSONDecoder();
}

/** Bytes in, events out: UTF-8 decoding (a character may straddle chunks) and framing. */
export class EventReader {
  constructor(contentType) {
    this.decoder = decoderFor(contentType);
    this.text = new TextDecoder();
  }
  /** The events completed by this chunk of bytes (a Uint8Array). */
  feed(bytes) {
    return this.decoder.feed(this.text.decode(bytes, { stream: true }));
  }
  /** The events left at the end of the body. */
  end() {
    return [...this.decoder.feed(this.text.decode()), ...this.decoder.end()];
  }
}

/** Rebuilds a Message from its events, fed one at a time. */
export class MessageBuilder {
  constructor() {
    this.message = null;
    this.done = false;
    this.inputJson = new Map(); // block index -> raw JSON fragments of a tool input
  }
  feed(event) {
    const type = event && event.type;
    if (type === "message_start") {
      this.message = { ...event.message, content: [...(event.message.content || [])] };
      return;
    }
    if (type === "ping" || type === "error" || this.message === null) return;
    const blocks = this.message.content;
    if (type === "content_block_start") {
      const block = { ...event.content_block };
      if (block.type === "tool_use" || block.type === "server_tool_use") {
        this.inputJson.set(event.index, []);
      }
      blocks[event.index] = block;
    } else if (type === "content_block_delta") {
      const block = blocks[event.index];
      const delta = event.delta || {};
      if (!block) throw new StreamError("invalid_response", `delta for block ${event.index} never started`);
      // A delta applies only to the block type it is for (as the Python accumulator does):
      // a text_delta sent to a block type this reader does not know changes nothing.
      const kind = block.type;
      if (delta.type === "text_delta" && kind === "text") block.text = (block.text || "") + delta.text;
      else if (delta.type === "thinking_delta" && kind === "thinking") block.thinking = (block.thinking || "") + delta.thinking;
      else if (delta.type === "signature_delta" && kind === "thinking") block.signature = delta.signature;
      else if (delta.type === "input_json_delta") this.inputJson.get(event.index)?.push(delta.partial_json);
      else if (delta.type === "citations_delta" && kind === "text") block.citations = [...(block.citations || []), delta.citation];
    } else if (type === "content_block_stop") {
      const fragments = this.inputJson.get(event.index);
      if (fragments) {
        const raw = fragments.join("");
        blocks[event.index].input = raw === "" ? {} : JSON.parse(raw);
        this.inputJson.delete(event.index);
      }
    } else if (type === "message_delta") {
      for (const [key, value] of Object.entries(event.delta || {})) this.message[key] = value;
      for (const [key, value] of Object.entries(event.usage || {})) {
        if (value !== null && value !== undefined) this.message.usage = { ...this.message.usage, [key]: value };
      }
    } else if (type === "message_stop") {
      this.done = true;
    }
  }
  /** The text of every text block so far, joined. */
  get text() {
    if (!this.message) return "";
    return this.message.content.filter((b) => b && b.type === "text").map((b) => b.text).join("");
  }
}

/**
 * Read a fetch Response's event stream to its end and return the Message.
 * Callbacks (all optional): onEvent(event, message), onText(text, fullText),
 * onThinking(thinking), onMessage(message). Throws StreamError (partialMessage attached).
 */
export async function readMessageStream(response, callbacks = {}) {
  const builder = new MessageBuilder();
  const events = new EventReader(response.headers.get("content-type"));
  const handle = (event) => {
    if (event.type === "error") {
      const detail = event.error || {};
      throw new StreamError(detail.type || "api_error", detail.message || "error event", builder.message, response.status);
    }
    builder.feed(event);
    callbacks.onEvent?.(event, builder.message);
    if (event.type === "content_block_delta") {
      if (event.delta?.type === "text_delta") callbacks.onText?.(event.delta.text, builder.text);
      if (event.delta?.type === "thinking_delta") callbacks.onThinking?.(event.delta.thinking);
    }
  };
  if (!response.body) throw new StreamError("api_error", `HTTP ${response.status} with no body`, null, response.status);
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (const event of events.feed(value)) handle(event);
    }
    for (const event of events.end()) handle(event);
  } finally {
    reader.releaseLock();
  }
  if (!response.ok) {
    throw new StreamError("api_error", `HTTP ${response.status} ${response.statusText}`.trim(), builder.message, response.status);
  }
  if (!builder.done) {
    throw new StreamError("incomplete_stream", "the stream ended before message_stop", builder.message, response.status);
  }
  callbacks.onMessage?.(builder.message);
  return builder.message;
}

/**
 * POST `body` as JSON to `url` and read the answer's events.
 * Returns { abort(), done }: abort() stops (the fetch is cancelled, the server sees the
 * disconnect); `done` resolves with { message, aborted } where `message` is what arrived, and
 * rejects with a StreamError, also given to callbacks.onError.
 */
export function streamMessage(url, body, callbacks = {}) {
  const controller = new AbortController();
  let latest = null;
  const tracked = { ...callbacks, onEvent: (event, message) => { latest = message; callbacks.onEvent?.(event, message); } };
  const done = (async () => {
    try {
      const response = await (callbacks.fetch || fetch)(url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/x-ndjson" },
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      return { message: await readMessageStream(response, tracked), aborted: false };
    } catch (error) {
      if (controller.signal.aborted) return { message: latest, aborted: true };
      const failure = error instanceof StreamError ? error : new StreamError("connection_error", String(error.message || error), latest);
      callbacks.onError?.(failure);
      throw failure;
    }
  })();
  return { abort: () => controller.abort(), done, signal: controller.signal };
}
