"""What a grading task gets and returns, as data: it survives Dask's serialization, seeds a gradebook
with the course's records, and `commit` writes exactly what was returned (files, grades, journal)."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3

import pytest
from distributed.protocol.pickle import dumps, loads

from autograder.cohort import journal
from autograder.cohort.handover import (
    CourseSettings, ModuleData, NotebookGrades, PairInput, PairOutput, commit, read_tree, recorded, write_tree,
)
from autograder.cohort.layout import gradebook, nbgrader_schema_version
from autograder.cohort.outcomes import Outcome, PairResult, unfinished
from intake_course import MODULE, NOTEBOOK, empty_gradebook, make_course  # noqa: F401

NB = NOTEBOOK.removesuffix(".ipynb")
DUE = dt.datetime(2030, 1, 15, 12, 0)


@pytest.fixture
def course(tmp_path, empty_gradebook):  # noqa: F811 - the fixture imported above
    course = make_course(tmp_path / "course", empty_gradebook, students=["ann", "bob"])
    with gradebook(course) as gb:
        gb.update_or_create_assignment(MODULE, duedate=DUE)
        gb.update_or_create_notebook(NB, MODULE)
        gb.update_or_create_grade_cell("q1_tests", NB, MODULE, max_score=2.0, cell_type="code")
        gb.update_or_create_grade_cell("q2_written", NB, MODULE, max_score=1.0, cell_type="markdown")
        gb.update_or_create_solution_cell("q1", NB, MODULE)
        gb.update_or_create_solution_cell("q2_written", NB, MODULE)
        gb.update_or_create_task_cell("t1", NB, MODULE, max_score=3.0, cell_type="markdown")
        gb.update_or_create_source_cell("q1_tests", NB, MODULE, source="assert x == 1", checksum="abc123",
                                        cell_type="code", locked=True)
        gb.update_or_create_source_cell("q1", NB, MODULE, source="x = None", checksum="def456",
                                        cell_type="code", locked=False)
    return course


def records(db_url: str, course_id: str) -> tuple:
    """Every record of MODULE in a gradebook, by name (ids differ between gradebooks)."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url, course_id) as gb:
        assignment = gb.find_assignment(MODULE)
        return assignment.duedate, [(
            nb.name,
            sorted((c.name, c.max_score, c.cell_type) for c in nb.grade_cells),
            sorted(c.name for c in nb.solution_cells),
            sorted((c.name, c.max_score, c.cell_type) for c in nb.task_cells),
            sorted((c.name, c.cell_type, c.locked, c.source, c.checksum) for c in nb.source_cells),
        ) for nb in assignment.notebooks]


def test_trees_round_trip_and_a_path_out_of_the_folder_is_refused(tmp_path):
    files = {"a.ipynb": b"{}", "data/b.csv": b"x,y\n", "data/deep/c.bin": bytes(range(256))}
    write_tree(files, tmp_path / "out")
    assert read_tree(tmp_path / "out") == files
    (tmp_path / "out" / ".ipynb_checkpoints").mkdir()
    (tmp_path / "out" / ".ipynb_checkpoints" / "a-checkpoint.ipynb").write_bytes(b"{}")
    assert read_tree(tmp_path / "out") == files, "checkpoints are not sent"
    assert read_tree(tmp_path / "nothing") == {}
    with pytest.raises(ValueError, match="outside"):
        write_tree({"../escaped.txt": b"no"}, tmp_path / "other")
    assert not (tmp_path / "escaped.txt").exists()


def test_module_data_travels_as_data_and_seeds_a_gradebook_with_the_same_records(course, tmp_path, empty_gradebook):  # noqa: F811
    data = loads(dumps(ModuleData.of(course, MODULE)))  # as Dask sends it
    assert data.released == read_tree(course.released_module(MODULE)) and NOTEBOOK in data.released
    assert data.key.startswith(MODULE) and data.key == ModuleData.of(course, MODULE).key
    private = tmp_path / "private.db"
    shutil.copy(empty_gradebook, private)
    data.seed(f"sqlite:///{private}", course.course_id)
    assert records(f"sqlite:///{private}", course.course_id) == records(course.db_url, course.course_id)
    assert records(course.db_url, course.course_id)[0] == DUE


def test_the_module_key_changes_with_its_records(course):
    before = ModuleData.of(course, MODULE).key
    with gradebook(course) as gb:
        gb.update_or_create_grade_cell("q1_tests", NB, MODULE, max_score=5.0, cell_type="code")
    assert ModuleData.of(course, MODULE).key != before, "a worker would grade with stale points"


