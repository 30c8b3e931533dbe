"""What a grading task gets and what it gives back, as plain data: workers need no course folder and no database.

The client reads the course once per module (`ModuleData`: the released files
and the gradebook's records of the module, its cells' checksums and points)
and once per pair (`PairInput`: the submission's files as bytes). A worker
grades into a private SQLite gradebook of its own, seeded from the module's
records (`ModuleData.seed`), and returns a `PairOutput`: the autograded files
as bytes, what nbgrader recorded (per-cell scores, comments, late penalty,
timestamp) and the pair's journal entry (typed outcomes and notes).

On the client, `commit` is the only writer: it writes the autograded files
into `autograded/`, the grades into the course's gradebook (SQLite or
PostgreSQL) and then the journal. A worker lost mid-pair has written nothing
anywhere, so losing it loses nothing.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from autograder.cohort.layout import Course, replace_tree, stamp_if_new

CHECKPOINTS = ".ipynb_checkpoints"
GRADE_CELL = ("name", "max_score", "cell_type")
TASK_CELL = ("name", "max_score", "cell_type")
SOURCE_CELL = ("name", "cell_type", "locked", "source", "checksum")


def read_tree(folder: Path) -> dict[str, bytes]:
    """{relative path: bytes} of every file under `folder` (checkpoints left out; {} if there is no folder)."""
    folder = Path(folder)
    if not folder.is_dir():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.is_symlink() and CHECKPOINTS not in p.parts}


def write_tree(files: dict[str, bytes], folder: Path) -> Path:
    """Make `folder` hold exactly `files` (paths that would leave the folder are refused)."""
    folder = Path(folder)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    base = folder.resolve()
    for name, data in files.items():
        target = (folder / name).resolve()
        if base not in target.parents:
            raise ValueError(f"file {name!r} would be written outside {folder}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return folder


@dataclass(frozen=True)
class CourseSettings:
    """What a worker needs of the course for every pair: its id, nbgrader config and cell limit, and datasets."""

    course_id: str
    config: object  # the course's nbgrader config (traitlets Config, from nbgrader_config.py)
    cell_timeout: int
    datasets: dict[str, bytes] | None = None  # the course's own datasets; None: those installed with pmcourse

    @classmethod
    def of(cls, course: Course) -> "CourseSettings":
        from autograder.cohort.layout import datasets_of
        from autograder.repo import DATASETS

        own = datasets_of(course)
        datasets = None if own.resolve() == DATASETS.resolve() else read_tree(own)
        return cls(course.course_id, course.config, course.cell_timeout, datasets)


@dataclass(frozen=True)
class NotebookRecords:
    """The gradebook's records of one released notebook (what `generate_assignment` saved)."""

    name: str
    grade_cells: tuple[dict, ...] = ()
    solution_cells: tuple[str, ...] = ()
    task_cells: tuple[dict, ...] = ()
    source_cells: tuple[dict, ...] = ()


def _columns(row, names: tuple[str, ...]) -> dict:
    return {name: getattr(row, name) for name in names}


@dataclass(frozen=True)
class ModuleData:
    """One module, once per run: its released files and its gradebook records; `key` names this version."""

    module: str
    released: dict[str, bytes]
    duedate: datetime | None
    notebooks: tuple[NotebookRecords, ...]
    key: str = ""

    @classmethod
    def of(cls, course: Course, module: str) -> "ModuleData":
        from autograder.cohort.layout import gradebook

        released = read_tree(course.released_module(module))
        with gradebook(course) as gb:
            assignment = gb.find_assignment(module)
            duedate = assignment.duedate
            notebooks = tuple(NotebookRecords(
                nb.name,
                tuple(_columns(c, GRADE_CELL) for c in nb.grade_cells),
                tuple(c.name for c in nb.solution_cells),
                tuple(_columns(c, TASK_CELL) for c in nb.task_cells),
                tuple(_columns(c, SOURCE_CELL) for c in nb.source_cells),
            ) for nb in sorted(assignment.notebooks, key=lambda n: n.name))
        digest = hashlib.sha256(repr((module, duedate, notebooks, sorted(released.items()))).encode()).hexdigest()
        return cls(module, released, duedate, notebooks, f"{module}-{digest[:16]}")

    def seed(self, db_url: str, course_id: str) -> None:
        """Write this module's records into the (private) gradebook at `db_url`."""
        from nbgrader.api import Gradebook

        stamp_if_new(db_url)
        with Gradebook(db_url, course_id) as gb:
            gb.update_or_create_assignment(self.module, duedate=self.duedate)
            for nb in self.notebooks:
                gb.update_or_create_notebook(nb.name, self.module)
                for cell in nb.grade_cells:
                    gb.update_or_create_grade_cell(cell["name"], nb.name, self.module, **_but_name(cell))
                for name in nb.solution_cells:
                    gb.update_or_create_solution_cell(name, nb.name, self.module)
                for cell in nb.task_cells:
                    gb.update_or_create_task_cell(cell["name"], nb.name, self.module, **_but_name(cell))
                for cell in nb.source_cells:
                    gb.update_or_create_source_cell(cell["name"], nb.name, self.module, **_but_name(cell))


