"""The `aioanthropic` command line, run as a subprocess against the fake server.

Most tests point `--base-url` at a FakeServer of the test's own, so that the request the CLI
sent can be inspected and faults injected; `--fake` (the CLI's embedded server) is used too.
The interactive `chat` and the terminal rendering run through a pseudo-terminal (pexpect).
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest

from aioanthropic import Message
from aioanthropic.testing import FakeServer, Fault
from helpers import ROOT
from web_helpers import cli_env

KEY = "test-key"


def cli(
    *args: str, stdin: str = "", key: str = KEY, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aioanthropic", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env=cli_env(ANTHROPIC_API_KEY=key, **env),
        check=False,
    )


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeServer]:
    with FakeServer(api_key=KEY) as server:
        yield server


def test_one_program_named_aioanthropic() -> None:
    by_module = cli("--help")
    assert by_module.returncode == 0
    assert by_module.stdout.startswith("usage: aioanthropic ")
    for command in ("ask", "chat", "count", "models", "demo", "web"):
        assert command in by_module.stdout
    script = Path(sys.executable).parent / "aioanthropic"
    if script.exists():  # the console script, when the package is installed
        by_script = subprocess.run(
            [str(script), "--help"], capture_output=True, text=True, check=False, env=cli_env()
        )
        assert by_script.stdout == by_module.stdout


def test_ask_joins_the_prompt_with_piped_stdin_and_sends_the_options(fake: FakeServer) -> None:
    done = cli(
        "ask", "Summarise", "this:",
        "--base-url", fake.url,
        "-m", "claude-test", "-s", "Be brief", "--max-tokens", "77", "-t", "0.25",
        "-o", "top_k", "5", "-o", "stop_sequences", '["zzz"]', "-o", "service_tier", "auto",
        "-o", "future_param", '{"a": 1}',
        stdin="line one\nline two\n",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == "(Be brief) You said: Summarise this:\n\nline one\nline two\n"
    body = fake.requests[-1].json
    assert body is not None
    assert body["messages"] == [
        {"role": "user", "content": "Summarise this:\n\nline one\nline two"}
    ]
    assert (body["model"], body["system"], body["max_tokens"]) == ("claude-test", "Be brief", 77)
    assert (body["temperature"], body["top_k"], body["stop_sequences"]) == (0.25, 5, ["zzz"])
    assert (body["service_tier"], body["future_param"], body["stream"]) == ("auto", {"a": 1}, True)


def test_ask_fake_streams_with_no_key_and_events_and_json_outputs(fake: FakeServer) -> None:
    plain = cli("ask", "hi", "--fake", key="")  # the CLI's own embedded fake server
    assert (plain.returncode, plain.stdout, plain.stderr) == (0, "You said: hi\n", "")
    events = cli("ask", "hi", "--base-url", fake.url, "--events")
    lines = [json.loads(line) for line in events.stdout.splitlines()]
    assert lines[0]["type"] == "message_start"
    assert lines[-1] == {"type": "message_stop"}
    deltas = [e["delta"]["text"] for e in lines if e["type"] == "content_block_delta"]
    assert "".join(deltas) == "You said: hi"
    as_json = cli("ask", "hi", "--base-url", fake.url, "--json")
    message = Message.model_validate_json(as_json.stdout)
    assert message.content[0].text == "You said: hi"  # type: ignore[union-attr]


def test_api_errors_exit_1_with_the_typed_message_and_keep_what_was_printed(
    fake: FakeServer,
) -> None:
    refused = cli("ask", "hi", "--base-url", fake.url, key="wrong-key")
    assert refused.returncode == 1
    assert refused.stdout == ""
    assert refused.stderr.startswith("aioanthropic: AuthenticationError: 401 authentication_error")

    fake.enqueue(Fault(error_after=4, error_type="overloaded_error", error_message="busy now"))
    broken = cli("ask", "hi", "--base-url", fake.url)
    assert broken.returncode == 1
    assert broken.stdout == "You said: \n"  # the delta before the error stays printed
    assert "OverloadedError" in broken.stderr
    assert "busy now" in broken.stderr

    fake.enqueue(Fault(error_after=4))
    events = cli("ask", "hi", "--base-url", fake.url, "--events")
    assert events.returncode == 1
    assert json.loads(events.stdout.splitlines()[-1])["error"]["type"] == "overloaded_error"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["ask"], "no prompt"),
        (["ask", "x", "--max-tokens", "many"], "invalid int value"),
        (["ask", "x", "-o", "top_k"], "expected 2 arguments"),
        (["ask", "x", "-t", "abc"], "invalid float value: 'abc'"),
        (["ask", "x", "--base-url", "localhost:8080"], "base_url must be an absolute http://"),
        (["ask", "x", "-t", "nan"], "'nan' is not a finite number"),
        (["ask", "x", "-t", "inf"], "'inf' is not a finite number"),
        (["frobnicate"], "invalid choice"),
        (["web", "--live", "--fake"], "contradict"),
        (["web", "--live"], "--live needs ANTHROPIC_API_KEY"),
    ],
)
def test_usage_errors_exit_2(args: list[str], says: str) -> None:
    done = cli(*args, key="")
    assert done.returncode == 2
    assert says in done.stderr
    assert done.stdout == ""


def test_count_prints_count_tokens_and_the_offline_estimate(fake: FakeServer) -> None:
    done = cli("count", "How many tokens is this?", "-s", "A system", "--base-url", fake.url)
    assert done.returncode == 0, done.stderr
    counted, estimate = done.stdout.splitlines()
    assert counted.startswith("count_tokens: ")
    # The fake server counts with the SDK's estimate, so here the two agree exactly.
    assert estimate == "estimate_tokens (offline): " + counted.split()[-1]
    assert fake.requests[-1].path == "/v1/messages/count_tokens"


def test_models_lists_the_models(fake: FakeServer) -> None:
    done = cli("models", "--base-url", fake.url)
    assert done.returncode == 0, done.stderr
    rows = [line.split("\t") for line in done.stdout.splitlines()]
    assert len(rows) >= 3
    assert all(len(row) == 3 and row[0].startswith("claude-") for row in rows)


def test_ctrl_c_exits_130_keeps_the_text_and_closes_the_request(fake: FakeServer) -> None:
    fake.enqueue(Fault(drip=0.2))
    disconnects = fake.disconnects
    words = " ".join(f"w{i}" for i in range(40))
    process = subprocess.Popen(
        [sys.executable, "-m", "aioanthropic", "ask", words, "--base-url", fake.url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=cli_env(ANTHROPIC_API_KEY=KEY),
    )
    assert process.stdout is not None
    first = process.stdout.read(len("You said: "))  # printed as it arrives
    assert first == b"You said: "
    process.send_signal(signal.SIGINT)
    rest, err = process.communicate(timeout=20)
    assert process.returncode == 130, err
    shown = (first + rest).decode()
    assert ("You said: " + words).startswith(shown.rstrip("\n"))
    assert len(shown) < len("You said: " + words)
    deadline = time.monotonic() + 10
    while fake.disconnects == disconnects and time.monotonic() < deadline:
        time.sleep(0.02)
    assert fake.disconnects == disconnects + 1


def spawn(*args: str, **env: str) -> pexpect.spawn[str]:
    child = pexpect.spawn(
        sys.executable,
        ["-m", "aioanthropic", *args],
        env=cli_env(ANTHROPIC_API_KEY=KEY, **env),
        encoding="utf-8",
        timeout=20,
        dimensions=(40, 100),
        cwd=str(ROOT),
    )
    return child


def test_markdown_is_rendered_on_a_terminal_and_plain_with_no_color() -> None:
    env = cli_env()
    env.pop("NO_COLOR")
    rich = pexpect.spawn(
        sys.executable,
        ["-m", "aioanthropic", "ask", "**bold** and `code`", "--fake"],
        env={**env, "TERM": "xterm-256color"},
        encoding="utf-8",
        timeout=20,
    )
    rendered = rich.read()
    rich.close()
    assert rich.exitstatus == 0
    assert "\x1b[" in rendered  # styled by rich
    assert "bold" in rendered
    assert "**" not in rendered  # the Markdown markup was rendered, not printed
    plain = spawn("ask", "**bold** and `code`", "--fake")
    text = plain.read()
    plain.close()
    assert text.strip() == "You said: **bold** and `code`"


def test_chat_repl_history_commands_and_ctrl_c(fake: FakeServer, tmp_path: Path) -> None:
    child = spawn("chat", "--base-url", fake.url)
    child.expect_exact("you> ")
    child.sendline("hello there")
    child.expect_exact("You said: hello there")
    child.expect_exact("you> ")
    child.sendline("/system Be terse")
    child.expect_exact("system prompt set")
    child.sendline("again")
    child.expect_exact("(Be terse) You said: again")
    child.expect_exact("you> ")
    body = fake.requests[-1].json
    assert body is not None
    assert [m["role"] for m in body["messages"]] == ["user", "assistant", "user"]
    assert body["system"] == "Be terse"

    saved = tmp_path / "conversation.json"
    child.sendline(f"/save {saved}")
    child.expect_exact("saved 4 messages")
    conversation = json.loads(saved.read_text())
    assert conversation["system"] == "Be terse"
    assert conversation["messages"][3] == {
        "role": "assistant",
        "content": "(Be terse) You said: again",
    }

    child.sendline("/reset")
    child.expect_exact("conversation reset")
    fake.enqueue(Fault(drip=0.2))
    disconnects = fake.disconnects
    child.sendline("a long " + " ".join(f"w{i}" for i in range(40)))
    child.expect_exact("You said: ")
    child.sendintr()
    child.expect_exact("(stopped)")
    child.expect_exact("you> ")
    deadline = time.monotonic() + 10
    while fake.disconnects == disconnects and time.monotonic() < deadline:
        time.sleep(0.02)
    assert fake.disconnects == disconnects + 1

    child.sendline("/nonsense")
    child.expect_exact("unknown command /nonsense")
    child.sendline("next")
    child.expect_exact("You said: next")
    child.expect_exact("you> ")
    body = fake.requests[-1].json
    assert body is not None
    # After /reset (which keeps the system prompt): the stopped answer's text is kept, then
    # the new question.
    roles = [m["role"] for m in body["messages"]]
    assert roles == ["user", "assistant", "user"]
    stopped = body["messages"][1]["content"]
    assert stopped.startswith("(Be terse) You said: ")
    assert len(stopped) < len("(Be terse) You said: a long w0 w1")
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_a_nan_option_is_sent_as_a_string_not_a_traceback(fake: FakeServer) -> None:
    # Python's json.loads reads NaN; JSON has no such number, so the value stays the string
    # "NaN" and the server's own 400 says what is wrong with it.
    done = cli("ask", "x", "--base-url", fake.url, "-o", "temperature", "NaN")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert fake.requests[-1].json is not None
    assert fake.requests[-1].json["temperature"] == "NaN"
    assert "BadRequestError: 400 invalid_request_error: temperature" in done.stderr


@pytest.mark.parametrize("missing", ["starlette", "uvicorn"])
def test_web_without_its_extra_says_which_to_install_once(missing: str) -> None:
    # A None entry in sys.modules makes importing that module raise ImportError.
    code = (
        f"import sys; sys.modules[{missing!r}] = None\n"
        "from aioanthropic.__main__ import main\n"
        "sys.exit(main(['web', '--port', '0']))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env=cli_env(),
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("pip install 'aioanthropic[web]'") == 1, done.stderr
