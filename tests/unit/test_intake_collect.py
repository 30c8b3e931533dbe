"""collect trusts nothing it is given: links, zip bombs, impostor file names, escape sequences, bad archives.

Each case is the hostile or broken input from issue 16 (and the Canvas `-2` suffix from issue
23), run through `collect` or the real command line on a course built in milliseconds
(`intake_course.py`: no nbgrader release, no kernel).
"""

from __future__ import annotations

import os
import struct
import time
import tracemalloc
import zipfile
import zlib

import pytest

from autograder.cohort.__main__ import main
from autograder.cohort.collect import Limits, collect
from autograder.cohort.outcomes import Event, Outcome, describe
from intake_course import MODULE, NOTEBOOK, empty_gradebook, make_course, student_notebook  # noqa: F401

ESC = "\x1b"
SECRET = "-----BEGIN OPENSSH PRIVATE KEY----- grader's own"


@pytest.fixture
def secret(tmp_path):
    """A file of the grader's, outside every submission (what `key.txt -> ~/.ssh/id_rsa` points at)."""
    folder = tmp_path / "grader_home"
    (folder / ".ssh").mkdir(parents=True)
    (folder / ".ssh" / "id_rsa").write_text(SECRET, encoding="utf-8")
    return folder


def everything_under(folder) -> str:
    return "".join(p.read_text(errors="replace") for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def run(argv, capsys) -> tuple[int, str, str]:
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


# Links -------------------------------------------------------------------------------------------
def test_a_link_in_a_flat_folder_is_copied_as_nothing(tmp_path, empty_gradebook, secret):
    course = make_course(tmp_path / "course", empty_gradebook, ["s1"])
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    (incoming / f"s1_{NOTEBOOK}").write_bytes(student_notebook("s1"))
    (incoming / "s1_key.txt").symlink_to(secret / ".ssh" / "id_rsa")
    (incoming / "s1_home").symlink_to(secret, target_is_directory=True)
    report = collect(course, incoming, MODULE)
    assert sorted(report.copied) == ["s1"], report.text()
    assert SECRET not in everything_under(course.submitted), "a link's target was copied into submitted/"
    assert sorted(report.links) == ["s1_home", "s1_key.txt"], report.text()
    assert "symbolic links (copied as nothing): 2" in report.text()


def test_a_link_in_a_submitted_style_folder_is_copied_as_nothing(tmp_path, empty_gradebook, secret):
    course = make_course(tmp_path / "course", empty_gradebook, ["s1"])
    folder = tmp_path / "incoming" / "s1" / MODULE
    folder.mkdir(parents=True)
    (folder / NOTEBOOK).write_bytes(student_notebook("s1"))
    (folder / "key.txt").symlink_to(secret / ".ssh" / "id_rsa")
    (folder / "home").symlink_to(secret, target_is_directory=True)
    report = collect(course, tmp_path / "incoming", MODULE)
    assert sorted(report.copied) == ["s1"], report.text()
    assert sorted(p.name for p in (course.submitted / "s1" / MODULE).iterdir()) == [NOTEBOOK]
    assert SECRET not in everything_under(course.submitted)
    assert sorted(report.links) == [f"s1/{MODULE}/home", f"s1/{MODULE}/key.txt"], report.text()


def test_a_fifo_is_refused_not_read(tmp_path, empty_gradebook):
    """Reading a named pipe would hang collect forever."""
    course = make_course(tmp_path / "course", empty_gradebook, ["s1"])
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    (incoming / f"s1_{NOTEBOOK}").write_bytes(student_notebook("s1"))
    os.mkfifo(incoming / "s1_pipe")
    report = collect(course, incoming, MODULE)
    assert report.refused == ["s1_pipe: not a regular file"] and sorted(report.copied) == ["s1"]


# Zip bombs and limits ----------------------------------------------------------------------------
def zeros_bomb(path, name: str, gigabytes: int = 1) -> None:
    """A real zip whose one entry inflates to `gigabytes` GiB of zeros (about 1 MB on disk), made in well under a second.

    After a full flush a deflate stream forgets its history, so every 1 MiB of zeros compresses
    to the same bytes: the entry is that block repeated, with the true CRC and sizes.
    """
    zeros, mib = bytes(1 << 20), 1024 * gigabytes
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = deflate.compress(zeros) + deflate.flush(zlib.Z_FULL_FLUSH)
    data = block * mib + deflate.flush()
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(zeros, crc)
    size, raw = mib << 20, name.encode()
    stamp = (12 << 11, (2030 - 1980) << 9 | 1 << 5 | 10)  # 12:00, 2030-01-10
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, *stamp, crc, len(data), size, len(raw), 0) + raw
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0x314, 20, 0, 8, *stamp, crc, len(data), size,
                          len(raw), 0, 0, 0, 0, 0o100644 << 16, 0) + raw
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), len(local) + len(data), 0)
    path.write_bytes(local + data + central + end)


