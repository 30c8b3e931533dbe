"""setup: a roster in any common encoding or one clear refusal; due dates as instants; late penalties at the boundary.

Issue 16 (a Latin-1 roster, a 300-character id) and issue 23 ("Due dates as instants"), run
through the real `python -m autograder.cohort setup` on a course built in milliseconds.
"""

from __future__ import annotations

import datetime as dt

import pytest
from nbgrader.utils import parse_utc

from autograder.cohort.__main__ import main
from autograder.cohort.collect import timestamp_text
from autograder.cohort.late import PerDayLatePenalty
from autograder.cohort.layout import gradebook
from autograder.cohort.roster import DueDateError, RosterError, parse_due, read_roster, utc_text
from intake_course import MODULE, empty_gradebook, make_course  # noqa: F401

UTC = dt.timezone.utc


def run(argv, capsys) -> tuple[int, str, str]:
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def setup(course, capsys, *args) -> tuple[int, str, str]:
    return run(["setup", "--course", str(course.root), "--module", MODULE, *args], capsys)


# The roster --------------------------------------------------------------------------------------
def test_a_latin1_roster_is_read_with_a_note(tmp_path, empty_gradebook, capsys):
    course = make_course(tmp_path / "course", empty_gradebook)
    roster = tmp_path / "roster.csv"
    roster.write_bytes("id,first_name,last_name\ns1,José,Müller\ns2,Zoë,Ångström\n".encode("latin-1"))
    code, out, err = setup(course, capsys, "--roster", str(roster))
    assert code == 0, err
    assert "2 students imported" in out and "read as cp1252" in out and "save the roster as UTF-8" in out
    with gradebook(course) as gb:
        assert {(s.id, s.first_name, s.last_name) for s in gb.students} == {("s1", "José", "Müller"),
                                                                           ("s2", "Zoë", "Ångström")}


def test_a_utf16_roster_with_a_bom_is_read(tmp_path, empty_gradebook, capsys):
    """Excel's "Unicode text" and some LMS exports."""
    course = make_course(tmp_path / "course", empty_gradebook)
    roster = tmp_path / "roster.csv"
    roster.write_bytes("id,first_name\ns1,Łukasz\n".encode("utf-16"))
    code, out, err = setup(course, capsys, "--roster", str(roster))
    assert code == 0 and "read as" not in out, (out, err)
    with gradebook(course) as gb:
        assert [s.first_name for s in gb.students] == ["Łukasz"]


@pytest.mark.parametrize("case, content, expected", [
    ("id with an escape", "id\ns1\x1b[2J\n", "not usable as a folder name"),
    ("repeated LMS id", "id,lms_user_id\ns1,77\ns2,77\n", "lms_user_id '77' appears twice"),
    ("no id column", "name\nAnn\n", "needs an 'id' column"),
    ("NUL bytes", "id\ns1\x00\n", "contains NUL bytes"),
])
def test_an_unusable_roster_is_refused_with_what_to_do(tmp_path, case, content, expected):
    roster = tmp_path / "roster.csv"
    roster.write_text(content, encoding="utf-8")
    with pytest.raises(RosterError) as error:
        read_roster(roster)
    assert expected in str(error.value) and "\x1b" not in str(error.value), error.value


def test_a_300_character_id_is_one_line_and_exit_2(tmp_path, empty_gradebook, capsys):
    """Refused at import: it would end as `OSError: File name too long` during grade."""
    course = make_course(tmp_path / "course", empty_gradebook)
    roster = tmp_path / "roster.csv"
    roster.write_text("id,first_name\nok1,A\n" + "a" * 300 + ",B\n", encoding="utf-8")
    code, out, err = setup(course, capsys, "--roster", str(roster))
    assert code == 2 and not out, (code, out, err)
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert "line 3: id 'aaaaaaaaaaaaaaaaaaaa'... is 300 characters long" in err and "at most 100 characters" in err
    assert err.strip().endswith("correct the roster and run setup again"), err
    with gradebook(course) as gb:
        assert not gb.students, "nothing is imported from a refused roster"


def test_a_missing_roster_is_one_line_and_exit_2(tmp_path, empty_gradebook, capsys):
    course = make_course(tmp_path / "course", empty_gradebook)
    code, out, err = setup(course, capsys, "--roster", str(tmp_path / "nope.csv"))
    assert code == 2 and "cannot be read" in err and len(err.strip().splitlines()) == 1, err


# Due dates as instants ---------------------------------------------------------------------------
@pytest.mark.parametrize("given, utc", [
    ("2025-03-07T23:59+01:00", "2025-03-07 22:59:00 UTC"),
    ("2025-03-07 23:59:30-05:00", "2025-03-08 04:59:30 UTC"),
    ("2025-03-07 23:59 -05:00", "2025-03-08 04:59:00 UTC"),
    ("2025-03-07T22:59Z", "2025-03-07 22:59:00 UTC"),
    ("2025-03-07T23:59 Europe/Berlin", "2025-03-07 22:59:00 UTC"),
    ("2025-07-07T23:59 Europe/Berlin", "2025-07-07 21:59:00 UTC"),  # summer time
    ("2025-03-07T23:59 America/New_York", "2025-03-08 04:59:00 UTC"),
    ("2025-03-07 23:59 UTC", "2025-03-07 23:59:00 UTC"),
])
def test_accepted_due_dates_are_one_utc_instant(given, utc):
    assert utc_text(parse_due(given)) == utc


