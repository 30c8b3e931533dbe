"""modules/ is exactly what nbgrader generates from solutions/ (STYLE practice 1)."""

import filecmp
from pathlib import Path

import pytest

from autograder.repo import MODULES
from autograder.stock_nbgrader import release_all
from autograder.home import HOME, home_text
from conftest import MODULE_IDS


def differences(left: Path, right: Path) -> list[str]:
    found = []
    comparison = filecmp.dircmp(left, right, ignore=[".ipynb_checkpoints", "__pycache__"])
    found += [f"only in the regenerated copy: {left.name}/{name}" for name in comparison.left_only]
    found += [f"only in modules/: {right.name}/{name}" for name in comparison.right_only]
    for name in comparison.common_files:
        if (left / name).read_bytes() != (right / name).read_bytes():
            found.append(f"differs: {right.name}/{name}")
    for name in comparison.common_dirs:
        found += differences(left / name, right / name)
    return found


@pytest.mark.parametrize("module", MODULE_IDS)
def test_module_is_exactly_what_nbgrader_generates_from_solutions(module, tmp_path):
    generated = release_all(tmp_path / "course", [module])
    assert (MODULES / module).is_dir(), f"modules/{module} is missing: run `make modules`"
    problems = differences(generated / module, MODULES / module)
    assert not problems, f"modules/{module} is not in sync with solutions/ (run `make modules`):\n" + "\n".join(problems)


def test_every_student_module_has_a_source():
    stale = sorted(p.name for p in MODULES.glob("m*") if p.is_dir() and p.name not in MODULE_IDS)
    assert not stale, f"modules/ has folders with no source in solutions/: {stale}"


def test_course_home_lists_every_notebook_and_is_current():
    assert HOME.is_file(), "START-HERE.ipynb is missing: run `make modules`"
    assert HOME.read_text(encoding="utf-8") == home_text(), "START-HERE.ipynb is stale: run `make modules`"
    for module in MODULE_IDS:
        for notebook in (MODULES / module).glob("*.ipynb"):
            assert f"modules/{module}/{notebook.name}" in HOME.read_text(), f"{notebook.name} is not linked"