def test_a_zip_bomb_is_refused_before_it_is_expanded(tmp_path, empty_gradebook):
    """1 MB that inflates to 1 GB: refused from the zip's directory, in little time and memory, never copied."""
    course = make_course(tmp_path / "course", empty_gradebook, ["s1", "s2"])
    archive = tmp_path / "bomb.zip"
    zeros_bomb(archive, f"s1_{NOTEBOOK}")
    assert archive.stat().st_size < 1.1e6
    with zipfile.ZipFile(archive) as zf:
        assert zf.infolist()[0].file_size == 1 << 30  # a well-formed zip: any unzip tool would expand it
    tracemalloc.start()
    started = time.perf_counter()
    try:
        report = collect(course, archive, MODULE)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 20
    assert peak < 64 << 20, f"collect used {peak >> 20} MB on a 1 MB zip"
    assert not report.copied and not (course.submitted / "s1").exists(), report.text()
    (line,) = report.refused
    assert line.startswith(f"s1_{NOTEBOOK}: expands to 1,024 MB") and "zip bomb" in line, line
    assert "ask the student" in line


def test_a_highly_compressed_entry_under_the_size_limit_is_refused(tmp_path, empty_gradebook):
    course = make_course(tmp_path / "course", empty_gradebook, ["s1"])
    archive = tmp_path / "ratio.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"s1_{NOTEBOOK}", student_notebook("s1"))
        zf.writestr("s1_data.csv", bytes(50 << 20))  # 50 MB of zeros: ~1000:1
    report = collect(course, archive, MODULE)
    assert not report.copied.get("s1") or "data.csv" not in report.copied["s1"]
    assert any(r.startswith("s1_data.csv: compressed") and "zip bomb" in r for r in report.refused), report.text()
    assert not (course.submitted / "s1" / MODULE / "data.csv").exists()


def test_an_overlong_entry_name_is_refused_quickly(tmp_path, empty_gradebook):
    """Zip names may be 65,535 characters: such a name is refused, not scanned by the LMS patterns."""
    course = make_course(tmp_path / "course", empty_gradebook, ["s1"])
    archive = tmp_path / "long.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(f"s1_{NOTEBOOK}", student_notebook("s1"))
        zf.writestr("a" * 60_000 + "_1_", b"x")
    started = time.perf_counter()
    report = collect(course, archive, MODULE)
    assert time.perf_counter() - started < 20
    assert sorted(report.copied) == ["s1"] and len(report.refused) == 1, report.text()
    assert report.refused[0].endswith("a name over 255 characters (no file system takes it)")


def test_a_zip_with_too_many_entries_is_refused_whole(tmp_path, empty_gradebook, capsys):
    course = make_course(tmp_path / "course", empty_gradebook, ["s1"])
    archive = tmp_path / "many.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for i in range(Limits().files + 1):
            zf.writestr(f"s1_f{i}.txt", b"")
    code, out, err = run(["collect", "--course", str(course.root), "--module", MODULE, str(archive)], capsys)
    assert code == 2 and not out and len(err.strip().splitlines()) == 1, (code, out, err)
    assert "entries, over the limit" in err
    assert not course.submitted.exists()


