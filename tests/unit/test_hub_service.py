"""The grading service's reading of nbgrader's exchange (no hub, no kernels): what counts as a new submission."""

from __future__ import annotations

import pytest

from autograder.hub.__main__ import main
from autograder.hub.service import COMPLETE_MARK, State, newest_submissions

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
