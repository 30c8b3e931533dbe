"""Each grading stage on a tiny notebook built here, as nbgrader tests its preprocessors."""

from __future__ import annotations

import nbformat
import pytest
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.v4 import new_notebook, new_output
from nbformat.reader import NotJSONError

from autograder.cohort import stages
from autograder.cohort.outcomes import Event, Outcome

from conftest import graded_cell, tiny_release


def outcomes(events) -> set[Outcome]:
    return {e.outcome for e in events}


def test_stage_copies_submission_and_public_extras(tmp_path, release, submission):
    (submission / ".ipynb_checkpoints").mkdir()
    (submission / ".ipynb_checkpoints" / "x.ipynb").write_text("{}")
    workdir = stages.stage(submission, release, tmp_path / "course", "ann", "m00")
    assert workdir == tmp_path / "course" / "submitted" / "ann" / "m00"
    assert sorted(p.name for p in workdir.iterdir()) == ["01_task.ipynb", "timestamp.txt"]
    assert sorted(p.name for p in (tmp_path / "course" / "source" / "m00").iterdir()) == ["lookup.csv"]
    run = stages.make_run_dir(workdir, tmp_path / "course" / "source" / "m00", tmp_path / "run" / "m00")
    assert sorted(p.name for p in run.iterdir()) == ["lookup.csv", "timestamp.txt"], "no notebook where the kernel runs"


def test_untouched_submission_has_no_events(tmp_path, release, submission):
    workdir = stages.stage(submission, release, tmp_path / "course", "ann", "m00")
    assert stages.inspect(workdir, release) == []


def test_renamed_notebook_is_graded_under_its_own_name(tmp_path, release, submission):
    (submission / "01_task.ipynb").rename(submission / "Copy of 01_task.ipynb")
    events = stages.inspect(submission, release)
    assert events == [Event(Outcome.RENAMED, "01_task.ipynb")]
    assert events[0].detail == {"submitted": "Copy of 01_task.ipynb"}
    assert (submission / "01_task.ipynb").is_file()


def test_missing_and_extra_notebooks_and_files(tmp_path, release, submission):
    (submission / "01_task.ipynb").unlink()
    (submission / "helper.py").write_text("x = 1\n")
    (submission / "lookup.csv").write_text("released: not an extra\n")
    assert outcomes(stages.inspect(submission, release)) == {Outcome.MISSING_NOTEBOOK, Outcome.EXTRA_FILES}
    nbformat.write(tiny_release(), str(submission / "01_task.ipynb"))
    nbformat.write(tiny_release(), str(submission / "02_more.ipynb"))
    events = stages.match_notebooks(submission, ["01_task.ipynb"])
    assert events == [Event(Outcome.EXTRA_NOTEBOOKS, "02_more.ipynb")]
    assert stages.extra_files(submission, release)[0].where == "helper.py"


def test_nbgraders_own_files_at_the_top_of_a_submission_are_not_extra(tmp_path, release, submission):
    """`nbgrader submit` writes timestamp.txt and submission_secret.txt into every hub submission."""
    (submission / "submission_secret.txt").write_text("a5f0c3...\n")
    assert stages.extra_files(submission, release) == []
    (submission / "notes").mkdir()
    (submission / "notes" / "submission_secret.txt").write_text("the learner's own file\n")
    (submission / "notes" / "timestamp.txt").write_text("the learner's own file\n")
    events = stages.extra_files(submission, release)
    assert events == [Event(Outcome.EXTRA_FILES, "notes/submission_secret.txt, notes/timestamp.txt")]
    assert events[0].detail == {"count": 2}


def test_deleted_and_edited_locked_cells(release):
    released = nbformat.read(str(release / "01_task.ipynb"), as_version=4)
    deleted = nbformat.read(str(release / "01_task.ipynb"), as_version=4)
    deleted.cells = deleted.cells[:2]
    assert stages.compare_locked_cells(deleted, released) == [Event(Outcome.TEST_CELL_RESTORED, "q1_test")]
    edited = nbformat.read(str(release / "01_task.ipynb"), as_version=4)
    edited.cells[2].source = "pass"
    edited.cells[1].source = "answer = 41"  # a solution cell is the learner's: not an edit of a locked cell
    assert stages.compare_locked_cells(edited, released) == [Event(Outcome.LOCKED_CELL_EDITED, "q1_test")]
    edited.cells[0].source = "# Q1 (200 points)"
    assert outcomes(stages.compare_locked_cells(edited, released)) == {Outcome.LOCKED_CELL_EDITED}
    assert [e.where for e in stages.compare_locked_cells(edited, released)] == ["q1_text", "q1_test"]


def test_not_json_is_an_outcome_from_the_exception_type(tmp_path, release, submission):
    (submission / "01_task.ipynb").write_text('{"cells": [', encoding="utf-8")
    with pytest.raises(NotJSONError):
        nbformat.read(str(submission / "01_task.ipynb"), as_version=4)
    assert stages.inspect(submission, release) == [Event(Outcome.NOT_JSON, "01_task.ipynb")]


