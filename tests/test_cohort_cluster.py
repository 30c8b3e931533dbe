"""Grading on a real Dask cluster: `dask scheduler` and `dask worker` processes over TCP on 127.0.0.1.

Faults a cluster has: a worker killed mid-pair (its pairs finish on the other
worker; nothing lost, nothing journaled or recorded twice), the scheduler
killed (grade stops with one line; running it again resumes from the
journal), a worker whose Python lacks a package (named before any
grading starts), and a worker that stops answering (SIGSTOP: dropped after
the scheduler's worker-ttl, its pair finishes on the other). The whole flow
on workers that cannot see the course folder, with a PostgreSQL gradebook, is
in test_cohort_postgres.py.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from distributed import Client

from autograder.cohort import journal
from autograder.cohort.export import final_scores
from autograder.cohort.grade import grade
from autograder.cohort.layout import Course
from cohort_fixtures import MODULE, build_course, fixture_specs, make_submission
from dask_processes import DaskProcesses

STUDENTS = ["s0", "s1", "s2", "s3"]
RIGHT = {"s0", "s2"}  # the others hand in the blank notebook
WAIT_S = 300


def wait_for(condition, what: str, timeout: float = WAIT_S, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cohort_cluster")
    build_course(folder, STUDENTS, due=False)
    specs = fixture_specs()
    for student in STUDENTS:
        make_submission(folder, student, specs["right" if student in RIGHT else "blank"])
    return Course(folder)


@pytest.fixture
def processes(tmp_path):
    started = DaskProcesses(tmp_path / "dask-logs")
    yield started
    started.stop_all()


def grade_command(course: Course, *extra: str, quiet: bool = True) -> list[str]:
    return [sys.executable, "-m", "autograder.cohort", "grade", "--course", str(course.root),
            *(["-q"] if quiet else []), *extra]


def worker_addresses(client: Client) -> dict[str, str]:
    """{worker name: address} of the workers the scheduler knows."""
    return {info["name"]: address for address, info in client.scheduler_info(n_workers=-1)["workers"].items()}


def assert_graded_once(course: Course, results: list[dict]) -> None:
    """Every pair graded, journaled once, with the grade its submission earns, and one gradebook record each."""
    assert sorted(r["student"] for r in results) == STUDENTS, "a pair is missing or was journaled twice"
    assert sorted(e["student"] for e in journal.entries(course, MODULE)) == STUDENTS
    for entry in results:
        assert entry["status"] == "graded", entry
        assert (entry["score"] > 0) == (entry["student"] in RIGHT), entry
    _, _, scores, _ = final_scores(course)
    assert sorted(scores) == [(s, MODULE) for s in STUDENTS], "the gradebook lost or doubled a submission"
    assert {s: scores[(s, MODULE)] for s in STUDENTS} == {r["student"]: r["score"] for r in results}


def test_worker_killed_mid_pair_its_pairs_finish_on_the_other(course, processes):
    address, _ = processes.scheduler()
    doomed = processes.worker(address, "a")
    processes.worker(address, "b")
    with Client(address, timeout=60, set_as_default=False) as watcher:
        watcher.wait_for_workers(2, timeout=WAIT_S)
        a = worker_addresses(watcher)["a"]
        a_pid = watcher.run(os.getpid, workers=[a])[a]
        run = subprocess.Popen(grade_command(course, "--scheduler", address, quiet=False), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
        executing = lambda dask_worker: [str(task.key) for task in dask_worker.state.executing]  # noqa: E731 (sent by value)
        keys = wait_for(lambda: watcher.run(executing, workers=[a]).get(a), "worker a to start grading a pair")
    processes.kill(doomed)  # the worker, its nanny and its fork server, as a machine that goes away
    out, err = run.communicate(timeout=WAIT_S)
    assert run.returncode == 0, f"{out}\n{err}"
    assert "Traceback" not in err, err
    assert "Dask dashboard: http://127.0.0.1:" in err, err  # the scheduler serves one
    assert f"{len(STUDENTS)}/{len(STUDENTS)} graded" in err, err  # the progress bar, as lines when not a terminal
    assert "4 pairs: 4 graded" in out, out
    results = journal.entries(course, MODULE)
    assert_graded_once(course, results)
    killed = next(e for e in results if f"-{e['student']}-" in keys[0])  # the pair worker a was grading
    assert killed["worker"] != a_pid, "the killed worker's pair was not graded again on the other worker"


def test_scheduler_killed_then_grade_again_resumes_from_the_journal(course, processes):
    shutil.rmtree(course.journal, ignore_errors=True)  # start from nothing graded (the gradebook's old grades are replaced)
    address, scheduler = processes.scheduler()
    processes.worker(address, "solo")
    with Client(address, timeout=60, set_as_default=False) as watcher:
        watcher.wait_for_workers(1, timeout=WAIT_S)
    started = time.time()
    run = subprocess.Popen(grade_command(course, "--scheduler", address), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    wait_for(lambda: journal.entries(course, MODULE) or run.poll() is not None, "a first pair to be journaled")
    processes.kill(scheduler)
    out, err = run.communicate(timeout=WAIT_S)
    assert run.returncode == 2, f"{out}\n{err}"
    assert f"lost the Dask scheduler at {address}" in err and "run grade again" in err, err
    assert "Traceback" not in err, err
    before = {e["student"]: e for e in journal.entries(course, MODULE)}
    assert 1 <= len(before) < len(STUDENTS), f"the run should have stopped half way: {sorted(before)}"

    results = grade(course, workers=2, progress=False)  # no --scheduler: a local cluster
    for student, entry in before.items():
        again = next(r for r in results if r["student"] == student)
        assert again["finished"] == entry["finished"], f"{student} was graded again"
    assert_graded_once(course, results)
    assert all(r["finished"] >= started for r in results)


def python_without(package: str, folder: Path) -> str:
    """A Python environment that has everything this one has except `package` (its files and its metadata)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    ours = Path(next(p for p in sys.path if p.endswith("site-packages")))
    theirs = folder / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    for entry in ours.iterdir():
        if not entry.name.lower().startswith(package):
            (theirs / entry.name).symlink_to(entry)
    return str(folder / "bin" / "python")


