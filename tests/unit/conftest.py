"""The fast unit tier (`pytest -m unit` or `make unit`): no kernels, no nbgrader runs, tiny notebooks built here."""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/unit/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.unit)


def graded_cell(source: str, grade_id: str, *, solution=False, grade=False, locked=False, points=0, kind="code"):
    """A cell with nbgrader metadata, as nbgrader's generate_assignment writes it (checksum included)."""
    from nbgrader.utils import compute_checksum

    cell = new_code_cell(source) if kind == "code" else new_markdown_cell(source)
    meta = {"grade_id": grade_id, "solution": solution, "grade": grade, "locked": locked, "schema_version": 3}
    if grade:
        meta["points"] = points
    cell.metadata["nbgrader"] = meta
    if grade or locked:
        meta["checksum"] = compute_checksum(cell)
    return cell


def tiny_release():
    """A one-question student notebook: an instruction, a solution cell and one test cell worth 2 points."""
    return new_notebook(cells=[
        graded_cell("# Q1 (2 points)", "q1_text", locked=True, kind="markdown"),
        graded_cell("answer = None  # YOUR CODE HERE", "q1_answer", solution=True),
        graded_cell('"""answer is 42"""\nassert answer == 42', "q1_test", grade=True, locked=True, points=2),
    ])


@pytest.fixture
def release(tmp_path):
    """A released module folder with one notebook and one data file."""
    folder = tmp_path / "release" / "m00"
    folder.mkdir(parents=True)
    nbformat.write(tiny_release(), str(folder / "01_task.ipynb"))
    (folder / "lookup.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    return folder


@pytest.fixture
def submission(tmp_path, release):
    """A submission of `release` with the solution cell answered."""
    folder = tmp_path / "incoming" / "ann" / "m00"
    folder.mkdir(parents=True)
    notebook = nbformat.read(str(release / "01_task.ipynb"), as_version=4)
    notebook.cells[1].source = "answer = 42"
    nbformat.write(notebook, str(folder / "01_task.ipynb"))
    (folder / "timestamp.txt").write_text("2030-01-10 09:00:00.000000 UTC\n", encoding="utf-8")
    return folder