def test_neutralise_replaces_the_learners_cell_only(tmp_path, release, submission):
    event = stages.neutralise(submission, ("01_task.ipynb", "", "q1_answer"))
    assert event == Event(Outcome.KERNEL_DIED, "q1_answer of 01_task.ipynb")
    notebook = nbformat.read(str(submission / "01_task.ipynb"), as_version=4)
    assert notebook.cells[1].source == stages.KILLED_CELL_SOURCE
    assert stages.neutralise(submission, ("01_task.ipynb", "", "q1_test")).outcome is Outcome.KERNEL_DIED_IN_LOCKED_CELL
    notebook = nbformat.read(str(submission / "01_task.ipynb"), as_version=4)
    assert notebook.cells[2].source.startswith('"""answer is 42"""'), "a test cell is never rewritten"


def test_cell_events_read_error_names():
    notebook = new_notebook(cells=[
        graded_cell("while True: pass", "q1_answer", solution=True),
        graded_cell("x = [0] * 10**12", "q2_answer", solution=True),
        graded_cell("1/0", "q3_answer", solution=True),
    ])
    notebook.cells[0].outputs = [new_output("error", ename="CellTimeoutError", evalue="", traceback=[])]
    notebook.cells[1].outputs = [new_output("error", ename="MemoryError", evalue="", traceback=[])]
    notebook.cells[2].outputs = [new_output("error", ename="ZeroDivisionError", evalue="", traceback=[])]
    events = stages.cell_events(notebook, timeout_s=30, memory_mb=2048)
    assert events == [Event(Outcome.TIMEOUT, "q1_answer"), Event(Outcome.OUT_OF_MEMORY, "q2_answer")]
    assert events[0].detail == {"limit_s": 30} and events[1].detail == {"limit_mb": 2048}


def _record(*errors, truncated=()):
    return stages.RunRecord([stages.Failure("01_task.ipynb", e, ("01_task.ipynb", "c1", "q1_answer")) for e in errors],
                            list(truncated))


def test_busy_and_dead_kernels_are_told_apart_by_exception_type():
    busy, dead = _record(CellTimeoutError("x")), _record(DeadKernelError("Kernel died"))
    assert stages.is_busy(busy) and not stages.is_busy(dead) and not stages.is_busy(_record())
    assert stages.kernel_death(dead).error is dead.failures[0].error
    assert stages.kernel_death(busy) is None and stages.kernel_death(_record(ValueError("output"))) is None


def test_classify_without_a_graded_notebook(tmp_path):
    empty = tmp_path / "autograded"
    events = stages.classify(empty, _record(RuntimeError("boom")), set(), timeout_s=30, memory_mb=1)
    assert [e.outcome for e in events] == [Outcome.NOT_GRADED]
    assert events[0].detail["error"] == "RuntimeError: boom"
    assert stages.classify(empty, _record(), {Outcome.NOT_JSON}, timeout_s=30, memory_mb=1) == []


def test_classify_reports_truncated_cells(tmp_path):
    folder = tmp_path / "autograded"
    folder.mkdir()
    nbformat.write(tiny_release(), str(folder / "01_task.ipynb"))
    events = stages.classify(folder, _record(truncated=["q1_answer"]), set(), timeout_s=30, memory_mb=1)
    assert events == [Event(Outcome.OUTPUT_TRUNCATED, "q1_answer")]


@pytest.mark.parametrize("late_s, expected", [(0, set()), (-5, set()), (1, {Outcome.LATE})])
def test_late_is_read_from_the_scores(late_s, expected):
    scores = stages.Scores(10, 10, 1 if late_s > 0 else 0, late_s, {})
    assert outcomes(scores.events()) == expected


def test_autograde_config_swaps_in_the_limited_preprocessors(tmp_path):
    from nbgrader.preprocessors import Execute, LimitOutput
    from traitlets.config import Config

    from autograder.cohort.workspace import LimitedExecute, TruncateLongOutput

    base = Config()
    base.Execute.timeout = 30
    config = stages.autograde_config(base, tmp_path, "sqlite:///x.db", memory_mb=512, fork_socket="s", run_dir=tmp_path)
    pipeline = config.Autograde.autograde_preprocessors
    assert Execute not in pipeline and any(isinstance(p, type) and issubclass(p, LimitedExecute) for p in pipeline)
    plain = stages.autograde_config(base, tmp_path, "sqlite:///x.db", memory_mb=512, fork_socket="s", run_dir=tmp_path,
                                    canaries=False)
    assert LimitedExecute in plain.Autograde.autograde_preprocessors
    assert pipeline.index(TruncateLongOutput) == pipeline.index(LimitOutput) + 1
    assert config.LimitedKernelManager.memory_mb == 512 and config.CourseDirectory.db_url == "sqlite:///x.db"
    assert "CourseDirectory" not in base or "root" not in base.CourseDirectory, "the course's own config is not changed"
