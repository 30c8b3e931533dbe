"""The sandbox's watchdog: limits for a whole submission (all its processes together), on fake and real /proc data.

`forkserver.usage` sums memory and counts processes and threads of one uid;
`over_limit` decides; `Watchdog.check` writes the record the grader reads
(`Sandbox.limit_records`) and kills. Real processes are reached through a folder
of links to their own /proc entries, so nothing but this test's children is
ever counted or killed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.cohort import forkserver
from autograder.cohort.forkserver import Usage, Watchdog, kill_all, over_limit, usage

MB = 1 << 20


def fake_process(proc: Path, pid: int, uid: int, rss_kb: int, threads: int = 1, state: str = "S (sleeping)",
                 pss_kb: int | None = None) -> None:
    folder = proc / str(pid)
    folder.mkdir(parents=True)
    vm = f"VmRSS:\t{rss_kb} kB\n" if state[0] != "Z" else ""
    (folder / "status").write_text(f"Name:\tpython\nState:\t{state}\nUid:\t{uid}\t{uid}\t{uid}\t{uid}\n{vm}Threads:\t{threads}\n")
    if pss_kb is not None:
        (folder / "smaps_rollup").write_text(f"Rss:\t{rss_kb} kB\nPss:\t{pss_kb} kB\nShared_Clean:\t0 kB\n")


@pytest.fixture
def proc(tmp_path):
    proc = tmp_path / "proc"
    fake_process(proc, 10, 1000, 1000, threads=3, pss_kb=400)
    fake_process(proc, 11, 1000, 0, state="Z (zombie)")
    fake_process(proc, 12, 0, 900_000, threads=7, pss_kb=900_000)
    fake_process(proc, 13, 1000, 2000, pss_kb=1500)
    (proc / "self").mkdir()
    (proc / "meminfo").write_text("MemTotal: 1 kB\n")
    return proc


def test_usage_sums_one_uids_live_processes_and_threads(proc):
    used = usage(1000, str(proc))
    assert sorted(used.pids) == [10, 13], "the zombie and the other uid's process are not counted"
    assert used.memory == 3000 * 1024 and used.tasks == 4


def test_shared_pages_are_counted_once_above_the_cap(proc):
    assert usage(1000, str(proc), pss_above=4000 * 1024).memory == 3000 * 1024, "under the cap: RSS, no smaps read"
    assert usage(1000, str(proc), pss_above=1000 * 1024).memory == 1900 * 1024, "over it: the Pss sum"


def test_a_process_gone_meanwhile_is_skipped(proc):
    (proc / "13" / "status").unlink()
    (proc / "10" / "smaps_rollup").unlink()
    used = usage(1000, str(proc), pss_above=1)
    assert used.pids == [10] and used.memory == 0 and used.tasks == 3


@pytest.mark.parametrize("used, expected", [
    (Usage(2049 * MB, 5), {"limit": "memory", "measured": 2049 * MB, "cap": 2048 * MB}),
    (Usage(2048 * MB, 256), None),
    (Usage(100 * MB, 257), {"limit": "processes", "measured": 257, "cap": 256}),
    (Usage(3000 * MB, 300), {"limit": "memory", "measured": 3000 * MB, "cap": 2048 * MB}),
])
def test_over_limit_names_the_limit_the_value_and_the_cap(used, expected):
    assert over_limit(used, 2048 * MB, 256) == expected


def test_a_cap_of_zero_is_no_limit():
    assert over_limit(Usage(10**12, 10**6), 0, 0) is None


def request(ipc_dir: Path, memory_mb: int = 2, processes: int = 256) -> dict:
    return {"memory_bytes": memory_mb * MB, "sandbox": {"processes": processes, "ipc_dir": str(ipc_dir)}}


def test_over_a_cap_the_record_is_written_before_everything_is_killed(proc, tmp_path, monkeypatch):
    ipc_root = tmp_path / "ipc"
    (ipc_root / "kernel-1").mkdir(parents=True)
    seen = []
    monkeypatch.setattr(forkserver, "kill_all", lambda uid, where: seen.append((uid, list(ipc_root.glob("limit-*.json")))) or 2)
    dog = Watchdog(uid=1000, proc=str(proc))
    assert dog.check() is None, "no kernel watched yet"
    dog.watch(request(ipc_root / "kernel-1", memory_mb=4))
    assert dog.check() is None and not seen, "3000 kB is under 4 MB"
    dog.watch(request(ipc_root / "kernel-1", memory_mb=1))
    found = dog.check()
    assert found == {"limit": "memory", "measured": 1900 * 1024, "cap": MB, "killed": 2}, "the Pss sum, over 1 MB"
    (uid, records), = seen
    assert uid == 1000 and len(records) == 1, "the record exists when the kill starts"
    assert json.loads(records[0].read_text()) == {"limit": "memory", "measured": 1900 * 1024, "cap": MB}
    assert not list(ipc_root.glob("*.tmp")) and not list((ipc_root / "kernel-1").iterdir()), \
        "the record is in the connection root, where the kernel cannot write"


def test_the_grader_reads_each_record_once(tmp_path):
    from autograder.cohort.sandbox import Sandbox

    box = Sandbox.__new__(Sandbox)
    box.ipc_root = tmp_path
    (tmp_path / "limit-200.json").write_text(json.dumps({"limit": "memory", "measured": 3, "cap": 2}))
    (tmp_path / "limit-100.json").write_text(json.dumps({"limit": "processes", "measured": 300, "cap": 256}))
    (tmp_path / "limit-300.json").write_text('{"limit": "mem')  # the server was killed while writing
    (tmp_path / "kernel-1").mkdir()
    assert [r["limit"] for r in box.limit_records()] == ["processes", "memory"]
    assert box.limit_records() == [] and [p.name for p in tmp_path.iterdir()] == ["kernel-1"]


# -- on real processes (this test's own children only) ---------------------------------
HOLD = """
import sys, threading, time
block = b"x" * ({mb} << 20)  # really touched, not only reserved
for _ in range({threads}):
    threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
print("ready", flush=True)
time.sleep(60)
"""


@pytest.fixture
def children(tmp_path):
    """Three real processes holding 40 MB each (one with 4 extra threads), seen through a folder of /proc links."""
    started = [subprocess.Popen([sys.executable, "-c", HOLD.format(mb=40, threads=threads)], stdout=subprocess.PIPE, text=True)
               for threads in (0, 0, 4)]
    try:
        for child in started:
            assert child.stdout.readline().strip() == "ready"
        view = tmp_path / "proc"
        view.mkdir()
        for child in started:
            (view / str(child.pid)).symlink_to(f"/proc/{child.pid}")
        yield started, view
    finally:
        for child in started:
            child.kill()
            child.wait()


def test_real_processes_are_summed_and_killed(children):
    started, view = children
    used = usage(os.getuid(), str(view))
    assert sorted(used.pids) == sorted(c.pid for c in started)
    assert used.tasks == 3 + 4
    assert 3 * 40 * MB < used.memory < 3 * 80 * MB, used.memory / MB
    shared = usage(os.getuid(), str(view), pss_above=1).memory
    assert 3 * 40 * MB < shared <= used.memory, "Pss counts the interpreter's shared pages once"
    assert over_limit(used, 100 * MB, 256)["limit"] == "memory"
    assert kill_all(os.getuid(), str(view)) >= 3
    deadline = time.monotonic() + 10
    while any(c.poll() is None for c in started) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert all(c.returncode == -9 for c in started), [c.returncode for c in started]
    assert usage(os.getuid(), str(view)).pids == [], "zombies and gone processes count for nothing"
