"""Notebook hygiene and the module standard, checked on every notebook.

Student notebooks (modules/) carry no outputs, no solutions, no hidden tests,
no mark schemes and only the metadata nbgrader needs. Solution notebooks
(solutions/) are committed clean too, and follow the course skeleton: the
story, objectives, time, a setup cell, at least five autograded questions
each with visible and hidden tests, hints, and a manually graded answer.
"""

import re

import pytest
import yaml

from autograder.notebook import (
    grading_structure,
    is_autograder_test,
    is_manual_answer,
    nbgrader_meta,
    read_notebook,
)
from autograder.prose_check import load_prose_registry, texts_not_in_markdown, unregistered_numbers
from conftest import MODULE_IDS, SOLUTION_NOTEBOOKS, STUDENT_NOTEBOOKS, notebook_id
from pmcourse.feedback import HINTS_FILE

MAX_NOTEBOOK_BYTES = 150_000
ALLOWED_NOTEBOOK_METADATA = {"kernelspec", "language_info"}
ALLOWED_CELL_METADATA = {"nbgrader", "deletable", "editable"}
LEAK_MARKERS = ["BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "BEGIN MARK SCHEME"]
GRADE_ID = re.compile(r"^m\d\d_[a-z0-9_]+$")
QUESTION_ID = re.compile(r"^(m\d\d)_q(\d+)_(\d+)_[a-z0-9_]+$")
MIN_AUTOGRADED_QUESTIONS = 5
MIN_HINTS = 2

ALL_NOTEBOOKS = SOLUTION_NOTEBOOKS + STUDENT_NOTEBOOKS


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: f"{p.parts[-3]}/{notebook_id(p)}")
def test_notebook_is_committed_clean(path):
    notebook = read_notebook(path)
    assert path.stat().st_size <= MAX_NOTEBOOK_BYTES, f"{path.name} is over {MAX_NOTEBOOK_BYTES} bytes"
    extra = set(notebook.metadata) - ALLOWED_NOTEBOOK_METADATA
    assert not extra, f"{path.name}: notebook metadata to strip: {sorted(extra)}"
    for index, cell in enumerate(notebook.cells):
        where = f"{path.name} cell {index}"
        assert not cell.get("outputs"), f"{where} has outputs: clear them before committing"
        assert cell.get("execution_count") is None, f"{where} has an execution count"
        extra = set(cell.metadata) - ALLOWED_CELL_METADATA
        assert not extra, f"{where}: cell metadata to strip: {sorted(extra)}"


@pytest.mark.parametrize("path", STUDENT_NOTEBOOKS, ids=notebook_id)
def test_student_notebook_leaks_no_answer(path):
    text = path.read_text(encoding="utf-8")
    leaked = [marker for marker in LEAK_MARKERS if marker in text]
    assert not leaked, f"{notebook_id(path)} contains {leaked}: regenerate it with `make modules`"


@pytest.mark.parametrize("module", MODULE_IDS)
def test_student_module_folder_holds_nothing_for_instructors(module):
    from autograder.repo import MODULES

    names = {p.name for p in (MODULES / module).rglob("*") if p.is_file()}
    forbidden = {n for n in names if "wrong_answer" in n or "solution" in n.lower()}
    assert not forbidden, f"modules/{module} holds instructor files: {sorted(forbidden)}"


@pytest.mark.parametrize("path", SOLUTION_NOTEBOOKS, ids=notebook_id)
def test_solution_notebook_meets_the_module_standard(path):
    module = path.parent.name
    notebook = read_notebook(path)
    structure = grading_structure(path)
    name = notebook_id(path)

    intro = notebook.cells[0].source
    for part in ("Where you are in the internship", "Learning objectives", "Estimated time"):
        assert part in intro, f"{name}: the first cell should include '{part}' (STYLE.md skeleton)"
    assert any(
        c.cell_type == "code" and "Do not change it" in c.source and nbgrader_meta(c).get("locked")
        for c in notebook.cells[:5]
    ), f"{name}: needs a locked setup cell near the top saying 'Do not change it'"

    grade_ids = [nbgrader_meta(c)["grade_id"] for c in notebook.cells if nbgrader_meta(c)]
    assert len(grade_ids) == len(set(grade_ids)), f"{name}: duplicate grade ids"
    bad = [g for g in grade_ids if not GRADE_ID.match(g) or not g.startswith(module[:3] + "_")]
    assert not bad, f"{name}: grade ids must look like {module[:3]}_q1_2_what_it_is: {bad}"

    assert not structure.orphan_tests, (
        f"{name}: test cells must follow their question and start with its id: {structure.orphan_tests}"
    )
    assert len(structure.questions) >= MIN_AUTOGRADED_QUESTIONS, (
        f"{name}: {len(structure.questions)} autograded questions, the standard asks for {MIN_AUTOGRADED_QUESTIONS}"
    )
    assert structure.manual_answers, f"{name}: needs a manually graded written answer"
    for question in structure.questions:
        assert QUESTION_ID.match(question.grade_id), f"{question.grade_id}: use m01_q2_3_short_name"
        kinds = {test.hidden for test in question.tests}
        assert kinds == {False, True}, f"{question.grade_id}: needs both visible and hidden test cells"
        for test in question.tests:
            first_line = notebook.cells[test.index].source.splitlines()[0]
            assert first_line.startswith('"""'), f"{test.grade_id}: open with a one-line docstring"
            assert test.points > 0, f"{test.grade_id}: a test cell must be worth points"
        visible_sources = [notebook.cells[t.index].source for t in question.tests if not t.hidden]
        assert any(f'self_check("{question.grade_id}"' in s for s in visible_sources), (
            f"{question.grade_id}: a visible test cell should call self_check({question.grade_id!r}, ...)"
        )
    for cell in notebook.cells:
        if is_autograder_test(cell) and "BEGIN HIDDEN TESTS" in cell.source:
            assert "self_check" not in cell.source, "self_check belongs in the visible tests"