def _but_name(cell: dict) -> dict:
    return {k: v for k, v in cell.items() if k != "name"}


@dataclass(frozen=True)
class PairInput:
    """One pair: the submission's files as bytes, and their digest (computed by the client)."""

    student: str
    module: str
    files: dict[str, bytes]
    digest: str

    @classmethod
    def of(cls, course: Course, student: str, module: str) -> "PairInput":
        from autograder.cohort.digest import submission_digest

        source = course.submission(student, module)
        return cls(student, module, read_tree(source), submission_digest(source))


@dataclass
class NotebookGrades:
    """What nbgrader recorded for one submitted notebook."""

    late_submission_penalty: float | None = None
    grades: dict[str, tuple[float | None, bool]] = field(default_factory=dict)  # name: (auto score, needs manual grade)
    comments: dict[str, str | None] = field(default_factory=dict)  # name: auto comment


@dataclass
class PairOutput:
    """What a task returns: the journal entry, and if grading ran to the end, the files and the gradebook's records."""

    entry: dict
    ran: bool = False  # the grading ran to the end: publish `autograded` (None: nothing produced) and `notebooks`
    autograded: dict[str, bytes] | None = None
    timestamp: datetime | None = None
    notebooks: dict[str, NotebookGrades] = field(default_factory=dict)

    @classmethod
    def failed(cls, entry: dict) -> "PairOutput":
        return cls(entry)


def recorded(db_url: str, course_id: str, student: str, module: str) -> tuple[datetime | None, dict[str, NotebookGrades]]:
    """The submission's timestamp and per-notebook grades in the gradebook at `db_url` ((None, {}) if none)."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url, course_id) as gb:
        try:
            submission = gb.find_submission(module, student)
        except MissingEntry:
            return None, {}
        notebooks = {
            nb.name: NotebookGrades(
                nb.late_submission_penalty,
                {g.name: (g.auto_score, bool(g.needs_manual_grade)) for g in nb.grades},
                {c.name: c.auto_comment for c in nb.comments},
            ) for nb in submission.notebooks
        }
        return submission.timestamp, notebooks


def _write_grades(course: Course, output: PairOutput) -> None:
    """Replay what nbgrader recorded in the worker's gradebook into the course's (keeping manual grades)."""
    from autograder.cohort.layout import gradebook

    student, module = output.entry["student"], output.entry["module"]
    with gradebook(course) as gb:
        gb.update_or_create_student(student)
        stamp = {"timestamp": output.timestamp} if output.timestamp else {}  # as nbgrader: no timestamp.txt, no change
        submission = gb.update_or_create_submission(module, student, **stamp)
        for notebook in submission.notebooks:
            theirs = output.notebooks.get(notebook.name, NotebookGrades())
            notebook.late_submission_penalty = theirs.late_submission_penalty
            for grade in notebook.grades:
                auto, needs_manual = theirs.grades.get(grade.name, (None, True))
                grade.auto_score = auto
                grade.needs_manual_grade = needs_manual or grade.manual_score is not None  # as nbgrader's SaveAutoGrades
            for comment in notebook.comments:
                comment.auto_comment = theirs.comments.get(comment.name)
        gb.db.commit()


def commit(course: Course, output: PairOutput) -> dict:
    """The one writer: autograded files, then the gradebook, then the journal; returns the journal entry."""
    from autograder.cohort import database, journal

    if output.ran:
        target = course.graded(output.entry["student"], output.entry["module"])
        target.parent.mkdir(parents=True, exist_ok=True)
        if output.autograded is None:
            shutil.rmtree(target, ignore_errors=True)
        else:
            staging = write_tree(output.autograded, target.parent / f".{target.name}.{os.getpid()}.new")
            replace_tree(staging, target, target.parent / f".{target.name}.{os.getpid()}.tmp")
            shutil.rmtree(staging)
        if output.notebooks:  # nbgrader recorded a submission
            database.with_retries(lambda: _write_grades(course, output), course.db_url)
    journal.write(course, output.entry)
    return output.entry
