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


def probe(server, cwd, memory_mb=1024):
    notebook = new_notebook(cells=[new_code_cell(PROBE)])
    os.environ["PMCOURSE_PROBE"] = "yes"
    try:
        config = Config({"LimitedKernelManager": {"fork_server": server.socket_path, "memory_mb": memory_mb}})
        NotebookClient(notebook, kernel_manager_class=LimitedKernelManager, config=config, timeout=60,
                       resources={"metadata": {"path": str(cwd)}}).execute()
    finally:
        del os.environ["PMCOURSE_PROBE"]
    outputs = notebook.cells[0].outputs
    assert outputs and outputs[0].get("name") == "stdout", nbformat.writes(notebook)
    return json.loads(outputs[0]["text"])


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
