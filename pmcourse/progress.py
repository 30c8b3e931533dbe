"""A learner's progress, from their own notebooks, without an nbgrader gradebook.

For every question of every notebook in `modules/`, the status is one of:

- `fully right`: the visible tests pass and `self_check` says the answer is fully right;
- `tests pass`: the visible tests pass, but the self-check does not agree yet;
- `started`: the answer cell was changed, but its visible tests fail;
- `not started`: the answer cell still holds `raise NotImplementedError()`.

A notebook with any started question is run once, in a fresh kernel, in its own
folder; nothing is written back to it. From a terminal::

    python -m pmcourse.progress                  # a summary per module
    python -m pmcourse.progress --log my-log.csv # and append today's list to an accomplishments log

In a notebook, `show_progress()` draws the same as a plotly chart.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd

from pmcourse.data import datasets_dir
from pmcourse.notebook import GRADING_CELL_TIMEOUT_S, cell_error, grading_structure, module_notebooks

STATUSES = ["fully right", "tests pass", "started", "not started"]
UNTOUCHED_MARKER = "raise NotImplementedError()"
RIGHT_MARKER = ": fully right."
CELL_TIMEOUT_S = GRADING_CELL_TIMEOUT_S


def modules_dir() -> Path:
    """The learner's `modules/` folder (next to the course's `datasets/`)."""
    return datasets_dir().parent / "modules"


def _run(notebook_path: Path):
    from nbclient import NotebookClient

    notebook = nbformat.read(str(notebook_path), as_version=4)
    NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(notebook_path.parent)}},
    ).execute()
    return notebook


def _printed(cell) -> str:
    return "".join(out.get("text", "") for out in cell.get("outputs", []) if out.output_type == "stream")


def notebook_progress(notebook_path: Path) -> list[dict]:
    """One row per question of a student notebook: its id and status."""
    structure = grading_structure(notebook_path)
    source = nbformat.read(str(notebook_path), as_version=4)
    started = {
        q.grade_id: UNTOUCHED_MARKER not in source.cells[q.solution_index].source for q in structure.questions
    }
    ran = _run(notebook_path) if any(started.values()) else None
    rows = []
    for question in structure.questions:
        status = "not started"
        if started[question.grade_id]:
            visible = [ran.cells[t.index] for t in question.tests if not t.hidden]
            if any(cell_error(cell) for cell in visible):
                status = "started"
            elif any(RIGHT_MARKER in _printed(cell) for cell in visible):
                status = "fully right"
            else:
                status = "tests pass"
        rows.append(
            {
                "module": notebook_path.parent.name,
                "notebook": notebook_path.name,
                "question": question.grade_id,
                "status": status,
            }
        )
    return rows


def course_progress(modules: Path | None = None) -> pd.DataFrame:
    """The status of every question in the course, in course order."""
    modules = modules or modules_dir()
    rows = [
        row
        for module in sorted(p for p in modules.iterdir() if p.is_dir() and p.name[:1] == "m")
        for notebook in module_notebooks(module)
        for row in notebook_progress(notebook)
    ]
    table = pd.DataFrame(rows, columns=["module", "notebook", "question", "status"])
    table["status"] = pd.Categorical(table["status"], categories=STATUSES)
    return table


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """Questions per module and status (every status a column, zeros included)."""
    return table.groupby(["module", "status"], observed=False).size().unstack("status", fill_value=0)


def summary_sentence(table: pd.DataFrame) -> str:
    right = int((table["status"] == "fully right").sum())
    started = int((table["status"] != "not started").sum())
    return (
        f"{right} of {len(table)} questions fully right; "
        f"{started} of {len(table)} started, in {table['module'].nunique()} modules."
    )


def append_log(table: pd.DataFrame, log_path: Path, when: dt.date | None = None) -> None:
    """Append today's statuses to a CSV accomplishments log (created with a header if new)."""
    stamped = table.assign(date=(when or dt.date.today()).isoformat())[
        ["date", "module", "notebook", "question", "status"]
    ]
    stamped.to_csv(log_path, mode="a", header=not log_path.exists(), index=False)


def progress_chart(table: pd.DataFrame):
    """A stacked bar per module: how many questions are in each status."""
    import plotly.express as px

    counts = summary(table).reset_index().melt(id_vars="module", var_name="status", value_name="questions")
    right = int((table["status"] == "fully right").sum())
    return px.bar(
        counts,
        x="module",
        y="questions",
        color="status",
        category_orders={"status": STATUSES},
        labels={"module": "Module", "questions": "Questions"},
        title=f"{right} of {len(table)} questions fully right so far",
    )


def show_progress() -> pd.DataFrame:
    """In a notebook: check every module notebook and draw the progress chart.

    Runs in a separate process, so it works from inside a running kernel.
    """
    from pmcourse.charts import use_course_style

    result = subprocess.run(
        [sys.executable, "-m", "pmcourse.progress", "--json"], capture_output=True, text=True, check=True
    )
    table = pd.DataFrame(json.loads(result.stdout))
    table["status"] = pd.Categorical(table["status"], categories=STATUSES)
    use_course_style()
    progress_chart(table).show()
    print(summary_sentence(table))
    return summary(table)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m pmcourse.progress", description=__doc__.split("\n")[0],
                                     allow_abbrev=False)
    parser.add_argument("--json", action="store_true", help="print every question's status as JSON")
    parser.add_argument("--log", type=Path, help="append today's statuses to this CSV file")
    args = parser.parse_args(argv)
    table = course_progress()
    if args.json:
        print(table.assign(status=table["status"].astype(str)).to_json(orient="records"))
        return
    print(summary(table).to_string())
    print(summary_sentence(table))
    if args.log:
        append_log(table, args.log)
        print(f"Appended {len(table)} rows to {args.log}")


if __name__ == "__main__":
    main()
