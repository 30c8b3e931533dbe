"""Kernels forked from the worker's fork server behave like freshly started kernels.

The grading tests (test_cohort_*.py) cover what students do to kernels
(os._exit, runaway memory, endless loops) through the same path; these check
what the fork itself could get wrong.
"""

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook
from traitlets.config import Config

from autograder.cohort.forkserver import PRELOAD, ForkServer
from autograder.cohort.workspace import LimitedKernelManager

PROBE = """
import json, os, resource, sys, numpy
print(json.dumps({
    "ppid": os.getppid(), "pid": os.getpid(), "pgid": os.getpgid(0), "cwd": os.getcwd(),
    "probe_env": os.environ.get("PMCOURSE_PROBE"), "limit": resource.getrlimit(resource.RLIMIT_AS)[0],
    "preloaded": "pandas" in sys.modules, "renderers_loaded": "plotly.io._renderers" in sys.modules,
    "random": numpy.random.random(), "path": sys.path,
}))
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    fork_server = ForkServer(tmp_path_factory.mktemp("forkserver"))
    yield fork_server
    fork_server.close()


def run_probe(code: str, manager: dict, cwd, planted: str) -> dict:
    """Run `code` in a kernel from the fork server (`manager`: LimitedKernelManager settings), with
    PMCOURSE_PROBE=`planted` in the grader's environment; return the JSON the code printed."""
    notebook = new_notebook(cells=[new_code_cell(code)])
    os.environ["PMCOURSE_PROBE"] = planted
    try:
        NotebookClient(notebook, kernel_manager_class=LimitedKernelManager,
                       config=Config({"LimitedKernelManager": manager}), timeout=60,
                       resources={"metadata": {"path": str(cwd)}}).execute()
    finally:
        del os.environ["PMCOURSE_PROBE"]
    outputs = notebook.cells[0].outputs
    assert outputs and outputs[0].get("name") == "stdout", nbformat.writes(notebook)
    return json.loads(outputs[0]["text"])


def probe(server, cwd, memory_mb=1024):
    return run_probe(PROBE, {"fork_server": server.socket_path, "memory_mb": memory_mb}, cwd, "yes")


def test_a_forked_kernel_is_a_fresh_kernel_in_the_requested_folder(server, tmp_path):
    seen = probe(server, tmp_path)
    assert seen["ppid"] == server.process.pid, "the kernel should be a child of the fork server"
    assert seen["pgid"] == seen["pid"], "the kernel should lead its own process group (killpg reaches only it)"
    assert seen["cwd"] == str(tmp_path)
    assert seen["probe_env"] == "yes", "the kernel should get the environment the kernel manager built"
    assert seen["limit"] == 1024 * 1024 * 1024, "the address-space limit should be set in the kernel"
    assert seen["preloaded"], f"the fork server should have preloaded {PRELOAD}"
    assert not seen["renderers_loaded"], "plotly's renderers depend on IPython: they must load in the kernel"
    assert str(server.socket_path).rsplit("/", 1)[0] not in seen["path"]


def test_two_kernels_share_no_state_and_no_random_numbers(server, tmp_path):
    first, second = probe(server, tmp_path), probe(server, tmp_path)
    assert first["pid"] != second["pid"]
    assert not server_is_running(first["pid"]), "a kernel should be gone once its notebook has run"
    assert first["random"] != second["random"], "numpy's global generator must be reseeded in each kernel"


def test_no_memory_limit_when_it_is_zero(server, tmp_path):
    assert probe(server, tmp_path, memory_mb=0)["limit"] == resource.RLIM_INFINITY


def server_is_running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status  # a zombie has exited, it only waits to be reaped


