"""Grade one (student, module) pair with nbgrader's own Autograde converter.

A worker is a long-lived process: it loads nbgrader, the course config and a
private workspace once (`Worker`), then grades pair after pair (`grade`). Each
pair is self-contained (inputs: the course folder, the gradebook address, the
student and module ids; output: a `PairResult` and the grades committed to the
gradebook), so the same unit can later run on other machines.

`Worker` only orchestrates the stages in `stages.py` (stage -> inspect -> run
nbgrader -> classify -> read scores -> publish); what happened is recorded as
typed `Outcome`s (`outcomes.py`).

The grades are nbgrader's: the same converter and preprocessors as
`nbgrader autograde`, with three changes that do not touch scoring of normal
submissions: the kernel runs under a memory limit, single huge outputs are
cut, and execution happens in the isolated workspace (see `workspace.py`),
by default inside the OS sandbox (`sandbox.py`): every kernel in its own
namespaces, with a wall-clock cap on the whole submission.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

from autograder.cohort import stages
from autograder.cohort.digest import submission_digest
from autograder.cohort.forkserver import ForkServer
from autograder.cohort.layout import Course, datasets_of, ensure_scripts_on_path
from autograder.cohort.outcomes import Outcome, PairResult, unfinished
from autograder.cohort.retries import MAX_RUNS, Retries
from autograder.cohort.sandbox import Limits, Sandbox
from autograder.cohort.workspace import DEFAULT_MEMORY_MB, DatasetGuard, private_pmcourse

SQLITE_TIMEOUT_S = 120

__all__ = ["PairResult", "Worker", "grade_safely", "submission_digest"]


def sqlite_with_timeout(db_url: str) -> str:
    """Let concurrent workers wait for SQLite's write lock instead of failing."""
    if db_url.startswith("sqlite") and "timeout=" not in db_url:
        return db_url + ("&" if "?" in db_url else "?") + f"timeout={SQLITE_TIMEOUT_S}"
    return db_url


