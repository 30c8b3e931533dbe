"""Run a solution notebook once, in one kernel, and try every known wrong answer.

For each question that has wrong answers (`autograder/wrong_answers/<module>.yaml`),
just before its solution cell runs, each wrong answer is run in its place,
followed by the question's test cells; the points those tests would give are
recorded. Then the real solution runs and the notebook goes on. One kernel
serves the whole notebook, however many wrong answers there are.

The same run records how long each cell takes and the self-check fingerprint
of every checked answer (used to regenerate `answer_fingerprints.json`).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml
from nbclient import NotebookClient

from autograder.notebook import grading_structure, read_notebook

WRONG_ANSWERS_DIR = Path(__file__).resolve().parent / "wrong_answers"
CELL_TIMEOUT_S = 60


@dataclass
class WrongAnswer:
    question: str
    mistake: str
    code: str


@dataclass
class WrongAnswerResult:
    wrong: WrongAnswer
    points: float  # what the question's tests would award it
    max_points: float
    failing_tests: list[str]
    error_in_wrong_code: str | None  # the wrong answer itself crashed (a bad fixture)

    @property
    def rejected(self) -> bool:
        return self.error_in_wrong_code is None and self.points < self.max_points


@dataclass
class SolutionRun:
    notebook: Path
    cell_seconds: list[tuple[int, float]] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    wrong_answer_results: list[WrongAnswerResult] = field(default_factory=list)
    fingerprints: dict[str, str] = field(default_factory=dict)

    @property
    def total_seconds(self) -> float:
        return sum(seconds for _, seconds in self.cell_seconds)


def wrong_answers_file(module: str) -> Path:
    return WRONG_ANSWERS_DIR / f"{module}.yaml"


def load_wrong_answers(module: str) -> dict[str, list[WrongAnswer]]:
    """{question grade id: [wrong answers]} for one module (empty if it has none)."""
    path = wrong_answers_file(module)
    if not path.is_file():
        return {}
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {
        question: [WrongAnswer(question, item["mistake"], item["code"]) for item in items]
        for question, items in raw.items()
    }


def cell_error(cell) -> str | None:
    """What went wrong in an executed cell: an error, or stderr output (nbgrader scores both as a failure)."""
    for output in cell.get("outputs", []):
        if output.output_type == "error":
            return f"{output.ename}: {output.evalue}"
        if output.output_type == "stream" and output.name == "stderr":
            return "wrote to stderr (nbgrader scores that as a failure): " + output.text[:200]
    return None


def run_solution(notebook_path: str | Path, wrong_answers: dict[str, list[WrongAnswer]]) -> SolutionRun:
    """Execute `notebook_path` top to bottom, trying `wrong_answers` on the way."""
    path = Path(notebook_path).resolve()
    notebook = read_notebook(path)
    structure = grading_structure(path)
    by_solution_cell = {q.solution_index: q for q in structure.questions}
    run = SolutionRun(path)
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(path.parent)}},
    )

    # nbclient stores each executed cell back at its index: extra cells (wrong
    # answers, re-run tests, the probe) run in one scratch slot at the end.
    scratch_index = len(notebook.cells)
    notebook.cells.append(nbformat.v4.new_code_cell(""))

    def execute(cell, index: int = scratch_index) -> str | None:
        cell.outputs = []
        client.execute_cell(cell, index)
        return cell_error(cell)

    with client.setup_kernel():
        for index, cell in enumerate(notebook.cells[:scratch_index]):
            if cell.cell_type != "code":
                continue
            question = by_solution_cell.get(index)
            if question is not None:
                for wrong in wrong_answers.get(question.grade_id, []):
                    crashed = execute(nbformat.v4.new_code_cell(wrong.code))
                    failing, points = [], 0.0
                    for test in question.tests:
                        test_cell = nbformat.v4.new_code_cell(notebook.cells[test.index].source)
                        if execute(test_cell) is None:
                            points += test.points
                        else:
                            failing.append(test.grade_id)
                    run.wrong_answer_results.append(
                        WrongAnswerResult(wrong, points, question.points, failing, crashed)
                    )
            started = time.perf_counter()
            error = execute(cell, index)
            run.cell_seconds.append((index, time.perf_counter() - started))
            if error is not None:
                run.errors.append((index, error))

        probe = nbformat.v4.new_code_cell(
            "import json, pmcourse.feedback as _f; print(json.dumps(_f.computed_fingerprints))"
        )
        execute(probe)
        text = "".join(o.get("text", "") for o in probe.outputs if o.output_type == "stream")
        run.fingerprints = json.loads(text.strip().splitlines()[-1]) if text.strip() else {}
    return run
