"""Prose numbers: registered ones are checked in the reader's state, unregistered ones are found."""

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder.prose_check import ProseNumber, ProseRegistry, texts_not_in_markdown, unregistered_numbers
from autograder.solution_run import run_solution


def tiny_notebook():
    return new_notebook(
        cells=[
            new_code_cell("done, total = 3, 8"),
            new_markdown_cell("Reading it: 3 of 8 high-priority tasks are done (38 %).\nWe use a 95 % interval."),
            new_code_cell("done = 5  # later cells change the state"),
            new_markdown_cell("Now 5 of 8, and `0.25` in code is not prose."),
        ]
    )


def test_unregistered_numbers_are_found_and_registered_or_conventional_ones_are_not():
    notebook = tiny_notebook()
    assert [n for _, n in unregistered_numbers(notebook, ProseRegistry())] == ["3 of 8", "38 %", "95 %", "5 of 8"]
    registry = ProseRegistry(
        [ProseNumber("3 of 8 high-priority tasks are done (38 %)", "..."), ProseNumber("5 of 8", "...")],
        conventions=["95 %"],
    )
    assert unregistered_numbers(notebook, registry) == []
    assert texts_not_in_markdown(notebook, ProseRegistry([ProseNumber("4 of 8", "...")])) == ["4 of 8"]


def test_each_number_is_checked_in_the_state_where_it_is_read(tmp_path):
    path = tmp_path / "tiny.ipynb"
    nbformat.write(tiny_notebook(), path)
    numbers = [
        ProseNumber("3 of 8", "f'{done} of {total}'"),  # read before `done = 5` runs
        ProseNumber("5 of 8", "f'{done} of {total}'"),  # read after it (text after the last code cell)
        ProseNumber("38 %", "f'{done / total:.0%}'.replace('%', ' %')"),
        ProseNumber("95 %", "f'{undefined_name}'"),
    ]
    run = run_solution(path, {}, numbers)
    verdicts = {r.number.text: (r.right, r.got) for r in run.prose_results}
    assert verdicts["3 of 8"] == (True, "3 of 8")
    assert verdicts["5 of 8"] == (True, "5 of 8")
    assert verdicts["38 %"] == (True, "38 %")
    assert verdicts["95 %"][0] is False, "an expression that fails is not a match"
    wrong = run_solution(path, {}, [ProseNumber("3 of 8", "f'{done + 1} of {total}'")]).prose_results[0]
    assert (wrong.right, wrong.got) == (False, "4 of 8")
