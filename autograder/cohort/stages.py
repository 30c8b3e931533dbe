"""The stages of grading one (student, module) pair, each a function with explicit inputs.

stage -> inspect -> run nbgrader -> classify -> read scores (the client publishes: `handover.commit`).

Each stage takes folders, notebooks or records and returns data (`Event`s,
a `RunRecord`, `Scores`): a unit test calls it on a tiny notebook built in the
test, in milliseconds, as nbgrader tests its preprocessors. Cells mean what
nbgrader means by them (`nbgrader.utils.is_locked`, `compute_checksum`), and
what happened is read from exception types and structured results, never from
log text. `worker.Worker` only orchestrates these stages.
"""

from __future__ import annotations

import copy
import logging
import shutil
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat.reader import NotJSONError

from autograder.cohort.canary import canary_execute_class
from autograder.cohort.outcomes import EXPLAINS_NO_NOTEBOOK, Event, Outcome
from autograder.cohort.workspace import LimitedExecute, TruncateLongOutput

CHECKPOINTS = ".ipynb_checkpoints"
MAX_LISTED_FILES = 5
# What nbgrader itself writes into a submission: the time of submit, and the exchange's secret (`nbgrader submit`).
NBGRADER_FILES = frozenset({"timestamp.txt", "submission_secret.txt"})
KILLED_CELL_SOURCE = (
    "raise RuntimeError('While grading, this cell stopped the Python kernel "
    "(os._exit, a crash or running out of memory), so it was not run and scores 0.')"
)

STALLED_CELL_SOURCE = (
    "raise RuntimeError('While grading, this cell ran past the {limit_s} s limit and did not stop when "
    "interrupted, so it was not run and scores 0.')"
)


# -- stage ----------------------------------------------------------------------
def copy_public_extras(release: Path, target: Path) -> None:
    """The module's student-visible extra files (what nbgrader copies over from the source)."""
    target.mkdir(parents=True, exist_ok=True)
    for path in release.rglob("*"):
        if path.is_file() and path.suffix != ".ipynb" and CHECKPOINTS not in path.parts:
            dest = target / path.relative_to(release)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest)


def stage(submission: Path, release: Path, root: Path, student: str, module: str) -> Path:
    """Copy a submission and the module's extra files into a fresh private nbgrader course at `root`.

    Returns the staged submission folder (`root/submitted/<student>/<module>`).
    """
    if root.exists():
        shutil.rmtree(root)
    workdir = root / "submitted" / student / module
    shutil.copytree(submission, workdir, symlinks=False, ignore=shutil.ignore_patterns(CHECKPOINTS))
    copy_public_extras(release, root / "source" / module)
    return workdir


def make_run_dir(workdir: Path, extras: Path, run_dir: Path) -> Path:
    """The kernel's working folder: the submission's files and the module's extras, no notebooks."""
    if run_dir.exists():
        shutil.rmtree(run_dir)
    shutil.copytree(workdir, run_dir, ignore=shutil.ignore_patterns("*.ipynb", CHECKPOINTS))
    shutil.copytree(extras, run_dir, dirs_exist_ok=True)
    return run_dir


# -- inspect --------------------------------------------------------------------
def match_notebooks(workdir: Path, expected: list[str]) -> list[Event]:
    """Missing and unknown notebooks; one unknown for one missing is renamed in place (a "Copy of ...")."""
    present = sorted(p.name for p in workdir.glob("*.ipynb"))
    missing = [name for name in expected if name not in present]
    unknown = [name for name in present if name not in expected]
    if len(missing) == 1 and len(unknown) == 1:
        (workdir / unknown[0]).rename(workdir / missing[0])
        return [Event(Outcome.RENAMED, missing[0], {"submitted": unknown[0]})]
    events = [Event(Outcome.MISSING_NOTEBOOK, name) for name in missing]
    if unknown:
        events.append(Event(Outcome.EXTRA_NOTEBOOKS, ", ".join(unknown)))
    return events


