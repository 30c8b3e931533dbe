"""One-way layers, one grading limit, and what a grading process imports."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def test_pmcourse_imports_nothing_from_autograder():
    """The learner's package (what a kernel imports) does not depend on the instructor's."""
    offenders = {
        str(path.relative_to(ROOT)): sorted(m for m in imported_modules(path) if m.split(".")[0] == "autograder")
        for path in sorted((ROOT / "pmcourse").rglob("*.py"))
    }
    assert not {k: v for k, v in offenders.items() if v}


def test_collect_does_not_load_the_grading_worker():
    assert not {m for m in imported_modules(ROOT / "autograder/cohort/collect.py") if "worker" in m or "forkserver" in m}


def test_every_notebook_runner_uses_the_grading_cell_limit():
    from autograder.cohort.layout import Course
    from autograder.solution_run import CELL_TIMEOUT_S as solution_limit
    from pmcourse.progress import CELL_TIMEOUT_S as progress_limit

    graded = Course(ROOT).cell_timeout  # nbgrader_config.py: c.Execute.timeout
    assert solution_limit == progress_limit == graded, (solution_limit, progress_limit, graded)


def test_a_grading_process_does_not_compile_the_iri_grammar():
    """autograder/__init__.py keeps jsonschema from building rfc3987_syntax's parsers (about 1.1 s of CPU
    in every grading process); nbformat still validates notebooks."""
    code = ("import sys, autograder.cohort.worker, nbformat;"
            "nbformat.validate(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('1')]));"
            "print(repr(sys.modules.get('rfc3987_syntax', 'not imported')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "None", done.stdout
