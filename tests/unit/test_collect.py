"""Collect's pieces without a course: file names to notebook names, times in UTC, zips closed."""

from __future__ import annotations

import datetime as dt
import os
import time
import zipfile
from pathlib import Path

import pytest

from autograder.cohort.collect import _from_folder, _from_zip, _target_name, timestamp_text, zip_entry_time

EXPECTED = ["01_orientation.ipynb", "02_more.ipynb", "lookup.csv"]
HANDED_IN = dt.datetime(2030, 1, 10, 9, 0, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def kolkata(monkeypatch):
    """This machine's clock set to UTC+05:30 (the time-zone bugs hide on UTC machines)."""
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize("delivered, name", [
    ("01_orientation.ipynb", "01_orientation.ipynb"),
    ("s2_01_orientation-1.ipynb", "01_orientation.ipynb"),              # Canvas resubmission suffix
    ("leeann_12345_678_01_orientation.ipynb", "01_orientation.ipynb"),
    ("Ann Lee_999_assignsubmission_file_notes.md", "notes.md"),       # Moodle prefix, unknown file
    ("s2_lookup.csv", "lookup.csv"),
])
def test_target_name(delivered, name):
    assert _target_name(delivered, EXPECTED) == name


def test_a_lone_notebook_takes_the_modules_notebook_name():
    assert _target_name("s1_my work.ipynb", ["01_orientation.ipynb", "lookup.csv"]) == "01_orientation.ipynb"


def test_folder_times_are_utc_on_a_non_utc_machine(tmp_path, kolkata):
    file = tmp_path / "s0_01_orientation.ipynb"
    file.write_text("{}")
    os.utime(file, (HANDED_IN.timestamp(), HANDED_IN.timestamp()))
    (incoming,) = _from_folder(tmp_path)
    assert timestamp_text(incoming.when) == "2030-01-10 09:00:00.000000 UTC"


def test_zip_dos_times_are_local_times_converted_to_utc(tmp_path, kolkata):
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(zipfile.ZipInfo("s0_01_orientation.ipynb", (2030, 1, 10, 14, 30, 0)), b"{}")
    (incoming,) = _from_zip(archive)
    assert timestamp_text(incoming.when) == "2030-01-10 09:00:00.000000 UTC"


def test_zip_extended_timestamps_are_utc_already(kolkata):
    info = zipfile.ZipInfo("a.ipynb", (2030, 1, 10, 14, 30, 0))
    info.extra = (0x5455).to_bytes(2, "little") + (5).to_bytes(2, "little") + b"\x01" \
        + int(HANDED_IN.timestamp()).to_bytes(4, "little")
    assert zip_entry_time(info) == HANDED_IN


def _open_files() -> set[str]:
    fds = Path("/proc/self/fd")
    return {os.path.realpath(fd) for fd in fds.iterdir() if fd.is_symlink()} if fds.is_dir() else set()


def test_zip_is_closed_after_listing_and_reading(tmp_path):
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("s0_01_orientation.ipynb", b'{"x": 1}')
        zf.writestr("__MACOSX/._junk", b"")
    files = _from_zip(archive)
    assert [f.name for f in files] == ["s0_01_orientation.ipynb"]
    assert str(archive.resolve()) not in _open_files(), "the zip is still open"
    assert files[0].read() == b'{"x": 1}'
    assert str(archive.resolve()) not in _open_files(), "reading a member left the zip open"
