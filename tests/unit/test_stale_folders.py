"""A worker's temporary folders: kernel folders made by one function, and a killed run's leftovers removed."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from autograder.cohort.workspace import make_owned_folder, remove_stale_folders


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_killed_runs_folders_are_removed_and_a_live_ones_kept(tmp_path):
    gone = dead_pid()
    stale = [tmp_path / f"pmcourse-grading-{gone}-abc", tmp_path / f"pmcourse-ipc-{gone}-def",
             tmp_path / f"pmcourse-nbgrader-{gone}-ghi"]
    for folder in stale:
        (folder / "datasets" / "sales").mkdir(parents=True)
        (folder / "datasets" / "sales" / "orders.csv").write_text("a\n1\n")
        os.chmod(folder / "datasets" / "sales", 0o555)  # the read-only datasets copy
        os.chmod(folder / "datasets", 0o555)
    live = tmp_path / f"pmcourse-grading-{os.getpid()}-xyz"
    other = [tmp_path / f"pmcourse-grading-{gone}", tmp_path / f"someone-else-{gone}-abc", live]
    for folder in other:
        folder.mkdir()
    assert remove_stale_folders(tmp_path) == sorted(stale)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in other)


def test_a_file_with_a_run_folders_name_is_left_alone(tmp_path):
    (tmp_path / f"pmcourse-ipc-{dead_pid()}-abc").write_text("not ours")
    assert remove_stale_folders(tmp_path) == []


def test_a_kernel_folder_is_new_and_owned_by_the_kernels_uid(tmp_path):
    uid = 3_000_123 if os.geteuid() == 0 else os.getuid()  # a non-root grader can only give it to itself
    folder = make_owned_folder(tmp_path / "kernel-1", uid)
    info = folder.stat()
    assert (info.st_uid, info.st_gid, info.st_mode & 0o777) == (uid, uid, 0o700)
    with pytest.raises(FileExistsError):
        make_owned_folder(tmp_path / "kernel-1", uid)
