"""Every CULTNET_* environment variable the CLI, the explorer, the loaders and the scripts read is
documented in the README (the containers' own variables are documented in .env.example)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NAME = re.compile(r"\bCULTNET_[A-Z][A-Z0-9_]*[A-Z0-9]\b")


def _names(paths) -> set[str]:
    found: set[str] = set()
    for p in paths:
        found |= set(NAME.findall(p.read_text(encoding="utf-8", errors="replace")))
    return found


def test_cli_and_script_variables_are_in_the_readme():
    code = [*ROOT.joinpath("ui").rglob("*.py"), *ROOT.joinpath("cultnet").rglob("*.py"),
            *ROOT.joinpath("etl").rglob("*.py"), *ROOT.joinpath("graph").rglob("*.py"),
            *ROOT.joinpath("scripts").glob("*.sh")]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = sorted(n for n in _names(code) if n not in readme)
    assert not missing, f"undocumented in README.md: {missing}"