def extra_files(workdir: Path, release: Path) -> list[Event]:
    """Files the learner added that the release does not have (ignored by the tests).

    nbgrader's own files at the top of a submission (`NBGRADER_FILES`) are not the learner's.
    """
    released = {str(p.relative_to(release)) for p in release.rglob("*")} | NBGRADER_FILES
    extras = sorted(
        str(p.relative_to(workdir)) for p in workdir.rglob("*")
        if p.is_file() and p.suffix != ".ipynb" and str(p.relative_to(workdir)) not in released
    )
    if not extras:
        return []
    listed = ", ".join(extras[:MAX_LISTED_FILES]) + (" ..." if len(extras) > MAX_LISTED_FILES else "")
    return [Event(Outcome.EXTRA_FILES, listed, {"count": len(extras)})]


def locked_cells(notebook) -> dict[str, object]:
    """{grade id: cell} of the cells nbgrader will overwrite from the gradebook (`is_locked`)."""
    from nbgrader.utils import is_locked

    return {
        cell.metadata.nbgrader["grade_id"]: cell
        for cell in notebook.cells
        if is_locked(cell) and cell.metadata.nbgrader.get("grade_id")
    }


def _checksum(cell) -> str | None:
    from nbgrader.utils import compute_checksum

    try:
        return compute_checksum(cell)
    except (KeyError, ValueError, TypeError):  # metadata mangled by hand: cannot be the released cell
        return None


def compare_locked_cells(submitted, released) -> list[Event]:
    """Locked cells the learner deleted (put back by nbgrader) or edited (replaced by the gradebook copy)."""
    theirs = locked_cells(submitted)
    events = []
    for grade_id, cell in locked_cells(released).items():
        if grade_id not in theirs:
            events.append(Event(Outcome.TEST_CELL_RESTORED, grade_id))
        elif _checksum(theirs[grade_id]) != _checksum(cell):
            events.append(Event(Outcome.LOCKED_CELL_EDITED, grade_id))
    return events


def inspect_notebook(path: Path, release_path: Path) -> list[Event]:
    """One submitted notebook against its release: not JSON, deleted or edited locked cells."""
    try:
        submitted = nbformat.read(str(path), as_version=4)
        nbformat.validate(submitted)
    except NotJSONError:
        return [Event(Outcome.NOT_JSON, path.name)]
    except Exception:  # valid JSON, not a valid notebook: nbgrader's run reports it (NOT_GRADED)
        return []
    return compare_locked_cells(submitted, nbformat.read(str(release_path), as_version=4))


def _source_id(cell) -> str | None:
    """The grade id of a cell nbgrader tracks (solution, test, locked or task cell), else None."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    tracked = meta.get("solution") or meta.get("grade") or meta.get("locked") or meta.get("task")
    return meta.get("grade_id") if tracked else None


def restore_missing_cells(submitted, released) -> list[str]:
    """Put back (in place, at their released position) the tracked cells the learner deleted.

    nbgrader's own `add_missing_cells` puts back test cells only, and fails
    (KeyError) when the cell before a deleted test cell was deleted too, as when a
    whole question block is gone: the learner's other answers then scored 0.
    Here every deleted solution, test, locked and task cell comes back from the
    release before nbgrader runs. Returns the grade ids put back.
    """
    present = {_source_id(c): i for i, c in enumerate(submitted.cells) if _source_id(c)}
    restored, position = [], 0
    for cell in released.cells:
        grade_id = _source_id(cell)
        if grade_id is None:
            continue
        if grade_id in present:
            position = submitted.cells.index(next(c for c in submitted.cells if _source_id(c) == grade_id)) + 1
            continue
        submitted.cells.insert(position, copy.deepcopy(cell))
        position += 1
        restored.append(grade_id)
    return restored


GRADING_KEYS = ("grade_id", "grade", "solution", "locked", "task", "points")


def _put_back_metadata(cell, released_cell) -> bool:
    """Give `cell` the released cell's nbgrader metadata if what grading reads differs; True if it did."""
    theirs, ours = cell.get("metadata", {}).get("nbgrader", {}), released_cell.metadata["nbgrader"]
    if all(theirs.get(key) == ours.get(key) for key in GRADING_KEYS):
        return False
    cell.metadata["nbgrader"] = copy.deepcopy(ours)
    return True


