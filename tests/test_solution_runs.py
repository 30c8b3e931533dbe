"""Each solution notebook, run once in one kernel with every known wrong answer tried.

- every cell of the solution runs without an error (and without stderr, which
  nbgrader scores as a failure);
- every wrong answer in autograder/wrong_answers/<module>.yaml is rejected by
  its question's tests (it would not get the question's full points);
- every autograded question has at least two known wrong answers;
- the committed answer_fingerprints.json is what the solutions produce.
"""

import json

import pytest

from autograder.notebook import grading_structure
from autograder.solution_run import load_wrong_answers, run_solution
from conftest import SOLUTION_NOTEBOOKS, notebook_id
from pmcourse.feedback import FINGERPRINTS_FILE

MIN_WRONG_ANSWERS = 2


@pytest.fixture(scope="module", params=SOLUTION_NOTEBOOKS, ids=notebook_id)
def solution_run(request):
    notebook = request.param
    wrong_answers = load_wrong_answers(notebook.parent.name)
    return notebook, wrong_answers, run_solution(notebook, wrong_answers)


def test_every_solution_cell_runs_cleanly(solution_run):
    notebook, _, run = solution_run
    assert not run.errors, f"{notebook_id(notebook)}: cells failed: {run.errors}"


def test_every_wrong_answer_is_rejected(solution_run):
    notebook, _, run = solution_run
    crashed = [
        f"{r.wrong.question}: {r.wrong.mistake!r} raised {r.error_in_wrong_code}"
        for r in run.wrong_answer_results
        if r.error_in_wrong_code
    ]
    accepted = [
        f"{r.wrong.question}: {r.wrong.mistake!r} got {r.points}/{r.max_points}"
        for r in run.wrong_answer_results
        if not r.error_in_wrong_code and not r.rejected
    ]
    assert not crashed, "wrong answers that do not even run (fix the fixture):\n" + "\n".join(crashed)
    assert not accepted, "tests that accept a known-wrong answer:\n" + "\n".join(accepted)


def test_every_question_has_known_wrong_answers(solution_run):
    notebook, wrong_answers, run = solution_run
    structure = grading_structure(notebook)
    too_few = {
        q.grade_id: len(wrong_answers.get(q.grade_id, []))
        for q in structure.questions
        if len(wrong_answers.get(q.grade_id, [])) < MIN_WRONG_ANSWERS
    }
    assert not too_few, f"questions with fewer than {MIN_WRONG_ANSWERS} wrong answers: {too_few}"
    tried = {r.wrong.question for r in run.wrong_answer_results}
    assert tried == {q.grade_id for q in structure.questions}, "some wrong answers were never tried"


def test_answer_fingerprints_are_generated_from_the_solutions(solution_run):
    notebook, _, run = solution_run
    committed = json.loads((notebook.parent / FINGERPRINTS_FILE).read_text())
    structure = grading_structure(notebook)
    for question in structure.questions:
        assert question.grade_id in run.fingerprints, f"{question.grade_id} has no self_check call"
        assert committed.get(question.grade_id) == run.fingerprints[question.grade_id], (
            f"{question.grade_id}: answer_fingerprints.json is stale; run `make fingerprints` then `make modules`"
        )
