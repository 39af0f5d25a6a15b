#!/usr/bin/env bash
# Set up .venv on first use, then run the bot: `bash scripts/run.sh [run|sync [--guild ID]|check]`.
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh"
ensure_venv ""
cd "$ROOT"
exec "$VENV/bin/python" bot.py "$@"
