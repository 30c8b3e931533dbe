"""Round trip through a real nbgrader course: release, submit, autograde, read the gradebook.

Per module, one release and one student, `last_left`: every question answered with
the solution's code except the last question of each notebook, handed in untouched.
So each notebook runs once in stock nbgrader and shows both sides: the answered
questions' test cells get exactly their points, the untouched one's get 0 (and
fail, so the feedback pages hold the tracebacks of failing hidden tests). That
every untouched answer scores 0 while the earlier ones are right, and that every
solution cell passes its tests, is checked for every question, in one kernel, by
tests/test_solution_runs.py. The release itself must be exactly `modules/`.
"""

import filecmp
import html
import json
import shutil
from pathlib import Path

import nbformat
import pytest

from autograder import stock_nbgrader as course
from autograder.repo import MODULES
from autograder.cohort.layout import Course
from pmcourse.notebook import grading_structure, module_notebooks
from conftest import MODULE_IDS, marked_regions


@pytest.fixture(scope="module", params=MODULE_IDS)
def graded_module(request, tmp_path_factory):
    module = request.param
    folder = course.new_course(tmp_path_factory.mktemp(module), [module])
    released = course.release(folder, module)
    structures = [grading_structure(nb) for nb in module_notebooks(folder / "solutions" / module)]
    plans = {"last_left": {q.grade_id for s in structures for q in s.questions[:-1]}}
    for student, answered in plans.items():
        target = folder / "submitted" / student / module
        shutil.copytree(released, target)
        for structure in structures:
            notebook = course.submission_from(released / structure.path.name, structure.path, answered)
            nbformat.write(notebook, target / structure.path.name)
    course.autograde(folder, module)  # nbgrader adds a student it does not know yet (its default, --create)
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


def test_totals_are_the_answered_questions_points(graded_module):
    module, structures, plans, scores, _ = graded_module
    answered = sum(q.points for s in structures for q in s.questions[:-1])
    left = sum(s.questions[-1].points for s in structures)
    assert answered > 0 and left > 0, f"{module}: the student should both gain and lose points"
    assert sum(scores["last_left"].values()) == answered, f"{module}: expected {answered} points (not {left} more)"


def differences(left: Path, right: Path) -> list[str]:
    found = []
    comparison = filecmp.dircmp(left, right, ignore=[".ipynb_checkpoints", "__pycache__"])
    found += [f"only in the regenerated copy: {left.name}/{name}" for name in comparison.left_only]
    found += [f"only in modules/: {right.name}/{name}" for name in comparison.right_only]
    for name in comparison.common_files:
        if (left / name).read_bytes() != (right / name).read_bytes():
            found.append(f"differs: {right.name}/{name}")
    for name in comparison.common_dirs:
        found += differences(left / name, right / name)
    return found


def test_module_is_exactly_what_nbgrader_generates_from_solutions(graded_module):
    """modules/ is the release nbgrader makes from solutions/ (STYLE practice 1): the round trip's own release."""
    module, _, _, _, folder = graded_module
    assert (MODULES / module).is_dir(), f"modules/{module} is missing: run `make modules`"
    problems = differences(Course(folder).released_module(module), MODULES / module)
    assert not problems, f"modules/{module} is not in sync with solutions/ (run `make modules`):\n" + "\n".join(problems)


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