def repair_metadata(submitted, released) -> list[str]:
    """Put back the nbgrader metadata the learner changed (in place); returns the grade ids concerned.

    A cell that is still the released cell (same cell id) gets the released metadata
    back: a renamed or copied grade id, a test cell marked as not graded. Any other
    cell claiming a grade id is an ordinary cell unless it is the only one holding a
    released grade id whose released cell is gone (a notebook rebuilt with new cell
    ids). nbgrader itself fails on these (KeyError 'grade_id', "Inconsistent
    checksums") and the pair scored 0.
    """
    by_cell_id = {c.get("id"): c for c in released.cells if _source_id(c)}
    claimed: dict[str, list] = {}
    repaired = []
    for cell in submitted.cells:
        original = by_cell_id.get(cell.get("id"))
        if original is not None and _put_back_metadata(cell, original):
            repaired.append(_source_id(original))
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id and original is None:
            claimed.setdefault(grade_id, []).append(cell)
    kept = {_source_id(c) for c in submitted.cells if c.get("id") in by_cell_id}
    return repaired + _settle_claims(claimed, kept, {_source_id(c): c for c in released.cells if _source_id(c)})


def _settle_claims(claimed: dict[str, list], kept: set, released: dict) -> list[str]:
    """Cells with a grade id but no released cell id: one may stand in for a released cell that is gone."""
    repaired = []
    for grade_id, cells in claimed.items():
        if grade_id in released and grade_id not in kept:  # the released cell under a new cell id
            if _put_back_metadata(cells[0], released[grade_id]):
                repaired.append(grade_id)
            cells = cells[1:]
        for cell in cells:
            del cell.metadata["nbgrader"]
            repaired.append(grade_id)
    return repaired


def restore_notebook(path: Path, release_path: Path) -> list[Event]:
    """Repair changed nbgrader metadata and put back deleted cells from the release, before nbgrader runs."""
    try:
        submitted = nbformat.read(str(path), as_version=4)
        released = nbformat.read(str(release_path), as_version=4)
        nbformat.validate(submitted)
    except Exception:  # not a (valid) notebook: inspect and nbgrader report it
        return []
    repaired = repair_metadata(submitted, released)
    restored = restore_missing_cells(submitted, released)
    if not (restored or repaired):
        return []
    nbformat.write(submitted, str(path))
    events = [Event(Outcome.METADATA_RESTORED, path.name, {"cells": ", ".join(dict.fromkeys(repaired))})] if repaired else []
    locked = set(locked_cells(released))
    learners = [g for g in restored if g not in locked]  # deleted locked cells are TEST_CELL_RESTORED already
    if learners:
        events.append(Event(Outcome.CELLS_RESTORED, path.name, {"cells": ", ".join(learners)}))
    return events


def inspect(workdir: Path, release: Path) -> list[Event]:
    """Check a staged submission against the module's release (renaming a lone renamed notebook)."""
    expected = sorted(p.name for p in release.glob("*.ipynb"))
    events = match_notebooks(workdir, expected)
    events += extra_files(workdir, release)
    for name in expected:
        if (workdir / name).is_file():
            events += inspect_notebook(workdir / name, release / name)
            events += restore_notebook(workdir / name, release / name)
    return events


# -- run nbgrader ---------------------------------------------------------------
@dataclass
class Failure:
    """An exception nbgrader's converter raised on one notebook, and the cell that ran last."""

    notebook: str
    error: BaseException
    last_cell: tuple[str, str, str] | None = None  # (notebook, cell id, grade id)


@dataclass
class RunRecord:
    """What one nbgrader autograde run did, as data."""

    failures: list[Failure] = field(default_factory=list)
    truncated: list[str] = field(default_factory=list)  # cells whose output was cut
    tampered: list = field(default_factory=list)  # canary.Finding: test cells that did not run as written
    repeated: bool = False  # the same failure came back in a second, fresh run: the submission's


