"""The grading service: every new submission in nbgrader's exchange is graded and its feedback released.

One pass (`GradeOnSubmit.run_once`):

1. read the exchange's inbound folder (`<exchange>/<course>/inbound/<student>+<module>+<time>+<random>`):
   for each (student, module), the newest complete submission (nbgrader's `submit`
   writes `submission_secret.txt` last, so a submission still being copied is left for the next pass);
2. keep those not handled yet (`grading/hub/state.json` says which submission of each pair was
   last handled), and set aside, with a line for the instructor, students who are not on the
   roster and modules that are not released (their files stay in the exchange; they are handled
   once the student is imported or the module released);
3. nbgrader's exchange collect copies the newest submission of each into `submitted/`;
4. the cohort pipeline grades them (`autograder.cohort.grade`, the late policy applies to the
   submission time) and writes their feedback (`autograder.cohort.feedback`);
5. nbgrader's `release_feedback` puts the feedback in the exchange, where the student's
   `fetch_feedback` (the Assignments tab) finds it.

`serve` grades on one Dask cluster kept open for the service's whole life (`open_grader`): its
workers load nbgrader, start their kernel fork servers and copy the course package and datasets
once, so a pass costs only the grading itself, not a cluster's start-up (logged as "grading
cluster ready in N s"). A lost cluster is replaced at the next pass; `python -m autograder.hub`
closes it (workers, fork servers, kernels) when stopped with SIGINT or SIGTERM. Because the
workers copy the course package (`pmcourse/`) and `datasets/` when they start, restart the
service after changing either.

Every step is idempotent and the state is written last, so a service killed half way does the
rest when it starts again; a submission made while it is down is found by its first pass.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from autograder.cohort.engine import EngineError
from autograder.cohort.feedback import feedback
from autograder.cohort.grade import default_workers, grade
from autograder.cohort.layout import Course, released_modules
from autograder.cohort.roster import roster_ids
from autograder.cohort.workspace import DEFAULT_MEMORY_MB

LOG = logging.getLogger("autograder.hub")
COMPLETE_MARK = "submission_secret.txt"  # the last file `nbgrader submit` writes into a submission
WAITING = ("not_on_roster", "not_released")  # set aside until the roster or the release changes


class ServiceError(ValueError):
    """The service cannot start as asked (the message says what to change)."""


@dataclass(frozen=True)
class Submission:
    student: str
    module: str
    timestamp: str  # nbgrader's text, e.g. "2026-12-01 06:15:45.123456 UTC"
    when: dt.datetime
    folder: Path

    @property
    def key(self) -> str:
        return f"{self.student}/{self.module}"


def _parse(folder: Path) -> Submission | None:
    from nbgrader.utils import parse_utc

    parts = folder.name.split("+")
    if len(parts) not in (3, 4) or not folder.is_dir() or not (folder / COMPLETE_MARK).is_file():
        return None
    try:
        when = parse_utc(parts[2])
    except (ValueError, OverflowError):
        return None
    return Submission(parts[0], parts[1], parts[2], when, folder)


def newest_submissions(inbound: Path) -> dict[str, Submission]:
    """{student/module: the newest complete submission} in an exchange inbound folder."""
    newest: dict[str, Submission] = {}
    if not inbound.is_dir():
        return newest
    for folder in inbound.iterdir():
        submission = _parse(folder)
        if submission and (submission.key not in newest or submission.when > newest[submission.key].when):
            newest[submission.key] = submission
    return newest


class State:
    """Which submission of each (student, module) was last handled, and how (a JSON file, written atomically)."""

    def __init__(self, path: Path):
        self.path = path
        self.data: dict[str, dict] = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}

    def get(self, key: str) -> dict | None:
        return self.data.get(key)

    def put(self, key: str, **entry) -> None:
        self.data[key] = entry
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".partial")
        partial.write_text(json.dumps(self.data, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(partial, self.path)


def _event(course: Course, **fields) -> None:
    """One JSON line per handled submission in grading/hub/events.jsonl (for the instructor and the tests)."""
    fields["at"] = dt.datetime.now(dt.timezone.utc).isoformat()
    with open(course.grading / "hub" / "events.jsonl", "a", encoding="utf-8") as handle:
        handle.write(json.dumps(fields, sort_keys=True) + "\n")


@contextmanager
def open_grader(course: Course, workers: int | None = None, memory_mb: int = DEFAULT_MEMORY_MB,
                sandbox: bool = True) -> Iterator[object]:
    """A local Dask cluster ready to grade `course` (an `engine.Cluster`), closed when the block ends.

    `workers` processes (default: one per core), each with its grader and kernel fork server.
    Raises `SandboxUnavailable` if `sandbox` and none can be made here, `EngineError` if the
    cluster cannot grade.
    """
    from autograder.cohort import engine
    from autograder.cohort.sandbox import require

    if sandbox:
        require()
    course.submitted.mkdir(parents=True, exist_ok=True)  # the workers check that they see it; nbgrader fills it
    with engine.cluster(course, None, workers or default_workers(), memory_mb, sandbox) as cluster:
        yield cluster


class GradeOnSubmit:
    """Grade what students submit through nbgrader's exchange, with the cohort pipeline."""

    def __init__(self, course: Course, exchange: Path, workers: int | None = None):
        self.course, self.exchange, self.workers = course, Path(exchange), workers
        self.cluster = None  # set by `serve`: the open grading cluster; None: each pass opens its own
        if not (course.root / "nbgrader_config.py").is_file():
            raise ServiceError(f"{course.root} is not an nbgrader course (no nbgrader_config.py): pass --course")
        if not self.exchange.is_dir():
            raise ServiceError(f"the exchange folder {self.exchange} does not exist: create it (see deploy/jupyterhub/README.md)")
        self.inbound = self.exchange / course.course_id / "inbound"
        self.state = State(course.grading / "hub" / "state.json")
        (course.grading / "hub").mkdir(parents=True, exist_ok=True)

    # what is new ---------------------------------------------------------------
    def _is_new(self, submission: Submission, roster: set[str], released: set[str]) -> bool:
        entry = self.state.get(submission.key)
        if entry is None or entry["timestamp"] != submission.timestamp:
            return True
        return entry["status"] in WAITING and submission.student in roster and submission.module in released

    def pending(self) -> list[Submission]:
        """The newest submission of each pair that is not handled yet (nothing read from the gradebook if none)."""
        found = newest_submissions(self.inbound)
        if not found:
            return []
        roster, released = set(roster_ids(self.course)), set(released_modules(self.course))
        return sorted((s for s in found.values() if self._is_new(s, roster, released)), key=lambda s: s.when)

    # one pass ------------------------------------------------------------------
    def run_once(self) -> list[dict]:
        """Handle every pending submission; return one record per submission handled."""
        submissions = self.pending()
        if not submissions:
            return []
        roster, released = set(roster_ids(self.course)), set(released_modules(self.course))
        done, by_module = [], {}
        for submission in submissions:
            reason = "not_on_roster" if submission.student not in roster else (
                "not_released" if submission.module not in released else None)
            if reason:
                done.append(self._set_aside(submission, reason))
            else:
                by_module.setdefault(submission.module, []).append(submission)
        for module, group in by_module.items():
            done += self._grade(module, group)
        return done

    def _set_aside(self, submission: Submission, reason: str) -> dict:
        entry = self.state.get(submission.key)
        if not entry or entry["timestamp"] != submission.timestamp or entry["status"] != reason:
            what = ("is not on the roster: add them (python -m autograder.cohort setup --roster roster.csv)"
                    if reason == "not_on_roster" else
                    "is not released: release it (python -m autograder.cohort setup --module MODULE)")
            who = submission.student if reason == "not_on_roster" else submission.module
            LOG.warning("not graded: %s submitted %s at %s, and %s %s; the submission waits in %s",
                        submission.student, submission.module, submission.timestamp, who, what, submission.folder)
            _event(self.course, student=submission.student, module=submission.module,
                   timestamp=submission.timestamp, status=reason)
        self.state.put(submission.key, timestamp=submission.timestamp, status=reason)
        return {"student": submission.student, "module": submission.module, "status": reason}

    def _api(self, student: str):
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory

        config = self.course.config_with({"CourseDirectory.student_id": student, "Exchange.root": str(self.exchange)})
        return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)

    def _nbgrader(self, student: str, action: str, module: str) -> None:
        result = getattr(self._api(student), action)(module, **({"student_id": student} if action == "release_feedback" else {}))
        if not result.get("success"):
            raise RuntimeError(f"nbgrader {action} {module} for {student} failed:\n{result.get('log', '')}\n{result.get('error', '')}")

    def _grade(self, module: str, group: list[Submission]) -> list[dict]:
        students = [s.student for s in group]
        for student in students:
            self._nbgrader(student, "collect", module)
        results = {r["student"]: r for r in grade(self.course, [module], students, workers=self.workers,
                                                    progress=False, cluster=self.cluster)}
        feedback(self.course, [module], students)
        done = []
        for student in students:
            result = results[student]
            if result["status"] == "graded":
                self._nbgrader(student, "release_feedback", module)
            collected = (self.course.submission(student, module) / "timestamp.txt").read_text(encoding="utf-8").strip()
            LOG.info("%s %s %s (submitted %s): %s of %s points", result["status"], student, module, collected,
                     result["score"], result["max_score"])
            _event(self.course, student=student, module=module, timestamp=collected, status=result["status"],
                   score=result["score"], max_score=result["max_score"], outcomes=result.get("outcomes", []))
            self.state.put(f"{student}/{module}", timestamp=collected, status=result["status"])
            done.append({"student": student, "module": module, "status": result["status"], "timestamp": collected})
        return done

    # the loop ------------------------------------------------------------------
    def serve(self, interval: float = 1.0) -> None:
        """Run a pass every `interval` seconds on one open grading cluster until stopped (KeyboardInterrupt).

        A pass that fails is logged and retried; a pass that lost the cluster opens a new one.
        The cluster is closed however this ends.
        """
        LOG.info("grading on submit: watching %s (%d submissions waiting)", self.inbound, len(self.pending()))
        while True:
            started = time.monotonic()
            with open_grader(self.course, self.workers) as cluster:
                LOG.info("grading cluster ready in %.1f s: %d workers", time.monotonic() - started,
                         len(cluster.client.scheduler_info().get("workers", {})))
                self.cluster = cluster
                try:
                    self._passes(interval)
                finally:
                    self.cluster = None
            LOG.info("grading cluster closed")

    def _passes(self, interval: float) -> None:
        """A pass every `interval` seconds; returns when the cluster is lost."""
        while True:
            try:
                self.run_once()
            except EngineError:
                LOG.exception("the grading cluster was lost; opening a new one (what was graded is kept)")
                return
            except Exception:  # a broken pass must not stop the service: it is retried at the next one
                LOG.exception("a grading pass failed; retrying in %s s", interval)
            time.sleep(interval)
