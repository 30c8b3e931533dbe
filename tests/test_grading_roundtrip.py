"""Round trip through a real nbgrader course, every module: release, submit, grade, read the gradebook.

One course holds every module; one student, `last_left`, hands in every notebook with
every question answered with the solution's code except the last question of each
notebook, left untouched. The course grades them the way an instructor does, with the
cohort pipeline in its OS sandbox (`autograder.cohort grade`), so every module is shown
to grade right there (its packages, datasets and limits); then plain `nbgrader
generate_feedback` (what the Formgrader's button runs) makes the feedback pages.

- each answered question's test cells get exactly their points, the untouched one's 0
  (that every untouched answer scores 0 while the earlier ones are right, and that every
  solution cell passes its tests, is checked for every question, in one kernel, by
  tests/test_solution_runs.py; that the pipeline's grades equal stock `nbgrader
  autograde`'s, by tests/test_hub.py);
- no pair gets an outcome (no timeout, no restored cell, no retry): a right answer is
  graded as it is;
- the feedback pages hold no hidden test or mark scheme, though the untouched questions'
  hidden tests fail and show their tracebacks there;
- the release is exactly `modules/` (STYLE practice 1).
"""

import filecmp
import html
import json
import shutil
from pathlib import Path

import nbformat
import pytest

from autograder import stock_nbgrader as course
from autograder.cohort.grade import grade
from autograder.cohort.layout import Course
from autograder.repo import MODULES
from cohort_fixtures import build_course
from conftest import MODULE_IDS, marked_regions
from pmcourse.notebook import grading_structure, module_notebooks

STUDENT = "last_left"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The course after grading: (folder, {module: [structure per notebook]}, {module: answered grade ids},
    {module: journal entry})."""
    folder = build_course(tmp_path_factory.mktemp("roundtrip") / "course", [STUDENT], modules=MODULE_IDS,
                          timeout=30, due=False)  # 30 s: the course's own per-cell limit
    structures, answered = {}, {}
    for module in MODULE_IDS:
        released = Course(folder).released_module(module)
        structures[module] = [grading_structure(nb) for nb in module_notebooks(folder / "solutions" / module)]
        answered[module] = {q.grade_id for s in structures[module] for q in s.questions[:-1]}
        target = folder / "submitted" / STUDENT / module
        shutil.copytree(released, target)
        for structure in structures[module]:
            notebook = course.submission_from(released / structure.path.name, structure.path, answered[module])
            nbformat.write(notebook, target / structure.path.name)
    results = grade(Course(folder), workers=2, progress=False)
    return folder, structures, answered, {r["module"]: r for r in results}


@pytest.fixture(scope="module")
def feedback(graded):
    """Stock `nbgrader generate_feedback` for every module (an assignment id may be a glob), with the course's config."""
    folder = graded[0]
    course.nbgrader(folder, "generate_feedback", "--assignment=*")
    return folder / "feedback"


@pytest.mark.parametrize("module", MODULE_IDS)
def test_each_test_cell_gets_exactly_the_points_its_answer_deserves(graded, module):
    folder, structures, answered, results = graded
    assert results[module]["status"] == "graded", results[module]
    scores = course.auto_scores(folder, module)
    assert set(scores) == {STUDENT}, f"{module}: not graded: {sorted(scores)}"
    wrong = []
    for structure in structures[module]:
        for question in structure.questions:
            for test in question.tests:
                expected = test.points if question.grade_id in answered[module] else 0.0
                got = scores[STUDENT].get(test.grade_id)
                if got != expected:
                    wrong.append(f"{test.grade_id} scored {got}, expected {expected}")
    assert not wrong, f"{module}: grading is off:\n" + "\n".join(wrong)


@pytest.mark.parametrize("module", MODULE_IDS)
def test_totals_are_the_answered_questions_points_and_nothing_else_happened(graded, module):
    _, structures, answered, results = graded
    gained = sum(q.points for s in structures[module] for q in s.questions if q.grade_id in answered[module])
    lost = sum(q.points for s in structures[module] for q in s.questions if q.grade_id not in answered[module])
    assert gained > 0 and lost > 0, f"{module}: the student should both gain and lose points"
    assert results[module]["score"] == gained, f"{module}: expected {gained} points, {lost} lost"
    assert results[module]["outcomes"] == [], f"{module}: a right answer was not graded as it is: {results[module]}"


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


@pytest.mark.parametrize("module", MODULE_IDS)
def test_module_is_exactly_what_nbgrader_generates_from_solutions(graded, module):
    """modules/ is the release nbgrader makes from solutions/ (STYLE practice 1): the round trip's own release."""
    folder = graded[0]
    assert (MODULES / module).is_dir(), f"modules/{module} is missing: run `make modules`"
    problems = differences(Course(folder).released_module(module), MODULES / module)
    assert not problems, f"modules/{module} is not in sync with solutions/ (run `make modules`):\n" + "\n".join(problems)


@pytest.mark.parametrize("module", MODULE_IDS)
def test_nbgraders_own_feedback_shows_no_hidden_tests_or_mark_schemes(graded, feedback, module):
    folder, structures, _, _ = graded
    released = Course(folder).released_module(module)
    handed_out = "".join(nb.read_text(encoding="utf-8") for nb in released.glob("*.ipynb"))
    assert handed_out, f"no student notebooks in {released}"
    secret_lines = {  # distinctive lines that only the instructor's notebook has
        line
        for s in structures[module]
        for cell in nbformat.read(s.path, as_version=4).cells
        for begin, end in [("BEGIN HIDDEN TESTS", "END HIDDEN TESTS"), ("BEGIN MARK SCHEME", "END MARK SCHEME")]
        for line in marked_regions(cell.source, begin, end)
        if len(line) > 12 and json.dumps(line)[1:-1] not in handed_out
    }
    assert secret_lines, f"{module} has no hidden tests to look for"
    pages = sorted((feedback / STUDENT / module).rglob("*.html"))
    assert len(pages) == len(structures[module]), pages
    leaks = [
        f"{page.relative_to(folder)}: {what}"
        for page in pages
        for text in [html.unescape(page.read_text(encoding="utf-8"))]
        for what in ["BEGIN HIDDEN TESTS", "BEGIN MARK SCHEME", *secret_lines]
        if what in text
    ]
    assert not leaks, "feedback shows what only the instructor may see:\n" + "\n".join(leaks[:5])
