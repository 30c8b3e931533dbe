"""Regenerate the student notebooks in modules/ from solutions/ (`make modules`).

`python -m autograder.release m01_market_research` regenerates one module only.

nbgrader generates each module into a temporary course folder (so no
gradebook is left in the repo), then the result replaces `modules/<module>/`.
`tests/test_grading_roundtrip.py` runs the same generation and fails on any difference
from what is committed.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from autograder.cli import parse_modules
from autograder.repo import MODULES, module_ids
from autograder.stock_nbgrader import release_all
from autograder.home import HOME, home_text


def main(only: list[str]) -> None:
    modules = only or module_ids()
    with tempfile.TemporaryDirectory() as scratch:
        generated = release_all(Path(scratch), modules)
        for module in modules:
            target = MODULES / module
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(generated / module, target)
            print(f"modules/{module}: regenerated from solutions/{module}")
    HOME.write_text(home_text(module_ids()), encoding="utf-8")  # the course home lists every module, always
    print(f"{HOME.name}: regenerated")
    if only:
        return
    for stale in sorted(p for p in MODULES.glob("m*") if p.is_dir() and p.name not in modules):
        shutil.rmtree(stale)
        print(f"modules/{stale.name}: removed (no such module in solutions/)")


if __name__ == "__main__":
    main(parse_modules("python -m autograder.release", __doc__.splitlines()[0], sys.argv[1:]))
