"""The engine's worker check and the gradebook retries, as functions (no cluster, no server)."""

from __future__ import annotations

import importlib.metadata

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from autograder.cohort import database, engine


def dropped(message: str = "server closed the connection unexpectedly") -> OperationalError:
    return OperationalError("SELECT 1", {}, ConnectionError(message))


def test_a_dropped_connection_is_retried_until_it_works():
    calls, said = [], []

    def action():
        calls.append(1)
        if len(calls) < 3:
            raise dropped()
        return "done"

    url = "postgresql+psycopg://grader:secret@db:5432/course"
    assert database.with_retries(action, url, attempts=4, first_wait_s=0, say=said.append) == "done"
    assert len(calls) == 3 and len(said) == 2
    assert "attempt 1 of 4" in said[0] and "grader:***@db:5432/course" in said[0] and "secret" not in said[0]


def test_after_the_last_attempt_the_error_names_the_database_and_what_to_check():
    def action():
        raise dropped("connection refused")

    with pytest.raises(database.GradebookUnreachable) as caught:
        database.with_retries(action, "postgresql+psycopg://grader:secret@db:5432/course", attempts=2,
                              first_wait_s=0, say=lambda line: None)
    text = str(caught.value)
    assert text.startswith("cannot reach the gradebook postgresql+psycopg://grader:***@db:5432/course after 2 attempts")
    assert "connection refused" in text and "check that the database server is running" in text
    assert "secret" not in text


def test_other_database_errors_are_not_retried():
    calls = []

    def action():
        calls.append(1)
        raise IntegrityError("INSERT", {}, ValueError("duplicate key"))

    with pytest.raises(IntegrityError):
        database.with_retries(action, "sqlite:///x.db", attempts=3, first_wait_s=0, say=lambda line: None)
    assert len(calls) == 1


def healthy_report(wanted: dict[str, str]) -> dict:
    import sys

    return {"python": "%d.%d" % sys.version_info[:2], "packages": dict(wanted)}


def test_a_worker_like_the_client_has_no_problems():
    wanted = engine.required_packages()
    assert engine.worker_problems("tcp://w:1", healthy_report(wanted), wanted) == []


def test_what_a_worker_must_have_is_the_course_package_and_its_runtime_pins():
    wanted = engine.required_packages()
    assert wanted["pmcourse"] == importlib.metadata.version("pmcourse")
    assert {"nbgrader", "pandas", "statsmodels", "distributed", "psycopg"} <= set(wanted)
    assert not set(wanted) & engine.NOT_NEEDED_ON_WORKERS


def test_each_problem_of_a_worker_is_named():
    wanted = engine.required_packages()
    report = healthy_report(wanted)
    report["packages"] = {**report["packages"], "statsmodels": None, "pandas": "0.1"}
    report["python"] = "3.1"
    problems = engine.worker_problems("tcp://w:1", report, wanted)
    assert len(problems) == 3, problems
    assert "worker tcp://w:1 runs Python 3.1" in problems[0]
    assert f"worker tcp://w:1 lacks statsmodels {wanted['statsmodels']}" in problems[1]
    assert f"pandas 0.1 (client {wanted['pandas']})" in problems[2]


def test_a_worker_that_cannot_even_run_the_check_is_named():
    problems = engine.worker_problems("tcp://w:1", ModuleNotFoundError("No module named 'autograder'"), {})
    assert problems and "tcp://w:1" in problems[0] and "No module named 'autograder'" in problems[0]


READ_BEFORE_GRADING: list[int] = []  # how many pairs the client had read when each pair was graded
PAIRS_READ: list[str] = []


class CountingPlugin:
    """Stands in for the grader plugin (in-process workers): records how far ahead the client has read."""

    name = "counting"

    def grade(self, pair, module):
        from autograder.cohort.handover import PairOutput
        from autograder.cohort.outcomes import Outcome, unfinished

        READ_BEFORE_GRADING.append(len(PAIRS_READ))
        return PairOutput.failed(unfinished(pair.student, pair.module, Outcome.NOT_SUBMITTED))


def test_only_a_bounded_window_of_pairs_is_read_and_in_flight(monkeypatch):
    from distributed import Client, WorkerPlugin

    from autograder.cohort.handover import ModuleData, PairInput

    def read_pair(cls, course, student, module):
        PAIRS_READ.append(student)
        return PairInput(student, module, {"a.ipynb": b"{}"}, "digest")

    monkeypatch.setattr(PairInput, "of", classmethod(read_pair))
    monkeypatch.setattr(ModuleData, "of", classmethod(lambda cls, course, module: ModuleData(module, {}, None, (), module)))
    PAIRS_READ.clear()
    READ_BEFORE_GRADING.clear()
    pairs = [(f"s{i:02d}", "m00") for i in range(40)]
    with Client(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=None,
                set_as_default=False) as client:
        client.register_plugin(type("Plugin", (CountingPlugin, WorkerPlugin), {})(), name="counting")
        outputs = list(engine.Cluster(client, "counting", "inproc").grade(pairs))
    assert sorted(o.entry["student"] for o in outputs) == [s for s, _ in pairs]
    window = engine.WINDOW_PER_THREAD * 1
    ahead = [read - k for k, read in enumerate(READ_BEFORE_GRADING)]
    assert max(ahead) <= window, f"the client read {max(ahead)} pairs ahead of the grading (window {window})"
    assert PAIRS_READ == [s for s, _ in pairs], "pairs are read in order, each once"


class FailingFuture:
    def __init__(self, error: BaseException):
        self.error = error

    def result(self):
        raise self.error


def test_a_pair_that_kills_its_workers_is_marked_worker_crashed_and_not_committed():
    """Dask gives up on a task after ALLOWED_FAILURES + 1 dead workers (KilledWorker): the pair is failed, not a zero."""
    from distributed import KilledWorker

    from autograder.cohort.outcomes import Outcome

    cluster = engine.Cluster(client=None, plugin="p", address="tcp://127.0.0.1:1")
    output = cluster._result(FailingFuture(KilledWorker("grade-ann-m00", "tcp://127.0.0.1:2", engine.ALLOWED_FAILURES)), "ann", "m00")
    assert not output.ran and output.autograded is None
    assert output.entry["status"] == "failed" and output.entry["outcomes"] == [Outcome.WORKER_CRASHED.value]
