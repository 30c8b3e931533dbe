"""The whole cohort flow on a real PostgreSQL gradebook gives what it gives on SQLite.

One PostgreSQL server (Debian's binaries, in a temporary folder, on 127.0.0.1)
for the session. Two copies of one course are run through the same `all`
command (setup, collect, grade, feedback, export, report): one with nbgrader's
default SQLite gradebook on a local cluster (the reference), one with
`--db-url postgresql+psycopg://...` on a real Dask cluster (`dask scheduler`
and two `dask worker` processes over TCP) whose workers cannot see the course
folder: they get what they grade as data and the client alone writes the
gradebook. Their journals, per-cell grades, exported CSVs and autograded files
must be identical. A dropped
connection is retried; a gradebook that cannot be reached is named, with what
to check, and the command exits 2.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.cohort import database, journal
from autograder.cohort.__main__ import main as cohort_main
from autograder.cohort.layout import Course
from cohort_fixtures import DUE, MODULE, build_course, fixture_specs, make_submission
from dask_processes import DaskProcesses, hidden_from
from postgres_server import free_port, start_server, stop_server

CASES = {"s_right": "right", "s_blank": "blank", "s_late": "late", "s_edited": "edited_test_cell"}
WAIT_S = 300


@pytest.fixture(scope="session")
def postgres():
    server = start_server()
    yield server
    stop_server(server)


def cell_scores(course: Course) -> dict:
    """{(student, test cell): auto score} from the course's gradebook, whatever its database."""
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(course.db_url, course.course_id) as gb:
        for submission in gb.assignment_submissions(MODULE):
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    scores[(submission.student_id, grade.name)] = (grade.auto_score, grade.needs_manual_grade)
    return scores


def autograded_files(course: Course) -> dict[str, list[str]]:
    return {student: sorted(str(p.relative_to(course.graded(student, MODULE))) for p in course.graded(student, MODULE).rglob("*"))
            for student in CASES}


def test_the_workers_cannot_see_the_course_folder(cluster, flows):
    """What `test_whole_flow_on_postgres_matches_sqlite` relies on: the workers graded without the course folder."""
    from distributed import Client

    courses, address = cluster
    with Client(address, timeout=60, set_as_default=False) as watcher:
        watcher.wait_for_workers(2, timeout=WAIT_S)
        seen = watcher.run(os.listdir, str(courses))
    assert len(seen) == 2 and all(view == [] for view in seen.values()), seen
    assert any(courses.iterdir()), "the client does see the courses"


def journal_view(course: Course) -> list[tuple]:
    return [(e["student"], e["status"], e["score"], e["max_score"], e["late_penalty"], tuple(e["outcomes"]),
             tuple(sorted(e["auto_scores"].items()))) for e in journal.entries(course, MODULE)]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A Dask scheduler and two workers, each worker in its own mount namespace where the courses' folder is empty."""
    courses = tmp_path_factory.mktemp("cohort_postgres")
    processes = DaskProcesses(tmp_path_factory.mktemp("dask-logs"))
    try:
        address, _ = processes.scheduler()
        for name in ("a", "b"):
            processes.worker(address, name, prefix=hidden_from(courses))
        yield courses, address
    finally:
        processes.stop_all()


@pytest.fixture(scope="module")
def flows(cluster, postgres):
    """The same course through `all`, on SQLite and on PostgreSQL: {"sqlite": Course, "postgres": Course}."""
    root, address = cluster
    template = build_course(root / "template", list(CASES))
    specs = fixture_specs()
    incoming = root / "incoming"  # what an instructor downloads: <student>/<module>/...
    for student, case in CASES.items():
        submission = make_submission(template, student, specs[case])
        shutil.copytree(submission, incoming / student / MODULE)
    shutil.rmtree(template / "submitted")
    courses = {}
    for kind in ("sqlite", "postgres"):
        folder = root / kind
        shutil.copytree(template, folder, ignore=shutil.ignore_patterns("gradebook.db", "grading"))
        db = ["--db-url", postgres.create_database("course")] if kind == "postgres" else []
        engine = ["--scheduler", address] if db else ["--workers", "1"]  # SQLite, graded locally, is the reference
        code = cohort_main(["all", "--course", str(folder), *db, "--roster", str(folder / "roster.csv"),
                            "--due", f"{MODULE}={DUE.isoformat()} UTC", *engine, "-q", str(incoming)])
        assert code == 0, f"the whole flow on {kind} exited {code}"
        courses[kind] = Course(folder, db[1] if db else None)
    return courses


