"""Where pairs are graded: a Dask cluster, an existing one or one started on this machine.

`grade` sends every (student, module) pair to a Dask cluster as one task:
`--scheduler tcp://host:8786` for an existing cluster (Slurm, Kubernetes, or
`dask scheduler` + `dask worker` by hand), or, with no scheduler, a
`LocalCluster` on this machine (one worker process per core, one thread each).
There is one code path from a laptop to a cluster.

Each Dask worker keeps one grading `Worker` (`worker.py`: nbgrader loaded once,
a kernel fork server, a private workspace and a private SQLite gradebook),
created by `GraderPlugin` when the plugin is registered and closed when it is
removed. Workers need only the course's Python environment: no course folder,
no shared filesystem, no database credentials. What they need is sent as data
(`handover.py`): the course's settings with the plugin; each module's released
files and gradebook records once per run, as one small task whose result the
module's pairs depend on (Dask copies it to each worker once, and computes it
again if the worker holding it is lost); each pair's submitted files with its
task. A task returns a `PairOutput`; the client commits it (`handover.commit`:
autograded files, gradebook, journal), so a lost worker has written nothing.
At most `WINDOW_PER_THREAD` tasks per worker thread are in flight, so memory
stays bounded for thousands of pairs.

Faults: a worker that dies mid-pair has its pairs re-run on the others by Dask
(a pair that kills `ALLOWED_FAILURES` workers is recorded as WORKER_CRASHED);
a worker that stops answering is dropped after the scheduler's
`distributed.scheduler.worker-ttl` (`LOCAL_WORKER_TTL` on a local cluster) and
its pairs re-run; a lost scheduler stops the run with `EngineError` (the
journal keeps what was done, so running `grade` again resumes); a worker whose
Python or packages differ from the client's is named before any grading starts.
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

from autograder.cohort.handover import CourseSettings, ModuleData, PairInput, PairOutput
from autograder.cohort.layout import Course
from autograder.cohort.outcomes import Outcome, unfinished

CONNECT_TIMEOUT_S = 30
WORKERS_TIMEOUT_S = 120
ALLOWED_FAILURES = 2  # a pair whose worker died this many times more is WORKER_CRASHED
LOCAL_WORKER_TTL = "45s"  # a local worker that stops answering (SIGSTOP, swapped out) is dropped after this
WINDOW_PER_THREAD = 3  # pairs in flight per worker thread: enough to keep workers busy, bounded memory
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

    def __init__(self, settings: CourseSettings, memory_mb: int, name: str, sandbox: bool = True):
        self.settings, self.memory_mb, self.name = settings, memory_mb, name
        self.sandbox = sandbox  # False only with grade --no-sandbox
        self.grader = None
        self.lock = None

    async def setup(self, worker) -> None:
        from autograder.cohort.worker import Worker

        self.lock = threading.Lock()  # a worker with several threads grades one pair at a time
        # starting the fork server takes seconds: not on the worker's event loop
        self.grader = await asyncio.to_thread(Worker, self.settings, self.memory_mb, self.sandbox)

    async def teardown(self, worker) -> None:
        if self.grader is not None:
            await asyncio.to_thread(self.grader.close)
            self.grader = None

    def grade(self, pair: PairInput, module: ModuleData) -> PairOutput:
        from autograder.cohort.worker import grade_safely

        with self.lock:
            return grade_safely(self.grader, pair, module)


def module_data(data: ModuleData) -> ModuleData:
    """The module-data task: its result is what the module's pairs get (copied once to each worker)."""
    return data


def grade_pair(pair: PairInput, module: ModuleData, plugin: str) -> PairOutput:
    """The task: grade one pair with this worker's `Worker`; returns what the client commits."""
    from distributed import get_worker

    return get_worker().plugins[plugin].grade(pair, module)


def _environment_probe():
    """A function that reports a worker's Python and packages (sent by value)."""

    def probe(packages: list[str]) -> dict:
        import importlib.metadata
        import sys

        found = {}
        for name in packages:
            try:
                found[name] = importlib.metadata.version(name)
            except importlib.metadata.PackageNotFoundError:
                found[name] = None
        return {"python": "%d.%d" % sys.version_info[:2], "packages": found}

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


