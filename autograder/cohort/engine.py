"""Where pairs are graded: a Dask cluster, an existing one or one started on this machine.

`grade` sends every (student, module) pair to a Dask cluster as one task:
`--scheduler tcp://host:8786` for an existing cluster (Slurm, Kubernetes, or
`dask scheduler` + `dask worker` by hand), or, with no scheduler, a
`LocalCluster` on this machine (one worker process per core, one thread each).
There is one code path from a laptop to a cluster.

Each Dask worker keeps one grading `Worker` (`worker.py`: nbgrader loaded once,
a kernel fork server, a private workspace), created by `GraderPlugin` when the
plugin is registered and closed when it is removed. A task asks its worker's
plugin to grade one pair and returns the pair's journal entry; the client
writes the journal, so a pair is journaled once, by one process, whatever the
workers did.

Faults: a worker that dies mid-pair has its pairs re-run on the others by Dask
(a pair that kills `ALLOWED_FAILURES` workers is recorded as WORKER_CRASHED);
a lost scheduler stops the run with `EngineError` (the journal keeps what was
done, so running `grade` again resumes); a worker whose Python lacks a package
or sees no course folder is named before any grading starts.

What workers need in this version: the course folder at the same path (a
shared filesystem) and the gradebook's address (`--db-url`).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from autograder.cohort.database import hide_password
from autograder.cohort.layout import Course
from autograder.cohort.outcomes import Outcome, unfinished

CONNECT_TIMEOUT_S = 30
WORKERS_TIMEOUT_S = 120
ALLOWED_FAILURES = 2  # a pair whose worker died this many times more is WORKER_CRASHED
LOCAL_DASHBOARD = "127.0.0.1:8787"  # the LocalCluster's dashboard (another free port if taken)
# Direct dependencies a worker does not need to grade (the test suite's and the lab's tools).
NOT_NEEDED_ON_WORKERS = frozenset({"pytest", "pytest-xdist", "playwright", "radon", "nbval", "setuptools"})


class EngineError(RuntimeError):
    """The cluster cannot grade (unreachable, a bad worker, the scheduler lost): one line for the instructor."""


def plugin_name(course: Course) -> str:
    """One plugin per course and gradebook, so two courses can share a cluster."""
    digest = hashlib.sha256(f"{course.root}\n{course.db_url}".encode()).hexdigest()[:12]
    return f"pmcourse-grader-{digest}"


# -- on the workers ------------------------------------------------------------------
try:
    from distributed import WorkerPlugin
except ImportError:  # pragma: no cover - distributed is pinned; this keeps import errors readable
    WorkerPlugin = object


class GraderPlugin(WorkerPlugin):
    """Keeps one grading `Worker` in each Dask worker process, from registration to removal."""

    def __init__(self, course_root: str, db_url: str | None, memory_mb: int, name: str, sandbox: bool = True):
        self.course_root, self.db_url, self.memory_mb, self.name = course_root, db_url, memory_mb, name
        self.sandbox = sandbox  # False only with grade --no-sandbox
        self.grader = None
        self.lock = None

    async def setup(self, worker) -> None:
        from autograder.cohort.worker import Worker

        self.lock = threading.Lock()  # a worker with several threads grades one pair at a time
        # starting the fork server takes seconds: not on the worker's event loop
        self.grader = await asyncio.to_thread(Worker, self.course_root, self.db_url, self.memory_mb, self.sandbox)

    async def teardown(self, worker) -> None:
        if self.grader is not None:
            await asyncio.to_thread(self.grader.close)
            self.grader = None

    def grade(self, student: str, module: str) -> dict:
        from autograder.cohort.worker import grade_safely

        with self.lock:
            return grade_safely(self.grader, student, module)


def grade_pair(student: str, module: str, plugin: str) -> dict:
    """The task: grade one pair with this worker's `Worker`; returns its journal entry."""
    from distributed import get_worker

    return get_worker().plugins[plugin].grade(student, module)


