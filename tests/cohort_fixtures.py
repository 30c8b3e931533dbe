"""Build cohort-pipeline test courses and fixture submissions.

A fixture submission (`tests/fixtures/submissions/<case>.yaml`) is a recipe,
applied at test time to the module's current student notebook, so fixtures do
not go stale when the notebook changes. Recipe keys:

- `answers`: `right` (every solution cell gets the solution's code) or `blank`;
- `question_code`: `{question: first|last, position: replace|before|after, code}`;
- `delete_tests_of` / `edit_tests_of`: `first|last`: drop that question's test cells,
  or replace their code with `pass`;
- `notebook_file` (e.g. `"Copy of {name}"`), `notebook_text` (raw text instead of
  JSON), `no_notebook`, `extra_files` ({path: text}), `late_days`;
- `delete_question`: `first|last`: delete the whole question block (its prompt, solution and
  test cells); `empty_notebook`: a notebook with no cells;
- `edit_meta`: `{cells: solution|tests, question: first|last, set: {nbgrader key: value}}` edits the
  nbgrader metadata of those cells (`grade_id_of: first|last` copies that question's solution id);
- `expect`: `lost` (questions that score 0), `zero`, `outcomes` (the exact set of `Outcome` values the pair
  gets, apart from a retry on a busy machine), `output`, `penalty_share`, `max_autograded_kb` (KB over the right submission's graded notebook),
  `status` (default `graded`).

In `question_code`, `@COURSE@` becomes the course folder's absolute path, and
any other `@NAME@` the value `make_submission` is given for it (attack recipes,
`tests/fixtures/attacks/`, use `@PORT@`, `@SECRET@`, `@DAEMON_SECONDS@`; their
`unsandboxed_output` is what the attack prints when it works, with `--no-sandbox`).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import nbformat
import yaml

from autograder import stock_nbgrader as nbcourse
from autograder.cohort.__main__ import main as cohort_main
from pmcourse.notebook import grading_structure, module_notebooks, nbgrader_meta

FIXTURES = Path(__file__).parent / "fixtures" / "submissions"
ATTACKS = Path(__file__).parent / "fixtures" / "attacks"
MODULE = "m00_orientation"
DUE = dt.datetime(2030, 1, 15, 12, 0, 0)


def fixture_specs(folder: Path = FIXTURES) -> dict[str, dict]:
    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.yaml"))}


def student_of(case: str, spec: dict) -> str:
    return spec.get("student", case)


def build_course(folder: Path, students: list[str], modules=(MODULE,), timeout: int = 10, due: bool = True) -> Path:
    """A course folder with these modules released, the roster imported and (optionally) a due date."""
    nbcourse.new_course(folder, list(modules))
    with open(folder / "nbgrader_config.py", "a", encoding="utf-8") as handle:
        handle.write(f"\nc.Execute.timeout = {timeout}  # tests: a short per-cell limit\n")
    roster = folder / "roster.csv"
    roster.write_text(
        "id,first_name,last_name,email\n"
        + "".join(f"{s},First{i},Last{i},{s}@example.org\n" for i, s in enumerate(students)),
        encoding="utf-8",
    )
    args = ["setup", "--course", str(folder), "--roster", str(roster)]
    if due:
        args += ["--due", f"{modules[0]}={DUE.isoformat()} UTC"]
    cohort_main(args)
    return folder


def questions(folder: Path, module: str = MODULE):
    structure = grading_structure(module_notebooks(folder / "solutions" / module)[0])
    return structure


def _pick(structure, which: str):
    return structure.questions[0] if which == "first" else structure.questions[-1]


def _filled(code: str, folder: Path, values: dict[str, str] | None) -> str:
    for name, value in {"@COURSE@": str(folder.resolve()), **(values or {})}.items():
        code = code.replace(name, value)
    return code


def make_submission(folder: Path, student: str, spec: dict, module: str = MODULE,
                    values: dict[str, str] | None = None) -> Path:
    structure = questions(folder, module)
    release_nb = folder / "modules" / module / structure.path.name
    answered = {q.grade_id for q in structure.questions} if spec.get("answers") == "right" else set()
    notebook = nbcourse.submission_from(release_nb, structure.path, answered)
    if "question_code" in spec:
        qc = dict(spec["question_code"], code=_filled(spec["question_code"]["code"], folder, values))
        target = _pick(structure, qc["question"]).grade_id
        for cell in notebook.cells:
            if nbgrader_meta(cell).get("grade_id") == target:
                if qc["position"] == "replace":
                    cell.source = qc["code"]
                elif qc["position"] == "before":
                    cell.source = qc["code"] + "\n" + cell.source
                else:
                    cell.source = cell.source + "\n" + qc["code"]
    for key, action in (("delete_tests_of", "delete"), ("edit_tests_of", "edit")):
        if key in spec:
            tests = {t.grade_id for t in _pick(structure, spec[key]).tests}
            if action == "delete":
                notebook.cells = [c for c in notebook.cells if nbgrader_meta(c).get("grade_id") not in tests]
            else:
                for cell in notebook.cells:
                    if nbgrader_meta(cell).get("grade_id") in tests:
                        cell.source = "pass"
    _edit_cells(notebook, structure, spec)
    target = folder / "submitted" / student / module
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    name = spec.get("notebook_file", "{name}").format(name=structure.path.name)
    if "notebook_text" in spec:
        (target / name).write_text(spec["notebook_text"], encoding="utf-8")
    elif not spec.get("no_notebook"):
        nbformat.write(notebook, str(target / name))
    for relative, text in (spec.get("extra_files") or {}).items():
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        (target / relative).write_text(text, encoding="utf-8")
    handed_in = DUE + dt.timedelta(days=spec.get("late_days", -1))
    (target / "timestamp.txt").write_text(handed_in.strftime("%Y-%m-%d %H:%M:%S.%f UTC"), encoding="utf-8")
    return target


def _question_cells(notebook, structure, which: str, part: str):
    question = _pick(structure, which)
    ids = {question.grade_id} if part == "solution" else {t.grade_id for t in question.tests}
    return [c for c in notebook.cells if nbgrader_meta(c).get("grade_id") in ids]


def _delete_block(notebook, structure, which: str) -> None:
    """Delete a question: from the cell after the previous question's last test (or the markdown just
    before the first question's solution) to the question's own last test."""
    index = structure.questions.index(_pick(structure, which))
    position = {c.get("id"): i for i, c in enumerate(notebook.cells)}
    last = position[_question_cells(notebook, structure, which, "tests")[-1].get("id")]
    if index == 0:
        first = position[_question_cells(notebook, structure, which, "solution")[0].get("id")]
        while first > 0 and notebook.cells[first - 1].cell_type == "markdown":
            first -= 1
    else:
        earlier = {t.grade_id for t in structure.questions[index - 1].tests}
        first = max(i for i, c in enumerate(notebook.cells) if nbgrader_meta(c).get("grade_id") in earlier) + 1
    del notebook.cells[first:last + 1]


def _edit_cells(notebook, structure, spec: dict) -> None:
    """The recipe's `delete_question`, `empty_notebook` and `edit_meta` edits (in place)."""
    if "edit_meta" in spec:
        edit = spec["edit_meta"]
        changes = dict(edit.get("set") or {})
        if "grade_id_of" in edit:
            changes["grade_id"] = _pick(structure, edit["grade_id_of"]).grade_id
        for cell in _question_cells(notebook, structure, edit["question"], edit["cells"]):
            cell.metadata["nbgrader"].update(changes)
    if "delete_question" in spec:
        _delete_block(notebook, structure, spec["delete_question"])
    if spec.get("empty_notebook"):
        notebook.cells = []


def expected_scores(folder: Path, spec: dict, module: str = MODULE) -> dict[str, float] | None:
    """{test cell grade id: points} the recipe's submission should get, or None if not stated."""
    expect = spec.get("expect", {})
    structure = questions(folder, module)
    if expect.get("zero"):
        return {t.grade_id: 0.0 for q in structure.questions for t in q.tests}
    if "lost" not in expect:
        return None
    lost = {_pick(structure, which).grade_id for which in expect["lost"]}
    return {t.grade_id: (0.0 if q.grade_id in lost else t.points) for q in structure.questions for t in q.tests}
