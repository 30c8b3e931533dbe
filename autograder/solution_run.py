"""Run a solution notebook once, in one kernel, and try every known wrong answer.

For each question that has wrong answers (`autograder/wrong_answers/<module>.yaml`),
just before its solution cell runs, each wrong answer is run in its place,
followed by the question's test cells; the points those tests would give, and
whether the learner's self-check said "fully right", are recorded. The same
file lists `accepted:` answers: other right forms (an int for a float, a form
that raises a library warning) that must get full points and "fully right".
Before them, the question's starting code as the learner receives it (the
student notebook's cell) is tried the same way: an untouched answer must get
no points. Then the real solution runs and the notebook goes on. One kernel
serves the whole notebook, however many wrong answers there are.

The same run checks every number that the notebook's prose states about the
data (`autograder/prose_numbers/<module>.yaml`, see `autograder.prose_check`)
in the state a reader has when reading it, and records how long each cell
takes and the self-check fingerprint of every checked answer (used to
regenerate `answer_fingerprints.json`).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml
from nbclient import NotebookClient

from pmcourse.notebook import (
    GRADING_CELL_TIMEOUT_S,
    cell_error,
    grading_structure,
    is_solution_code,
    nbgrader_meta,
    read_notebook,
)
from autograder.prose_check import ProseNumber, ProseNumberResult, reading_points

WRONG_ANSWERS_DIR = Path(__file__).resolve().parent / "wrong_answers"
CELL_TIMEOUT_S = GRADING_CELL_TIMEOUT_S  # the grading limit: a solution that passes here is not stopped there


@dataclass
class WrongAnswer:
    question: str
    mistake: str  # what is wrong; for an accepted form, why it must be accepted
    code: str
    accepted: bool = False  # another right form: full points and "fully right" expected


@dataclass
class WrongAnswerResult:
    wrong: WrongAnswer
    points: float  # what the question's tests would award it
    max_points: float
    failing_tests: list[str]
    error_in_wrong_code: str | None  # the wrong answer itself crashed (a bad fixture)
    self_check_said_right: bool = False  # the visible self-check printed "fully right"
    tests_skipped: int = 0  # tests not run after the first failure (`points` is then a lower bound)

    @property
    def rejected(self) -> bool:
        return self.error_in_wrong_code is None and self.points < self.max_points

    @property
    def misleads(self) -> bool:
        """The self-check calls fully right an answer that the tests reject."""
        return self.rejected and self.self_check_said_right

    @property
    def accepted_as_right(self) -> bool:
        """An accepted form that gets full points and the self-check's "fully right"."""
        return (
            self.error_in_wrong_code is None
            and self.points == self.max_points
            and self.self_check_said_right
        )


@dataclass
class SolutionRun:
    notebook: Path
    cell_seconds: list[tuple[int, float]] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    wrong_answer_results: list[WrongAnswerResult] = field(default_factory=list)
    untouched_results: list[WrongAnswerResult] = field(default_factory=list)  # the starting code, per question
    fingerprints: dict[str, str] = field(default_factory=dict)
    prose_results: list[ProseNumberResult] = field(default_factory=list)

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
    return {question: [_wrong_answer(question, item) for item in items] for question, items in raw.items()}


def _wrong_answer(question: str, item: dict) -> WrongAnswer:
    kinds = {"mistake", "accepted"} & set(item)
    if len(kinds) != 1 or "code" not in item:
        raise ValueError(
            f"{question}: each entry needs `code` and exactly one of `mistake` (a wrong answer) "
            f"or `accepted` (another right form); got keys {sorted(item)}"
        )
    if "accepted" in item:
        return WrongAnswer(question, item["accepted"], item["code"], accepted=True)
    return WrongAnswer(question, item["mistake"], item["code"])


def starting_code(student_notebook: str | Path) -> dict[str, str]:
    """{question grade id: the code its answer cell holds when handed out} from a student notebook."""
    return {
        nbgrader_meta(cell)["grade_id"]: cell.source
        for cell in read_notebook(student_notebook).cells
        if is_solution_code(cell)
    }


def said_fully_right(cell, question: str) -> bool:
    """Whether an executed test cell's self-check told the learner the answer is fully right."""
    verdict = f"Self-check {question}: fully right."
    return any(
        output.output_type == "stream" and output.name == "stdout" and verdict in output.text
        for output in cell.get("outputs", [])
    )


