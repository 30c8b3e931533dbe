"""Grade one (student, module) pair with nbgrader's own Autograde converter.

A worker is a long-lived process: it loads nbgrader, the course config and a
private workspace once (`Worker`), then grades pair after pair (`grade`). Each
pair is self-contained (inputs: the course folder, the gradebook address, the
student and module ids; output: a `PairResult` and the grades committed to the
gradebook), so the same unit can later run on other machines.

The grades are nbgrader's: the same converter and preprocessors as
`nbgrader autograde`, with three changes that do not touch scoring of normal
submissions: the kernel runs under a memory limit, single huge outputs are
cut, and execution happens in the isolated workspace (see `workspace.py`).
"""

from __future__ import annotations

import copy
import hashlib
import logging
import os
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from autograder.cohort.forkserver import ForkServer
from autograder.cohort.layout import Course, datasets_of, ensure_scripts_on_path, replace_tree
from autograder.cohort.workspace import (
    DEFAULT_MEMORY_MB,
    DatasetGuard,
    LimitedExecute,
    TruncateLongOutput,
    private_pmcourse,
)

SQLITE_TIMEOUT_S = 120
KERNEL_DEATH_RETRIES = 2
TRANSIENT_RETRIES = 2
TRANSIENT = "Timeout waiting for IOPub output"
KILLED_CELL_SOURCE = (
    "raise RuntimeError('While grading, this cell stopped the Python kernel "
    "(os._exit, a crash or running out of memory), so it was not run and scores 0.')"
)


@dataclass
class PairResult:
    student: str
    module: str
    status: str  # graded | failed | not_submitted
    notes: list[str] = field(default_factory=list)
    score: float = 0.0
    max_score: float = 0.0
    late_penalty: float = 0.0
    auto_scores: dict[str, float] = field(default_factory=dict)
    digest: str = ""
    seconds: float = 0.0
    worker: int = 0
    finished: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


def submission_digest(folder: Path) -> str:
    """A hash of every file of a submission (names and bytes, timestamp.txt included)."""
    digest = hashlib.sha256()
    if not folder.is_dir():
        return "missing"
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def sqlite_with_timeout(db_url: str) -> str:
    """Let concurrent workers wait for SQLite's write lock instead of failing."""
    if db_url.startswith("sqlite") and "timeout=" not in db_url:
        return db_url + ("&" if "?" in db_url else "?") + f"timeout={SQLITE_TIMEOUT_S}"
    return db_url


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        try:
            self.messages.append(record.getMessage())
        except Exception:  # a malformed log call must not stop grading
            self.messages.append(str(record.msg))


def _locked_cells(notebook) -> dict[str, str]:
    out = {}
    for cell in notebook.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade_id") and (meta.get("locked") or (meta.get("grade") and not meta.get("solution"))):
            out[meta["grade_id"]] = cell.source
    return out


