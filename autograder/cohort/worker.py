"""Grade one (student, module) pair with nbgrader's own Autograde converter.

A worker is a long-lived process: it loads nbgrader, the course's settings and a
private workspace once (`Worker`), then grades pair after pair (`grade`). A
worker needs neither the course folder nor the gradebook's address: it gets
what it needs as data (`handover.py`: the course's settings, the module's
released files and gradebook records, the submission's files) and grades into
a private SQLite gradebook of its own, seeded from those records. It returns
a `PairOutput` (the autograded files, what nbgrader recorded, the journal
entry); the client commits it (`handover.commit`).

`Worker` only orchestrates the stages in `stages.py` (stage -> inspect -> run
nbgrader -> classify -> read scores); what happened is recorded as typed
`Outcome`s (`outcomes.py`).

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
import time
from pathlib import Path

from autograder.cohort import stages
from autograder.cohort.forkserver import ForkServer
from autograder.cohort.handover import CourseSettings, ModuleData, PairInput, PairOutput, read_tree, recorded, write_tree
from autograder.cohort.layout import ensure_scripts_on_path
from autograder.cohort.outcomes import Outcome, PairResult, unfinished
from autograder.cohort.retries import MAX_RUNS, Retries
from autograder.cohort.sandbox import Limits, Sandbox
from autograder.cohort.workspace import (DEFAULT_MEMORY_MB, DatasetGuard, force_remove, private_pmcourse,
                                         remove_stale_folders, run_folder)

__all__ = ["PairResult", "Worker", "grade_safely"]


def datasets_folder(settings: CourseSettings, private: Path) -> Path:
    """The course's own datasets (sent as data, written once under `private`), else those installed with pmcourse."""
    if settings.datasets is None:
        from autograder.repo import DATASETS

        return DATASETS
    return write_tree(settings.datasets, private / "course-datasets")


class Worker:
    """One long-lived grader: nbgrader loaded once, one private workspace."""

    def __init__(self, settings: CourseSettings, memory_mb: int = DEFAULT_MEMORY_MB, sandbox: bool = True):
        ensure_scripts_on_path()
        self.course = settings
        self.memory_mb = memory_mb
        self.seeded: dict[str, str] = {}  # module data key: private gradebook URL
        remove_stale_folders()  # what killed runs left behind
        self.space = run_folder("pmcourse-grading")  # what student code sees
        self.private = run_folder("pmcourse-nbgrader")  # nbgrader's folders
        self.datasets = DatasetGuard(datasets_folder(settings, self.private), self.space / "datasets")
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
        force_remove(self.space)
        force_remove(self.private)

    def gradebook_for(self, module: ModuleData) -> str:
        """The private gradebook of this version of the module (seeded from its records the first time)."""
        if module.key not in self.seeded:
            folder = self.private / "gradebooks"
            folder.mkdir(exist_ok=True)
            url = f"sqlite:///{folder / (module.key + '.db')}"
            module.seed(url, self.course.course_id)
            write_tree(module.released, self.private / "releases" / module.key)
            self.seeded[module.key] = url
        return self.seeded[module.key]

    def grade(self, pair: PairInput, module: ModuleData) -> PairOutput:
        """Grade one pair from its files; return what the client commits."""
        started = time.monotonic()
        student = pair.student
        result = PairResult(student, pair.module, "graded", digest=pair.digest, worker=os.getpid())
        self.fork_server.ensure_running()  # a server killed from outside (say, by the OOM killer) comes back
        db_url = self.gradebook_for(module)
        _forget(db_url, self.course.course_id, student, pair.module)
        root = self.private / "course"
        release = self.private / "releases" / module.key
        incoming = write_tree(pair.files, self.private / "incoming")
        workdir = stages.stage(incoming, release, root, student, pair.module)
        result.extend(stages.inspect(workdir, release))
        run_dir = stages.make_run_dir(workdir, root / "source" / pair.module, self.space / "run" / pair.module)
        config = stages.autograde_config(
            self.course.config, root, db_url,
            memory_mb=self.memory_mb, fork_socket=self.fork_server.socket_path, run_dir=run_dir,
        )
        self._contain(config, result)
        deadline = time.monotonic() + self.limits.wall_s
        record = self._run_with_retries(config, workdir, student, pair.module, result)
        if time.monotonic() > deadline:
            result.add(Outcome.WALL_CLOCK_LIMIT, f"{self.limits.wall_s} s")
        autograded = root / "autograded" / student / pair.module
        result.extend(stages.classify(
            autograded, record, result.outcomes, timeout_s=self.course.cell_timeout, memory_mb=self.memory_mb,
        ))
        self._record_scores(db_url, student, pair.module, result)
        if self.datasets.check():
            result.add(Outcome.DATASETS_CHANGED)
        timestamp, notebooks = recorded(db_url, self.course.course_id, student, pair.module)
        result.seconds = round(time.monotonic() - started, 3)
        result.finished = time.time()
        files = read_tree(autograded) if autograded.is_dir() else None
        return PairOutput(result.as_dict(), ran=True, autograded=files, timestamp=timestamp, notebooks=notebooks)

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
            stages.zero_if_no_notebook(config.CourseDirectory.db_url, self.course.course_id, student, module)
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

    def limit_records(self) -> list[dict]:
        """The whole-submission limits the sandbox's watchdog enforced since the last call (none without a sandbox)."""
        return self.sandbox.limit_records() if self.sandbox is not None else []

    def _fork_server_died(self) -> bool:
        process = getattr(self.fork_server, "process", None)
        return process is not None and process.poll() is not None

    def _record_scores(self, db_url: str, student: str, module: str, result: PairResult) -> None:
        scores = stages.read_scores(db_url, self.course.course_id, student, module)
        if scores is None:
            result.add(Outcome.NO_GRADE_RECORDED)
            return
        result.score, result.max_score = scores.score, scores.max_score
        result.late_penalty, result.auto_scores = scores.late_penalty, scores.auto_scores
        result.extend(scores.events())


def _forget(db_url: str, course_id: str, student: str, module: str) -> None:
    """Drop an earlier grading of this pair from the private gradebook: each pair starts as nbgrader's first run."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url, course_id) as gb:
        try:
            gb.remove_submission(module, student)
        except MissingEntry:
            pass


# -- one Worker per Dask worker process (engine.GraderPlugin) ---------------------------
def grade_safely(worker: Worker, pair: PairInput, module: ModuleData) -> PairOutput:
    """Grade one pair and return what to commit, whatever happens: never lose the pair.

    Any error is reported as a pipeline error (status failed: the next run grades it again).
    """
    try:
        return worker.grade(pair, module)
    except Exception as error:  # noqa: BLE001 - reported in the journal, graded again next run
        return PairOutput.failed(unfinished(pair.student, pair.module, Outcome.PIPELINE_ERROR, worker=os.getpid(),
                                            digest=pair.digest, error=stages.error_text(error)))