def autograde_config(base, root: Path, db_url: str, *, memory_mb: int, fork_socket: str, run_dir: Path,
                     canaries: bool = True):
    """nbgrader's config for grading in the private course `root`: limited kernels, long outputs cut.

    With `canaries`, every test cell is guarded by a canary (`canary.py`): a test
    cell that did not run as written gets no points and a TAMPERED outcome.
    """
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute, LimitOutput

    config = copy.deepcopy(base)
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.source_directory = "source"
    config.CourseDirectory.submitted_directory = "submitted"
    config.CourseDirectory.autograded_directory = "autograded"
    config.CourseDirectory.db_url = db_url
    config.LimitedKernelManager.memory_mb = memory_mb
    config.LimitedKernelManager.fork_server = fork_socket
    config.LimitedExecute.run_dir = str(run_dir)
    pipeline = list(config.Autograde.get("autograde_preprocessors", Autograde.autograde_preprocessors.default()))
    execute = canary_execute_class() if canaries else LimitedExecute
    pipeline = [execute if p is Execute or p == "nbgrader.preprocessors.Execute" else p for p in pipeline]
    at = next((i for i, p in enumerate(pipeline) if p is LimitOutput), len(pipeline) - 1)
    pipeline.insert(at + 1, TruncateLongOutput)
    config.Autograde.autograde_preprocessors = pipeline
    return config


def _recording_autograde():
    from nbgrader.converters import Autograde

    class RecordingAutograde(Autograde):
        """nbgrader's Autograde, keeping the exceptions it catches and what the preprocessors saw."""

        def _preprocessor(self, kind):
            return next((p for p in getattr(self.exporter, "_preprocessors", []) if isinstance(p, kind)), None)

        def convert_single_notebook(self, notebook_filename: str) -> None:
            try:
                super().convert_single_notebook(notebook_filename)
            except Exception as error:
                execute = self._preprocessor(LimitedExecute)
                last = execute.last_cell if execute is not None else None
                self.record.failures.append(Failure(Path(notebook_filename).name, error, last))
                raise
            finally:
                truncate = self._preprocessor(TruncateLongOutput)
                if truncate is not None:
                    self.record.truncated += truncate.truncated
                execute = self._preprocessor(LimitedExecute)
                self.record.tampered += getattr(execute, "findings", [])

    return RecordingAutograde


def run_nbgrader(config, student: str, module: str, log: logging.Logger) -> RunRecord:
    """nbgrader's own Autograde for one pair in the course `config` names; returns what happened."""
    from nbgrader.converters import NbGraderException
    from nbgrader.coursedir import CourseDirectory

    root = Path(config.CourseDirectory.root)
    autograded = root / "autograded" / student / module
    if autograded.exists():
        shutil.rmtree(autograded)
    coursedir = CourseDirectory(config=config, log=log)
    coursedir.assignment_id = module
    coursedir.student_id = student
    converter = _recording_autograde()(coursedir=coursedir, config=config, log=log)
    converter.force = True
    converter.record = RunRecord()
    try:
        converter.start()
    except NbGraderException:
        pass  # every failure is in converter.record, with its exception
    return converter.record


# -- classify -------------------------------------------------------------------
def is_busy(record: RunRecord) -> bool:
    """The kernel's output did not arrive in time (nbclient raises CellTimeoutError only then: cells are interrupted)."""
    from nbclient.exceptions import CellTimeoutError

    return any(isinstance(f.error, CellTimeoutError) for f in record.failures)


def stalled(record: RunRecord) -> Failure | None:
    """The failure in which a cell's output did not arrive in time after the interrupt (CellTimeoutError)."""
    from nbclient.exceptions import CellTimeoutError

    return next((f for f in record.failures if isinstance(f.error, CellTimeoutError)), None)


def kernel_death(record: RunRecord) -> Failure | None:
    """The failure in which the kernel died or stopped answering, if any."""
    from nbclient.exceptions import DeadKernelError
    from nbgrader.preprocessors.execute import UnresponsiveKernelError

    return next((f for f in record.failures if isinstance(f.error, (DeadKernelError, UnresponsiveKernelError))), None)


