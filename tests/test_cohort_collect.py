"""Collecting submissions from an LMS zip and from folders: file names mapped to students, problems reported."""

import zipfile

import nbformat
import pytest

from autograder.cohort.collect import Matcher, collect
from autograder.cohort.layout import Course
from autograder.cohort.roster import RosterError, Student, import_students, read_roster
from cohort_fixtures import MODULE, build_course

STUDENTS = ["s0", "s1", "s2", "s3", "s4"]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = Course(build_course(tmp_path_factory.mktemp("cohort_collect"), STUDENTS, due=False))
    import_students(course, [Student("s0", "First0", "Last0", "s0@example.org", "12345"),
                             Student("s1", "First1", "Last1", "s1@example.org", "999")])  # LMS ids: Canvas, Moodle
    return course


def notebook_bytes(course: Course, marker: str) -> bytes:
    notebook = nbformat.read(str(next((course.release / MODULE).glob("*.ipynb"))), as_version=4)
    notebook.cells[0].source += f"\n<!-- {marker} -->"
    return nbformat.writes(notebook).encode()


def test_lms_zip_is_mapped_to_students_with_a_report(course, tmp_path):
    name = next((course.release / MODULE).glob("*.ipynb")).name
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(zipfile.ZipInfo(f"last0first0_12345_678_{name}", (2030, 1, 10, 9, 0, 0)), notebook_bytes(course, "s0"))
        zf.writestr(zipfile.ZipInfo(f"First1 Last1_999_assignsubmission_file_Copy of {name}", (2030, 1, 10, 9, 0, 0)),
                    notebook_bytes(course, "s1"))
        zf.writestr(zipfile.ZipInfo(f"s2_{name}", (2030, 1, 10, 9, 0, 0)), notebook_bytes(course, "s2-old"))
        zf.writestr(zipfile.ZipInfo(f"s2_{name[:-6]}-1.ipynb", (2030, 1, 11, 9, 0, 0)), notebook_bytes(course, "s2-new"))
        zf.writestr(zipfile.ZipInfo("s2_helper.py", (2030, 1, 11, 9, 0, 0)), b"x = 1\n")
        zf.writestr(zipfile.ZipInfo(f"nobody_{name}", (2030, 1, 10, 9, 0, 0)), notebook_bytes(course, "?"))
        zf.writestr(zipfile.ZipInfo("__MACOSX/._junk", (2030, 1, 10, 9, 0, 0)), b"")
    report = collect(course, archive, MODULE)
    assert sorted(report.copied) == ["s0", "s1", "s2"], report.text()
    assert report.unmatched == [f"nobody_{name}"], report.text()
    assert len(report.duplicates) == 1 and "s2" in report.duplicates[0] and "-1.ipynb" in report.duplicates[0].split("ignored")[0]
    assert report.no_file == ["s3", "s4"]
    for student in ("s0", "s1", "s2"):
        files = sorted(p.name for p in (course.submitted / student / MODULE).iterdir())
        assert name in files and "timestamp.txt" in files, files
    assert "s2-new" in (course.submitted / "s2" / MODULE / name).read_text()
    assert (course.submitted / "s2" / MODULE / "helper.py").is_file()
    assert "2030-01-11 09:00:00" in (course.submitted / "s2" / MODULE / "timestamp.txt").read_text()
    again = collect(course, archive, MODULE)
    assert not again.copied and sorted(again.unchanged) == ["s0", "s1", "s2"], "collecting twice changed files"


def test_submitted_style_folder(course, tmp_path):
    name = next((course.release / MODULE).glob("*.ipynb")).name
    for student in ("s3", "stranger"):
        (tmp_path / student / MODULE).mkdir(parents=True)
        (tmp_path / student / MODULE / name).write_bytes(notebook_bytes(course, student))
    report = collect(course, tmp_path, MODULE)
    assert sorted(report.copied) == ["s3", "stranger"]
    assert report.not_on_roster == [f"stranger ({MODULE})"]


def test_matcher_uses_the_lms_id_field_only():
    matcher = Matcher([Student("ann1", "Ann", "Lee", "ann@x.org", "77"), Student("bob2", "Bob", "Lee", "bob@x.org", "88")])
    assert matcher.match("leeann_77_5001_01.ipynb") == ["ann1"]  # Canvas: the user id field
    assert matcher.match("leeann_77_5001_bob2_88_01.ipynb") == ["ann1"]  # what follows is the student's own name
    assert matcher.match("Bob Lee_88_assignsubmission_file_ann1.ipynb") == ["bob2"]  # Moodle: the participant id
    assert matcher.match("bob@x.org-01.ipynb") == []  # an e-mail or a name typed into a file name is not an id
    assert matcher.match("leeann_01.ipynb") == []
    assert matcher.match("ann1_01.ipynb") == ["ann1"]  # a file named by roster id (an instructor's naming)
    assert matcher.match("ann1/bob2_01.ipynb") == ["ann1"]  # a folder per student: the folder decides
    assert matcher.match("download/Bob Lee_88_assignsubmission_file/ann1/x.ipynb") == ["bob2"]  # Moodle's folders
    assert matcher.match("download/Eve_5_assignsubmission_file/ann1/x.ipynb") == []  # and never what is inside


def test_roster_problems_are_all_reported(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("id,first_name\nok1,A\nbad id,B\nok1,C\n", encoding="utf-8")
    with pytest.raises(RosterError) as error:
        read_roster(roster)
    assert "line 3" in str(error.value) and "line 4" in str(error.value)


def test_folder_times_are_recorded_in_utc_on_a_non_utc_machine(course, tmp_path, monkeypatch):
    """A file handed in at 09:00 UTC is 09:00 UTC in timestamp.txt, whatever this machine's zone (here +05:30)."""
    import datetime as dt
    import os
    import time

    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    try:
        name = next((course.release / MODULE).glob("*.ipynb")).name
        file = tmp_path / f"s4_{name}"
        file.write_bytes(notebook_bytes(course, "s4-tz"))
        handed_in = dt.datetime(2030, 1, 10, 9, 0, 0, tzinfo=dt.timezone.utc).timestamp()
        os.utime(file, (handed_in, handed_in))
        collect(course, tmp_path, MODULE)
    finally:
        monkeypatch.undo()
        time.tzset()
    stamp = (course.submitted / "s4" / MODULE / "timestamp.txt").read_text().strip()
    assert stamp == "2030-01-10 09:00:00.000000 UTC"


def test_unknown_module_is_an_error_not_an_exit(course, tmp_path, monkeypatch):
    from autograder.cohort import collect as collect_module
    from autograder.cohort.collect import CollectError

    monkeypatch.setattr(collect_module, "released_modules", lambda _: [MODULE, "m01_other"])
    (tmp_path / "s0_notes.md").write_text("x")
    with pytest.raises(CollectError, match="--module"):
        collect(course, tmp_path)
