"""Each solution notebook, run once in one kernel with every known wrong answer tried.

The kernel comes from a kernel fork server, as in grading (one per test process, see
conftest.py): the course's packages are imported once, not once per notebook. nbval runs
every solution notebook in a fresh kernel of its own (from the same fork server).

- every cell of the solution runs without an error (and without stderr, which
  nbgrader scores as a failure);
- every question's starting code, as the student notebook hands it out, gets
  no points from its tests (with every earlier question answered right);
- every wrong answer in autograder/wrong_answers/<module>.yaml is rejected by
  its question's tests (it would not get the question's full points), and the
  learner's self-check never calls it "fully right";
- every `accepted:` form there gets full points and "fully right";
- every autograded question has at least two known wrong answers;
- every number registered in autograder/prose_numbers/<module>.yaml is what
  the code computes at the point where the prose states it;
- the committed answer_fingerprints.json is what the solutions produce.
"""

import json

import pytest

from autograder.notebook import grading_structure
from autograder.prose_check import load_prose_registry
from autograder.repo import MODULES
from autograder.solution_run import load_wrong_answers, run_solution, starting_code
from conftest import SOLUTION_NOTEBOOKS, course_fork_server, notebook_id
from pmcourse.feedback import FINGERPRINTS_FILE

MIN_WRONG_ANSWERS = 2


@pytest.fixture(scope="module", params=SOLUTION_NOTEBOOKS, ids=notebook_id)
def solution_run(request):
    notebook = request.param
    wrong_answers = load_wrong_answers(notebook.parent.name)
    prose = load_prose_registry(notebook.parent.name, notebook.name)
    untouched = starting_code(MODULES / notebook.parent.name / notebook.name)
    return notebook, wrong_answers, run_solution(notebook, wrong_answers, prose.numbers, untouched,
                                                 course_fork_server())


def test_every_solution_cell_runs_cleanly(solution_run):
    notebook, _, run = solution_run
    assert not run.errors, f"{notebook_id(notebook)}: cells failed: {run.errors}"


def test_an_untouched_answer_gets_no_points(solution_run):
    """Each question left as handed out scores 0, even with every earlier question answered right."""
    notebook, _, run = solution_run
    questions = {q.grade_id for q in grading_structure(notebook).questions}
    assert {r.wrong.question for r in run.untouched_results} == questions, "some starting code was never tried"
    scored = [
        f"{r.wrong.question}: {r.points}/{r.max_points}" + (" and 'fully right'" if r.self_check_said_right else "")
        for r in run.untouched_results
        if r.points > 0 or r.self_check_said_right
    ]
    assert not scored, "tests that give points to an untouched answer:\n" + "\n".join(scored)


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
        if not r.wrong.accepted and not r.error_in_wrong_code and not r.rejected
    ]
    assert not crashed, "wrong answers that do not even run (fix the fixture):\n" + "\n".join(crashed)
    assert not accepted, "tests that accept a known-wrong answer:\n" + "\n".join(accepted)


def test_self_check_never_calls_a_rejected_answer_fully_right(solution_run):
    """A learner told "fully right" must not lose points at grading."""
    notebook, _, run = solution_run
    misleading = [
        f"{r.wrong.question}: {r.wrong.mistake!r} (fails {', '.join(r.failing_tests)})"
        for r in run.wrong_answer_results
        if not r.wrong.accepted and r.misleads
    ]
    assert not misleading, (
        "self_check says 'fully right' to answers the tests reject (make it cover what the hidden "
        "tests grade):\n" + "\n".join(misleading)
    )


def test_accepted_forms_get_full_points_and_fully_right(solution_run):
    notebook, _, run = solution_run
    refused = [
        f"{r.wrong.question}: {r.wrong.mistake!r} got {r.points}/{r.max_points}, "
        f"self-check {'fully right' if r.self_check_said_right else 'not fully right'}"
        + (f", raised {r.error_in_wrong_code}" if r.error_in_wrong_code else "")
        for r in run.wrong_answer_results
        if r.wrong.accepted and not r.accepted_as_right
    ]
    assert not refused, "right answers in another form that lose points or the self-check:\n" + "\n".join(refused)


def test_prose_numbers_are_what_the_data_say(solution_run):
    notebook, _, run = solution_run
    wrong = [
        f"{r.number.text!r}: the code gives {r.got!r}" if r.error is None else f"{r.number.text!r}: {r.error}"
        for r in run.prose_results
        if not r.right
    ]
    assert not wrong, f"{notebook_id(notebook)}: prose numbers that the data contradict:\n" + "\n".join(wrong)


def test_every_question_has_known_wrong_answers(solution_run):
    notebook, all_answers, run = solution_run
    wrong_answers = {q: [w for w in items if not w.accepted] for q, items in all_answers.items()}
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
