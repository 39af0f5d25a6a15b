"""Attune's entry point: ``python bot.py [run|sync|check]`` (see README)."""

import sys

from attune.cli import main

if __name__ == "__main__":
    sys.exit(main())
