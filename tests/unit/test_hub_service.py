"""The grading service's reading of nbgrader's exchange (no hub, no kernels): what counts as a new submission."""

from __future__ import annotations

import os
import signal
import time

import pytest

from autograder.cohort import engine
from autograder.cohort.grade import grade
from autograder.cohort.handover import PairOutput
from autograder.cohort.outcomes import Outcome, unfinished
from autograder.hub.__main__ import main, stop_on_signals
from autograder.hub.service import COMPLETE_MARK, State, newest_submissions
from intake_course import MODULE, NOTEBOOK, empty_gradebook, make_course, student_notebook  # noqa: F401

pytestmark = pytest.mark.unit


def submit(inbound, student, module, timestamp, complete=True, random="abc123"):
    folder = inbound / f"{student}+{module}+{timestamp}+{random}"
    folder.mkdir(parents=True)
    (folder / "timestamp.txt").write_text(timestamp)
    if complete:
        (folder / COMPLETE_MARK).write_text("secret")
    return folder


def test_the_newest_complete_submission_of_each_pair_counts(tmp_path):
    submit(tmp_path, "alice", "m00", "2026-12-01 06:00:00.100000 UTC", random="a")
    submit(tmp_path, "alice", "m00", "2026-12-01 06:00:00.900000 UTC", random="b")  # the same second, later
    submit(tmp_path, "alice", "m00", "2026-12-01 06:00:01.000000 UTC", complete=False, random="c")  # still copying
    submit(tmp_path, "bob", "m00", "2026-12-01 05:00:00.000000 UTC")
    (tmp_path / "not+a+submission+at+all").mkdir()
    (tmp_path / "stray.txt").write_text("x")
    found = newest_submissions(tmp_path)
    assert sorted(found) == ["alice/m00", "bob/m00"]
    assert found["alice/m00"].timestamp == "2026-12-01 06:00:00.900000 UTC"
    assert found["alice/m00"].folder.name.endswith("+b")


def test_no_inbound_folder_means_nothing_to_do(tmp_path):
    assert newest_submissions(tmp_path / "missing") == {}


def test_state_survives_a_restart(tmp_path):
    path = tmp_path / "grading" / "hub" / "state.json"
    State(path).put("alice/m00", timestamp="t1", status="graded")
    assert State(path).get("alice/m00") == {"timestamp": "t1", "status": "graded"}
    assert not path.with_suffix(".partial").exists()


def test_a_folder_that_is_not_a_course_is_one_line_and_exit_2(tmp_path, capsys):
    assert main(["--course", str(tmp_path), "--exchange", str(tmp_path), "--once"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not an nbgrader course" in err


def test_a_missing_exchange_is_one_line_and_exit_2(tmp_path, capsys):
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n")
    assert main(["--course", str(tmp_path), "--exchange", str(tmp_path / "nope"), "--once"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "does not exist" in err


class OpenCluster:
    """Stands in for an open `engine.Cluster`: records the pairs it is given, answers each with a failed `PairOutput`."""

    dashboard = None

    def __init__(self):
        self.pairs = []

    def grade(self, pairs):
        for student, module in pairs:
            self.pairs.append((student, module))
            yield PairOutput.failed(unfinished(student, module, Outcome.PIPELINE_ERROR, worker=4242))


def test_grade_uses_an_open_cluster_and_opens_none(tmp_path, empty_gradebook, monkeypatch):  # noqa: F811
    course = make_course(tmp_path / "course", empty_gradebook, students=("ann", "bob"))
    for student in ("ann", "bob"):
        course.submission(student, MODULE).mkdir(parents=True)
        (course.submission(student, MODULE) / NOTEBOOK).write_bytes(student_notebook(student))

    def no_new_cluster(*args, **kwargs):
        raise AssertionError("grade opened a cluster of its own")

    monkeypatch.setattr(engine, "cluster", no_new_cluster)
    monkeypatch.setattr("autograder.cohort.sandbox.require", no_new_cluster)  # the open cluster's own check
    cluster = OpenCluster()
    results = grade(course, [MODULE], ["ann", "bob"], progress=False, cluster=cluster)
    assert sorted(cluster.pairs) == [("ann", MODULE), ("bob", MODULE)]
    assert [r["worker"] for r in results] == [4242, 4242], "every pair comes from the open cluster"


def test_sigterm_and_sigint_stop_the_service_as_ctrl_c_does_once():
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        stop_on_signals()
        with pytest.raises(KeyboardInterrupt, match="SIGTERM"):
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)  # the handler runs at once: this sleep is cut short
        # while the cluster closes, a second signal (the hub's SIGTERM after its SIGINT) is ignored
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.1)
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def test_the_service_opens_a_new_cluster_when_it_loses_one_and_closes_it_when_stopped(tmp_path, monkeypatch):
    from contextlib import contextmanager
    from types import SimpleNamespace

    from autograder.cohort.engine import EngineError
    from autograder.cohort.layout import Course
    from autograder.hub import service

    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n")
    (tmp_path / "exchange").mkdir()
    opened, closed, passes = [], [], []

    @contextmanager
    def open_grader(course, workers=None):
        cluster = SimpleNamespace(client=SimpleNamespace(scheduler_info=lambda: {"workers": {"w1": {}}}))
        opened.append(cluster)
        try:
            yield cluster
        finally:
            closed.append(cluster)

    grader = service.GradeOnSubmit(Course(tmp_path), tmp_path / "exchange")

    def run_once():
        passes.append(grader.cluster)
        if len(passes) == 2:
            raise EngineError("lost the Dask scheduler")
        if len(passes) == 4:
            raise KeyboardInterrupt  # SIGTERM (stop_on_signals)
        return []

    monkeypatch.setattr(service, "open_grader", open_grader)
    monkeypatch.setattr(grader, "run_once", run_once)
    with pytest.raises(KeyboardInterrupt):
        grader.serve(interval=0)
    assert len(opened) == 2 and closed == opened, "a lost cluster is replaced; every cluster opened is closed"
    assert passes == [opened[0], opened[0], opened[1], opened[1]], "each pass grades on the open cluster"
    assert grader.cluster is None