def test_worker_lacking_a_package_is_named_before_any_grading(course, processes, tmp_path):
    shutil.rmtree(course.journal, ignore_errors=True)
    python = python_without("statsmodels", tmp_path / "venv-without-statsmodels")
    assert subprocess.run([python, "-c", "import statsmodels"], capture_output=True).returncode != 0
    address, _ = processes.scheduler()
    processes.worker(address, "bare", python=python)
    done = subprocess.run(grade_command(course, "--scheduler", address), capture_output=True, text=True,
                          timeout=WAIT_S)
    assert done.returncode == 2, done
    assert "statsmodels" in done.stderr and "worker tcp://127.0.0.1:" in done.stderr, done.stderr
    assert "nothing was graded" in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert journal.entries(course, MODULE) == [], "a pair was graded on a worker that cannot grade"


def test_a_stopped_worker_is_dropped_after_the_worker_ttl_and_its_pair_finishes_on_the_other(course, processes):
    """The frozen worker runs without a nanny: the scheduler drops it at the worker-ttl. With a nanny, Dask
    first asks the nanny to restart it and waits up to 30 s more (37 s measured with a 5 s ttl, see the
    README); what happens to the pair is the same."""
    shutil.rmtree(course.journal, ignore_errors=True)
    address, _ = processes.scheduler(env={**os.environ, "DASK_DISTRIBUTED__SCHEDULER__WORKER_TTL": "5s"})
    frozen = processes.worker(address, "a", nanny=False)
    processes.worker(address, "b")
    try:
        with Client(address, timeout=60, set_as_default=False) as watcher:
            watcher.wait_for_workers(2, timeout=WAIT_S)
            a = worker_addresses(watcher)["a"]
            a_pid = watcher.run(os.getpid, workers=[a])[a]
            run = subprocess.Popen(grade_command(course, "--scheduler", address), stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
            executing = lambda dask_worker: [str(t.key) for t in dask_worker.state.executing]  # noqa: E731 (sent by value)
            keys = wait_for(lambda: watcher.run(executing, workers=[a]).get(a), "worker a to start grading a pair")
            os.killpg(frozen.pid, signal.SIGSTOP)  # the worker, its fork server and kernel: all stop answering
            stopped = time.monotonic()
            wait_for(lambda: "a" not in worker_addresses(watcher), "the scheduler to drop the stopped worker", 120)
            dropped_s = time.monotonic() - stopped
            out, err = run.communicate(timeout=WAIT_S)
    finally:
        processes.kill(frozen)  # SIGKILL: a stopped process does not act on SIGTERM
    assert run.returncode == 0, f"{out}\n{err}"
    assert dropped_s < 30, f"the stopped worker was dropped only after {dropped_s:.0f} s (worker-ttl 5 s)"
    results = journal.entries(course, MODULE)
    assert_graded_once(course, results)
    frozen_pair = next(e for e in results if f"-{e['student']}-" in keys[0])
    assert frozen_pair["worker"] != a_pid, "the stopped worker's pair was not graded on the other worker"
