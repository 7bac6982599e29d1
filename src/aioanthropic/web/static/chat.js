// The example chat page: history, text streamed as it arrives, a stop button, readable errors.
// It talks to POST api/chat (NDJSON events) through anthropic-stream.js.
import { streamMessage } from "./anthropic-stream.js";

const history = []; // the conversation sent with each request: [{role, content}]
const $ = (id) => document.getElementById(id);
let current = null; // the request in flight: { abort, done }

function setState(state) {
  document.body.dataset.state = state;
  $("send").disabled = state === "streaming";
  $("stop").disabled = state !== "streaming";
}

function addTurn(role, text) {
  const turn = document.createElement("div");
  turn.className = `turn ${role}`;
  const body = document.createElement("span");
  body.className = "text";
  body.textContent = text;
  turn.append(body);
  $("history").append(turn);
  turn.scrollIntoView({ block: "end" });
  return turn;
}

function note(turn, className, text) {
  const element = document.createElement("span");
  element.className = className;
  element.textContent = text;
  turn.append(element);
  return element;
}

function render(turn, message) {
  // Thinking and tool calls are shown as notes; the text block goes into .text.
  turn.querySelectorAll(".thinking, .tool").forEach((e) => e.remove());
  for (const block of message?.content || []) {
    if (block?.type === "thinking") turn.prepend(Object.assign(document.createElement("span"), { className: "thinking", textContent: block.thinking }));
    if (block?.type === "tool_use") note(turn, "tool", `calls ${block.name}(${JSON.stringify(block.input ?? {})})`);
  }
}

async function send(prompt) {
  if (current || !prompt.trim()) return;
  addTurn("user", prompt);
  history.push({ role: "user", content: prompt });
  const turn = addTurn("assistant", "");
  turn.dataset.state = "streaming";
  const text = turn.querySelector(".text");
  const system = $("system").value.trim();
  setState("streaming");
  current = streamMessage("api/chat", { messages: history, ...(system ? { system } : {}) }, {
    onText: (_delta, full) => { text.textContent = full; turn.scrollIntoView({ block: "end" }); },
    onEvent: (event, message) => { if (event.type === "content_block_stop") render(turn, message); },
  });
  try {
    const { message, aborted } = await current.done;
    // Only text goes back: this page sends no tools, and thinking blocks need their signature.
    const kept = (message?.content || []).filter((b) => b && b.type === "text");
    if (kept.length) history.push({ role: "assistant", content: kept });
    else history.pop(); // nothing came back: drop the question, so the history stays valid
    if (aborted) {
      turn.dataset.state = "stopped";
      note(turn, "meta", "stopped");
      setState("stopped");
    } else {
      turn.dataset.state = "done";
      const usage = message.usage || {};
      note(turn, "meta", `${message.stop_reason} · ${usage.input_tokens} in, ${usage.output_tokens} out`);
      setState("done");
    }
  } catch (error) {
    const partial = error.partialMessage?.content?.filter((b) => b && b.type === "text") || [];
    if (partial.length) history.push({ role: "assistant", content: partial });
    else history.pop();
    turn.dataset.state = "error";
    note(turn, "error", `${error.type}: ${error.message}`);
    setState("error");
  } finally {
    current = null;
  }
}

$("composer").addEventListener("submit", (event) => {
  event.preventDefault();
  const prompt = $("prompt").value;
  $("prompt").value = "";
  send(prompt);
});
$("prompt").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    $("composer").requestSubmit();
  }
});
$("stop").addEventListener("click", () => current?.abort());

fetch("api/info").then((r) => r.json()).then((info) => { $("backend").textContent = `${info.backend} · ${info.model}`; }).catch(() => {});
const first = new URLSearchParams(location.search).get("prompt");
if (first) send(first);