@pytest.mark.parametrize("module", MODULE_IDS)
def test_every_question_has_progressive_hints(module):
    from autograder.repo import SOLUTIONS
    from autograder.notebook import module_notebooks

    hints = yaml.safe_load((SOLUTIONS / module / HINTS_FILE).read_text(encoding="utf-8"))
    questions = {
        q.grade_id for nb in module_notebooks(SOLUTIONS / module) for q in grading_structure(nb).questions
    }
    missing = {q for q in questions if len(hints.get(q, [])) < MIN_HINTS}
    assert not missing, f"{module}: questions with fewer than {MIN_HINTS} hints: {sorted(missing)}"
    unknown = set(hints) - questions
    assert not unknown, f"{module}/{HINTS_FILE} has hints for questions that do not exist: {sorted(unknown)}"


FIGURE_CALLS = ("px.", "go.Figure", "make_subplots(")


def shows_a_chart(cell) -> bool:
    source = cell.source
    return cell.cell_type == "code" and any(call in source for call in FIGURE_CALLS) and (
        ".show()" in source or "FigureWidget" in source
    )


@pytest.mark.parametrize("path", SOLUTION_NOTEBOOKS, ids=notebook_id)
def test_every_chart_is_followed_by_a_sentence_saying_what_to_notice(path):
    """Accessibility: a reader who cannot see the chart still gets its finding."""
    cells = read_notebook(path).cells
    silent = []
    for index, cell in enumerate(cells):
        if shows_a_chart(cell):
            following = next((c for c in cells[index + 1 :] if c.cell_type == "markdown"), None)
            if following is None or not any(phrase in following.source for phrase in NOTICE_PHRASES):
                silent.append(index)
    assert not silent, (
        f"{notebook_id(path)}: charts in cells {silent} need a 'What to notice' sentence (or a "
        "'What do you notice?' question) after them"
    )


NOTICE_PHRASES = ("What to notice", "What do you notice?")
PREDICT = "**Predict, then check.**"


@pytest.mark.parametrize("path", SOLUTION_NOTEBOOKS, ids=notebook_id)
def test_the_learner_draws_the_conclusion_before_each_written_answer(path):
    """The last chart before a written answer asks what the learner notices; it does not tell."""
    cells = read_notebook(path).cells
    telling = []
    for answer in (i for i, c in enumerate(cells) if is_manual_answer(c) and c.cell_type == "markdown"):
        charts = [i for i in range(answer) if shows_a_chart(cells[i])]
        if not charts:
            continue
        following = next((c for c in cells[charts[-1] + 1 :] if c.cell_type == "markdown"), None)
        if following is None or "What do you notice?" not in following.source:
            telling.append(charts[-1])
    assert not telling, (
        f"{notebook_id(path)}: the charts in cells {telling} come last before a written answer: follow "
        "them with '**What do you notice?**' and move the reading after the answer or into a hint"
    )


@pytest.mark.parametrize("path", SOLUTION_NOTEBOOKS, ids=notebook_id)
def test_notebook_has_a_predict_then_check_step(path):
    cells = read_notebook(path).cells
    assert any(c.cell_type == "markdown" and PREDICT in c.source for c in cells), (
        f"{notebook_id(path)}: add a '{PREDICT}' step: the learner writes a guess before the computation"
    )


@pytest.mark.parametrize("path", SOLUTION_NOTEBOOKS, ids=notebook_id)
def test_every_data_number_in_prose_is_registered(path):
    """Numbers about the data in prose are registered with the code that computes them (MODULE-STANDARD)."""
    notebook = read_notebook(path)
    registry = load_prose_registry(path.parent.name, path.name)
    missing = texts_not_in_markdown(notebook, registry)
    assert not missing, f"{notebook_id(path)}: registered prose numbers found in no markdown cell: {missing}"
    unchecked = unregistered_numbers(notebook, registry)
    assert not unchecked, (
        f"{notebook_id(path)}: numbers in prose that nothing checks (cell, number): {unchecked}. Register "
        f"them in autograder/prose_numbers/{path.parent.name}.yaml (text + expr), or list conventions there."
    )
