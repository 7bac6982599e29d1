#!/usr/bin/env bash
# The whole suite, one command: a private venv with the pinned peers, every section, the plot.
# Usage: bash benchmarks/run.sh            (about 10 minutes on 2 cores)
#        bash benchmarks/run.sh --smoke    (tiny sizes; what CI runs, without the peers)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x benchmarks/.venv/bin/python ]; then
    python3 -m venv benchmarks/.venv
fi
benchmarks/.venv/bin/pip install -q -e '.[bench]'
benchmarks/.venv/bin/python benchmarks/run.py "$@"
if [ "${1:-}" != "--smoke" ]; then
    benchmarks/.venv/bin/python benchmarks/plot.py
    benchmarks/.venv/bin/python benchmarks/report.py  # the tables into README.md
fi
