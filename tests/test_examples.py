"""The examples run offline (they start the fake server themselves) and print what they say."""

from __future__ import annotations

from helpers import run_example


def test_batch_example() -> None:
    out = run_example("batch.py").splitlines()
    assert out[0].startswith("created msgbatch_")
    assert "  20/20 done (20 succeeded, 0 errored)" in out
    assert "ended: 20 succeeded, 0 errored" in out
    results = [line for line in out if line.startswith("q-")]
    assert results == [f"q-{i}: You said: What is {i} + {i}?" for i in range(20)]


def test_count_tokens_example() -> None:
    out = run_example("count_tokens.py").splitlines()
    counted = int(out[0].split()[1])
    assert out[0].startswith("count_tokens: ")
    assert out[1] == f"estimate_tokens (offline): {counted}"
    assert out[2].startswith("requests left in this window: ")
