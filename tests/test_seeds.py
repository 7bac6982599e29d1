"""The Python snippets of the documents this project started from (``shared/seeds/``) run on
aioanthropic with only the import line changed: sync with ``Anthropic``, async with ``await``.

The snippets are copied verbatim (``SYNC``), in document order, and run one after another in
one namespace, as a reader pasting them into a session would. Two edits beyond the import are
unavoidable and made by ``prepare``: the gateway's URL becomes the fake server's, and the
"Parse Response Content" snippet's literal ``create(...)`` placeholder gets arguments (a model,
``max_tokens`` and one user message). The async versions (``to_async``) are what the same
reader writes for ``AsyncAnthropic``: ``await`` before each call, ``async def`` for functions
that make one.

Bugs of the snippets themselves must surface as clear errors, never be hidden: the
``Conversation`` class passes its prompt as ``max_tokens`` (a ``BadRequestError`` naming
``max_tokens``), the error-handling snippet forgets ``import time`` (a ``NameError`` once it
tries to back off), the prefill ends in whitespace (the API's ``BadRequestError``), and the
extraction snippet expects JSON the fake model does not write.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

import aioanthropic
from aioanthropic.testing import FakeServer, Fault

GATEWAY = "https://ai.megallm.io"

# --- the snippets, verbatim ----------------------------------------------------------------------

BASIC = """
from anthropic import Anthropic

client = Anthropic(
    base_url="https://ai.megallm.io",
    api_key="your-api-key"
)

message = client.messages.create(
    model="claude-3.5-sonnet",
    max_tokens=100,
    messages=[
        {
            "role": "user",
            "content": "What are the primary colors?"
        }
    ]
)

print(message.content[0].text)
"""

CONTENT_TYPES = """
# Simple text message
message = {
    "role": "user",
    "content": "Hello, Claude!"
}

# Multi-part message with text and image
message = {
    "role": "user",
    "content": [
        {
            "type": "text",
            "text": "What's in this image?"
        },
        {
            "type": "image",
            "source": {
                "type": "base64",
                "media_type": "image/jpeg",
                "data": "base64_encoded_image_data"
            }
        }
    ]
}
"""

SYSTEM = '''
message = client.messages.create(
    model="claude-3.5-sonnet",
    max_tokens=200,
    system="""You are a helpful coding assistant.
    Always provide code examples when explaining concepts.
    Use Python unless specified otherwise.""",
    messages=[
        {
            "role": "user",
            "content": "Explain list comprehensions"
        }
    ]
)
'''

CONVERSATION = """
class Conversation:
    def __init__(self, client, model="claude-3-sonnet-20240229"):
        self.client = client
        self.model = model
        self.messages = []
        self.system = "You are a helpful assistant."

    def add_user_message(self, content):
        self.messages.append({"role": "user", "content": content})

    def get_response(self, max_tokens=200):
        response = self.client.messages.create(
            model=self.model,
            max_tokens=max_tokens,
            system=self.system,
            messages=self.messages
        )

        assistant_content = response.content[0].text
        self.messages.append({"role": "assistant", "content": assistant_content})

        return assistant_content

# Usage
conv = Conversation(client)
conv.system = "You are a math tutor."

print(conv.get_response("What is calculus?"))
print(conv.get_response("Can you give me an example?"))
print(conv.get_response("How is it different from algebra?"))
"""

PREFILL = """
messages = [
    {"role": "user", "content": "Write a haiku about programming"},
    {"role": "assistant", "content": "Here's a haiku about programming:\\n\\n"}  # Prefill
]

response = client.messages.create(
    model="claude-3.5-sonnet",
    max_tokens=50,
    messages=messages
)

# The response will continue from the prefilled content
"""

TOKEN_ESTIMATE = '''
def estimate_tokens(messages):
    """Rough estimation of token count"""
    total = 0
    for message in messages:
        if isinstance(message["content"], str):
            # Rough estimate: 1 token ≈ 4 characters
            total += len(message["content"]) // 4
        elif isinstance(message["content"], list):
            for part in message["content"]:
                if part["type"] == "text":
                    total += len(part["text"]) // 4
    return total

# Check before sending
token_estimate = estimate_tokens(messages)
if token_estimate > 180000:  # Leave room for response
    print("Warning: Approaching context limit")
'''

CONTENT_LOOP = """
response = client.messages.create(...)

