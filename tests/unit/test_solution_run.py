"""How a known-wrong answer is tried against its question's tests, with a stand-in kernel."""

from __future__ import annotations

from types import SimpleNamespace

from nbformat.v4 import new_code_cell, new_notebook, new_output

from autograder.solution_run import WrongAnswer, try_wrong_answer

QUESTION = "q1"


def question_and_notebook(sources: list[str]):
    """A question whose tests are these cells (1 point each), in a notebook holding them."""
    notebook = new_notebook(cells=[new_code_cell(source) for source in sources])
    tests = [SimpleNamespace(index=i, points=1.0, grade_id=f"t{i}") for i in range(len(sources))]
    return SimpleNamespace(grade_id=QUESTION, points=float(len(sources)), tests=tests), notebook


def stand_in_kernel(failing: set[str], fully_right: bool = False):
    """`execute` as run_solution passes it: cells whose source is in `failing` raise; self-checks may say fully right."""
    ran = []

    def execute(cell, index=None):
        ran.append(cell.source)
        if "self_check(" in cell.source and fully_right:
            cell.outputs = [new_output("stream", name="stdout", text=f"Self-check {QUESTION}: fully right.\n")]
        return "AssertionError" if cell.source in failing else None

    return execute, ran


def test_a_rejected_wrong_answer_skips_the_tests_that_cannot_change_the_verdict():
    question, notebook = question_and_notebook(["visible()", "hidden_1()", "hidden_2()"])
    execute, ran = stand_in_kernel(failing={"visible()"})
    result = try_wrong_answer(WrongAnswer(QUESTION, "off by one", "answer = 1"), question, notebook, execute,
                              all_tests=False)
    assert ran == ["answer = 1", "visible()"]
    assert result.rejected and result.failing_tests == ["t0"] and result.tests_skipped == 2


def test_a_later_self_check_still_runs_after_a_failure():
    """The self-check's verdict is what the test on misleading answers reads: it is never skipped."""
    question, notebook = question_and_notebook(["hidden_first()", "self_check('q1', answer)", "hidden_2()"])
    execute, ran = stand_in_kernel(failing={"hidden_first()"}, fully_right=True)
    result = try_wrong_answer(WrongAnswer(QUESTION, "wrong", "answer = 2"), question, notebook, execute,
                              all_tests=False)
    assert ran == ["answer = 2", "hidden_first()", "self_check('q1', answer)"]
    assert result.misleads


def test_all_tests_run_when_the_points_matter():
    """Starting code and accepted forms: every test runs, so the points are exact."""
    question, notebook = question_and_notebook(["visible()", "hidden_1()", "hidden_2()"])
    execute, ran = stand_in_kernel(failing={"visible()"})
    result = try_wrong_answer(WrongAnswer(QUESTION, "left as handed out", "answer = None"), question, notebook, execute)
    assert len(ran) == 4 and result.points == 2.0 and result.tests_skipped == 0


def test_a_wrong_answer_passing_every_test_is_not_rejected():
    question, notebook = question_and_notebook(["visible()", "hidden_1()"])
    execute, _ = stand_in_kernel(failing=set())
    result = try_wrong_answer(WrongAnswer(QUESTION, "too lenient tests", "answer = 3"), question, notebook, execute,
                              all_tests=False)
    assert not result.rejected and result.points == result.max_points