def test_a_file_that_grows_past_the_limit_while_copied_is_not_installed(tmp_path, empty_gradebook, monkeypatch):
    """The limit holds while copying too (a size that lies, or a file that grows), and the student is not half-copied."""
    from autograder.cohort import collect as collect_module

    course = make_course(tmp_path / "course", empty_gradebook, ["s1"])
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    (incoming / f"s1_{NOTEBOOK}").write_bytes(student_notebook("s1"))
    (incoming / "s1_big.csv").write_bytes(b"x" * 1000)
    listed = collect_module._from_folder

    def grows_after_listing(path, limits, report):
        files = listed(path, limits, report)
        (incoming / "s1_big.csv").write_bytes(b"x" * 5000)  # listed at 1000 bytes, 5000 when copied
        return files

    monkeypatch.setattr(collect_module, "_from_folder", grows_after_listing)
    report = collect(course, incoming, MODULE, limits=Limits(file_bytes=2000))
    assert not report.copied and not (course.submitted / "s1").exists(), report.text()
    assert any("limit while copying" in r and "s1 not copied" in r for r in report.refused), report.refused


# Bad input: one clear line, exit 2 ---------------------------------------------------------------
@pytest.mark.parametrize("case", ["not_a_zip", "zero_bytes", "dot_dot_entry", "missing"])
def test_a_bad_source_is_one_line_and_exit_2(tmp_path, empty_gradebook, capsys, case):
    course = make_course(tmp_path / "course", empty_gradebook, ["s1"])
    source = tmp_path / "download.zip"
    if case == "not_a_zip":
        source = tmp_path / "download.tar.gz"
        source.write_bytes(b"\x1f\x8b\x08\x00 not a zip at all")
    elif case == "zero_bytes":
        source.write_bytes(b"")
    elif case == "dot_dot_entry":
        with zipfile.ZipFile(source, "w") as zf:
            zf.writestr(f"s1_{NOTEBOOK}", student_notebook("s1"))
            zf.writestr("..", b"payload")
    code, out, err = run(["collect", "--course", str(course.root), "--module", MODULE, str(source)], capsys)
    assert code == 2 and not out, (code, out, err)
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    expected = {"not_a_zip": "not a readable zip archive", "zero_bytes": "is empty (0 bytes)",
                "dot_dot_entry": "an entry named '..'", "missing": "does not exist"}[case]
    assert expected in err, err
    assert not course.submitted.exists(), "a refused source must copy nothing"


def test_collect_for_a_module_never_released_is_one_line_and_exit_2(tmp_path, empty_gradebook, capsys):
    course = make_course(tmp_path / "course", empty_gradebook, ["s1"])
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    (incoming / f"s1_{NOTEBOOK}").write_bytes(student_notebook("s1"))
    code, out, err = run(["collect", "--course", str(course.root), "--module", "m01_market_research",
                          str(incoming)], capsys)
    assert code == 2 and not out and len(err.strip().splitlines()) == 1, (code, out, err)
    assert "'m01_market_research' is not released" in err and "setup --module m01_market_research" in err


# Matching only by the LMS's own id ---------------------------------------------------------------
ROSTER = [("s1", "Jane", "Doe", "jane@example.org", "4242"), ("s2", "Mallory", "Evil", "m@example.org", "777"),
          ("s3", "Bob", "Lee", "bob@example.org", "5555")]


def moodle_zip(path, files: dict[str, tuple[bytes, tuple]]) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        for name, (data, when) in files.items():
            zf.writestr(zipfile.ZipInfo(name, when), data)


