"""The command line's grammar: one argparse parser, named ``aioanthropic`` in its help."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Sequence
from typing import Any

DEFAULT_MODEL = "claude-sonnet-4-5"
MODEL_ENV = "ANTHROPIC_MODEL"


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def option_value(text: str) -> Any:
    """``-o KEY VALUE``'s value: parsed as JSON when it is JSON (``0.5``, ``true``, ``["x"]``),
    else the string itself (``-o service_tier auto``). ``NaN`` and ``Infinity``, which Python's
    json module accepts but RFC 8259 JSON does not have, stay strings."""
    try:
        return json.loads(text, parse_constant=_no_constant)
    except ValueError:
        return text


def finite_float(text: str) -> float:
    """``-t``'s value: a finite number; NaN and infinities would fail when the body is encoded
    (RFC 8259 JSON has no such numbers), so they are usage errors here."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid float value: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value


def _common() -> argparse.ArgumentParser:
    """Options every command that talks to the API takes (after the command's name)."""
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("request and connection")
    group.add_argument(
        "-m",
        "--model",
        default=os.environ.get(MODEL_ENV, DEFAULT_MODEL),
        help=f"model name (default: ${MODEL_ENV} or {DEFAULT_MODEL})",
    )
    group.add_argument("-s", "--system", help="system prompt")
    group.add_argument(
        "--max-tokens", type=int, default=1024, help="most tokens in the answer (default: 1024)"
    )
    group.add_argument(
        "-t", "--temperature", type=finite_float, help="sampling temperature, 0 to 1"
    )
    group.add_argument(
        "-o",
        nargs=2,
        action="append",
        default=[],
        metavar=("KEY", "VALUE"),
        dest="options",
        help="any other body parameter; VALUE is parsed as JSON when it is JSON",
    )
    group.add_argument(
        "--base-url", help="API base URL (default: $ANTHROPIC_BASE_URL or the real API)"
    )
    group.add_argument(
        "--fake",
        action="store_true",
        help="talk to the embedded fake server (no key, no network)",
    )
    out = common.add_argument_group("output")
    out.add_argument("--json", action="store_true", help="print the final Message as JSON")
    out.add_argument("--events", action="store_true", help="print each event as a JSON line")
    return common


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aioanthropic",
        description="Talk to the Anthropic Messages API (or the embedded fake server) from "
        "a terminal. Exit status: 0 success, 1 API error, 2 usage, 130 interrupted.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = _common()

    ask = commands.add_parser(
        "ask",
        parents=[common],
        help="ask one question and stream the answer",
        description="Stream the answer to PROMPT (joined with standard input when piped).",
    )
    ask.add_argument("prompt", nargs="*", metavar="PROMPT", help="the question")

    commands.add_parser(
        "chat",
        parents=[common],
        help="an interactive conversation (/system TEXT, /reset, /save FILE, /exit)",
        description="A conversation with history. Commands: /system TEXT, /reset, "
        "/save FILE, /help, /exit. Ctrl-C stops an answer, Ctrl-D leaves.",
    )

    count = commands.add_parser(
        "count",
        parents=[common],
        help="count a prompt's input tokens (count_tokens and the offline estimate)",
    )
    count.add_argument("prompt", nargs="*", metavar="PROMPT", help="the text to count")

    commands.add_parser("models", parents=[common], help="list the models")

    demo = commands.add_parser(
        "demo",
        help="run a short conversation against the embedded fake server (or the real API)",
    )
    demo.add_argument(
        "--live",
        action="store_true",
        help="talk to the real API (needs ANTHROPIC_API_KEY) instead of the fake server",
    )
    demo.add_argument(
        "--model", default="claude-sonnet-4-5", help="model name (default: %(default)s)"
    )

    web = commands.add_parser(
        "web",
        parents=[common],
        help="serve the example chat page (fake server unless --live or --base-url)",
    )
    web.add_argument("--host", default="127.0.0.1", help="address to bind (default: %(default)s)")
    web.add_argument(
        "--port", type=int, default=8000, help="port, 0 for any free one (default: %(default)s)"
    )
    web.add_argument(
        "--live", action="store_true", help="talk to the real API (needs ANTHROPIC_API_KEY)"
    )
    return parser


def body_params(args: argparse.Namespace) -> dict[str, Any]:
    """The request body parameters the options give, besides messages."""
    params: dict[str, Any] = {"model": args.model, "max_tokens": args.max_tokens}
    if args.system is not None:
        params["system"] = args.system
    if args.temperature is not None:
        params["temperature"] = args.temperature
    for key, value in args.options:
        params[key] = option_value(value)
    return params


class UsageError(Exception):
    """Bad command-line input: reported on stderr, exit status 2."""


def read_prompt(words: Sequence[str]) -> str:
    """PROMPT's words, then standard input when it is piped, joined by a blank line."""
    parts = [" ".join(words)] if words else []
    if not sys.stdin.isatty():
        piped = sys.stdin.read()
        if piped.strip():
            parts.append(piped.rstrip("\n"))
    if not parts or not "".join(parts).strip():
        raise UsageError("no prompt: give PROMPT or pipe text into standard input")
    return "\n\n".join(parts)
