"""The README's privacy table is what the capabilities declare, not a second list kept by hand."""

from scripts.privacy_statement import README, block, declared, in_readme


def test_every_capability_declares_what_it_stores() -> None:
    titles = [statement.title for statement in declared()]
    assert titles == ["Sits", "Wheel of Awareness", "Check-ins", "Episodes", "Limits"]


def test_the_readme_privacy_table_matches_the_declarations() -> None:
    readme = in_readme(README.read_text(encoding="utf-8"))
    assert readme == block(), "README.md is out of date: run `python scripts/privacy_statement.py --write`"