def _replace_cell(path: Path, culprit: tuple[str, str, str], source: str) -> bool:
    """Give the student-editable cell `culprit` of the notebook at `path` the code `source`; False if it is locked."""
    from nbgrader.utils import is_grade, is_locked

    _, cell_id, grade_id = culprit
    notebook = nbformat.read(str(path), as_version=4)
    for cell in notebook.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        same = meta.get("grade_id") == grade_id if grade_id else cell.get("id") == cell_id
        if same and not is_locked(cell) and not is_grade(cell):
            cell.source = source
            nbformat.write(notebook, str(path))
            return True
    return False


def _where(culprit: tuple[str, str, str]) -> str:
    notebook_name, cell_id, grade_id = culprit
    return f"{grade_id or cell_id} of {notebook_name}"


def neutralise(workdir: Path, culprit: tuple[str, str, str], *, stalled: bool = False, limit_s: int = 0) -> Event:
    """Replace the (student-editable) cell that killed the kernel (or, `stalled`, ignored the interrupt) by one that raises.

    KERNEL_DIED (INTERRUPT_IGNORED) if it was replaced (grade again); if it cannot be
    (a locked cell), KERNEL_DIED_IN_LOCKED_CELL, or NOT_GRADABLE for a stalled one.
    """
    where = _where(culprit)
    source = STALLED_CELL_SOURCE.format(limit_s=limit_s) if stalled else KILLED_CELL_SOURCE
    if _replace_cell(workdir / culprit[0], culprit, source):
        return Event(Outcome.INTERRUPT_IGNORED, where, {"limit_s": limit_s}) if stalled else Event(Outcome.KERNEL_DIED, where)
    if stalled:
        return Event(Outcome.NOT_GRADABLE, where, {
            "notebook": culprit[0],
            "error": f"locked cell {where} ran past the {limit_s} s limit and did not stop when interrupted, twice"})
    return Event(Outcome.KERNEL_DIED_IN_LOCKED_CELL, where)


LIMIT_OUTCOMES = {"memory": Outcome.SUBMISSION_MEMORY_LIMIT, "processes": Outcome.PROCESS_LIMIT}
LIMIT_CELL_SOURCE = (
    "raise RuntimeError('While grading, this cell took the submission over its {what} limit ({measured} for all "
    "its processes together, limit {cap}): every process was stopped, so it was not run and scores 0.')"
)


def limit_detail(limit: dict) -> dict:
    """The numbers of a watchdog record ({limit, measured, cap}) as an event shows them."""
    if limit["limit"] == "memory":
        return {"measured_mb": round(limit["measured"] / 2**20), "cap_mb": round(limit["cap"] / 2**20)}
    return {"measured": int(limit["measured"]), "cap": int(limit["cap"])}


def over_limit(workdir: Path, culprit: tuple[str, str, str], limit: dict) -> list[Event]:
    """The sandbox's watchdog killed the submission over a limit while `culprit` ran: the student's doing, at once.

    The cell is replaced by one that raises and says which limit, the value measured
    and the cap (grade again: the cells before keep their points). A locked cell
    cannot be replaced (a process started earlier went over the limit while it ran):
    then the limit and KERNEL_DIED_IN_LOCKED_CELL, and no second run.
    """
    where = _where(culprit)
    detail = limit_detail(limit)
    event = Event(LIMIT_OUTCOMES[limit["limit"]], where, detail)
    shown = (f"{detail['measured_mb']} MB", f"{detail['cap_mb']} MB") if "cap_mb" in detail else (detail["measured"], detail["cap"])
    what = "memory" if limit["limit"] == "memory" else "process"
    if _replace_cell(workdir / culprit[0], culprit, LIMIT_CELL_SOURCE.format(what=what, measured=shown[0], cap=shown[1])):
        return [event]
    return [event, Event(Outcome.KERNEL_DIED_IN_LOCKED_CELL, where)]


def _cell_name(cell) -> str:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") or cell.get("id", "?")


def _is_timeout(ename: str) -> bool:
    return ename in ("CellTimeoutError", "KeyboardInterrupt") or "Timeout" in ename


def cell_events(notebook, *, timeout_s: int, memory_mb: int) -> list[Event]:
    """Timeouts and memory errors, read from the error outputs (`ename`) of a graded notebook."""
    events = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            ename = output.get("ename", "") if output.get("output_type") == "error" else ""
            if _is_timeout(ename):
                events.append(Event(Outcome.TIMEOUT, _cell_name(cell), {"limit_s": timeout_s}))
            elif ename == "MemoryError":
                events.append(Event(Outcome.OUT_OF_MEMORY, _cell_name(cell), {"limit_mb": memory_mb}))
    return events


