"""Shared lists of what the tests walk over (modules and notebooks), and how xdist shares them out."""

import pytest
from xdist.scheduler import LoadFileScheduling

from autograder.repo import MODULES, SOLUTIONS, module_ids
from pmcourse.notebook import module_notebooks

MODULE_IDS = module_ids()
SOLUTION_NOTEBOOKS = [nb for module in MODULE_IDS for nb in module_notebooks(SOLUTIONS / module)]
STUDENT_NOTEBOOKS = [nb for module in MODULE_IDS for nb in module_notebooks(MODULES / module)]


def notebook_id(path) -> str:
    return f"{path.parent.name}/{path.name}"


def marked_regions(source: str, begin: str, end: str) -> list[str]:
    """The non-blank lines (stripped) between `begin` and `end` marker lines, e.g. BEGIN/END HIDDEN TESTS."""
    lines, inside, found = source.splitlines(), False, []
    for line in lines:
        if begin in line:
            inside = True
        elif end in line:
            inside = False
        elif inside and line.strip():
            found.append(line.strip())
    return found


# `make test` runs `--dist loadfile`: each file goes whole to one worker (nbval runs a notebook's
# cells in order, in one kernel). These files hold one expensive run per parameter (a notebook)
# and take minutes: they go out one parameter at a time, so both workers share them.
SPREAD_BY_PARAMETER = {"tests/test_solution_runs.py"}


class FileOrParameterScheduling(LoadFileScheduling):
    """`--dist loadfile`, except that the files in SPREAD_BY_PARAMETER are split by parameter."""

    def _split_scope(self, nodeid: str) -> str:
        path = nodeid.split("::")[0]
        if path in SPREAD_BY_PARAMETER and nodeid.endswith("]"):
            return path + nodeid[nodeid.index("["):]
        return path


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") == "loadfile":
        return FileOrParameterScheduling(config, log)
    return None
