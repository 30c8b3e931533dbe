"""Round trip through a real nbgrader course: release, submit, autograde, read the gradebook.

Two students per module: `right` answers every question with the solution's
code, `blank` hands in the untouched student notebook. Each autograded test
cell must get exactly the points its answer deserves. (That an untouched
answer scores 0 while the earlier ones are right is checked for every
question, in one kernel, by tests/test_solution_runs.py.)
"""

import html
import json
import shutil

import nbformat
import pytest

from autograder import stock_nbgrader as course
from autograder.cohort.layout import Course
from pmcourse.notebook import grading_structure, module_notebooks
from conftest import MODULE_IDS, marked_regions


@pytest.fixture(scope="module", params=MODULE_IDS)
def graded_module(request, tmp_path_factory):
    module = request.param
    folder = course.new_course(tmp_path_factory.mktemp(module), [module])
    released = course.release(folder, module)
    structures = [grading_structure(nb) for nb in module_notebooks(folder / "solutions" / module)]
    plans = {
        "right": {q.grade_id for s in structures for q in s.questions},
        "blank": set(),
    }
    course.add_students(folder, list(plans))
    for student, answered in plans.items():
        target = folder / "submitted" / student / module
        shutil.copytree(released, target)
        for structure in structures:
            notebook = course.submission_from(released / structure.path.name, structure.path, answered)
            nbformat.write(notebook, target / structure.path.name)
    course.autograde(folder, module)
    return module, structures, plans, course.auto_scores(folder, module), folder


def test_each_test_cell_gets_exactly_the_points_its_answer_deserves(graded_module):
    module, structures, plans, scores, _ = graded_module
    assert set(scores) == set(plans), f"{module}: not every submission was graded: {sorted(scores)}"
    wrong = []
    for student, answered in plans.items():
        for structure in structures:
            for question in structure.questions:
                for test in question.tests:
                    expected = test.points if question.grade_id in answered else 0.0
                    got = scores[student].get(test.grade_id)
                    if got != expected:
                        wrong.append(f"{student}: {test.grade_id} scored {got}, expected {expected}")
    assert not wrong, f"{module}: autograding is off:\n" + "\n".join(wrong)


def test_full_and_zero_totals(graded_module):
    module, structures, plans, scores, _ = graded_module
    total = sum(s.auto_points for s in structures)
    assert sum(scores["right"].values()) == total > 0, f"{module}: the solution should get all {total} points"
    assert sum(scores["blank"].values()) == 0, f"{module}: an untouched notebook should get 0"


def test_nbgraders_own_feedback_shows_no_hidden_tests_or_mark_schemes(graded_module):
    """`nbgrader generate_feedback` (what the Formgrader's button runs) with the course's config."""
    module, structures, plans, _, folder = graded_module
    course.nbgrader(folder, "generate_feedback", module)
    released = Course(folder).released_module(module)
    handed_out = "".join(nb.read_text(encoding="utf-8") for nb in released.glob("*.ipynb"))
    assert handed_out, f"no student notebooks in {released}"
    secret_lines = {  # distinctive lines that only the instructor's notebook has
        line
        for s in structures
        for cell in nbformat.read(s.path, as_version=4).cells
        for begin, end in [("BEGIN HIDDEN TESTS", "END HIDDEN TESTS"), ("BEGIN MARK SCHEME", "END MARK SCHEME")]
        for line in marked_regions(cell.source, begin, end)
        if len(line) > 12 and json.dumps(line)[1:-1] not in handed_out
    }
    assert secret_lines, f"{module} has no hidden tests to look for"
    pages = sorted((folder / "feedback").rglob("*.html"))
    assert len(pages) == len(plans) * len(structures), pages
    leaks = [
        f"{page.relative_to(folder)}: {what}"
        for page in pages
        for text in [html.unescape(page.read_text(encoding="utf-8"))]
        for what in ["BEGIN HIDDEN TESTS", "BEGIN MARK SCHEME", *secret_lines]
        if what in text
    ]
    assert not leaks, "feedback shows what only the instructor may see:\n" + "\n".join(leaks[:5])

