"""Stock nbgrader, driven as an instructor would from its command line: for tests and the benchmark.

The course's grading goes through the cohort pipeline (`autograder.cohort`);
this module runs plain `nbgrader autograde` in a course folder so tests and
`make bench-grading` can compare the pipeline's grades and speed with stock
nbgrader's. Releasing goes through the one façade (`Course.release_module`),
as the pipeline's setup does. A course folder is laid out like this repository:
`nbgrader_config.py`, `solutions/` (source) and `modules/` (release).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from pmcourse.notebook import is_solution_code, module_notebooks, nbgrader_meta

from autograder.repo import DATASETS, HEADER, REPO_ROOT, SOLUTIONS, module_ids


class NbgraderError(RuntimeError):
    """An nbgrader command failed; the message carries its log."""


def nbgrader(course: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run `nbgrader ARGS` in `course` with the course datasets on the path (NbgraderError if it fails and `check`)."""
    # nbgrader runs `alembic` from PATH: put this environment's scripts first.
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    env = {**os.environ, "PATH": path, "PMCOURSE_DATASETS": str(DATASETS)}
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
    )
    if check and result.returncode != 0:
        raise NbgraderError(
            f"`nbgrader {' '.join(args)}` exited {result.returncode} in {course}:\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-6000:]}"
        )
    return result


def new_course(folder: Path, modules: list[str]) -> Path:
    """A fresh course folder holding the config, the header and these modules' sources."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO_ROOT / "nbgrader_config.py", folder / "nbgrader_config.py")
    (folder / "solutions").mkdir(exist_ok=True)
    shutil.copy(SOLUTIONS / HEADER, folder / "solutions" / HEADER)
    for module in modules:
        shutil.copytree(
            SOLUTIONS / module,
            folder / "solutions" / module,
            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"),
        )
    return folder


def release(course: Path, module: str) -> Path:
    """Generate the student version of `module` into the course's release folder (the façade's one way)."""
    from autograder.cohort.layout import Course

    return Course(course).release_module(module)


def autograde(course: Path, module: str, check: bool = True) -> subprocess.CompletedProcess:
    """Stock, sequential `nbgrader autograde MODULE --force` (the reference the pipeline's grades must equal).

    nbgrader exits 1 when a submission cannot be read; `check=False` accepts that (the benchmark's broken files).
    """
    return nbgrader(course, "autograde", module, "--force", check=check)


def auto_scores(course: Path, module: str) -> dict[str, dict[str, float]]:
    """{student: {test cell grade id: auto score}} for every autograded test cell."""
    from nbgrader.api import Gradebook

    scores: dict[str, dict[str, float]] = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for submission in gradebook.assignment_submissions(module):
            cells = scores.setdefault(submission.student_id, {})
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    if grade.cell.cell_type == "code" and grade.auto_score is not None:
                        cells[grade.name] = float(grade.auto_score)
    return scores


def submission_from(release_nb: Path, solution_nb: Path, answered: set[str]):
    """The student notebook with the solution's code in the `answered` questions only."""
    student = nbformat.read(str(release_nb), as_version=4)
    solution = nbformat.read(str(solution_nb), as_version=4)
    answers = {
        nbgrader_meta(cell)["grade_id"]: cell.source
        for cell in solution.cells
        if is_solution_code(cell)
    }
    for cell in student.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if is_solution_code(cell) and grade_id in answered:
            cell.source = answers[grade_id]
    return student


def release_all(destination: Path, modules: list[str] | None = None) -> Path:
    """Generate every module's student version into `destination`/modules."""
    modules = module_ids() if modules is None else modules
    course = new_course(destination, modules)
    for module in modules:
        release(course, module)
    return course / "modules"


__all__ = [
    "NbgraderError",
    "auto_scores",
    "autograde",
    "module_ids",
    "module_notebooks",
    "new_course",
    "release",
    "release_all",
    "submission_from",
]
