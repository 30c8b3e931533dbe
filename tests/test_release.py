"""modules/ holds a folder per source module, and the course home is current.

That each module is exactly what nbgrader generates from solutions/ (STYLE practice 1)
is checked on the release the round trip makes anyway (tests/test_grading_roundtrip.py).
"""

from autograder.repo import MODULES
from autograder.home import HOME, home_text
from conftest import MODULE_IDS


def test_every_student_module_has_a_source():
    stale = sorted(p.name for p in MODULES.glob("m*") if p.is_dir() and p.name not in MODULE_IDS)
    assert not stale, f"modules/ has folders with no source in solutions/: {stale}"


def test_course_home_lists_every_notebook_and_is_current():
    assert HOME.is_file(), "START-HERE.ipynb is missing: run `make modules`"
    assert HOME.read_text(encoding="utf-8") == home_text(), "START-HERE.ipynb is stale: run `make modules`"
    for module in MODULE_IDS:
        for notebook in (MODULES / module).glob("*.ipynb"):
            assert f"modules/{module}/{notebook.name}" in HOME.read_text(), f"{notebook.name} is not linked"
