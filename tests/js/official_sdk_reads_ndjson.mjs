// The official TypeScript SDK's MessageStream.fromReadableStream reads an NDJSON file written
// by aioanthropic.web.encode_ndjson (argv[2]), fed in 5-byte chunks; prints
// {"message": <finalMessage()>, "text": <the "text" callbacks joined>} as JSON.
import { readFileSync } from "node:fs";
import { MessageStream } from "@anthropic-ai/sdk/lib/MessageStream.mjs";

const bytes = readFileSync(process.argv[2]);
const body = new ReadableStream({
  start(controller) {
    for (let i = 0; i < bytes.length; i += 5) controller.enqueue(bytes.subarray(i, i + 5));
    controller.close();
  },
});
const stream = MessageStream.fromReadableStream(body);
let text = "";
stream.on("text", (delta) => {
  text += delta;
});
const message = await stream.finalMessage();
console.log(JSON.stringify({ message, text }));
