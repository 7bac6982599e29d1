"""Message batches as values: their schedule, their JSON, their results lines. No I/O.

How processing works: there is no worker. A batch is a schedule fixed at creation, and every
read first ``advance``s it to the present. Request ``i`` of ``n`` (in request order) is answered
at ``created + delay * (i + 1) / n``, where ``delay`` is ``FakeServer(batch_processing_delay=)``,
the time the whole batch takes. So polling sees ``request_counts`` move one request at a time,
the batch ends after ``delay``, nothing runs between requests, and nothing is left to stop when
the server stops. Times are Unix time (``time.time()``); timestamps such as ``ended_at`` are
those of the schedule, not of the read that noticed them.

Cancel: requests due before the cancel are answered; one step (``delay / n``) later every
request still unanswered is ``canceled`` and the batch ends. Until then it is ``canceling``.

Outcome of a request, when its turn comes: the one forced by ``FakeServer(batch_outcomes=)``
for its ``custom_id`` if any ("errored", "expired" or "canceled"; a forced error is an
``api_error``; "succeeded" forces nothing); else ``errored`` with an ``invalid_request_error``
when its params fail the Messages checks (or ask to stream); else ``succeeded`` with the fake
model's reply.
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from ._rules import DEFAULT_VERSION
from ._schema import SchemaError
from ._validation import check_messages_body

OUTCOMES = ("succeeded", "errored", "canceled", "expired")
DAY = 24 * 60 * 60.0

Answer = Callable[[dict[str, Any]], dict[str, Any]]
"""Turns valid params into the reply Message (the model, with ids from the server)."""


def rfc3339(moment: float) -> str:
    return datetime.fromtimestamp(moment, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def errored(error_type: str, message: str) -> dict[str, Any]:
    return {
        "type": "errored",
        "error": {"type": "error", "error": {"type": error_type, "message": message}},
    }


def jsonl(custom_id: str, result: dict[str, Any]) -> bytes:
    return json.dumps({"custom_id": custom_id, "result": result}).encode() + b"\n"


def _counts(processing: int, tally: Mapping[str, int]) -> dict[str, int]:
    return {"processing": processing, **{k: tally.get(k, 0) for k in OUTCOMES}}


@dataclass
class Batch:
    """A batch of real requests, answered on a schedule (see the module docstring)."""

    id: str
    created: float
    delay: float
    requests: list[tuple[str, dict[str, Any]]]
    forced: Mapping[str, str]
    results: list[dict[str, Any]] = field(default_factory=list)
    cancel_at: float | None = None
    ended_at: float | None = None
    # With a seed, ``lines`` sends the results in a seeded random order, not request order.
    shuffle_seed: int | None = None
    # The creating request's anthropic-version: its rules apply to every request's params.
    version: str = DEFAULT_VERSION

    def _due(self, i: int) -> float:
        return self.created + self.delay * (i + 1) / len(self.requests)

    def advance(self, now: float, answer: Answer) -> None:
        if self.ended_at is not None:
            return
        horizon = now if self.cancel_at is None else min(now, self.cancel_at)
        while len(self.results) < len(self.requests) and self._due(len(self.results)) <= horizon:
            i = len(self.results)
            custom_id, params = self.requests[i]
            self.results.append(self._outcome(custom_id, params, answer))
            if len(self.results) == len(self.requests):
                self.ended_at = self._due(i)
        if self.cancel_at is not None and self.ended_at is None:
            done = self.cancel_at + self.delay / len(self.requests)
            if now >= done:
                self.results += [{"type": "canceled"}] * (len(self.requests) - len(self.results))
                self.ended_at = done

    def _outcome(self, custom_id: str, params: dict[str, Any], answer: Answer) -> dict[str, Any]:
        forced = self.forced.get(custom_id)
        if forced == "errored":
            return errored("api_error", "Internal server error")
        if forced in ("expired", "canceled"):
            return {"type": forced}
        problem = check_messages_body(params, self.version)
        if problem is None and params.get("stream"):
            problem = "stream: streaming is not supported in message batches"
        if problem is not None:
            return errored("invalid_request_error", f"params.{problem}")
        try:
            return {"type": "succeeded", "message": answer(params)}
        except SchemaError as exc:
            return errored("invalid_request_error", f"params.schema: {exc}")

    def cancel(self, now: float) -> None:
        if self.ended_at is None and self.cancel_at is None:
            self.cancel_at = now

    def status(self) -> str:
        if self.ended_at is not None:
            return "ended"
        return "in_progress" if self.cancel_at is None else "canceling"

    def counts(self) -> dict[str, int]:
        tally: dict[str, int] = {}
        for result in self.results:
            tally[result["type"]] = tally.get(result["type"], 0) + 1
        return _counts(len(self.requests) - len(self.results), tally)

    def lines(self) -> Iterator[bytes]:
        order = list(range(len(self.results)))
        if self.shuffle_seed is not None:
            random.Random(f"{self.shuffle_seed}:{self.id}").shuffle(order)
        for i in order:
            yield jsonl(self.requests[i][0], self.results[i])


# The synthetic text: a pangram repeated, cut to size, sent in blocks that keep the pattern.
_PATTERN = "The quick brown fox jumps over the lazy dog. "
_BLOCK = _PATTERN * (65536 // len(_PATTERN))
_SYNTHETIC_KINDS = {1: "errored", 2: "canceled", 3: "expired"}


def _by_rule(i: int) -> str:
    return _SYNTHETIC_KINDS.get(i % 50, "succeeded")


def synthetic_text(size: int) -> Iterator[str]:
    """``size`` characters of the synthetic text, in blocks of at most 64 KiB."""
    while size > 0:
        piece = _BLOCK[: min(size, len(_BLOCK))]
        size -= len(piece)
        yield piece


@dataclass
class SyntheticBatch:
    """An ended batch whose results are generated line by line as they are sent.

    Line ``i`` (``custom_id`` ``"req-<i>"``) is, by ``i % 50``: 1 errored, 2 canceled,
    3 expired, anything else succeeded with a message of ``text_size`` characters; the line at
    ``long_index`` (if any) always succeeds, with ``long_text_size`` characters.
    """

    id: str
    created: float
    n_results: int
    text_size: int
    long_index: int | None = None
    long_text_size: int = 0

    def _kind(self, i: int) -> str:
        return "succeeded" if i == self.long_index else _by_rule(i)

    def advance(self, now: float, answer: Answer) -> None:
        pass

    def cancel(self, now: float) -> None:
        pass

    @property
    def ended_at(self) -> float:
        return self.created

    @property
    def cancel_at(self) -> None:
        return None

    def status(self) -> str:
        return "ended"

    def counts(self) -> dict[str, int]:
        tally = {kind: len(range(r, self.n_results, 50)) for r, kind in _SYNTHETIC_KINDS.items()}
        if self.long_index is not None and _by_rule(self.long_index) != "succeeded":
            tally[_by_rule(self.long_index)] -= 1
        tally["succeeded"] = self.n_results - sum(tally.values())
        return _counts(0, tally)

    def lines(self) -> Iterator[bytes]:
        for i in range(self.n_results):
            custom_id = f"req-{i}"
            kind = self._kind(i)
            if kind == "errored":
                yield jsonl(custom_id, errored("api_error", f"synthetic error {i}"))
            elif kind != "succeeded":
                yield jsonl(custom_id, {"type": kind})
            else:
                size = self.long_text_size if i == self.long_index else self.text_size
                yield from self._succeeded(custom_id, i, size)

    def _succeeded(self, custom_id: str, i: int, size: int) -> Iterator[bytes]:
        # The text goes out in blocks between the line's two halves: a 10 MB line is never
        # held whole, neither as a str nor as its JSON.
        marker = "\x00TEXT\x00"
        message = {
            "id": f"msg_synthetic_{i}",
            "type": "message",
            "role": "assistant",
            "model": "claude-fake-synthetic",
            "content": [{"type": "text", "text": marker}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": {
                "input_tokens": 10,
                "output_tokens": max(1, size // 4),
                "service_tier": "batch",
            },
        }
        head, tail = jsonl(custom_id, {"type": "succeeded", "message": message}).split(
            json.dumps(marker).encode()[1:-1]
        )
        yield head
        for piece in synthetic_text(size):
            yield piece.encode()
        yield tail


AnyBatch = Batch | SyntheticBatch


class BatchStore:
    """Every batch by id, oldest first. The lock guards the dict; the test thread adds to it."""

    def __init__(
        self, delay: float, forced: Mapping[str, str], shuffle_seed: int | None = None
    ) -> None:
        self.delay = delay
        self.forced = dict(forced)
        self.shuffle_seed = shuffle_seed
        self._lock = threading.Lock()
        self._batches: dict[str, AnyBatch] = {}

    def add(self, batch: AnyBatch) -> None:
        with self._lock:
            self._batches[batch.id] = batch

    def get(self, batch_id: str) -> AnyBatch | None:
        with self._lock:
            return self._batches.get(batch_id)

    def delete(self, batch_id: str) -> None:
        with self._lock:
            del self._batches[batch_id]

    def newest_first(self) -> list[AnyBatch]:
        with self._lock:
            return list(reversed(self._batches.values()))


def batch_json(batch: AnyBatch, results_base: str) -> dict[str, Any]:
    """The MessageBatch object; ``results_url`` points at ``results_base`` once it has ended."""
    ended = batch.ended_at
    return {
        "id": batch.id,
        "type": "message_batch",
        "processing_status": batch.status(),
        "request_counts": batch.counts(),
        "ended_at": None if ended is None else rfc3339(ended),
        "created_at": rfc3339(batch.created),
        "expires_at": rfc3339(batch.created + DAY),
        "cancel_initiated_at": None if batch.cancel_at is None else rfc3339(batch.cancel_at),
        "archived_at": None,
        "results_url": (
            None if ended is None else f"{results_base}/v1/messages/batches/{batch.id}/results"
        ),
    }