def test_a_file_named_after_another_student_goes_to_its_uploader(tmp_path, empty_gradebook):
    """Moodle: Mallory uploads a blank notebook named with Jane's roster id and name, later than Jane's own."""
    course = make_course(tmp_path / "course", empty_gradebook, ROSTER)
    archive = tmp_path / "moodle.zip"
    moodle_zip(archive, {
        f"Jane Doe_4242_assignsubmission_file_{NOTEBOOK}": (student_notebook("jane-real"), (2030, 1, 10, 9, 0, 0)),
        f"Mallory Evil_777_assignsubmission_file_s1_Jane Doe_4242_{NOTEBOOK}":
            (student_notebook("blank-by-mallory"), (2030, 1, 10, 10, 0, 0)),
    })
    report = collect(course, archive, MODULE)
    assert sorted(report.copied) == ["s1", "s2"], report.text()
    assert not report.duplicates and not report.ambiguous and not report.conflicts, report.text()
    assert "jane-real" in (course.submitted / "s1" / MODULE / NOTEBOOK).read_text()
    assert "blank-by-mallory" in (course.submitted / "s2" / MODULE / NOTEBOOK).read_text()


def test_an_uploader_not_on_the_roster_cannot_replace_a_students_file(tmp_path, empty_gradebook):
    course = make_course(tmp_path / "course", empty_gradebook, ROSTER)
    archive = tmp_path / "moodle.zip"
    moodle_zip(archive, {
        f"Jane Doe_4242_assignsubmission_file_{NOTEBOOK}": (student_notebook("jane-real"), (2030, 1, 10, 9, 0, 0)),
        f"Eve Outsider_999_assignsubmission_file_s1_{NOTEBOOK}": (student_notebook("blank"), (2030, 1, 10, 10, 0, 0)),
        f"janedoe_{NOTEBOOK}": (student_notebook("blank"), (2030, 1, 10, 10, 0, 0)),
    })
    report = collect(course, archive, MODULE)
    assert sorted(report.copied) == ["s1"] and not report.duplicates, report.text()
    assert "jane-real" in (course.submitted / "s1" / MODULE / NOTEBOOK).read_text()
    assert report.unmatched == [
        f"Eve Outsider_999_assignsubmission_file_s1_{NOTEBOOK} (Moodle participant id 999 is no student's "
        "lms_user_id: add it to the roster and run setup again)",
        f"janedoe_{NOTEBOOK}",
    ], report.text()


def test_canvas_files_match_by_user_id_only(tmp_path, empty_gradebook):
    course = make_course(tmp_path / "course", empty_gradebook, ROSTER)
    archive = tmp_path / "canvas.zip"
    moodle_zip(archive, {
        f"doejane_4242_90001_{NOTEBOOK}": (student_notebook("jane"), (2030, 1, 10, 9, 0, 0)),
        f"evilmallory_late_777_90002_s3_{NOTEBOOK}": (student_notebook("mallory"), (2030, 1, 10, 9, 0, 0)),
    })
    report = collect(course, archive, MODULE)
    assert sorted(report.copied) == ["s1", "s2"] and report.no_file == ["s3"], report.text()
    assert "mallory" in (course.submitted / "s2" / MODULE / NOTEBOOK).read_text()


def test_a_student_matched_two_ways_is_a_conflict_not_a_choice(tmp_path, empty_gradebook):
    """Two deliveries for one student and one notebook, by different ways: reported, neither copied, nothing dropped."""
    course = make_course(tmp_path / "course", empty_gradebook, ROSTER)
    incoming = tmp_path / "incoming"
    (incoming / "s1").mkdir(parents=True)
    (incoming / "s1" / NOTEBOOK).write_bytes(student_notebook("from-a-folder"))
    (incoming / f"Jane Doe_4242_assignsubmission_file_{NOTEBOOK}").write_bytes(student_notebook("from-moodle"))
    report = collect(course, incoming, MODULE)
    assert report.conflicts == [f"s1 {NOTEBOOK}: Jane Doe_4242_assignsubmission_file_{NOTEBOOK}, s1/{NOTEBOOK}"] \
        or report.conflicts == [f"s1 {NOTEBOOK}: s1/{NOTEBOOK}, Jane Doe_4242_assignsubmission_file_{NOTEBOOK}"], \
        report.text()
    assert not report.copied and not report.duplicates and "s1" not in report.no_file
    assert "keep one file, then collect again" in report.text()


