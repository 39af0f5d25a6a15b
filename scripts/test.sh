#!/usr/bin/env bash
# Set up .venv on first use, then run the whole test suite: `bash scripts/test.sh [pytest args]`.
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh"
ensure_venv "test"
cd "$ROOT"
exec "$VENV/bin/python" -m pytest "$@"
