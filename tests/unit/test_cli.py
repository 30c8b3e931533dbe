"""Every entry point parses its arguments with argparse: a mistyped flag or module id is an error, not ignored."""

from __future__ import annotations

import pytest

from autograder import bench_grading, glossary_tools
from autograder.cli import parse_modules
from autograder.cohort.__main__ import parser as cohort_parser
from autograder.repo import module_ids
from pmcourse import progress


def test_modules_are_checked():
    first = module_ids()[0]
    assert parse_modules("x", "d", [first]) == [first]
    assert parse_modules("x", "d", []) == []
    with pytest.raises(SystemExit):
        parse_modules("x", "d", ["m99_no_such_module"])
    with pytest.raises(SystemExit):
        parse_modules("x", "d", ["--forse"])


@pytest.mark.parametrize("entry, argv", [
    (lambda a: glossary_tools.main(a), ["--chek"]),
    (lambda a: glossary_tools.main(a), ["--write"]),          # --write without --link
    (lambda a: cohort_parser().parse_args(a), ["grade", "--worker", "2"]),
    (lambda a: bench_grading.main(a), ["--student", "3"]),
    (lambda a: progress.main(a), ["--lg", "x.csv"]),
])
def test_mistyped_flags_are_errors(entry, argv, capsys):
    with pytest.raises(SystemExit) as stop:
        entry(argv)
    assert stop.value.code == 2
    assert "error" in capsys.readouterr().err
