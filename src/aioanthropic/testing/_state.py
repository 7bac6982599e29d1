"""What the server remembers between requests.

The app runs on uvicorn's thread while the test reads this from its own thread, so every
read-modify-write goes through one lock. Nothing here awaits.
"""

from __future__ import annotations

import collections
import threading
import time
from dataclasses import dataclass
from typing import Any

from ._batch_store import BatchStore
from ._cache import CacheUse, Prefix, PromptCache
from ._faults import Fault
from ._ratelimit import Budget, RateLimits
from ._script import Turn


@dataclass(frozen=True)
class RecordedRequest:
    """One request as it arrived; lower-case header names, ``json`` None if unparsable."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    json: Any


class ServerState:
    def __init__(
        self,
        *,
        api_key: str | None,
        fault: Fault | None,
        chunking: str,
        seed: int,
        rate_limits: RateLimits | None,
        replay: str | None,
        batches: BatchStore,
        strict: bool = False,
    ) -> None:
        self.api_key = api_key
        self.strict = strict
        self.fault = fault
        self.chunking = chunking
        self.seed = seed
        self.replay = replay
        self.batches = batches
        # Where results_url points; set once the server knows its port.
        self.results_base = ""
        self.lock = threading.Lock()
        self.requests: list[RecordedRequest] = []
        self.disconnects = 0
        self.open_streams = 0
        self._queue: collections.deque[Fault] = collections.deque()
        self._script: collections.deque[Turn] = collections.deque()
        self._failed: collections.Counter[Fault] = collections.Counter()
        self._counters: collections.Counter[str] = collections.Counter()
        self._budget = Budget(rate_limits, time.time())
        self._cache = PromptCache()

    def next_id(self, prefix: str) -> str:
        with self.lock:
            self._counters[prefix] += 1
            return f"{prefix}_fake_{self._counters[prefix]}"

    def record(self, request: RecordedRequest) -> None:
        with self.lock:
            self.requests.append(request)

    def enqueue(self, faults: tuple[Fault, ...]) -> None:
        with self.lock:
            self._queue.extend(faults)

    def take_fault(self) -> Fault | None:
        with self.lock:
            return self._queue.popleft() if self._queue else self.fault

    def use_cache(self, candidates: list[Prefix], last: Prefix | None) -> CacheUse:
        with self.lock:
            return self._cache.use(candidates, last, time.time())

    def add_turns(self, turns: tuple[Turn, ...]) -> None:
        with self.lock:
            self._script.extend(turns)

    def take_turn(self) -> Turn | None:
        with self.lock:
            return self._script.popleft() if self._script else None

    def turns_left(self) -> int:
        with self.lock:
            return len(self._script)

    def should_fail(self, fault: Fault) -> bool:
        """Whether ``fault``'s status applies to this request, counting towards ``fail_first``."""
        if fault.status is None:
            return False
        with self.lock:
            if fault.fail_first is not None and self._failed[fault] >= fault.fail_first:
                return False
            self._failed[fault] += 1
            return True

    def rate_limit_headers(self) -> list[tuple[str, str]]:
        with self.lock:
            return self._budget.headers(time.time())

    def admit(self) -> int | None:
        with self.lock:
            return self._budget.admit(time.time())

    def spend(self, input_tokens: int, output_tokens: int) -> None:
        with self.lock:
            self._budget.spend(time.time(), input_tokens, output_tokens)

    def add_disconnect(self) -> None:
        with self.lock:
            self.disconnects += 1

    def stream_opened(self, delta: int) -> None:
        with self.lock:
            self.open_streams += delta