def classify(autograded: Path, record: RunRecord, known: set[Outcome], *, timeout_s: int, memory_mb: int) -> list[Event]:
    """What the run did to the pair: cell events, truncated outputs, or why it produced nothing."""
    events = []
    notebooks = sorted(autograded.glob("*.ipynb"))
    for path in notebooks:
        events += cell_events(nbformat.read(str(path), as_version=4), timeout_s=timeout_s, memory_mb=memory_mb)
    events += [Event(Outcome.OUTPUT_TRUNCATED, cell) for cell in record.truncated]
    events += [Event(Outcome.TAMPERED, f.before, f.as_detail()) for f in record.tampered]
    produced = {path.name for path in notebooks}
    unproduced = [f for f in record.failures if f.notebook not in produced]
    if (unproduced or not notebooks) and not (known & EXPLAINS_NO_NOTEBOOK):
        events.append(not_graded(record))
    return events


def error_text(error: BaseException | None) -> str:
    """The whole exception, as one would read it at the end of a traceback (never cut)."""
    if error is None:
        return "nbgrader produced no graded notebook"
    text = "".join(traceback.format_exception_only(type(error), error)).strip()
    frames = traceback.extract_tb(error.__traceback__) if error.__traceback__ else []
    if frames:
        last = frames[-1]
        text += f" (raised in {Path(last.filename).parent.name}/{Path(last.filename).name}:{last.lineno}, {last.name})"
    return text


def not_graded(record: RunRecord) -> Event:
    """Why the run produced nothing: NOT_GRADABLE if the same failure came back in a fresh run, else NOT_GRADED."""
    failure = record.failures[0] if record.failures else None
    detail = {"error": error_text(failure.error if failure else None)}
    if failure is not None:
        detail["notebook"] = failure.notebook
    return Event(Outcome.NOT_GRADABLE if record.repeated else Outcome.NOT_GRADED, detail=detail)


def same_failure(first: RunRecord, second: RunRecord) -> bool:
    """Two runs failed the same way (same exception type and text on the same notebook)."""
    def key(record: RunRecord) -> list[tuple[str, str, str]]:  # the message's first line: later ones may hold random cell ids
        return [(f.notebook, type(f.error).__name__, str(f.error).split("\n", 1)[0]) for f in record.failures]

    return bool(first.failures) and key(first) == key(second)


# -- read scores ----------------------------------------------------------------
@dataclass
class Scores:
    score: float
    max_score: float
    late_penalty: float
    seconds_late: float
    auto_scores: dict[str, float]

    def events(self) -> list[Event]:
        if self.seconds_late <= 0:
            return []
        return [Event(Outcome.LATE, detail={"days": self.seconds_late / 86400, "penalty": self.late_penalty})]


def zero_if_no_notebook(db_url: str, course_id: str, student: str, module: str) -> None:
    """A submission with no gradable notebook gets an explicit 0 (nbgrader would skip it)."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url, course_id) as gb:
        gb.update_or_create_student(student)
        submission = gb.update_or_create_submission(module, student)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                if grade.auto_score is None and grade.cell.cell_type == "code":
                    grade.auto_score = 0
                    grade.needs_manual_grade = False
        gb.db.commit()


def read_scores(db_url: str, course_id: str, student: str, module: str) -> Scores | None:
    """The pair's scores from nbgrader's gradebook (None if nbgrader recorded no submission)."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url, course_id) as gb:
        try:
            submission = gb.find_submission(module, student)
        except MissingEntry:
            return None
        auto = {
            grade.name: float(grade.auto_score)
            for notebook in submission.notebooks for grade in notebook.grades
            if grade.cell.cell_type == "code" and grade.auto_score is not None
        }
        return Scores(
            float(submission.score or 0), float(submission.max_score or 0),
            float(submission.late_submission_penalty or 0), float(submission.total_seconds_late or 0), auto,
        )