# Handle different content types
for content_block in response.content:
    if content_block.type == "text":
        print(f"Text: {content_block.text}")
    elif content_block.type == "tool_use":
        print(f"Tool call: {content_block.name}")
        print(f"Arguments: {content_block.input}")
"""

ERRORS = """
from anthropic import APIError, RateLimitError, APIConnectionError

def safe_message_create(client, **kwargs):
    max_retries = 3
    retry_delay = 1

    for attempt in range(max_retries):
        try:
            return client.messages.create(**kwargs)

        except RateLimitError as e:
            if attempt < max_retries - 1:
                time.sleep(retry_delay * (2 ** attempt))
                continue
            raise e

        except APIConnectionError as e:
            print(f"Connection error: {e}")
            if attempt < max_retries - 1:
                time.sleep(retry_delay)
                continue
            raise e

        except APIError as e:
            print(f"API error: {e}")
            raise e
"""

PATTERNS = '''
def extract_information(text):
    response = client.messages.create(
        model="claude-3.5-sonnet",
        max_tokens=300,
        system="Extract information and return as JSON.",
        messages=[
            {
                "role": "user",
                "content": f"""Extract the following from this text:
                - Names (list)
                - Dates (list)
                - Locations (list)
                - Key facts (list)

                Return as JSON.

                Text: {text}"""
            }
        ],
        temperature=0  # Consistent formatting
    )

    import json
    return json.loads(response.content[0].text)

def translate(text, target_language="Spanish"):
    response = client.messages.create(
        model="claude-3.5-sonnet",  # Fast model for translation
        max_tokens=500,
        messages=[
            {
                "role": "user",
                "content": f"Translate to {target_language}:\\n\\n{text}"
            }
        ],
        temperature=0.3
    )
    return response.content[0].text

def summarize(text, style="bullet_points"):
    styles = {
        "bullet_points": "Create a bullet-point summary",
        "paragraph": "Write a concise paragraph summary",
        "executive": "Write an executive summary",
        "eli5": "Explain like I'm 5"
    }

    response = client.messages.create(
        model="claude-3.5-sonnet",
        max_tokens=300,
        system="You are a professional summarizer.",
        messages=[
            {
                "role": "user",
                "content": f"{styles.get(style, styles['bullet_points'])}:\\n\\n{text}"
            }
        ],
        temperature=0.3
    )
    return response.content[0].text
'''

CLEAR_INSTRUCTIONS = '''
# Good - Clear and specific
messages = [{
    "role": "user",
    "content": """Analyze this Python code:
    1. Identify any bugs
    2. Suggest performance improvements
    3. Rate code quality (1-10)

    Code:
    ```python
    def fibonacci(n):
        if n <= 1:
            return n
        return fibonacci(n-1) + fibonacci(n-2)
    ```"""
}]

# Less effective - Vague
messages = [{
    "role": "user",
    "content": "Look at this fibonacci function and tell me about it"
}]
'''

TEMPERATURE = """
# Factual/analytical tasks
response = client.messages.create(
    model="claude-3.5-sonnet",
    max_tokens=200,
    temperature=0,  # Deterministic
    messages=messages
)

# Creative tasks
response = client.messages.create(
    model="claude-3.5-sonnet",
    max_tokens=200,
    temperature=0.8,  # More creative
    messages=messages
)
"""

RATE_LIMITER = """
from threading import Lock
from collections import deque
import time

class RateLimiter:
    def __init__(self, max_requests=50, window=60):
        self.max_requests = max_requests
        self.window = window
        self.requests = deque()
        self.lock = Lock()

    def wait_if_needed(self):
        with self.lock:
            now = time.time()
            # Remove old requests
            while self.requests and self.requests[0] < now - self.window:
                self.requests.popleft()

            if len(self.requests) >= self.max_requests:
                sleep_time = self.window - (now - self.requests[0])
                if sleep_time > 0:
                    time.sleep(sleep_time)
                    return self.wait_if_needed()

            self.requests.append(now)

# Usage
rate_limiter = RateLimiter(max_requests=50, window=60)

def create_message(**kwargs):
    rate_limiter.wait_if_needed()
    return client.messages.create(**kwargs)
"""

TEXTBOOK = """
import anthropic
client = anthropic.Anthropic() # reads ANTHROPIC_API_KEY from env
response = client.messages.create(
model="claude-sonnet-4-6",
max_tokens=1024,
messages=[
{"role": "user", "content": "What is a transformer architecture?"}
]
)
print(response.content[0].text)