def test_the_server_leaves_when_its_worker_is_killed(tmp_path):
    worker = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from autograder.cohort.forkserver import ForkServer; "
         "print(ForkServer(sys.argv[1]).process.pid, flush=True); time.sleep(120)", str(tmp_path)],
        stdout=subprocess.PIPE, text=True)
    server_pid = int(worker.stdout.readline())
    assert server_is_running(server_pid)
    worker.kill()
    worker.wait()
    deadline = time.monotonic() + 15
    while server_is_running(server_pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not server_is_running(server_pid), "a fork server whose worker was killed should exit by itself"



def test_a_dead_server_is_started_again(tmp_path):
    fork_server = ForkServer(tmp_path)
    try:
        fork_server.process.kill()
        fork_server.process.wait()
        fork_server.ensure_running()
        assert probe(fork_server, tmp_path)["ppid"] == fork_server.process.pid
    finally:
        fork_server.close()


# -- sandboxed ----------------------------------------------------------------------
SANDBOX_PROBE = """
import json, os, resource, socket, sys, pathlib
PYTHON = {sys.prefix, sys.base_prefix}  # a checkout under /tmp keeps its .venv there: shown read-only, not listed
def in_python(path):
    return any(str(path) == q or str(path).startswith(q + "/") or q.startswith(str(path) + "/") for q in PYTHON)
seen = {
    "uid": os.getuid(), "pid": os.getpid(), "ppid": os.getppid(), "cwd": os.getcwd(), "files": sorted(os.listdir(".")),
    "env": sorted(os.environ), "probe_env": os.environ.get("PMCOURSE_PROBE"), "procs": [p for p in os.listdir("/proc") if p.isdigit()],
    "tmp": sorted(str(p) for p in pathlib.Path("/tmp").rglob("*") if not in_python(p)), "root": sorted(os.listdir("/")),
    "python_writable": [q for q in PYTHON if os.access(q, os.W_OK)],
    "home_before": sorted(os.listdir(os.environ["HOME"])), "nproc": resource.getrlimit(resource.RLIMIT_NPROC)[0],
    "address_space": resource.getrlimit(resource.RLIMIT_AS)[0], "caps": open("/proc/self/status").read().split("CapEff:")[1].split()[0],
    "preloaded": "pandas" in sys.modules, "autograder": "autograder" in sys.modules,
}
pathlib.Path(os.environ["HOME"], "left-behind").write_text("x")
try:
    socket.create_connection(("127.0.0.1", 9), timeout=2)
    seen["network"] = "open"
except OSError as error:
    seen["network"] = type(error).__name__
print(json.dumps(seen))
"""


@pytest.fixture(scope="module")
def sandboxed(tmp_path_factory):
    from autograder.cohort.sandbox import Limits, Sandbox, problem

    if problem():
        if os.environ.get("CI") == "true":
            pytest.fail(problem())
        pytest.skip(problem())
    folder = tmp_path_factory.mktemp("sandboxed")
    for name in ("run/m00", "lib", "datasets"):
        (folder / name).mkdir(parents=True)
    (folder / "run" / "m00" / "data.csv").write_text("a\n1\n")
    box = Sandbox(folder / "run", folder / "lib", folder / "datasets", Limits(processes=64))
    fork_server = ForkServer(folder, box)
    yield fork_server, box, folder / "run" / "m00"
    fork_server.close()
    box.close()


def sandboxed_probe(fork_server, box, cwd):
    manager = {"fork_server": fork_server.socket_path, "memory_mb": 1024, "sandbox": box.kernel_settings()}
    return run_probe(SANDBOX_PROBE, manager, cwd, "grader-secret")


def test_a_sandboxed_kernel_is_alone_unprivileged_and_offline(sandboxed):
    fork_server, box, cwd = sandboxed
    seen = sandboxed_probe(fork_server, box, cwd)
    assert seen["uid"] == 1000 and seen["caps"] == "0000000000000000", "the kernel must run unprivileged"
    assert seen["pid"] == 1 and seen["ppid"] == 0 and seen["procs"] == ["1"], "its own PID namespace and /proc"
    assert seen["cwd"] == "/sandbox/work" and seen["files"] == ["data.csv"], "a copy of its run folder"
    assert seen["probe_env"] is None and "PMCOURSE_PROBE" not in seen["env"], "nothing of the grader's environment"
    assert seen["home_before"] == [".ipython"], "a fresh home (IPython makes its folder at start)"
    assert all(p.startswith(str(box.ipc_root)) for p in seen["tmp"]), f"only its own connection folder: {seen['tmp']}"
    assert seen["python_writable"] == [], "the Python environment is read-only"
    assert seen["network"] in ("ConnectionRefusedError", "OSError"), "no network but its own loopback"
    assert "home" not in seen["root"] and "mnt" not in seen["root"], f"no home folders or mounts: {seen['root']}"
    assert seen["nproc"] == 2 * 64, "RLIMIT_NPROC is only the backstop, at twice the process cap (the watchdog keeps the cap)"
    assert seen["address_space"] == 1024 << 20
    assert seen["preloaded"] and not seen["autograder"], "the server preloads libraries, not the grader's package"
    assert "gradebook.db" not in str(seen) and "solutions" not in str(seen)


def test_sandboxed_kernels_share_nothing(sandboxed):
    """What one kernel leaves in its home and /tmp is gone for the next; each sees only its own connection file."""
    fork_server, box, cwd = sandboxed
    first, second = sandboxed_probe(fork_server, box, cwd), sandboxed_probe(fork_server, box, cwd)
    assert "left-behind" not in first["home_before"] + second["home_before"]
    own = [p for p in second["tmp"] if p.endswith(".json")]
    assert len(own) == 1, f"a kernel should see exactly its own connection file: {second['tmp']}"