def run_solution(
    notebook_path: str | Path,
    wrong_answers: dict[str, list[WrongAnswer]],
    prose_numbers: list[ProseNumber] | None = None,
    untouched: dict[str, str] | None = None,
    fork_server: str | None = None,
) -> SolutionRun:
    """Execute `notebook_path` top to bottom, trying `wrong_answers`, each question's `untouched`
    starting code ({grade id: code}, see `starting_code`) and checking `prose_numbers` on the way.

    `fork_server`: the socket of a running kernel fork server (`cohort.forkserver.ForkServer`,
    unsandboxed) to take the kernel from, as grading does (no interpreter start, the course's
    packages already imported); None starts a fresh kernel."""
    path = Path(notebook_path).resolve()
    notebook = read_notebook(path)
    structure = grading_structure(path)
    by_solution_cell = {q.solution_index: q for q in structure.questions}
    checks_before_cell = reading_points(notebook, prose_numbers or [])
    run = SolutionRun(path)
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(path.parent)}},
        **_forked_kernel(fork_server),
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
            run.prose_results += [check_prose_number(n, execute) for n in checks_before_cell.pop(index, [])]
            question = by_solution_cell.get(index)
            if question is not None:
                _try_in_place_of_solution(run, question, wrong_answers, untouched or {}, notebook, execute)
            _run_solution_cell(run, cell, index, execute)
        # prose after the last code cell
        run.prose_results += [check_prose_number(n, execute) for numbers in checks_before_cell.values() for n in numbers]
        run.fingerprints = _computed_fingerprints(execute)
    return run


def _forked_kernel(fork_server: str | None) -> dict:
    """NotebookClient options for a kernel from the fork server at `fork_server` (none: a fresh kernel)."""
    if fork_server is None:
        return {}
    from traitlets.config import Config

    from autograder.cohort.workspace import LimitedKernelManager

    return {"kernel_manager_class": LimitedKernelManager,
            "config": Config({"LimitedKernelManager": {"fork_server": fork_server, "memory_mb": 0}})}


def _try_in_place_of_solution(run: SolutionRun, question, wrong_answers, untouched, notebook, execute) -> None:
    """The question's starting code, then each of its known wrong answers, each followed by its tests."""
    if question.grade_id in untouched:
        left_as_is = WrongAnswer(question.grade_id, "left as handed out", untouched[question.grade_id])
        run.untouched_results.append(try_wrong_answer(left_as_is, question, notebook, execute))
    run.wrong_answer_results += [
        try_wrong_answer(wrong, question, notebook, execute, all_tests=wrong.accepted)
        for wrong in wrong_answers.get(question.grade_id, [])
    ]


def _run_solution_cell(run: SolutionRun, cell, index: int, execute) -> None:
    started = time.perf_counter()
    error = execute(cell, index)
    run.cell_seconds.append((index, time.perf_counter() - started))
    if error is not None:
        run.errors.append((index, error))


def _evaluate_in_kernel(execute, expression: str, setup: str = "") -> tuple[object, str | None]:
    """Evaluate `expression` in the kernel; return its JSON-decoded value (None if it errors) and the error."""
    cell = nbformat.v4.new_code_cell(f"{setup}\nimport json as _json\nprint(_json.dumps({expression}))".lstrip())
    error = execute(cell)
    if error is not None:
        return None, error
    text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream").strip()
    return (json.loads(text.splitlines()[-1]) if text else None), None


def _computed_fingerprints(execute) -> dict[str, str]:
    """The fingerprints the kernel's self_check calls recorded."""
    value, _ = _evaluate_in_kernel(execute, "_f.computed_fingerprints", setup="import pmcourse.feedback as _f")
    return value or {}


def try_wrong_answer(wrong: WrongAnswer, question, notebook, execute, *, all_tests: bool = True) -> WrongAnswerResult:
    """Run `wrong` in place of the question's solution, then its tests; score it as nbgrader would.

    With `all_tests` False, once a test has failed (the answer is rejected) only the
    later tests that call the self-check run: the rest could change the points, not
    the verdict (rejected, and whether the self-check called it fully right).
    """
    crashed = execute(nbformat.v4.new_code_cell(wrong.code))
    failing, points, said_right, skipped = [], 0.0, False, 0
    for test in question.tests:
        source = notebook.cells[test.index].source
        if failing and not all_tests and "self_check(" not in source:
            skipped += 1
            continue
        test_cell = nbformat.v4.new_code_cell(source)
        if execute(test_cell) is None:
            points += test.points
        else:
            failing.append(test.grade_id)
        said_right = said_right or said_fully_right(test_cell, question.grade_id)
    return WrongAnswerResult(wrong, points, question.points, failing, crashed, said_right, skipped)


def check_prose_number(number: ProseNumber, execute) -> ProseNumberResult:
    """Evaluate a registered prose number's expression in the kernel, in the reader's state."""
    value, error = _evaluate_in_kernel(execute, f"str({number.expr})")
    return ProseNumberResult(number, value, error)