def test_setup_stores_and_prints_the_utc_instant(tmp_path, empty_gradebook, capsys):
    course = make_course(tmp_path / "course", empty_gradebook)
    code, out, err = setup(course, capsys, "--due", f"{MODULE}=2025-03-07T23:59 Europe/Berlin")
    assert code == 0, err
    assert f"due dates (stored in UTC): {MODULE} 2025-03-07 22:59:00 UTC" in out, out
    with gradebook(course) as gb:
        assert gb.find_assignment(MODULE).duedate == dt.datetime(2025, 3, 7, 22, 59)  # nbgrader keeps naive UTC


@pytest.mark.parametrize("given, why", [
    ("2025-03-07T23:59+0100", "need a colon"),
    ("2025-03-07 23:59", "no UTC offset or zone name"),
    ("2025-03-07T23:59 CET", "abbreviations are ambiguous"),
    ("2025-03-07T23:59 Mars/Olympus_Mons", "not a known time zone"),
    ("2025-03-30T02:30 Europe/Berlin", "happens twice or never"),  # spring forward: never
    ("2025-10-26T02:30 Europe/Berlin", "happens twice or never"),  # fall back: twice
    ("2025-02-30T12:00Z", "day is out of range"),
    ("2025-03-07T23:59+01:00 Europe/Berlin", "not both"),
    ("next friday", "not an ISO 8601"),
])
def test_ambiguous_due_dates_are_refused_with_the_accepted_forms(given, why):
    with pytest.raises(DueDateError) as error:
        parse_due(given)
    assert why in str(error.value), error.value
    assert "2025-03-07T23:59+01:00" in str(error.value) and "2025-03-07T23:59 Europe/Berlin" in str(error.value)


def test_the_old_readme_due_date_is_one_line_and_exit_2(tmp_path, empty_gradebook, capsys):
    """`23:59 +0100` went through nbgrader's parse_utc as 100 seconds east of UTC: 58 minutes off."""
    course = make_course(tmp_path / "course", empty_gradebook)
    code, out, err = setup(course, capsys, "--due", f"{MODULE}=2025-03-07 23:59 +0100")
    assert code == 2 and not out, (code, out, err)
    assert len(err.strip().splitlines()) == 1, err
    assert "the offset '+0100' has no colon (nbgrader reads +0100 as 100 seconds): write +01:00" in err, err
    assert "2025-03-07T23:59+01:00" in err and "2025-03-07T23:59 Europe/Berlin" in err, "the accepted forms are shown"
    with gradebook(course) as gb:
        assert gb.find_assignment(MODULE).duedate is None


@pytest.mark.parametrize("item, why", [("m00_orientation", "expected MODULE=WHEN"),
                                       ("m99_nothing=2025-03-07T23:59Z", "not a module of this course")])
def test_a_malformed_due_item_is_refused(tmp_path, empty_gradebook, capsys, item, why):
    course = make_course(tmp_path / "course", empty_gradebook)
    code, out, err = setup(course, capsys, "--due", item)
    assert code == 2 and why in err and len(err.strip().splitlines()) == 1, err


def test_all_stops_at_a_refused_due_date(tmp_path, empty_gradebook, capsys):
    """`all` must not go on to grade with a due date it could not set."""
    course = make_course(tmp_path / "course", empty_gradebook)
    code, out, err = run(["all", "--course", str(course.root), "--module", MODULE, "--due", f"{MODULE}=2025-03-07 23:59"],
                         capsys)
    assert code == 2 and "== setup" in out and "== grade" not in out, (code, out, err)
    assert "no UTC offset or zone name" in err


ZONES = {  # a due date given as the instructor would, in three zones; days around daylight-saving changes
    "Europe/Berlin": "2030-03-30T23:59 Europe/Berlin",  # summer time starts the next night
    "America/New_York": "2030-11-02T23:59 America/New_York",  # standard time starts the next night
    "Asia/Kolkata": "2030-01-10T23:59 Asia/Kolkata",  # UTC+05:30, no daylight saving
}
LATE = [  # seconds late after the due instant -> share of the score taken off
    (-1, 0.0), (0, 0.0), (1, 0.1), (86_400, 0.1), (86_401, 0.2), (7 * 86_400, 0.7), (7 * 86_400 + 1, 1.0),
]


@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")  # nbgrader's own session noise
@pytest.mark.parametrize("zone", sorted(ZONES))
def test_late_penalties_around_the_boundary_in_three_zones(tmp_path, empty_gradebook, capsys, zone):
    """The due instant is set by setup; submission times are what collect writes; nbgrader computes the lateness."""
    course = make_course(tmp_path / "course", empty_gradebook, ["s1"])
    code, out, err = setup(course, capsys, "--due", f"{MODULE}={ZONES[zone]}")
    assert code == 0, err
    local = dt.datetime.fromisoformat(ZONES[zone].split()[0])
    from zoneinfo import ZoneInfo

    due = local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
    plugin = PerDayLatePenalty()
    got = {}
    with gradebook(course) as gb:
        for seconds, _ in LATE:
            handed_in = parse_utc(timestamp_text(due + dt.timedelta(seconds=seconds)))  # as nbgrader reads timestamp.txt
            submission = gb.update_or_create_submission(MODULE, "s1", timestamp=handed_in)
            late = submission.total_seconds_late
            got[seconds] = plugin.late_submission_penalty("s1", 10.0, late) / 10.0
    assert got == {seconds: share for seconds, share in LATE}, f"{zone}: {got}"
