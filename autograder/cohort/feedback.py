"""`feedback`: nbgrader's feedback HTML, with the learner's plotly charts drawn.

nbgrader's `generate_feedback` drops plotly figures: they are stored only as
`application/vnd.plotly.v1+json` (or, for a `go.FigureWidget`, as widget state),
which its HTML exporter cannot show. Here nbgrader's own GenerateFeedback
converter runs with one more preprocessor, `PlotlyToHTML`, that turns each
figure into HTML drawn by plotly.js. plotly.js (from the plotly wheel, no CDN)
is embedded once per feedback file that has a figure, so the file works offline
and can be handed to the learner alone. A FigureWidget is drawn as it was when
grading finished (its slider or other controls are not interactive there).

nbgrader's stock feedback shows the autograded notebook as it is, with the
hidden tests it put back (jupyter/nbgrader#917). `HideGraderSecrets` runs first:
it removes every hidden-test and mark-scheme region (nbgrader's own
ClearHiddenTests and ClearMarkScheme, per cell) and, in a cell that had hidden
tests, cuts error tracebacks (which quote the failing line) to the error's
name and message.
"""

from __future__ import annotations

import os
from pathlib import Path

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

from autograder.cohort.layout import Course, ensure_scripts_on_path

PLOTLY_MIME = "application/vnd.plotly.v1+json"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def _figure_html(figure: dict, first: bool) -> str:
    import plotly.io as pio

    return pio.to_html(figure, include_plotlyjs=bool(first), full_html=False, validate=False,
                       config={"displaylogo": False})


def _widget_figures(model_id: str, state: dict, seen=None) -> list[dict]:
    """The plotly figures (data + layout) inside a widget view, children included."""
    seen = seen if seen is not None else set()
    if model_id in seen or model_id not in state:
        return []
    seen.add(model_id)
    model = state[model_id].get("state", {})
    if "_widget_data" in model:
        return [{"data": model.get("_widget_data") or [], "layout": model.get("_widget_layout") or {}}]
    figures = []
    for child in model.get("children", []) or []:
        if isinstance(child, str) and child.startswith("IPY_MODEL_"):
            figures += _widget_figures(child[len("IPY_MODEL_"):], state, seen)
    return figures


HIDDEN_NOTE = "# (hidden tests: not shown)"

# nbgrader's GenerateFeedback with the secrets cut first and the charts drawn (also in nbgrader_config.py).
FEEDBACK_PREPROCESSORS = [
    "autograder.cohort.feedback.HideGraderSecrets",
    "nbgrader.preprocessors.GetGrades",
    "autograder.cohort.feedback.PlotlyToHTML",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]


class HideGraderSecrets(Preprocessor):
    """Remove hidden tests and mark schemes from what a learner sees, and the tracebacks that would quote them."""

    enabled = Bool(True).tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        from nbgrader.preprocessors import ClearHiddenTests, ClearMarkScheme
        from nbgrader.utils import is_locked

        hidden = ClearHiddenTests(enforce_metadata=False)
        try:
            had_hidden = hidden._remove_hidden_test_region(cell)
            ClearMarkScheme(enforce_metadata=False, check_attachment_leakage=False)._remove_mark_scheme_region(cell)
        except RuntimeError:  # unbalanced markers: a learner's own cell keeps its text, a locked one shows nothing
            had_hidden = is_locked(cell)
            if had_hidden:
                cell.source = HIDDEN_NOTE
        if had_hidden and cell.cell_type == "code":
            cell.source = cell.source.rstrip("\n") + "\n" + HIDDEN_NOTE
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return cell, resources


class PlotlyToHTML(Preprocessor):
    """Give every plotly figure (and FigureWidget) an HTML rendering with plotly.js."""

    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb, resources):
        state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
        first = True
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                figures = []
                if PLOTLY_MIME in data:
                    figures = [data[PLOTLY_MIME]]
                elif WIDGET_MIME in data:
                    figures = _widget_figures(data[WIDGET_MIME].get("model_id", ""), state)
                if not figures:
                    continue
                parts = []
                for figure in figures:
                    parts.append(_figure_html(figure, first))
                    first = False
                output["data"] = {"text/html": "\n".join(parts), "text/plain": data.get("text/plain", "")}
        resources["plotly_figures"] = not first
        return nb, resources


def _visible_dirs(folder: Path, wanted) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".") and (not wanted or p.name in wanted))


def _pairs(course: Course, modules, students) -> list[tuple[str, str]]:
    """(student, module) of every autograded pair, restricted to `students` and `modules` if given."""
    return [(s.name, m.name) for s in _visible_dirs(course.autograded, students) for m in _visible_dirs(s, modules)]


def _is_current(course: Course, student: str, module: str) -> bool:
    """Every graded notebook of the pair has a feedback page at least as new as it."""
    graded = list(course.graded(student, module).glob("*.ipynb"))
    out = course.path("feedback", module, student)
    newest = max((p.stat().st_mtime for p in graded), default=0)
    pages = [out / (p.stem + ".html") for p in graded]
    return bool(pages) and all(h.is_file() and h.stat().st_mtime >= newest for h in pages)


def _generate(config, student: str, module: str, log) -> None:
    from nbgrader.converters import GenerateFeedback
    from nbgrader.coursedir import CourseDirectory

    coursedir = CourseDirectory(config=config, log=log)
    coursedir.student_id, coursedir.assignment_id = student, module
    converter = GenerateFeedback(coursedir=coursedir, config=config, log=log)
    converter.force = True
    converter.start()


def feedback(course: Course, modules=None, students=None, force: bool = False) -> str:
    """Generate feedback for every autograded (student, module) pair that has none or an older one."""
    import logging

    ensure_scripts_on_path()
    if not course.autograded.is_dir():
        return "feedback: nothing autograded yet"
    # as the course's nbgrader_config.py says, and so even for a course whose config does not
    config = course.config_with({"GenerateFeedback.preprocessors": FEEDBACK_PREPROCESSORS})
    log = logging.getLogger("autograder.cohort.feedback")
    made, skipped, failed = 0, 0, []
    for student, module in _pairs(course, modules, students):
        if not force and _is_current(course, student, module):
            skipped += 1
            continue
        try:
            _generate(config, student, module, log)
            made += 1
        except Exception as error:  # one broken pair must not stop the others
            failed.append(f"{student}/{module}: {error}")
    lines = [f"feedback: {made} written, {skipped} up to date, {len(failed)} failed (in {course.feedback})"]
    return "\n".join(lines + [f"  {f}" for f in failed])
