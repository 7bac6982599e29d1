"""Command line: ``python -m aioanthropic demo [--live]``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aioanthropic")
    commands = parser.add_subparsers(dest="command", required=True)
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
    args = parser.parse_args(argv)

    import anyio

    from ._demo import run_demo

    return anyio.run(run_demo, args.live, args.model)


if __name__ == "__main__":
    sys.exit(main())
