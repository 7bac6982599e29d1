"""The fault matrix (issue 10, item 5): every fault the fake server can inject, on asyncio and
trio, each asserting the exact message or the typed error within its deadline, the partial
message kept, no connection left checked out and no task left running.

One fake server serves the whole module (started once: a server per case would cost more than
the cases). Each case sends its fault in the ``x-fake-fault`` header with a unique message, so
cases never share state: ``fail_first`` counts per distinct fault, and a case finds its own
requests by that message. Retries wait for nothing (``_sleep`` records the waits) and timeouts
are short, so the module runs in seconds.

``python tests/test_reliability_fault_matrix.py`` prints the summary table that the README's
"Reliability" section carries (``test_the_readme_carries_the_matrix`` keeps them in step).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from aioanthropic import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AsyncClient,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    IncompleteStreamError,
    InternalServerError,
    NotFoundError,
    OverloadedError,
    PermissionDeniedError,
    RateLimitError,
    RequestTooLargeError,
    ServiceUnavailableError,
)
from aioanthropic.testing import FakeServer, Fault
from aioanthropic.types import Message, TextBlock
from helpers import RecordedWaits
from http_backends import connections_in_use

PROMPT = "Tell me a story about a café in Zürich, with emoji 🌍 and 中文 characters, please."
ANSWER = f"You said: {PROMPT}"
PARAMS: dict[str, Any] = {
    "model": "claude-test",
    "max_tokens": 300,
    "messages": [{"role": "user", "content": PROMPT}],
}
README = Path(__file__).resolve().parents[1] / "README.md"


@dataclass(frozen=True)
class Case:
    """One fault and what the caller must get. ``partial`` is what ``error.partial_message``
    holds: "none", "started" (message_start arrived), "text" (a proper prefix of the answer,
    not empty) or "full" (all the text)."""

    id: str
    fault: dict[str, Any]
    error: type[APIError] | None  # None: the call succeeds with the exact answer
    requests: int = 1
    partial: str = "none"
    needle: str = ""  # in str(error)
    client: dict[str, Any] = field(default_factory=dict)
    deadline: float = 5.0
    mode: str = "stream"  # or "create"
    waits: tuple[float, ...] | None = None  # exact retry waits, when the server set them


ERROR_EVENTS: dict[str, type[APIError]] = {
    "invalid_request_error": BadRequestError,
    "authentication_error": AuthenticationError,
    "billing_error": APIStatusError,
    "permission_error": PermissionDeniedError,
    "not_found_error": NotFoundError,
    "request_too_large": RequestTooLargeError,
    "rate_limit_error": RateLimitError,
    "timeout_error": InternalServerError,
    "api_error": InternalServerError,
    "overloaded_error": OverloadedError,
}
STATUSES: dict[int, type[APIError]] = {
    408: APIStatusError,
    409: ConflictError,
    429: RateLimitError,
    500: InternalServerError,
    502: InternalServerError,
    503: ServiceUnavailableError,
    504: InternalServerError,
    529: OverloadedError,
}
STALL = {"stall": 30.0, "ping_interval": 0.05}
IDLE = {"idle_timeout": 0.3, "max_retries": 0}


def cases() -> Iterator[Case]:
    for status, cls in STATUSES.items():
        for retry_after in (None, 2):
            hint = {} if retry_after is None else {"retry_after": retry_after}
            waits = None if retry_after is None else (2.0, 2.0)
            tag = f"{status}" + ("" if retry_after is None else "+retry-after")
            for mode in ("create", "stream"):
                yield Case(
                    f"{tag}-always-{mode}",
                    {"status": status, **hint},
                    cls,
                    requests=3,
                    needle=str(status),
                    mode=mode,
                    waits=waits,
                )
                yield Case(
                    f"{tag}-once-{mode}",
                    {"status": status, "fail_first": 1, **hint},
                    None,
                    requests=2,
                    mode=mode,
                    waits=None if retry_after is None else (2.0,),
                )
    yield Case("drop-before-content", {"drop_after": 1}, APIConnectionError, 3, "started")
    yield Case("drop-after-content", {"drop_after": 6}, APIConnectionError, 1, "text")
    yield Case("close-without-response", {"close_without_response": True}, APIConnectionError, 3)
    yield Case(
        "malformed-before-content", {"malformed_after": 1}, APIResponseValidationError, 1, "started"
    )
    yield Case(
        "malformed-after-content", {"malformed_after": 6}, APIResponseValidationError, 1, "text"
    )
    for error_type, cls in ERROR_EVENTS.items():
        yield Case(
            f"error-event-{error_type}",
            {"error_after": 6, "error_type": error_type},
            cls,
            1,
            "text",
        )
    yield Case(
        "error-event-overloaded-before-content",
        {"error_after": 0, "error_type": "overloaded_error"},
        OverloadedError,
        3,
    )
    for k, partial in (
        (0, "none"),
        (1, "started"),
        (2, "started"),
        (3, "started"),
        (5, "text"),
        (9, "text"),
    ):
        yield Case(
            f"stall-with-pings-at-event-{k}",
            {**STALL, "stall_after": k},
            APITimeoutError,
            1,
            partial,
            needle="idle_timeout",
            client=IDLE,
        )
    yield Case(
        "silent-stall-after-content",
        {"stall": 30.0, "stall_after": 6},
        APITimeoutError,
        1,
        "text",
        client={"timeout": 0.3, "max_retries": 0},
    )
    for content_type in ("application/json", "text/plain"):
        yield Case(
            f"wrong-content-type-{content_type.replace('/', '-')}",
            {"content_type": content_type},
            APIResponseValidationError,
            1,
            needle=content_type,
        )
    yield Case("no-message-stop", {"omit_stop": True}, IncompleteStreamError, 1, "full")
    yield Case("slow-drip", {"drip": 0.005}, None, client={"idle_timeout": 0.5})
    yield Case("byte-by-byte", {"chunking": "bytes"}, None)


CASES = list(cases())


# Retried-then-succeeding stream faults need a fault on the first request only: the queue.
QUEUED = {
    "drop-before-content-once": Fault(drop_after=1),
    "close-without-response-once": Fault(close_without_response=True),
    "overloaded-event-before-content-once": Fault(error_after=2, error_type="overloaded_error"),
    "timeout-before-content-once": Fault(stall=30.0, stall_after=1, ping_interval=0.05),
}


@pytest.fixture(scope="module")
def server() -> Iterator[FakeServer]:
    with FakeServer(chunking="random") as s:
        yield s


def text_of(message: Message | None) -> str:
    assert message is not None
    return "".join(b.text for b in message.content if isinstance(b, TextBlock))


async def call(client: AsyncClient, mode: str) -> Message:
    if mode == "create":
        message: Message = await client.messages.create(**PARAMS)
        return message
    async with client.messages.stream(**PARAMS) as stream:
        async for _ in stream:
            pass
        final: Message = await stream.get_final_message()
        return final


async def run(server: FakeServer, headers: dict[str, str], case: Case) -> tuple[Any, list[float]]:
    """Run one call; return the message or the error, and the retry waits. Checks the pool
    and the tasks on the way out."""
    waits = RecordedWaits()
    tasks_before = len(anyio.get_running_tasks())
    options: dict[str, Any] = {"max_retries": 2, **case.client}
    outcome: Any
    # Plain HTTP to loopback: no TLS context to build (loading CA certificates was most of a
    # case's time); the pool is httpx's own, as it is inside AsyncClient.
    http = httpx.AsyncClient(verify=False, follow_redirects=False)
    async with (
        http,
        AsyncClient(
            api_key="test",
            base_url=server.url,
            default_headers=headers,
            _sleep=waits,
            http_client=http,
            **options,
        ) as client,
    ):
        with anyio.fail_after(case.deadline):
            try:
                outcome = await call(client, case.mode)
            except APIError as error:
                outcome = error
        assert connections_in_use(client) == 0, "a connection was left checked out"
    # httpx's body iterators are nested async generators; the inner ones, dropped when the
    # outer is closed, are finalised by a short task the event loop starts (trio names it
    # "close asyncgen ... (abandoned)"). Such a task ends at once: give it a few checkpoints.
    for _ in range(20):
        if len(anyio.get_running_tasks()) <= tasks_before:
            break
        await anyio.lowlevel.checkpoint()
    assert len(anyio.get_running_tasks()) == tasks_before, "a task was left running"
    return outcome, waits.waits


@pytest.mark.anyio
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
async def test_fault(server: FakeServer, case: Case) -> None:
    marker = f"{case.id} {uuid.uuid4().hex}"
    fault = {**case.fault, "error_message": marker}
    header = json.dumps(fault)
    outcome, waits = await run(server, {"x-fake-fault": header}, case)
    sent = [r for r in server.requests if r.headers.get("x-fake-fault") == header]
    assert len(sent) == case.requests
    if case.error is None:
        assert isinstance(outcome, Message), f"expected the answer, got {outcome!r}"
        assert text_of(outcome) == ANSWER
        assert outcome.retries_taken == case.requests - 1
    else:
        assert type(outcome) is case.error, f"expected {case.error.__name__}, got {outcome!r}"
        assert outcome.retries_taken == case.requests - 1
        assert case.needle in str(outcome)
        if isinstance(outcome, APIStatusError) and ("status" in fault or "error_after" in fault):
            assert outcome.message == marker  # the server's own words, exactly
        check_partial(outcome, case.partial)
    assert len(waits) == case.requests - 1
    if case.waits is not None:
        assert tuple(waits) == case.waits
    else:
        assert all(0 < w <= 8 for w in waits)


def check_partial(error: APIError, expected: str) -> None:
    partial = error.partial_message
    if expected == "none":
        assert partial is None
        return
    assert partial is not None
    text = text_of(partial)
    if expected == "started":
        assert ANSWER.startswith(text)
        assert len(text) < len(ANSWER)
    elif expected == "text":
        assert text
        assert ANSWER.startswith(text)
        assert text != ANSWER
    else:
        assert text == ANSWER


@pytest.mark.anyio
@pytest.mark.parametrize("name", list(QUEUED))
async def test_a_fault_before_content_once_is_retried_to_the_answer(
    server: FakeServer, name: str
) -> None:
    server.enqueue(QUEUED[name])
    case = Case(name, {}, None, requests=2, client={"idle_timeout": 0.3})
    before = len(server.requests)
    outcome, waits = await run(server, {}, case)
    assert isinstance(outcome, Message), outcome
    assert text_of(outcome) == ANSWER
    assert outcome.retries_taken == 1
    assert len(waits) == 1
    assert len(server.requests) - before == 2


# --- the README's summary --------------------------------------------------------------------


PARTIAL_TEXT = {
    "started": ", partial: message_start",
    "text": ", partial: the text so far",
    "full": ", partial: all the text",
}


def outcome_text(case: Case) -> str:
    if case.error is None:
        result = "the answer"
    else:
        result = f"`{case.error.__name__}`{PARTIAL_TEXT.get(case.partial, '')}"
    retries = case.requests - 1
    if retries:
        result += f" after {retries} {'retry' if retries == 1 else 'retries'}"
    return result


def summary_table() -> str:
    """Fault x outcome, as the README shows it (one row per status, not per variant)."""
    rows = ["| fault | what the caller gets |", "|---|---|"]
    for status, cls in STATUSES.items():
        rows.append(
            f"| {status} on every attempt (with or without retry-after; create or stream) "
            f"| `{cls.__name__}` with the server's message after 2 retries |"
        )
    statuses = ", ".join(str(s) for s in STATUSES)
    rows.append(f"| {statuses} on the first attempt only | the answer after 1 retry |")
    for case in CASES:
        if case.fault.get("status") is None:
            rows.append(f"| {case.id} | {outcome_text(case)} |")
    rows.extend(f"| {name} | the answer after 1 retry |" for name in QUEUED)
    return "\n".join(rows) + "\n"


def test_the_readme_carries_the_matrix() -> None:
    assert summary_table() in README.read_text(), (
        "README.md's Reliability table is out of date: paste the output of "
        "`python tests/test_reliability_fault_matrix.py`"
    )


if __name__ == "__main__":
    print(summary_table(), end="")
