"""Shared lists of what the tests walk over (modules and notebooks), how xdist shares them out, and
the kernel fork server that nbval and the solution runs take their kernels from."""

import shutil
import tempfile
from pathlib import Path

import nbval.kernel
import pytest
from xdist.scheduler import LoadFileScheduling

from autograder.repo import MODULES, SOLUTIONS, module_ids
from pmcourse.notebook import module_notebooks

MODULE_IDS = module_ids()
SOLUTION_NOTEBOOKS = [nb for module in MODULE_IDS for nb in module_notebooks(SOLUTIONS / module)]
STUDENT_NOTEBOOKS = [nb for module in MODULE_IDS for nb in module_notebooks(MODULES / module)]


def notebook_id(path) -> str:
    return f"{path.parent.name}/{path.name}"


def marked_regions(source: str, begin: str, end: str) -> list[str]:
    """The non-blank lines (stripped) between `begin` and `end` marker lines, e.g. BEGIN/END HIDDEN TESTS."""
    lines, inside, found = source.splitlines(), False, []
    for line in lines:
        if begin in line:
            inside = True
        elif end in line:
            inside = False
        elif inside and line.strip():
            found.append(line.strip())
    return found


# `make test` runs `--dist loadfile`: each file goes whole to one worker (nbval runs a notebook's
# cells in order, in one kernel). These files hold one expensive run per parameter (a notebook)
# and take minutes: they go out one parameter at a time, so both workers share them.
SPREAD_BY_PARAMETER = {"tests/test_solution_runs.py"}


class FileOrParameterScheduling(LoadFileScheduling):
    """`--dist loadfile`, except that the files in SPREAD_BY_PARAMETER are split by parameter."""

    def _split_scope(self, nodeid: str) -> str:
        path = nodeid.split("::")[0]
        if path in SPREAD_BY_PARAMETER and nodeid.endswith("]"):
            return path + nodeid[nodeid.index("["):]
        return path


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") == "loadfile":
        return FileOrParameterScheduling(config, log)
    return None


# One kernel fork server per test process (unsandboxed; `cohort.forkserver`): nbval's kernels and the
# solution runs' come from it, as grading's do. A forked kernel is a fresh ipykernel process that
# starts with the course's heavy libraries (pandas, plotly, ...) imported, not with a notebook's state:
# each notebook still runs from a clean kernel, about 1 s sooner.
_fork_server = None  # (ForkServer, its folder) once started


def course_fork_server() -> str:
    """The socket of this test process's kernel fork server (started on first use)."""
    global _fork_server
    if _fork_server is None:
        from autograder.cohort.forkserver import ForkServer  # imported here: the unit tier never needs it

        folder = Path(tempfile.mkdtemp(prefix="pmcourse-test-forkserver-"))
        _fork_server = ForkServer(folder), folder
    return _fork_server[0].socket_path


def _nbval_forked_kernel(startup_timeout=60, kernel_name="python3", **kwargs):
    """nbval's `start_new_kernel`, with the kernel from the fork server (same kernel spec, folder, checks)."""
    from autograder.cohort.workspace import BlockingForkedKernelManager

    manager = BlockingForkedKernelManager(kernel_name=kernel_name, fork_server=course_fork_server(), memory_mb=0)
    manager.start_kernel(**kwargs)
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=startup_timeout)
    except RuntimeError:
        client.stop_channels()
        manager.shutdown_kernel()
        raise
    return manager, client


nbval.kernel.start_new_kernel = _nbval_forked_kernel


def pytest_sessionfinish(session):
    global _fork_server
    if _fork_server is not None:
        server, folder = _fork_server
        server.close()
        shutil.rmtree(folder, ignore_errors=True)
        _fork_server = None