def test_a_pair_and_the_settings_travel_as_data(course):
    submitted = course.submission("ann", MODULE)
    write_tree({NOTEBOOK: b'{"cells": []}', "notes/extra.txt": b"hi"}, submitted)
    pair = loads(dumps(PairInput.of(course, "ann", MODULE)))
    assert pair.files == {NOTEBOOK: b'{"cells": []}', "notes/extra.txt": b"hi"} and pair.digest
    settings = loads(dumps(CourseSettings.of(course)))
    assert settings.course_id == course.course_id and settings.cell_timeout == course.cell_timeout
    assert settings.config.AssignLatePenalties.plugin_class == course.config.AssignLatePenalties.plugin_class


def graded_output(student: str = "ann") -> PairOutput:
    result = PairResult(student, MODULE, "graded", digest="d1", worker=123)
    result.score, result.max_score, result.auto_scores = 2.0, 6.0, {"q1_tests": 2.0}
    notebooks = {NB: NotebookGrades(0.0, {"q1_tests": (2.0, False), "q2_written": (None, True), "t1": (None, True)},
                                    {"q1": None, "q2_written": "No response.", "t1": None})}
    return PairOutput(result.as_dict(), ran=True, autograded={NOTEBOOK: b"graded", "lookup.csv": b"a,b\n"},
                      timestamp=dt.datetime(2030, 1, 10, 9, 0), notebooks=notebooks)


def test_commit_writes_the_returned_files_grades_and_journal_entry(course):
    stale = course.graded("ann", MODULE)
    write_tree({"old.ipynb": b"old"}, stale)
    output = loads(dumps(graded_output()))
    assert commit(course, output) == output.entry
    assert read_tree(stale) == {NOTEBOOK: b"graded", "lookup.csv": b"a,b\n"}
    timestamp, notebooks = recorded(course.db_url, course.course_id, "ann", MODULE)
    assert timestamp == dt.datetime(2030, 1, 10, 9, 0)
    assert notebooks == output.notebooks
    with gradebook(course) as gb:
        assert gb.find_submission(MODULE, "ann").score == 2.0
    assert journal.read(course, "ann", MODULE) == output.entry


def test_commit_keeps_a_manual_grade_and_flags_it_for_review_as_nbgrader_does(course):
    commit(course, graded_output())
    with gradebook(course) as gb:
        gb.find_grade("q1_tests", NB, MODULE, "ann").manual_score = 1.0
        gb.db.commit()
    commit(course, graded_output())
    with gradebook(course) as gb:
        grade = gb.find_grade("q1_tests", NB, MODULE, "ann")
        assert (grade.manual_score, grade.auto_score, grade.needs_manual_grade) == (1.0, 2.0, True)


def test_commit_of_a_run_that_produced_nothing_removes_the_old_autograded_folder(course):
    write_tree({"old.ipynb": b"old"}, course.graded("bob", MODULE))
    output = graded_output("bob")
    output.autograded = None
    commit(course, output)
    assert not course.graded("bob", MODULE).exists()


def test_commit_of_a_lost_pair_writes_only_its_journal_entry(course):
    write_tree({"kept.ipynb": b"kept"}, course.graded("bob", MODULE))
    entry = unfinished("bob", MODULE, Outcome.WORKER_CRASHED)
    commit(course, PairOutput.failed(entry))
    assert read_tree(course.graded("bob", MODULE)) == {"kept.ipynb": b"kept"}
    assert recorded(course.db_url, course.course_id, "bob", MODULE) == (None, {})
    assert journal.read(course, "bob", MODULE)["status"] == "failed"


def test_a_new_private_gradebook_is_stamped_in_process_with_the_course_schema_version(course, tmp_path, monkeypatch):
    """nbgrader would ask `alembic heads` in a subprocess (about 3 s per worker and module): never for a seeded one."""
    def no_subprocess():
        raise AssertionError("nbgrader asked alembic in a subprocess")

    monkeypatch.setattr("nbgrader.api.get_alembic_version", no_subprocess)
    private = tmp_path / "new-private.db"
    ModuleData.of(course, MODULE).seed(f"sqlite:///{private}", course.course_id)
    versions = [sqlite3.connect(db).execute("SELECT version_num FROM alembic_version").fetchall()
                for db in (private, course.root / "gradebook.db")]
    assert versions[0] == versions[1] == [(nbgrader_schema_version(),)]
    assert records(f"sqlite:///{private}", course.course_id) == records(course.db_url, course.course_id)
