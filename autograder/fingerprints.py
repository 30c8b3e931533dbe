"""Regenerate each module's answer_fingerprints.json from its solutions (`make fingerprints`).

Every `self_check(question, answer)` in a solution notebook records the
fingerprint of the right answer while the notebook runs; this writes them to
`solutions/<module>/answer_fingerprints.json`, which nbgrader copies into the
student version. Run `make modules` afterwards.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from autograder.cli import parse_modules
from autograder.repo import SOLUTIONS, module_ids
from pmcourse.notebook import module_notebooks
from autograder.solution_run import run_solution
from pmcourse.feedback import FINGERPRINTS_FILE


def module_fingerprints(module: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for notebook in module_notebooks(SOLUTIONS / module):
        found.update(run_solution(notebook, {}).fingerprints)
    return dict(sorted(found.items()))


def fingerprints_text(fingerprints: dict[str, str]) -> str:
    return json.dumps(fingerprints, indent=2, sort_keys=True) + "\n"


def main(only: list[str]) -> None:
    for module in only or module_ids():
        target: Path = SOLUTIONS / module / FINGERPRINTS_FILE
        fingerprints = module_fingerprints(module)
        target.write_text(fingerprints_text(fingerprints), encoding="utf-8")
        print(f"{target.relative_to(SOLUTIONS.parent)}: {len(fingerprints)} answers")


if __name__ == "__main__":
    main(parse_modules("python -m autograder.fingerprints", __doc__.splitlines()[0], sys.argv[1:]))
