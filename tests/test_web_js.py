"""The ES module (aioanthropic/web/static/anthropic-stream.js) under node's test runner.

The streams come from the Python side: encode_ndjson and encode_sse of real streams from the
fake server (thinking, text with multi-byte characters, a tool_use whose input arrives as JSON
fragments) and recorded API streams. The module must rebuild, at every split point of the
bytes, the very message the SDK's accumulator rebuilt. The chat page's use of it in a browser
is tested in test_web_browser.py.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import anyio
import pytest

from aioanthropic import AsyncClient, Message
from aioanthropic.testing import FakeServer
from aioanthropic.web import encode_ndjson, encode_sse

ROOT = Path(__file__).resolve().parents[1]
STREAMS = ROOT / "tests" / "fixtures" / "streams"
NODE = shutil.which("node")
TOOL: Any = {
    "name": "get_weather",
    "description": "Weather",
    "input_schema": {
        "type": "object",
        "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
        "required": ["city", "days"],
    },
}
RECORDED = ["citations.sse", "server_tool_web_search.sse", "unknown_types.sse", "crlf.sse"]


def without_nulls(value: Any) -> Any:
    """JSON with null members dropped: the SDK's models default absent fields to None."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


async def _record(tmp: Path) -> tuple[list[dict[str, Any]], dict[str, Message]]:
    cases: list[dict[str, Any]] = []
    expected: dict[str, Message] = {}
    body: Any = {
        "model": "m",
        "max_tokens": 2048,  # above the thinking budget, as the API requires
        "messages": [{"role": "user", "content": "Grüße 世界 🎉, get_weather for Paris"}],
        "tools": [TOOL],
        "thinking": {"type": "enabled", "budget_tokens": 1024},
    }
    async with FakeServer() as server:
        async with AsyncClient(base_url=server.url, api_key="k") as client:
            for name, encode, content_type in [
                ("fake.ndjson", encode_ndjson, "application/x-ndjson"),
                ("fake.sse", encode_sse, "text/event-stream"),
            ]:
                async with client.messages.stream(**body) as stream:
                    data = b"".join([chunk async for chunk in encode(stream)])
                    expected[name] = await stream.get_final_message()
                (tmp / name).write_bytes(data)
                cases.append({"name": name, "path": str(tmp / name), "contentType": content_type})
            for name in RECORDED:
                async with client.messages.stream(
                    model="m",
                    max_tokens=5,
                    messages=[{"role": "user", "content": "x"}],
                    extra_headers={"x-fake-fault": json.dumps({"replay": str(STREAMS / name)})},
                ) as stream:
                    expected[name] = await stream.get_final_message()
                cases.append(
                    {"name": name, "path": str(STREAMS / name), "contentType": "text/event-stream"}
                )
    return cases, expected


@pytest.mark.skipif(NODE is None, reason="node is not installed: the ES module is not tested")
def test_es_module_rebuilds_the_message_the_sdk_rebuilds(tmp_path: Path) -> None:
    assert NODE is not None
    cases, expected = anyio.run(_record, tmp_path)
    manifest, out = tmp_path / "cases.json", tmp_path / "out.json"
    manifest.write_text(json.dumps(cases))
    done = subprocess.run(
        [NODE, "--test", str(ROOT / "tests" / "js" / "anthropic_stream.test.mjs")],
        env={"CASES": str(manifest), "OUT": str(out), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "# fail 0" in done.stdout
    rebuilt = json.loads(out.read_text())
    assert set(rebuilt) == set(expected)
    for name, message in expected.items():
        assert without_nulls(rebuilt[name]) == without_nulls(message.model_dump(mode="json")), name
    kinds = [block["type"] for block in rebuilt["fake.ndjson"]["content"]]
    assert kinds == ["thinking", "text", "tool_use"]
    assert rebuilt["fake.sse"]["content"][2]["input"] == {"city": "Paris", "days": 1}


OFFICIAL_SDK = ROOT / "tests" / "js" / "node_modules" / "@anthropic-ai" / "sdk"


@pytest.mark.skipif(
    NODE is None or not OFFICIAL_SDK.exists(),
    reason="the official TypeScript SDK is not installed: npm --prefix tests/js install",
)
def test_the_official_typescript_sdk_reads_our_ndjson(tmp_path: Path) -> None:
    assert NODE is not None
    cases, expected = anyio.run(_record, tmp_path)
    (ndjson,) = [case for case in cases if case["name"] == "fake.ndjson"]
    done = subprocess.run(
        [NODE, str(ROOT / "tests" / "js" / "official_sdk_reads_ndjson.mjs"), ndjson["path"]],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    read = json.loads(done.stdout)
    ours = expected["fake.ndjson"].model_dump(mode="json")
    assert without_nulls(read["message"]) == without_nulls(ours)
    assert read["text"] == "I'll use get_weather."
    assert read["message"]["content"][2]["input"] == {"city": "Paris", "days": 1}
