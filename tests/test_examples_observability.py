"""examples/conversation_trace.py runs offline and prints one GenAI span per call."""

from __future__ import annotations

import json

from helpers import run_example


def test_conversation_trace_example_prints_one_span_per_call() -> None:
    lines = run_example("conversation_trace.py").splitlines()
    assert lines[0] == "time to first token: True"
    spans = [json.loads(line) for line in lines if line.startswith("{")]
    assert [s["name"] for s in spans] == ["chat claude-sonnet-4-5"] * 3
    assert {s["kind"] for s in spans} == {"CLIENT"}
    for span in spans:
        attributes = span["attributes"]
        assert attributes["gen_ai.provider.name"] == "anthropic"
        assert attributes["gen_ai.operation.name"] == "chat"
        assert attributes["gen_ai.request.max_tokens"] == 200
        assert attributes["gen_ai.usage.output_tokens"] > 0
        assert attributes["gen_ai.response.finish_reasons"] == ["end_turn"]
    # The history grows with each turn, and so do the input tokens.
    inputs = [s["attributes"]["gen_ai.usage.input_tokens"] for s in spans]
    assert inputs == sorted(inputs)
    assert len(set(inputs)) == 3
    assert "gen_ai.response.time_to_first_chunk" in spans[1]["attributes"]  # the streamed one
    assert "metric gen_ai.client.operation.duration [s] : count=3" in lines
    assert "metric gen_ai.client.token.usage [{token}] input: count=3" in lines
    assert "metric gen_ai.client.operation.time_to_first_chunk [s] : count=1" in lines