response.id # unique message ID
response.model # model that generated the response
response.stop_reason # "end_turn" | "max_tokens" | "stop_sequence" | "tool_use"
response.content # list of content blocks
response.usage.input_tokens
response.usage.output_tokens
# Extract text from the first content block:
text = response.content[0].text

messages = []
def chat(user_text):
    messages.append({"role": "user", "content": user_text})
    response = client.messages.create(
        model="claude-sonnet-4-6",
        max_tokens=1024,
        messages=messages
    )
    assistant_text = response.content[0].text
    messages.append({"role": "assistant", "content": assistant_text})
    return assistant_text

print(chat("What is a monad?"))
print(chat("Give me a concrete example in Python."))
"""

# --- the same snippets written for AsyncAnthropic ----------------------------------------------


def to_async(snippet: str, functions: tuple[str, ...] = ()) -> str:
    """What a reader writes for ``AsyncAnthropic``: ``await`` before each API call and before
    calls of the snippet's own functions that make one, ``async def`` for those functions."""
    out = snippet.replace("Anthropic(", "AsyncAnthropic(").replace(
        "import Anthropic", "import AsyncAnthropic"
    )
    out = re.sub(r"([\w.]*client\.messages\.create\()", r"await \1", out)
    for name in functions:
        out = re.sub(rf"(?<!def )([\w.]*\b{name})\(", r"await \1(", out)
        out = out.replace(f"def {name}(", f"async def {name}(")
    return out


def prepare(snippet: str, url: str) -> str:
    """The import line swapped, the gateway URL pointed at the fake server, and the
    placeholder ``create(...)`` given arguments."""
    out = snippet.replace("from anthropic import", "from aioanthropic import")
    out = out.replace("import anthropic\n", "import aioanthropic as anthropic\n")
    out = out.replace(GATEWAY, url)
    return out.replace(
        "client.messages.create(...)",
        'client.messages.create(model="claude-3.5-sonnet", max_tokens=50, '
        'messages=[{"role": "user", "content": "Describe the weather in Paris"}])',
    )


class Session:
    """One namespace, snippets run in order, output captured; sync or async."""

    def __init__(self, url: str, *, is_async: bool) -> None:
        self.url = url
        self.is_async = is_async
        self.namespace: dict[str, Any] = {"__name__": "seed_session"}
        self.out = io.StringIO()

    def run(self, snippet: str, functions: tuple[str, ...] = ()) -> None:
        code = prepare(to_async(snippet, functions) if self.is_async else snippet, self.url)
        with contextlib.redirect_stdout(self.out):
            if not self.is_async:
                exec(compile(code, "<seed>", "exec"), self.namespace)
                return
            # Top-level await, as in a notebook or `python -m asyncio`.
            import ast

            flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
            result = eval(compile(code, "<seed>", "exec", flags=flags), self.namespace)
            if asyncio.iscoroutine(result):
                self.loop.run_until_complete(result)

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        loop = self.namespace.get("__loop__")
        if loop is None:
            loop = self.namespace["__loop__"] = asyncio.new_event_loop()
        return loop

    def call(self, expression: str) -> Any:
        with contextlib.redirect_stdout(self.out):
            value = eval(expression, self.namespace)
            if self.is_async and asyncio.iscoroutine(value):
                return self.loop.run_until_complete(value)
            return value

    def close(self) -> None:
        client = self.namespace.get("client")
        if client is not None:
            result = client.close()
            if asyncio.iscoroutine(result):
                self.loop.run_until_complete(result)
        loop = self.namespace.get("__loop__")
        if loop is not None:
            loop.close()

    def lines(self) -> list[str]:
        return self.out.getvalue().splitlines()


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as fake:
        yield fake


@pytest.fixture(params=["sync", "async"])
def session(
    request: pytest.FixtureRequest, server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Session]:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "from-env")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
    s = Session(server.url, is_async=request.param == "async")
    yield s
    s.close()


