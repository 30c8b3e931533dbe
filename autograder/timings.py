"""Benchmark: how long each solution notebook takes, top to bottom (`make bench-notebooks`).

The module standard asks for under 30 s a notebook and no cell over 5 s on a
2-core machine. This prints the figures; it asserts nothing, so a busy
machine cannot make a test flake.
"""

from __future__ import annotations

import sys

from autograder.cli import parse_modules
from autograder.repo import SOLUTIONS, module_ids
from pmcourse.notebook import module_notebooks
from autograder.solution_run import run_solution

NOTEBOOK_BUDGET_S = 30.0
CELL_BUDGET_S = 5.0


def main(only: list[str]) -> None:
    print(f"{'notebook':58} {'total_s':>8} {'slowest_cell':>13} {'cell_s':>7}  within_budget")
    for module in only or module_ids():
        for notebook in module_notebooks(SOLUTIONS / module):
            run = run_solution(notebook, {})
            index, slowest = max(run.cell_seconds, key=lambda pair: pair[1])
            ok = run.total_seconds <= NOTEBOOK_BUDGET_S and slowest <= CELL_BUDGET_S
            name = f"{module}/{notebook.name}"
            print(f"{name:58} {run.total_seconds:8.2f} {index:13d} {slowest:7.2f}  {str(ok).lower()}")


if __name__ == "__main__":
    main(parse_modules("python -m autograder.timings", __doc__.splitlines()[0], sys.argv[1:]))
