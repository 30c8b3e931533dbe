"""A course for collect, setup and export tests in milliseconds: no nbgrader release, one gradebook built per session.

The gradebook is nbgrader's own (`nbgrader.api.Gradebook`), created once per session (with the
schema version read in-process, `layout.stamp_if_new`), and each test copies that empty gradebook.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from autograder.cohort.layout import Course, gradebook
from autograder.repo import REPO_ROOT

MODULE = "m00_orientation"
NOTEBOOK = "01_orientation.ipynb"


@pytest.fixture(scope="session")
def empty_gradebook(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("gradebook")
    shutil.copy(REPO_ROOT / "nbgrader_config.py", folder / "nbgrader_config.py")
    with gradebook(Course(folder)):
        pass
    return folder / "gradebook.db"


def student_notebook(marker: str = "") -> bytes:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(f"# m00 {marker}")])
    return nbformat.writes(notebook).encode()


def make_course(folder: Path, empty_gradebook: Path, students=(), released=(MODULE,)) -> Course:
    """A course folder with `released` modules (one notebook and a data file each) and these students.

    `students`: ids, or (id, first_name, last_name, email, lms_user_id) tuples.
    """
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO_ROOT / "nbgrader_config.py", folder / "nbgrader_config.py")
    shutil.copy(empty_gradebook, folder / "gradebook.db")
    for module in (MODULE, "m01_market_research"):
        (folder / "solutions" / module).mkdir(parents=True, exist_ok=True)
    course = Course(folder)
    with gradebook(course) as gb:
        for module in released:
            release = folder / "modules" / module
            release.mkdir(parents=True, exist_ok=True)
            (release / NOTEBOOK).write_bytes(student_notebook())
            (release / "lookup.csv").write_text("a,b\n1,2\n", encoding="utf-8")
            gb.update_or_create_assignment(module)
        for student in students:
            sid, *fields = (student,) if isinstance(student, str) else student
            names = dict(zip(("first_name", "last_name", "email", "lms_user_id"), fields))
            gb.update_or_create_student(sid, **names)
    return course
