"""Shared lists of what the tests walk over: modules and notebooks."""

from autograder.repo import MODULES, SOLUTIONS, module_ids
from pmcourse.notebook import module_notebooks

MODULE_IDS = module_ids()
SOLUTION_NOTEBOOKS = [nb for module in MODULE_IDS for nb in module_notebooks(SOLUTIONS / module)]
STUDENT_NOTEBOOKS = [nb for module in MODULE_IDS for nb in module_notebooks(MODULES / module)]


def notebook_id(path) -> str:
    return f"{path.parent.name}/{path.name}"