def _environment_probe():
    """A function that reports a worker's Python, packages and view of the course (sent by value)."""

    def probe(packages: list[str], folders: list[str], db_url: str) -> dict:
        import importlib.metadata
        import os
        import sys

        found = {}
        for name in packages:
            try:
                found[name] = importlib.metadata.version(name)
            except importlib.metadata.PackageNotFoundError:
                found[name] = None
        missing_folders = [folder for folder in folders if not os.path.isdir(folder)]
        database = ""
        try:
            import sqlalchemy

            with sqlalchemy.create_engine(db_url).connect():
                pass
        except Exception as error:  # noqa: BLE001 - reported to the instructor as it is
            database = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"[:200]
        return {"python": "%d.%d" % sys.version_info[:2], "packages": found,
                "missing_folders": missing_folders, "database": database}

    return probe


# -- on the client ----------------------------------------------------------------------
def required_packages() -> dict[str, str]:
    """{distribution: version} a worker must have: this course's package and what it pins, as installed here."""
    import importlib.metadata
    import re

    names = ["pmcourse"]
    for requirement in importlib.metadata.requires("pmcourse") or []:
        name = re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0]
        if name.lower() not in NOT_NEEDED_ON_WORKERS:
            names.append(name)
    return {name: importlib.metadata.version(name) for name in names}


def worker_problems(address: str, report, wanted: dict[str, str], course: Course) -> list[str]:
    """What keeps one worker from grading, as sentences ([] if nothing)."""
    if isinstance(report, BaseException):
        return [f"worker {address} could not check its environment ({type(report).__name__}: {report}): "
                f"install this course's packages there (pip install -c requirements.lock .)"]
    problems = []
    python = "%d.%d" % sys.version_info[:2]
    if report["python"] != python:
        problems.append(f"worker {address} runs Python {report['python']}, the client {python}")
    missing = [f"{name} {version}" for name, version in wanted.items() if report["packages"].get(name) is None]
    if missing:
        problems.append(f"worker {address} lacks {', '.join(missing)}: install requirements.lock "
                        f"in the workers' Python (pip install -c requirements.lock .)")
    other = [f"{name} {report['packages'][name]} (client {version})" for name, version in wanted.items()
             if report["packages"].get(name) not in (None, version)]
    if other:
        problems.append(f"worker {address} has other versions: {', '.join(other)}: grades must come from the "
                        f"same packages everywhere (install requirements.lock on the workers)")
    for folder in report["missing_folders"]:
        problems.append(f"worker {address} does not see {folder}: workers need the course folder at the same "
                        f"path (a shared filesystem)")
    if report["database"]:
        problems.append(f"worker {address} cannot reach the gradebook {hide_password(course.db_url)} "
                        f"({report['database']})")
    return problems


def check_workers(client, course: Course) -> None:
    """Raise EngineError naming every worker that cannot grade, before any grading starts."""
    wanted = required_packages()
    folders = [str(course.root), str(course.submitted)]
    reports = client.run(_environment_probe(), list(wanted), folders, course.db_url, on_error="return")
    problems = [p for address, report in sorted(reports.items())
                for p in worker_problems(address, report, wanted, course)]
    if problems:
        raise EngineError("the Dask workers cannot grade yet (nothing was graded):\n  " + "\n  ".join(problems))