def test_canvas_resubmission_suffix_with_numeric_roster_ids(tmp_path, empty_gradebook):
    """Issue 23: `-2` must not match roster id 2; the suffix goes before matching and naming."""
    course = make_course(tmp_path / "course", empty_gradebook,
                         [("1", "A", "One", "", "101"), ("2", "B", "Two", "", "102"), ("3", "C", "Three", "", "103")])
    stem = NOTEBOOK[:-len(".ipynb")]
    archive = tmp_path / "canvas.zip"
    moodle_zip(archive, {
        f"onea_101_9001_{stem}-2.ipynb": (student_notebook("one"), (2030, 1, 10, 9, 0, 0)),
        f"twob_102_9002_{stem}.ipynb": (student_notebook("two"), (2030, 1, 10, 9, 0, 0)),
        f"threec_103_9003_{stem}-3.ipynb": (student_notebook("three"), (2030, 1, 10, 9, 0, 0)),
    })
    report = collect(course, archive, MODULE)
    assert sorted(report.copied) == ["1", "2", "3"] and not report.ambiguous, report.text()
    for student, marker in (("1", "one"), ("2", "two"), ("3", "three")):
        assert marker in (course.submitted / student / MODULE / NOTEBOOK).read_text()
    incoming = tmp_path / "named"
    incoming.mkdir()
    (incoming / f"3_{stem}-2.ipynb").write_bytes(student_notebook("three-again"))
    again = collect(course, incoming, MODULE)
    assert sorted(again.copied) == ["3"] and not again.ambiguous, again.text()


# Escape sequences never reach the terminal -------------------------------------------------------
def test_file_names_are_printed_without_escape_sequences(tmp_path, empty_gradebook, capsys):
    course = make_course(tmp_path / "course", empty_gradebook, ["s1"])
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    (incoming / f"s1_{NOTEBOOK}").write_bytes(student_notebook("s1"))
    (incoming / f"nobody{ESC}[2J{ESC}[1;1Hs2 graded 14 of 14.txt").write_text("x")
    (incoming / f"s1_notes{ESC}]0;owned\x07.md").write_text("x")
    code, out, err = run(["collect", "--course", str(course.root), "--module", MODULE, str(incoming)], capsys)
    assert code == 3, (out, err)
    assert ESC not in out + err and "\x07" not in out + err, repr(out)
    assert "nobodys2 graded 14 of 14.txt" in out
    assert ESC not in "".join(p.name for p in course.submitted.rglob("*")), "an escape sequence became a file name"


def test_a_student_folder_named_with_escapes_is_refused(tmp_path, empty_gradebook):
    course = make_course(tmp_path / "course", empty_gradebook, ["s1"])
    folder = tmp_path / "incoming" / f"s9{ESC}[2J" / MODULE
    folder.mkdir(parents=True)
    (folder / NOTEBOOK).write_bytes(student_notebook("x"))
    report = collect(course, tmp_path / "incoming", MODULE)
    assert not report.copied and not course.submitted.exists(), report.text()
    assert ESC not in report.text() and "not a usable student id" in report.text()


def test_grade_notes_print_file_names_without_escape_sequences():
    for event in (Event(Outcome.EXTRA_FILES, f"a{ESC}[2J{ESC}[31mb.txt", {"count": 1}),
                  Event(Outcome.RENAMED, NOTEBOOK, {"submitted": f"x{ESC}]0;title\x07\r\n.ipynb"})):
        text = describe(event)
        assert ESC not in text and "\x07" not in text and "\r" not in text and "\n" not in text, repr(text)
    error = describe(Event(Outcome.PIPELINE_ERROR, "", {"error": f"Traceback:\n  line 1\nValueError: {ESC}[2Jboom"}))
    assert error == "pipeline error: Traceback:\n  line 1\nValueError: boom", "an error keeps its lines, loses escapes"