class Worker:
    """One long-lived grader: nbgrader loaded once, one private workspace."""

    def __init__(self, course_root: str, db_url: str | None = None, memory_mb: int = DEFAULT_MEMORY_MB):
        ensure_scripts_on_path()
        self.course = Course(Path(course_root), db_url)
        self.db_url = sqlite_with_timeout(self.course.db_url)
        self.memory_mb = memory_mb
        self.space = Path(tempfile.mkdtemp(prefix="pmcourse-grading-"))  # what student code sees
        self.private = Path(tempfile.mkdtemp(prefix="pmcourse-nbgrader-"))  # nbgrader's folders
        self.datasets = DatasetGuard(datasets_of(self.course), self.space / "datasets")
        lib = private_pmcourse(self.space / "lib")
        os.environ["PMCOURSE_DATASETS"] = str(self.datasets.copy)
        os.environ["PYTHONPATH"] = str(lib)
        os.environ["MALLOC_ARENA_MAX"] = "2"  # glibc arenas reserve address space the limit counts
        for name in ("PWD", "OLDPWD", "VIRTUAL_ENV_PROMPT"):
            os.environ.pop(name, None)
        os.chdir(self.space)
        self.fork_server = ForkServer(self.private)  # started last: it inherits the environment above
        self.log = logging.getLogger(f"autograder.cohort.worker.{os.getpid()}")
        self.log.propagate = False
        self.log.setLevel(logging.INFO)

    def close(self) -> None:
        self.fork_server.close()
        for dirpath, _, _ in os.walk(self.space):
            os.chmod(dirpath, 0o755)
        shutil.rmtree(self.space, ignore_errors=True)
        shutil.rmtree(self.private, ignore_errors=True)

    # -- configuration ------------------------------------------------------
    def _config(self, root: Path):
        from nbgrader.converters import Autograde
        from nbgrader.preprocessors import Execute, LimitOutput

        config = copy.deepcopy(self.course.config)
        config.CourseDirectory.root = str(root)
        config.CourseDirectory.source_directory = "source"
        config.CourseDirectory.submitted_directory = "submitted"
        config.CourseDirectory.autograded_directory = "autograded"
        config.CourseDirectory.db_url = self.db_url
        config.LimitedKernelManager.memory_mb = self.memory_mb
        config.LimitedKernelManager.fork_server = self.fork_server.socket_path
        config.LimitedExecute.run_dir = str(self.run_dir)
        pipeline = list(config.Autograde.get("autograde_preprocessors", Autograde.autograde_preprocessors.default()))
        pipeline = [LimitedExecute if p is Execute or p == "nbgrader.preprocessors.Execute" else p for p in pipeline]
        at = next((i for i, p in enumerate(pipeline) if p is LimitOutput), len(pipeline) - 1)
        pipeline.insert(at + 1, TruncateLongOutput)
        config.Autograde.autograde_preprocessors = pipeline
        return config

    # -- one pair -------------------------------------------------------------
    def grade(self, student: str, module: str) -> dict:
        started = time.monotonic()
        result = PairResult(student, module, "graded", worker=os.getpid())
        source = self.course.submitted / student / module
        result.digest = submission_digest(source)
        if not source.is_dir():
            result.status = "not_submitted"
            result.notes.append("no submission")
            return self._finish(result, started)
        self.fork_server.ensure_running()  # a server killed from outside (say, by the OOM killer) comes back
        root = self.private / "course"
        if root.exists():
            shutil.rmtree(root)
        workdir = root / "submitted" / student / module
        shutil.copytree(source, workdir, symlinks=False, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        self._public_extras(module, root / "source" / module)
        self._inspect(module, workdir, result)
        self.run_dir = self.space / "run" / module
        if self.run_dir.parent.exists():
            shutil.rmtree(self.run_dir.parent)
        shutil.copytree(workdir, self.run_dir, ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints"))
        shutil.copytree(root / "source" / module, self.run_dir, dirs_exist_ok=True)

        messages = self._run(root, student, module, result)
        for attempt in range(TRANSIENT_RETRIES):  # a starved kernel (busy machine), not the student's fault
            if not any(TRANSIENT in m for m in messages):
                break
            result.notes.append("kernel output timed out (machine busy): graded again")
            messages = self._run(root, student, module, result)
        for attempt in range(KERNEL_DEATH_RETRIES):
            culprit = self._kernel_died(messages)
            if culprit is None:
                break
            if not self._neutralise(workdir, culprit, result):
                break
            messages = self._run(root, student, module, result)
        self._read_outcome(root, student, module, messages, result)
        if self.datasets.check():
            result.notes.append("student code changed the datasets; restored for the next student")
        self._publish(root, student, module)
        return self._finish(result, started)

    def _finish(self, result: PairResult, started: float) -> dict:
        result.seconds = round(time.monotonic() - started, 3)
        result.finished = time.time()
        return result.as_dict()

    def _public_extras(self, module: str, target: Path) -> None:
        """The module's student-visible extra files (what nbgrader copies over from the source)."""
        target.mkdir(parents=True, exist_ok=True)
        release = self.course.release / module
        for path in release.rglob("*"):
            if path.is_file() and path.suffix != ".ipynb" and ".ipynb_checkpoints" not in path.parts:
                dest = target / path.relative_to(release)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, dest)

    def _inspect(self, module: str, workdir: Path, result: PairResult) -> None:
        """Check the submission's files against the release; repair a renamed notebook."""
        expected = self.course.released_notebooks(module)
        present = sorted(p.name for p in workdir.glob("*.ipynb"))
        missing = [name for name in expected if name not in present]
        unknown = [name for name in present if name not in expected]
        if len(missing) == 1 and len(unknown) == 1:
            (workdir / unknown[0]).rename(workdir / missing[0])
            result.notes.append(f"notebook renamed: graded '{unknown[0]}' as {missing[0]}")
            missing, unknown = [], []
        for name in missing:
            result.notes.append(f"notebook missing: {name} (scored 0)")
        if unknown:
            result.notes.append("extra notebooks not graded: " + ", ".join(unknown))
        extras = sorted(
            str(p.relative_to(workdir)) for p in workdir.rglob("*")
            if p.is_file() and p.suffix != ".ipynb" and p.name != "timestamp.txt"
        )
        released = {str(p.relative_to(self.course.release / module)) for p in (self.course.release / module).rglob("*")}
        extras = [e for e in extras if e not in released]
        if extras:
            result.notes.append("extra files ignored by the tests: " + ", ".join(extras[:5]) + (" ..." if len(extras) > 5 else ""))
        for name in expected:
            path = workdir / name
            if not path.is_file():
                continue
            try:
                submitted = nbformat.read(str(path), as_version=4)
            except Exception:
                continue  # reported from nbgrader's log
            release_nb = nbformat.read(str(self.course.release / module / name), as_version=4)
            theirs = _locked_cells(submitted)
            for grade_id, text in _locked_cells(release_nb).items():
                if grade_id not in theirs:
                    result.notes.append(f"deleted cell {grade_id} put back from the gradebook and graded")
                elif theirs[grade_id].strip() != text.strip():
                    result.notes.append(f"edited locked cell {grade_id} replaced by the gradebook copy")

    def _run(self, root: Path, student: str, module: str, result: PairResult) -> list[str]:
        from nbgrader.converters import Autograde, NbGraderException
        from nbgrader.coursedir import CourseDirectory

        autograded = root / "autograded" / student / module
        if autograded.exists():
            shutil.rmtree(autograded)
        handler = _Collect()
        self.log.addHandler(handler)
        config = self._config(root)
        try:
            coursedir = CourseDirectory(config=config, log=self.log)
            coursedir.assignment_id = module
            coursedir.student_id = student
            converter = Autograde(coursedir=coursedir, config=config, log=self.log)
            converter.force = True
            self._converter = converter
            try:
                converter.start()
            except NbGraderException as error:
                handler.messages.append(f"NbGraderException: {error}")
            if not any((root / "submitted" / student / module).glob("*.ipynb")):
                self._zero_if_no_notebook(student, module)  # nbgrader would skip the student entirely
        finally:
            self.log.removeHandler(handler)
        return handler.messages

    def _zero_if_no_notebook(self, student: str, module: str) -> None:
        """A submission with no gradable notebook gets an explicit 0 (nbgrader would skip it)."""
        from nbgrader.api import Gradebook

        with Gradebook(self.db_url, self.course.course_id) as gb:
            gb.update_or_create_student(student)
            submission = gb.update_or_create_submission(module, student)
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    if grade.auto_score is None and grade.cell.cell_type == "code":
                        grade.auto_score = 0
                        grade.needs_manual_grade = False
            gb.db.commit()

    def _kernel_died(self, messages: list[str]):
        text = "\n".join(messages)
        if "kernel became unresponsive" not in text and "DeadKernelError" not in text and "Kernel died" not in text:
            return None
        for pp in getattr(self._converter.exporter, "_preprocessors", []):
            if isinstance(pp, LimitedExecute) and pp.last_cell is not None:
                return pp.last_cell
        return None

    def _neutralise(self, workdir: Path, culprit: tuple[str, str, str], result: PairResult) -> bool:
        """Replace the (student-editable) cell that killed the kernel by one that raises."""
        notebook_name, cell_id, grade_id = culprit
        path = workdir / notebook_name
        notebook = nbformat.read(str(path), as_version=4)
        for cell in notebook.cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            same = (grade_id and meta.get("grade_id") == grade_id) or (not grade_id and cell.get("id") == cell_id)
            if same and not meta.get("locked") and not meta.get("grade"):
                cell.source = KILLED_CELL_SOURCE
                nbformat.write(notebook, str(path))
                result.notes.append(
                    f"kernel died in cell {grade_id or cell_id} of {notebook_name} (os._exit or crash): "
                    "that cell scored 0, the rest was graded"
                )
                return True
        result.notes.append(f"kernel died in a locked cell {grade_id or cell_id} of {notebook_name}: scored 0")
        return False

    def _read_outcome(self, root: Path, student: str, module: str, messages: list[str], result: PairResult) -> None:
        from nbgrader.api import Gradebook, MissingEntry

        text = "\n".join(messages)
        if "does not appear to be JSON" in text or "NotJSONError" in text:
            result.notes.append("a notebook is not valid JSON (corrupted file): scored 0")
        autograded = root / "autograded" / student / module
        for path in sorted(autograded.glob("*.ipynb")):
            notebook = nbformat.read(str(path), as_version=4)
            for cell in notebook.cells:
                cell_name = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") or cell.get("id", "?")
                for output in cell.get("outputs", []):
                    if output.get("output_type") != "error":
                        continue
                    if output.get("ename") in ("CellTimeoutError", "KeyboardInterrupt") or "Timeout" in output.get("ename", ""):
                        result.notes.append(f"cell {cell_name} ran past the {self.course.cell_timeout} s limit: stopped, scored 0")
                    elif output.get("ename") == "MemoryError":
                        result.notes.append(f"cell {cell_name} ran out of memory (limit {self.memory_mb} MB): scored 0")
                text_out = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")
                if "Output truncated" in text_out:
                    result.notes.append(f"cell {cell_name}: output too long, truncated")
        explained = ("not valid JSON", "notebook missing", "kernel died")
        if not any(autograded.glob("*.ipynb")) and not any(k in n for n in result.notes for k in explained):
            errors = [m for m in messages if "Error" in m or "error" in m]
            result.notes.append("could not be graded (retried on the next run): " + (errors or messages or ["unknown error"])[0][:300])
            result.status = "failed"
        with Gradebook(self.db_url, self.course.course_id) as gb:
            try:
                submission = gb.find_submission(module, student)
            except MissingEntry:
                result.status = "failed"
                result.notes.append("no grade recorded")
                return
            result.score = float(submission.score or 0)
            result.max_score = float(submission.max_score or 0)
            result.late_penalty = float(submission.late_submission_penalty or 0)
            if submission.total_seconds_late > 0:
                days = submission.total_seconds_late / 86400
                result.notes.append(f"late by {days:.1f} days: penalty {result.late_penalty:g} points")
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    if grade.cell.cell_type == "code" and grade.auto_score is not None:
                        result.auto_scores[grade.name] = float(grade.auto_score)

    def _publish(self, root: Path, student: str, module: str) -> None:
        """Move the autograded copy into the course's autograded/ folder (replacing an old one)."""
        produced = root / "autograded" / student / module
        target = self.course.autograded / student / module
        target.parent.mkdir(parents=True, exist_ok=True)
        if not produced.is_dir():
            if target.exists():
                shutil.rmtree(target)
            return
        replace_tree(produced, target, target.parent / f".{module}.{os.getpid()}.tmp")


# -- process-pool plumbing ------------------------------------------------------
_WORKER: Worker | None = None


def init_worker(course_root: str, db_url: str | None, memory_mb: int) -> None:
    global _WORKER
    import atexit

    _WORKER = Worker(course_root, db_url, memory_mb)
    atexit.register(_WORKER.close)


def grade_in_worker(student: str, module: str) -> dict:
    assert _WORKER is not None, "init_worker was not called"
    try:
        return _WORKER.grade(student, module)
    except Exception as error:  # never lose the pair: report it
        import traceback

        result = PairResult(student, module, "failed", notes=[f"pipeline error: {error!r}"], worker=os.getpid())
        result.notes.append(traceback.format_exc(limit=3)[-400:])
        result.finished = time.time()
        return result.as_dict()
