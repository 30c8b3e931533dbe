"""Read the graded structure of a course notebook from its nbgrader metadata.

This sits in `pmcourse` (the learner's package) so that the learner's own tools
(`pmcourse.progress`) and the instructor's (`autograder`) share it, and
`pmcourse` never imports `autograder`.

A question is one block (see STYLE.md): a code solution cell whose grade id
names the question (`m00_q1_2_hours_left`), then its autograded test cells,
whose grade ids start with the question's id (`m00_q1_2_hours_left_visible`,
`..._hidden`). A manually graded answer is a markdown solution cell with
points.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import nbformat

HIDDEN_TESTS_MARKER = "### BEGIN HIDDEN TESTS"
# nbgrader's per-cell limit while grading (nbgrader_config.py: c.Execute.timeout); every tool that runs
# a course notebook uses the same limit, so a cell that passes there is not stopped when graded.
GRADING_CELL_TIMEOUT_S = 30


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def is_solution_code(cell) -> bool:
    meta = nbgrader_meta(cell)
    return cell.cell_type == "code" and meta.get("solution", False) and not meta.get("grade", False)


def is_autograder_test(cell) -> bool:
    meta = nbgrader_meta(cell)
    return cell.cell_type == "code" and meta.get("grade", False) and not meta.get("solution", False)


def is_manual_answer(cell) -> bool:
    meta = nbgrader_meta(cell)
    return meta.get("solution", False) and meta.get("grade", False)


@dataclass
class TestCell:
    grade_id: str
    index: int
    points: float
    hidden: bool


@dataclass
class Question:
    grade_id: str
    solution_index: int
    tests: list[TestCell] = field(default_factory=list)

    @property
    def points(self) -> float:
        return sum(test.points for test in self.tests)


@dataclass
class NotebookGrading:
    path: Path
    questions: list[Question]
    manual_answers: dict[str, float]  # grade id -> points
    orphan_tests: list[str]  # test cells that follow no question of their name

    @property
    def auto_points(self) -> float:
        return sum(question.points for question in self.questions)


def read_notebook(path: str | Path):
    return nbformat.read(str(path), as_version=4)


def grading_structure(path: str | Path) -> NotebookGrading:
    """The questions, their test cells and the manual answers of a notebook."""
    notebook = read_notebook(path)
    questions: list[Question] = []
    manual: dict[str, float] = {}
    orphans: list[str] = []
    for index, cell in enumerate(notebook.cells):
        meta = nbgrader_meta(cell)
        if is_solution_code(cell):
            questions.append(Question(meta["grade_id"], index))
        elif is_autograder_test(cell):
            grade_id = meta["grade_id"]
            owner = questions[-1] if questions else None
            if owner is None or not grade_id.startswith(owner.grade_id + "_"):
                orphans.append(grade_id)
                continue
            owner.tests.append(
                TestCell(grade_id, index, float(meta["points"]), HIDDEN_TESTS_MARKER in cell.source)
            )
        elif is_manual_answer(cell):
            manual[meta["grade_id"]] = float(meta["points"])
    return NotebookGrading(Path(path), questions, manual, orphans)


def module_notebooks(module_dir: str | Path) -> list[Path]:
    """The notebooks of one module folder, in course order."""
    return sorted(
        path for path in Path(module_dir).glob("*.ipynb") if not path.name.startswith(".")
    )


def cell_error(cell) -> str | None:
    """What went wrong in an executed cell: an error, or stderr output (nbgrader scores both as a failure)."""
    for output in cell.get("outputs", []):
        if output.output_type == "error":
            return f"{output.ename}: {output.evalue}"
        if output.output_type == "stream" and output.name == "stderr":
            return "wrote to stderr (nbgrader scores that as a failure): " + output.text[:200]
    return None
