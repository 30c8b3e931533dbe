"""Canaries in a real kernel: an honest notebook runs exactly as without them; tampering is seen.

Each case is a tiny notebook (a locked setup cell, two answers, two tests) run
through nbclient as nbgrader's Execute runs it (errors allowed), with the
grader's canaries put in (`autograder.cohort.canary`). The full pipeline on
m00 (the transformer attack and its variants against stock nbgrader's 11/11)
is in test_cohort_bad_input.py's batch.
"""

from __future__ import annotations

import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_notebook

from autograder.cohort.canary import Canaries

from unit.conftest import graded_cell

# The transformer attack and its rewriting variants (input_transformers_cleanup/post, ast_transformers,
# transform_cell) run on m00 in the cohort batch; these are the rest, one fresh kernel each.
ATTACKS = {
    "set_custom_exc": "get_ipython().set_custom_exc((BaseException,), lambda *args, **kwargs: None)",
    "settrace": "import sys\nsys.settrace(lambda frame, event, arg: None)",
    "builtins": "import builtins\nbuiltins.abs = lambda value: 0",
    "course_helper": "import pmcourse.feedback\npmcourse.feedback.canonical = lambda value, digits=6: 0",
    "rebound_import": "class Fake: pass\npd = Fake()",
    "shadowed_builtin": "def len(thing):\n    return 3",
}
EXPECTED = {  # what the canary names (no entry: "did not run as written": errors hidden or cells rewritten)
    "settrace": "sys.settrace",
    "builtins": "builtins.abs",
    "course_helper": "course helper pmcourse.feedback.canonical",
    "rebound_import": "name pd rebound",
    "shadowed_builtin": "builtin len shadowed",
}


def notebook(attack: str = ""):
    return new_notebook(cells=[
        graded_cell("import pandas as pd\nimport pmcourse\nfrom pmcourse import probe", "setup", locked=True),
        graded_cell((attack + "\n" if attack else "") + "answer = 42", "q1_answer", solution=True),
        graded_cell("assert isinstance(answer, int) and abs(answer - 42) < 1\nprint('q1 ok')", "q1_test",
                    grade=True, locked=True, points=1),
        graded_cell("x = [1]", "q2_answer", solution=True),
        graded_cell("assert len(x) == 3, 'x should hold 3 items'", "q2_test", grade=True, locked=True, points=2),
    ])


def execute(nb):
    NotebookClient(nb, timeout=60, allow_errors=True, kernel_name="python3").execute()
    return nb


def comparable(nb):
    """What nbgrader scores and shows: sources, outputs (tracebacks aside) and execution counts."""
    return [
        (c.source, c.get("execution_count"),
         [{k: v for k, v in o.items() if k != "traceback"} for o in c.get("outputs", [])])
        for c in nb.cells
    ]


def test_an_honest_notebook_runs_exactly_as_without_canaries():
    plain = execute(notebook())
    guarded, canaries = notebook(), Canaries()
    canaries.insert(guarded)
    execute(guarded)
    assert canaries.verify(guarded) is None, [c.outputs for c in guarded.cells]
    assert comparable(guarded) == comparable(plain)
    assert plain.cells[4].outputs[0]["ename"] == "AssertionError", "the honest wrong answer still fails"


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_tampering_is_seen_and_later_tests_get_no_points(attack):
    from nbgrader.utils import determine_grade

    nb, canaries = notebook(ATTACKS[attack]), Canaries()
    canaries.insert(nb)
    execute(nb)
    finding = canaries.verify(nb)
    assert finding is not None, f"{attack}: not seen"
    assert EXPECTED.get(attack, "did not run as written") in finding.what, finding.what
    assert finding.affected == ["q1_test", "q2_test"]
    assert [determine_grade(c)[0] for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")] == [0, 0]

