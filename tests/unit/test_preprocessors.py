"""The course's nbgrader plugin and preprocessors on tiny notebooks: late penalty, long outputs, plotly feedback."""

from __future__ import annotations

import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from autograder.cohort.feedback import PLOTLY_MIME, PlotlyToHTML
from autograder.cohort.late import DAY_S, PerDayLatePenalty
from autograder.cohort.workspace import TruncateLongOutput


@pytest.mark.parametrize("seconds_late, penalty", [
    (0, 0.0),                 # on time
    (1, 1.0),                 # one second late is one started day: 10 %
    (7 * DAY_S, 7.0),         # the 7th day still counts 10 % a day
    (7 * DAY_S + 1, 10.0),    # from the 8th day: the whole score
])
def test_late_penalty_at_the_edges(seconds_late, penalty):
    assert PerDayLatePenalty().late_submission_penalty("ann", 10.0, seconds_late) == pytest.approx(penalty)


def test_late_penalty_of_a_zero_score_is_zero():
    assert PerDayLatePenalty().late_submission_penalty("ann", 0.0, 3 * DAY_S) == 0.0


def _run(preprocessor, notebook):
    resources = {}
    for index, cell in enumerate(notebook.cells):
        preprocessor.preprocess_cell(cell, resources, index)
    return notebook


def test_long_outputs_are_cut_and_errors_kept():
    long_text = "x" * 50
    cell = new_code_cell("print(...)", id="c1")
    cell.outputs = [
        new_output("stream", name="stdout", text=long_text),
        new_output("execute_result", data={"text/plain": long_text, "image/png": "A" * 50}, execution_count=1),
        new_output("error", ename="ValueError", evalue=long_text, traceback=[long_text]),
    ]
    short = new_code_cell("print(1)", id="c2")
    short.outputs = [new_output("stream", name="stdout", text="1\n")]
    truncate = TruncateLongOutput(max_chars=10)
    notebook = _run(truncate, new_notebook(cells=[cell, short]))
    stream, result, error = notebook.cells[0].outputs
    assert stream["text"].startswith("x" * 10) and "x" * 11 not in stream["text"] and "truncated" in stream["text"]
    assert "x" * 11 not in result["data"]["text/plain"]
    assert result["data"]["image/png"] == "A" * 50, "only text is cut"
    assert error["evalue"] == long_text and error["traceback"] == [long_text], "nbgrader scores errors: never cut"
    assert notebook.cells[1].outputs[0]["text"] == "1\n"
    assert truncate.truncated == ["c1"]


def _figure(title: str) -> dict:
    return {"data": [{"type": "bar", "x": ["a", "b"], "y": [1, 2]}], "layout": {"title": {"text": title}}}


def test_plotly_figures_become_html_with_plotly_js_once():
    cells = []
    for title in ("first chart", "second chart"):
        cell = new_code_cell("fig.show()")
        cell.outputs = [new_output("display_data", data={PLOTLY_MIME: _figure(title), "text/plain": "Figure"})]
        cells.append(cell)
    plain = new_code_cell("1")
    plain.outputs = [new_output("execute_result", data={"text/plain": "1"}, execution_count=1)]
    notebook, resources = PlotlyToHTML().preprocess(new_notebook(cells=cells + [plain]), {})
    html = [c.outputs[0]["data"].get("text/html", "") for c in notebook.cells]
    assert "first chart" in html[0] and "second chart" in html[1] and html[2] == ""
    assert all(PLOTLY_MIME not in c.outputs[0]["data"] for c in notebook.cells)
    assert html[0].count("Plotly.newPlot") == 1 and html[1].count("Plotly.newPlot") == 1
    embedded = [len(h) > 1_000_000 for h in html[:2]]  # plotly.js itself is several MB
    assert embedded == [True, False], "plotly.js is embedded once, with the first figure"
    assert resources["plotly_figures"] is True


def test_notebook_without_figures_is_left_alone():
    cell = new_code_cell("1")
    cell.outputs = [new_output("execute_result", data={"text/plain": "1"}, execution_count=1)]
    notebook, resources = PlotlyToHTML().preprocess(new_notebook(cells=[cell]), {})
    assert notebook.cells[0].outputs[0]["data"] == {"text/plain": "1"} and resources["plotly_figures"] is False


def test_the_courses_own_feedback_config_cuts_grader_secrets_first():
    """nbgrader's own `generate_feedback` and the Formgrader's button read nbgrader_config.py: the same list."""
    from autograder.cohort.feedback import FEEDBACK_PREPROCESSORS
    from autograder.cohort.layout import load_nbgrader_config
    from autograder.repo import REPO_ROOT

    configured = list(load_nbgrader_config(REPO_ROOT).GenerateFeedback.preprocessors)
    assert configured == FEEDBACK_PREPROCESSORS
    assert configured[0].endswith("HideGraderSecrets")