class Worker:
    """One long-lived grader: nbgrader loaded once, one private workspace."""

    def __init__(self, course_root: str, db_url: str | None = None, memory_mb: int = DEFAULT_MEMORY_MB,
                 sandbox: bool = True):
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
        (self.space / "run").mkdir()
        self.limits = Limits(memory_mb=memory_mb)
        self.sandbox = Sandbox(self.space / "run", lib, self.datasets.copy, self.limits) if sandbox else None
        self.fork_server = ForkServer(self.private, self.sandbox)  # started last: it inherits the environment above
        self.log = logging.getLogger(f"autograder.cohort.worker.{os.getpid()}")
        self.log.propagate = False
        self.log.setLevel(logging.INFO)

    def close(self) -> None:
        self.fork_server.close()
        if self.sandbox is not None:
            self.sandbox.close()
        for dirpath, _, _ in os.walk(self.space):
            os.chmod(dirpath, 0o755)
        shutil.rmtree(self.space, ignore_errors=True)
        shutil.rmtree(self.private, ignore_errors=True)

    def grade(self, student: str, module: str) -> dict:
        """Grade one pair; return its journal entry."""
        started = time.monotonic()
        source = self.course.submission(student, module)
        if not source.is_dir():
            return unfinished(student, module, Outcome.NOT_SUBMITTED, worker=os.getpid(), digest="missing")
        result = PairResult(student, module, "graded", digest=submission_digest(source), worker=os.getpid())
        self.fork_server.ensure_running()  # a server killed from outside (say, by the OOM killer) comes back
        root = self.private / "course"
        release = self.course.released_module(module)
        workdir = stages.stage(source, release, root, student, module)
        result.extend(stages.inspect(workdir, release))
        run_dir = stages.make_run_dir(workdir, root / "source" / module, self.space / "run" / module)
        config = stages.autograde_config(
            self.course.config, root, self.db_url,
            memory_mb=self.memory_mb, fork_socket=self.fork_server.socket_path, run_dir=run_dir,
        )
        self._contain(config, result)
        deadline = time.monotonic() + self.limits.wall_s
        record = self._run_with_retries(config, workdir, student, module, result)
        if time.monotonic() > deadline:
            result.add(Outcome.WALL_CLOCK_LIMIT, f"{self.limits.wall_s} s")
        autograded = root / "autograded" / student / module
        result.extend(stages.classify(
            autograded, record, result.outcomes, timeout_s=self.course.cell_timeout, memory_mb=self.memory_mb,
        ))
        self._record_scores(student, module, result)
        if self.datasets.check():
            result.add(Outcome.DATASETS_CHANGED)
        stages.publish(autograded, self.course.graded(student, module))
        result.seconds = round(time.monotonic() - started, 3)
        result.finished = time.time()
        return result.as_dict()

    def _contain(self, config, result: PairResult) -> None:
        """The kernels' sandbox (or the note that there is none) and the submission's wall-clock cap."""
        config.LimitedExecute.deadline = time.time() + self.limits.wall_s
        if self.sandbox is None:
            result.add(Outcome.NOT_SANDBOXED)
            return
        self.sandbox.clear_kernel_folders()
        config.LimitedKernelManager.sandbox = self.sandbox.kernel_settings()

    def _run(self, config, workdir: Path, student: str, module: str) -> stages.RunRecord:
        record = stages.run_nbgrader(config, student, module, self.log)
        if not any(workdir.glob("*.ipynb")):
            stages.zero_if_no_notebook(self.db_url, self.course.course_id, student, module)
        return record

    def _run_with_retries(self, config, workdir: Path, student: str, module: str, result: PairResult):
        """Run nbgrader until the run says something about the submission, not about the grader.

        A dead fork server is restarted and the pair graded again, unblamed. A kernel
        that died, or a cell that did not stop when interrupted (a busy machine looks the
        same), is given a second, fresh kernel first: only when the same cell does it
        again is that cell the submission's doing, replaced by one that raises, and the
        rest graded. Any other nbgrader failure is run once more: if it comes back the
        same, the run is marked `repeated` (NOT_GRADABLE: it needs a person).
        """
        retry = Retries(self, workdir, result)
        record = self._run(config, workdir, student, module)
        for _ in range(MAX_RUNS - 1):
            action = retry.after(record)
            if action is None:
                break
            previous, record = record, self._run(config, workdir, student, module)
            retry.settled(record)
            if action == "confirm" and stages.same_failure(previous, record):
                record.repeated = True
                break
        return record

    def _fork_server_died(self) -> bool:
        process = getattr(self.fork_server, "process", None)
        return process is not None and process.poll() is not None

    def _record_scores(self, student: str, module: str, result: PairResult) -> None:
        scores = stages.read_scores(self.db_url, self.course.course_id, student, module)
        if scores is None:
            result.add(Outcome.NO_GRADE_RECORDED)
            return
        result.score, result.max_score = scores.score, scores.max_score
        result.late_penalty, result.auto_scores = scores.late_penalty, scores.auto_scores
        result.extend(scores.events())


# -- pool plumbing: one Worker per Dask worker process (engine.GraderPlugin) ----------
def grade_safely(worker: Worker, student: str, module: str) -> dict:
    """Grade one pair and return its journal entry, whatever happens: never lose the pair.

    A dropped gradebook connection is retried (`database.with_retries`); after
    the last attempt, or on any other error, the pair is reported as a pipeline
    error (status failed: the next run grades it again).
    """
    from autograder.cohort import database

    try:
        return database.with_retries(lambda: worker.grade(student, module), worker.course.db_url,
                                     say=worker.log.warning)
    except Exception as error:  # noqa: BLE001 - reported in the journal, graded again next run
        text = str(error) if isinstance(error, database.GradebookUnreachable) else stages.error_text(error)  # whole, never cut
        return unfinished(student, module, Outcome.PIPELINE_ERROR, worker=os.getpid(), error=text)
