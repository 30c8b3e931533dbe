"""A learner's progress, read from their own notebooks (no gradebook)."""

import shutil

import nbformat
import pytest

from autograder.repo import DATASETS, MODULES, SOLUTIONS
from autograder.stock_nbgrader import submission_from
from autograder.solution_run import load_wrong_answers
from pmcourse import progress

MODULE = "m00_orientation"
NOTEBOOK = "01_orientation.ipynb"


@pytest.fixture(scope="module")
def learner_modules(tmp_path_factory):
    """Q1.1 right, Q1.2 with a wrong answer the visible tests accept, Q1.3 with one they reject, the rest untouched."""
    modules = tmp_path_factory.mktemp("course") / "modules"
    shutil.copytree(MODULES / MODULE, modules / MODULE)
    notebook = submission_from(MODULES / MODULE / NOTEBOOK, SOLUTIONS / MODULE / NOTEBOOK, {"m00_q1_1_completion_rate"})
    wrong = load_wrong_answers(MODULE)
    replacements = {
        "m00_q1_2_completion_by_team": wrong["m00_q1_2_completion_by_team"][1].code,  # passes visible tests
        "m00_q1_3_hours_left_by_team": wrong["m00_q1_3_hours_left_by_team"][3].code,  # fails visible tests
    }
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in replacements:
            cell.source = replacements[grade_id]
    nbformat.write(notebook, modules / MODULE / NOTEBOOK)
    return modules


def test_each_question_gets_the_status_its_answer_deserves(learner_modules, monkeypatch):
    monkeypatch.setenv("PMCOURSE_DATASETS", str(DATASETS))
    table = progress.course_progress(learner_modules)
    status = dict(zip(table["question"], table["status"].astype(str)))
    assert status == {
        "m00_q1_1_completion_rate": "fully right",
        "m00_q1_2_completion_by_team": "tests pass",
        "m00_q1_3_hours_left_by_team": "started",
        "m00_q1_4_overdue_ids": "not started",
        "m00_q1_5_hours_due_by": "not started",
    }
    assert progress.summary_sentence(table) == "1 of 5 questions fully right; 3 of 5 started, in 1 modules."
    figure = progress.progress_chart(table)
    assert figure.layout.title.text == "1 of 5 questions fully right so far"


def test_the_learner_notebook_is_not_modified(learner_modules, monkeypatch):
    monkeypatch.setenv("PMCOURSE_DATASETS", str(DATASETS))
    before = (learner_modules / MODULE / NOTEBOOK).read_bytes()
    progress.course_progress(learner_modules)
    assert (learner_modules / MODULE / NOTEBOOK).read_bytes() == before


def test_the_log_keeps_one_dated_row_per_question_and_grows(learner_modules, tmp_path, monkeypatch):
    import datetime as dt

    import pandas as pd

    monkeypatch.setenv("PMCOURSE_DATASETS", str(DATASETS))
    table = progress.course_progress(learner_modules)
    log = tmp_path / "log.csv"
    progress.append_log(table, log, when=dt.date(2026, 7, 1))
    progress.append_log(table, log, when=dt.date(2026, 7, 8))
    kept = pd.read_csv(log)
    assert list(kept.columns) == ["date", "module", "notebook", "question", "status"]
    assert len(kept) == 2 * len(table) and kept["date"].nunique() == 2


def test_untouched_course_needs_no_kernel(tmp_path, monkeypatch):
    monkeypatch.setenv("PMCOURSE_DATASETS", str(DATASETS))
    modules = tmp_path / "modules"
    shutil.copytree(MODULES / MODULE, modules / MODULE)
    monkeypatch.setattr(progress, "_run", lambda path: pytest.fail("ran a kernel for an untouched notebook"))
    table = progress.course_progress(modules)
    assert (table["status"] == "not started").all()
