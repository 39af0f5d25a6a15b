"""The README's privacy table, rendered from what each capability declares (``privacy_statement``).

``python scripts/privacy_statement.py`` prints it; ``--write`` puts it into README.md between the
markers. ``tests/test_readme_privacy.py`` fails when the README and the declarations differ.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from attune.bot import EXTENSIONS  # noqa: E402
from attune.privacy import PrivacyStatement, markdown_table  # noqa: E402

README = ROOT / "README.md"
START = "<!-- privacy:start (generated: python scripts/privacy_statement.py --write) -->"
END = "<!-- privacy:end -->"


def declared() -> list[PrivacyStatement]:
    """Every capability's statement, in load order; settings (with the core's limits) last, as in /about."""
    order = [name for name in EXTENSIONS if name != "cogs.settings"] + ["cogs.settings"]
    found: list[PrivacyStatement] = []
    for name in order:
        package = importlib.import_module(name)
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{name}.{info.name}")
            for value in vars(module).values():
                statement = getattr(value, "privacy_statement", None)
                if (
                    isinstance(value, type)
                    and value.__module__ == module.__name__
                    and isinstance(statement, PrivacyStatement)
                    and statement not in found
                ):
                    found.append(statement)
    return found


def block() -> str:
    return f"{START}\n{markdown_table(declared())}\n{END}"


def in_readme(text: str) -> str:
    start, end = text.index(START), text.index(END) + len(END)
    return text[start:end]


def main(argv: list[str]) -> int:
    if "--write" in argv:
        text = README.read_text(encoding="utf-8")
        README.write_text(text.replace(in_readme(text), block()), encoding="utf-8")
    else:
        print(block())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
