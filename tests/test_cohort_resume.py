"""A grading run killed half way resumes without regrading what is done; a second run changes nothing."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from autograder.cohort import journal
from autograder.cohort.grade import grade
from autograder.cohort.layout import Course
from cohort_fixtures import MODULE, build_course, fixture_specs, make_submission

STUDENTS = [f"s{i}" for i in range(6)]


def gradebook_rows(course: Course):
    with sqlite3.connect(course.root / "gradebook.db") as db:
        submissions = db.execute(
            "select s.student_id, a.name from submitted_assignment s join assignment a on s.assignment_id = a.id"
        ).fetchall()
        grades = db.execute("select notebook_id, cell_id, auto_score from grade order by notebook_id, cell_id").fetchall()
    return sorted(submissions), grades


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cohort_resume")
    build_course(folder, STUDENTS, due=False)
    specs = fixture_specs()
    for i, student in enumerate(STUDENTS):
        make_submission(folder, student, specs["right" if i % 2 == 0 else "blank"])
    return Course(folder)


def test_killed_run_resumes_and_rerun_changes_nothing(course):
    # 1. start a run and kill it (and its workers) once two pairs are done
    run = subprocess.Popen(
        [sys.executable, "-m", "autograder.cohort", "grade", "--course", str(course.root), "--workers", "2", "-q"],
        start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 150
    while len(journal.entries(course, MODULE)) < 2 and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.2)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    before = {e["student"]: e for e in journal.entries(course, MODULE)}
    assert 2 <= len(before) < len(STUDENTS), f"the run should have been killed half way: {sorted(before)}"

    # 2. resume: the pairs already done are not graded again, the rest are
    results = {r["student"]: r for r in grade(course, workers=2, progress=False)}
    assert set(results) == set(STUDENTS)
    for student, entry in before.items():
        assert results[student]["finished"] == entry["finished"], f"{student} was graded again"
    for i, student in enumerate(STUDENTS):
        assert results[student]["status"] == "graded", results[student]
        assert (results[student]["score"] > 0) == (i % 2 == 0), results[student]
    submissions, grades = gradebook_rows(course)
    assert submissions == sorted((s, MODULE) for s in STUDENTS), "a submission was lost"
    # the killed run's half-graded pair must not leave its old grades behind: gradebook and journal agree
    from autograder.cohort.export import final_scores

    _, _, scores, _ = final_scores(course)
    assert {s: scores[(s, MODULE)] for s in STUDENTS} == {s: results[s]["score"] for s in STUDENTS}

    # 3. a second run grades nothing and leaves the gradebook as it was
    started = time.time()
    again = grade(course, workers=2, progress=False)
    assert not [r for r in again if r["finished"] >= started], "a finished pair was graded again"
    assert gradebook_rows(course) == (submissions, grades)
    assert {r["student"]: r["score"] for r in again} == {s: r["score"] for s, r in results.items()}


def test_changed_submission_is_graded_again(course):
    make_submission(course.root, "s1", fixture_specs()["right"])  # s1 was blank; hands in again
    started = time.time()
    results = {r["student"]: r for r in grade(course, students=["s1"], workers=1, progress=False)}
    assert results["s1"]["finished"] >= started and results["s1"]["score"] > 0


def test_the_journal_is_checked_before_a_pair_is_skipped(course):
    """A forged entry is not believed, a corrupt one is not fatal, and a recreated gradebook means regrading."""
    from autograder.cohort.__main__ import main as cohort_main
    from autograder.cohort.export import final_scores

    truth = {s: journal.read(course, s, MODULE)["score"] for s in STUDENTS}
    forged = journal.read(course, "s3", MODULE)  # s3 handed in a blank notebook
    forged["score"] = forged["max_score"]
    journal.write(course, forged)
    journal.entry_path(course, "s5", MODULE).write_bytes(b"\xff\xfe not json at all")
    started = time.time()
    results = {r["student"]: r for r in grade(course, students=["s2", "s3", "s5"], workers=2, progress=False)}
    assert [s for s, r in results.items() if r["finished"] >= started] == ["s3", "s5"], "s2's entry is current"
    assert {s: results[s]["score"] for s in results} == {s: truth[s] for s in results}
    problems = {p["student"]: p["problem"] for p in journal.saved_problems(course)}
    assert set(problems) == {"s3", "s5"} and "does not match the gradebook" in problems["s3"], problems

    (course.root / "gradebook.db").unlink()  # the gradebook deleted and set up again
    cohort_main(["setup", "--course", str(course.root), "--roster", str(course.root / "roster.csv")])
    started = time.time()
    results = {r["student"]: r for r in grade(course, students=["s0"], workers=1, progress=False)}
    assert results["s0"]["finished"] >= started, "the journal said current, but the gradebook had no grade"
    assert final_scores(course)[2][("s0", MODULE)] == truth["s0"], "s0 is back in the export"