def worker_problems(address: str, report, wanted: dict[str, str]) -> list[str]:
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
    return problems


def check_workers(client) -> None:
    """Raise EngineError naming every worker whose Python or packages cannot grade, before any grading starts."""
    wanted = required_packages()
    reports = client.run(_environment_probe(), list(wanted), on_error="return")
    problems = [p for address, report in sorted(reports.items())
                for p in worker_problems(address, report, wanted)]
    if problems:
        raise EngineError("the Dask workers cannot grade yet (nothing was graded):\n  " + "\n  ".join(problems))


@dataclass
class Cluster:
    """A connected client with the grader plugin registered on every worker."""

    client: object
    plugin: str
    address: str
    course: Course | None = None  # the course whose files and gradebook records are sent

    @property
    def dashboard(self) -> str | None:
        """The Dask dashboard's address, if the scheduler serves one."""
        services = (self.client.scheduler_info() or {}).get("services", {})
        return self.client.dashboard_link if "dashboard" in services else None

    def grade(self, pairs: list[tuple[str, str]]) -> Iterator[PairOutput]:
        """What each pair's task returned, as pairs finish (in any order); for the client to commit.

        Pairs are sent in order, at most `WINDOW_PER_THREAD` per worker thread at a time: a
        pair's files are read only when it is sent.
        """
        from distributed import as_completed

        threads = sum(self.client.nthreads().values()) or 1
        todo, futures, modules = iter(enumerate(pairs)), {}, {}
        done = as_completed(loop=self.client.loop)

        def send_next() -> None:
            for priority, (student, module) in todo:
                if module not in modules:
                    data = ModuleData.of(self.course, module)
                    modules[module] = self.client.submit(module_data, data, key=f"module-data-{data.key}", priority=1)
                future = self.client.submit(grade_pair, PairInput.of(self.course, student, module), modules[module],
                                            self.plugin, pure=False, key=f"grade-{module}-{student}-{priority}",
                                            priority=-priority)
                futures[future] = (student, module)
                done.add(future)
                return

        try:
            for _ in range(WINDOW_PER_THREAD * threads):
                send_next()
            for future in done:
                student, module = futures.pop(future)
                output = self._result(future, student, module)
                future.release()
                send_next()
                yield output
        finally:  # stopped early (lost scheduler, Ctrl-C): take the rest off a shared cluster
            for future in list(futures) + list(modules.values()):
                with contextlib.suppress(Exception):
                    future.cancel()

    def _result(self, future, student: str, module: str) -> PairOutput:
        from distributed import KilledWorker

        try:
            return future.result()
        except KilledWorker:
            return PairOutput.failed(unfinished(student, module, Outcome.WORKER_CRASHED))
        except Exception as error:  # noqa: BLE001 - see lost_scheduler
            if self.lost_scheduler(error):
                raise EngineError(self.lost_message()) from error
            return PairOutput.failed(unfinished(student, module, Outcome.PIPELINE_ERROR, error=repr(error)[:300]))

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

    settings = {"distributed.scheduler.allowed-failures": ALLOWED_FAILURES,
                "distributed.scheduler.worker-ttl": LOCAL_WORKER_TTL}  # both for a LocalCluster's scheduler only
    with dask.config.set(settings), contextlib.ExitStack() as stack:
        if scheduler:
            client = stack.enter_context(contextlib.closing(_connect(scheduler)))
        else:
            local, client = _local(workers)
            stack.callback(local.close)
            stack.callback(client.close)
        name = plugin_name(course)
        check_workers(client)
        try:
            client.register_plugin(GraderPlugin(CourseSettings.of(course), memory_mb, name, sandbox), name=name)
        except Exception as error:  # noqa: BLE001 - a worker's grader did not start (its own error, as it is)
            raise EngineError(f"the grader did not start on a Dask worker, nothing was graded "
                              f"({type(error).__name__}: {error})"[:1000]) from error
        if scheduler:
            stack.callback(_unregister, client, name)
        try:
            yield Cluster(client, name, scheduler or client.scheduler.address, course)
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