def test_whole_flow_on_postgres_matches_sqlite(flows, postgres):
    sqlite, pg = flows["sqlite"], flows["postgres"]
    assert pg.db_url.startswith("postgresql+psycopg://") and not (pg.root / "gradebook.db").exists()
    import psycopg

    with psycopg.connect(host=postgres.host, port=postgres.port, user="postgres", dbname="course") as conn:
        rows = conn.execute("select count(*) from submitted_assignment").fetchone()[0]
    assert rows == len(CASES), "the grades are not in PostgreSQL"

    assert journal_view(pg) == journal_view(sqlite)
    assert cell_scores(pg) == cell_scores(sqlite)
    assert autograded_files(pg) == autograded_files(sqlite) and all(autograded_files(pg).values())
    for name in ("grades_nbgrader.csv", "grades_lms.csv"):
        assert (pg.grading / name).read_bytes() == (sqlite.grading / name).read_bytes(), name
    for course in (sqlite, pg):
        assert sorted(p.parent.parent.name for p in course.feedback.glob(f"*/{MODULE}/*.html")) == sorted(CASES)
        assert (course.grading / "report.html").is_file()

    entries = {e["student"]: e for e in journal.entries(pg, MODULE)}
    assert entries["s_right"]["score"] > 0 and entries["s_blank"]["score"] == 0
    assert entries["s_late"]["late_penalty"] > 0 and "late" in entries["s_late"]["outcomes"]
    assert "locked_cell_edited" in entries["s_edited"]["outcomes"]
    assert entries["s_edited"]["score"] < entries["s_right"]["score"]


def test_unreachable_gradebook_is_named_with_what_to_check(flows, capsys, monkeypatch):
    monkeypatch.setattr(database, "FIRST_WAIT_S", 0.05)
    url = f"postgresql+psycopg://grader:secret@127.0.0.1:{free_port()}/course"  # nothing listens there
    code = cohort_main(["export", "--course", str(flows["postgres"].root), "--db-url", url])
    err = capsys.readouterr().err
    assert code == 2
    last = err.strip().splitlines()[-1]
    assert last.startswith(f"cannot reach the gradebook postgresql+psycopg://grader:***@127.0.0.1:{url.split(':')[-1]}")
    assert f"after {database.ATTEMPTS} attempts" in last and "check that the database server is running" in last
    assert "secret" not in err and "Traceback" not in err


def test_dropped_connection_is_retried(flows, postgres):
    pg = flows["postgres"]
    before = {name: (pg.grading / name).read_bytes() for name in ("grades_nbgrader.csv", "grades_lms.csv")}
    for name in before:
        (pg.grading / name).unlink()
    postgres.stop()  # the database goes away
    try:
        run = subprocess.Popen([sys.executable, "-m", "autograder.cohort", "export", "--course", str(pg.root),
                                "--db-url", pg.db_url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        first = run.stderr.readline()  # blocks until the first failed attempt is reported (or the command ends)
        assert "unreachable" in first and "attempt 1 of" in first, first
    finally:
        postgres.start()  # ... and comes back while the command waits to try again
    out, err = run.communicate(timeout=WAIT_S)
    assert run.returncode == 0, f"{first}{out}{err}"
    assert {name: (pg.grading / name).read_bytes() for name in before} == before