def test_the_gateway_document_in_order(session: Session, server: FakeServer) -> None:
    session.run(BASIC)
    assert session.lines() == ["You said: What are the primary colors?"]
    client = session.namespace["client"]
    expected = aioanthropic.AsyncClient if session.is_async else aioanthropic.Client
    assert isinstance(client, expected)
    assert server.requests[-1].headers["x-api-key"] == "your-api-key"

    session.run(CONTENT_TYPES)
    assert session.namespace["message"]["content"][1]["type"] == "image"

    session.run(SYSTEM)
    assert (
        session.namespace["message"]
        .content[0]
        .text.startswith("(You are a helpful coding assistant.")
    )

    # The document's own bug: the prompt goes in as max_tokens, and no user message is added.
    with pytest.raises(aioanthropic.BadRequestError, match="max_tokens") as info:
        session.run(CONVERSATION, functions=("get_response",))
    assert info.value.status_code == 400

    # The document's prefill ends in "\n\n": the API refuses trailing whitespace in a final
    # assistant turn, and says so.
    with pytest.raises(aioanthropic.BadRequestError, match="trailing whitespace"):
        session.run(PREFILL)

    session.run(TOKEN_ESTIMATE)
    assert session.namespace["token_estimate"] == 31 // 4 + 35 // 4

    session.run(CONTENT_LOOP)
    assert session.lines()[-1] == "Text: You said: Describe the weather in Paris"

    session.run(PATTERNS, functions=("extract_information", "translate", "summarize"))
    assert session.call('translate("Good morning")') == (
        "You said: Translate to Spanish:\n\nGood morning"
    )
    assert session.call('summarize("A long text", style="eli5")').startswith(
        "(You are a professional summarizer.) You said: Explain like I'm 5"
    )
    # It expects the model to answer in JSON; the fake model echoes, and json says so.
    with pytest.raises(json.JSONDecodeError):
        session.call('extract_information("Ada met Alan in London in 1950")')

    session.run(CLEAR_INSTRUCTIONS)
    session.run(TEMPERATURE)
    assert [r.json["temperature"] for r in server.requests[-2:]] == [0, 0.8]
    assert session.namespace["response"].content[0].text.startswith("You said: Look at this")

    session.run(RATE_LIMITER, functions=("create_message",))
    reply = session.call(
        'create_message(model="m", max_tokens=20, messages=[{"role": "user", "content": "hi"}])'
    )
    assert reply.content[0].text == "You said: hi"


def test_the_error_handling_snippet(session: Session, server: FakeServer) -> None:
    session.run(BASIC)
    session.run(ERRORS, functions=("safe_message_create",))
    kwargs = 'model="m", max_tokens=20, messages=[{"role": "user", "content": "hi"}]'
    ok = session.call(f"safe_message_create(client, {kwargs})")
    assert ok.content[0].text == "You said: hi"

    # 400: printed and raised again, as the snippet says.
    with pytest.raises(aioanthropic.BadRequestError):
        session.call('safe_message_create(client, model="m", max_tokens=0, messages=[])')
    assert session.lines()[-1].startswith("API error: 400 invalid_request_error")

    # 429 after the client's own retries: the snippet backs off with time.sleep, which it
    # never imported. The NameError is the snippet's bug, and it is not hidden.
    server.enqueue(*[Fault(status=429, retry_after=0)] * 3)
    with pytest.raises(NameError, match="time"):
        session.call(f"safe_message_create(client, {kwargs})")
    assert len(server.requests) == 1 + 1 + 1 + 3  # basic, ok, 400, 429 x (1 + 2 retries)

    offline = "Anthropic" if not session.is_async else "AsyncAnthropic"
    session.namespace["aioanthropic"] = aioanthropic
    offline_client = session.call(
        f'aioanthropic.{offline}(base_url="http://127.0.0.1:9", api_key="k", max_retries=0)'
    )
    session.namespace["offline"] = offline_client
    with pytest.raises(NameError, match="time"):
        session.call(f"safe_message_create(offline, {kwargs})")
    assert session.lines()[-1].startswith("Connection error: Connection error")
    closing = offline_client.close()
    if asyncio.iscoroutine(closing):
        session.loop.run_until_complete(closing)


def test_the_textbook_chapter(session: Session, server: FakeServer) -> None:
    session.run(TEXTBOOK, functions=("chat",))
    assert session.lines() == [
        "You said: What is a transformer architecture?",
        "You said: What is a monad?",
        "You said: Give me a concrete example in Python.",
    ]
    assert server.requests[0].headers["x-api-key"] == "from-env"
    assert len(server.requests[-1].json["messages"]) == 3