@dataclass
class Cluster:
    """A connected client with the grader plugin registered on every worker."""

    client: object
    plugin: str
    address: str

    @property
    def dashboard(self) -> str | None:
        """The Dask dashboard's address, if the scheduler serves one."""
        services = (self.client.scheduler_info() or {}).get("services", {})
        return self.client.dashboard_link if "dashboard" in services else None

    def grade(self, pairs: list[tuple[str, str]]) -> Iterator[dict]:
        """Journal entries, as pairs finish (in any order)."""
        from distributed import as_completed

        futures = {}
        for priority, (student, module) in enumerate(pairs):
            future = self.client.submit(grade_pair, student, module, self.plugin, pure=False,
                                        key=f"grade-{module}-{student}-{priority}", priority=-priority)
            futures[future] = (student, module)
        try:
            for future in as_completed(futures, loop=self.client.loop):
                student, module = futures.pop(future)
                yield self._result(future, student, module)
                future.release()
        finally:  # stopped early (lost scheduler, Ctrl-C): take the rest off a shared cluster
            for future in futures:
                with contextlib.suppress(Exception):
                    future.cancel()

    def _result(self, future, student: str, module: str) -> dict:
        from distributed import KilledWorker

        try:
            return future.result()
        except KilledWorker:
            return unfinished(student, module, Outcome.WORKER_CRASHED)
        except Exception as error:  # noqa: BLE001 - see lost_scheduler
            if self.lost_scheduler(error):
                raise EngineError(self.lost_message()) from error
            return unfinished(student, module, Outcome.PIPELINE_ERROR, error=repr(error)[:300])

    def lost_scheduler(self, error: BaseException) -> bool:
        from distributed.comm.core import CommClosedError

        return isinstance(error, (CommClosedError, OSError, asyncio.CancelledError)) or self.client.status != "running"

    def lost_message(self) -> str:
        return (f"lost the Dask scheduler at {self.address}: what was graded is in the journal; "
                f"run grade again to go on from there (start the scheduler again, or drop --scheduler)")


def _connect(scheduler: str):
    from distributed import Client

    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        raise EngineError(f"cannot reach the Dask scheduler at {scheduler} ({error}): start it "
                          f"(`dask scheduler`) or check the address and port") from error
    try:
        client.wait_for_workers(1, timeout=WORKERS_TIMEOUT_S)
    except TimeoutError as error:
        client.close()
        raise EngineError(f"no Dask worker joined the scheduler at {scheduler} within {WORKERS_TIMEOUT_S} s: "
                          f"start some (`dask worker {scheduler} --nthreads 1`)") from error
    return client


def _local(workers: int):
    from distributed import Client, LocalCluster

    local = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                         dashboard_address=LOCAL_DASHBOARD, memory_limit=0, silence_logs=logging.ERROR)
    return local, Client(local, set_as_default=False)


@contextlib.contextmanager
def cluster(course: Course, scheduler: str | None, workers: int, memory_mb: int,
            sandbox: bool = True) -> Iterator[Cluster]:
    """A Dask cluster ready to grade `course`: the one at `scheduler`, or a LocalCluster of `workers` processes."""
    import dask

    with dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES}), contextlib.ExitStack() as stack:
        if scheduler:
            client = stack.enter_context(contextlib.closing(_connect(scheduler)))
        else:
            local, client = _local(workers)
            stack.callback(local.close)
            stack.callback(client.close)
        name = plugin_name(course)
        check_workers(client, course)
        try:
            client.register_plugin(GraderPlugin(str(course.root), course.db_url_override, memory_mb, name, sandbox), name=name)
        except Exception as error:  # noqa: BLE001 - a worker's grader did not start (its own error, as it is)
            raise EngineError(f"the grader did not start on a Dask worker, nothing was graded "
                              f"({type(error).__name__}: {error})"[:1000]) from error
        if scheduler:
            stack.callback(_unregister, client, name)
        try:
            yield Cluster(client, name, scheduler or client.scheduler.address)
        except EngineError:
            # the client's reconnect attempts end in logged tracebacks when it closes: the line says it all
            for name in [n for n in logging.root.manager.loggerDict if n.split(".")[0] == "distributed"]:
                logging.getLogger(name).setLevel(logging.CRITICAL + 1)
            raise


def _unregister(client, name: str) -> None:
    """Close the graders on a shared cluster's workers (fork servers, workspaces) after the run."""
    with contextlib.suppress(Exception):
        if client.status == "running":
            client.unregister_worker_plugin(name)
