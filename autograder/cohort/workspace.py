"""The isolated folder a worker grades in, and the limits on a student's kernel.

A worker grades each (student, module) pair inside its own temporary folder,
outside the course folder. Student code runs with that folder as its working
directory and sees only (its working directory is a separate run folder, not nbgrader's):

- the submission's files other than notebooks, and the module's released,
  student-visible extra files;
- a private copy of the datasets (`PMCOURSE_DATASETS` points at it), checked
  after every pair and restored if student code changed it;
- a private copy of the `pmcourse` package (first on `PYTHONPATH`), so the
  package's own location does not lead back to the course folder.

`solutions/`, the gradebook and the notebook with its hidden tests put back
(nbgrader's own grading folder, in another temporary folder) are not in that
folder or above it, and no environment variable names them. By default each
kernel also runs in the OS sandbox (`sandbox.py`): then it sees none of the
machine's other files (absolute paths included), only read-only copies of the
above, over unix sockets in its own connection folder (`transport="ipc"`).

Each kernel runs under an address-space limit (`RLIMIT_AS`): runaway memory
raises `MemoryError` in the cell that caused it, which then scores 0. Kernels
are forked from the worker's fork server (`forkserver.py`), which has the
heavy libraries imported already.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
import uuid
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager, KernelManager
from nbconvert.preprocessors import Preprocessor
from nbgrader.preprocessors import Execute
from traitlets import Bool, Float, Integer, Unicode
from traitlets.config import LoggingConfigurable

from autograder.cohort.forkserver import ForkedProvisioner

DEFAULT_MEMORY_MB = 2048
MAX_OUTPUT_CHARS = 100_000


RUN_FOLDERS = ("pmcourse-grading", "pmcourse-nbgrader", "pmcourse-ipc")  # a worker's temporary folders: <kind>-<pid>-<random>


def run_folder(kind: str) -> Path:
    """A fresh temporary folder of this worker process; its pid is in the name, so a later run can tell it is stale."""
    if kind not in RUN_FOLDERS:
        raise ValueError(f"unknown run folder kind {kind!r}: one of {RUN_FOLDERS}")
    return Path(tempfile.mkdtemp(prefix=f"{kind}-{os.getpid()}-"))


def make_owned_folder(path: Path, uid: int, mode: int = 0o700) -> Path:
    """Make the new folder `path` (never an existing one), owned by `uid` (user and group): a kernel's own folder."""
    path = Path(path)
    path.mkdir(mode=mode)
    os.chown(path, uid, uid)
    return path


def force_remove(path: Path) -> None:
    """Remove a folder tree, read-only folders (the datasets copy) and folders of the kernels' uid included."""
    for dirpath, _, _ in os.walk(path):
        try:
            os.chmod(dirpath, 0o755)
        except OSError:
            pass
    shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def remove_stale_folders(tmp: Path | None = None) -> list[Path]:
    """Remove the run folders (`run_folder`) of worker processes that no longer run (a killed run's leftovers).

    Returns the folders removed. A folder of a live process is never touched.
    """
    pattern = re.compile(rf"^({'|'.join(map(re.escape, RUN_FOLDERS))})-(\d+)-")
    removed = []
    for path in sorted(Path(tmp or tempfile.gettempdir()).iterdir()):
        found = pattern.match(path.name)
        if found and path.is_dir() and not path.is_symlink() and not _alive(int(found.group(2))):
            force_remove(path)
            removed.append(path)
    return removed


class ForkedKernels(LoggingConfigurable):
    """What a kernel manager needs to take its kernels from a fork server, under an address-space limit."""

    memory_mb = Integer(DEFAULT_MEMORY_MB, help="Kernel address-space limit in MB (0: none)").tag(config=True)
    fork_server = Unicode(help="socket of the worker's kernel fork server").tag(config=True)
    sandbox = Unicode("", help="JSON from sandbox.Sandbox.kernel_settings() if the fork server is sandboxed").tag(config=True)
    # jupyter_client waits 5 s for a kernel to leave on its own before killing it: a grading kernel
    # has nothing to save, and one that is still stuck in a cell (SIGINT ignored) only costs time.
    shutdown_wait_time = Float(1.0, help="seconds a kernel gets to exit after the shutdown request").tag(config=True)

    async def _async_pre_start_kernel(self, **kw):
        if self.provisioner is None:
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
            self.provisioner = ForkedProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
        if self.sandbox and not self.connection_file:  # unix sockets in the kernel's own folder, bound into its sandbox
            from autograder.cohort.sandbox import kernel_folder

            folder = kernel_folder(json.loads(self.sandbox), self.kernel_id)
            self.transport = "ipc"
            self.connection_file = str(folder / "kernel.json")
            self.ip = str(folder / "k")
        return await super()._async_pre_start_kernel(**kw)

    def sandbox_request(self) -> dict | None:
        """What the sandboxed fork server needs to isolate this kernel (None: not sandboxed).

        Also hands the connection file to the kernels' uid (jupyter_client writes it for its own user only).
        """
        if not self.sandbox:
            return None
        settings = json.loads(self.sandbox)
        os.chown(self.connection_file, settings["host_uid"], settings["host_uid"])
        from autograder.cohort.sandbox import Limits

        return Limits(**settings["limits"]).kernel_request(str(Path(self.connection_file).parent))


class LimitedKernelManager(ForkedKernels, AsyncKernelManager):
    """A kernel manager whose kernels come from a fork server, under an address-space limit (grading, nbclient)."""


class BlockingForkedKernelManager(ForkedKernels, KernelManager):
    """The same for callers of the blocking API (nbval, in the tests)."""


class LimitedExecute(Execute):
    """nbgrader's Execute with the limited kernel manager, run in `run_dir`; remembers the cell that ran last.

    nbgrader runs the kernel in the folder of the notebook being graded, which at
    that point holds the sanitized notebook with every hidden test put back.
    Here the kernel runs in `run_dir` instead: the same files minus notebooks.
    """

    run_dir = Unicode("", help="working directory of the kernel (default: the notebook's folder)").tag(config=True)
    deadline = Float(0.0, help="time.time() after which no cell may run on (the submission's wall-clock cap; 0: none)").tag(config=True)

    def __init__(self, *args, **kwargs):
        kwargs["kernel_manager_class"] = LimitedKernelManager
        super().__init__(*args, **kwargs)
        self.last_cell = None  # (notebook name, cell id, grade id) of the cell that ran last
        self._notebook_name = ""

    def preprocess(self, nb, resources=None, km=None):
        self._notebook_name = (resources or {}).get("nbgrader", {}).get("notebook", "") + ".ipynb"
        self.last_cell = None
        if self.run_dir and resources is not None:
            resources.setdefault("metadata", {})["path"] = self.run_dir
        return super().preprocess(nb, resources, km)

    def _get_timeout(self, cell):
        """nbclient's per-cell limit, cut to what is left of the submission's wall-clock time."""
        timeout = super()._get_timeout(cell)
        if not self.deadline:
            return timeout
        left = max(1.0, self.deadline - time.time())
        return left if timeout is None else min(timeout, left)

    def preprocess_cell(self, cell, resources, index):
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
        self.last_cell = (self._notebook_name, cell.get("id", ""), grade_id)
        return super().preprocess_cell(cell, resources, index)


class TruncateLongOutput(Preprocessor):
    """Cut any single text output longer than `max_chars` (nbgrader's LimitOutput counts lines only).

    Error outputs are never removed, so what nbgrader scores does not change.
    The cells it cut are listed in `truncated` (grade id, else cell id).
    """

    max_chars = Integer(MAX_OUTPUT_CHARS).tag(config=True)
    enabled = Bool(True).tag(config=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.truncated: list[str] = []

    def _cut(self, text: str) -> str:
        return text[: self.max_chars] + "\n... Output truncated (too long) ...\n"

    def _too_long(self, value) -> bool:
        return isinstance(value, str) and len(value) > self.max_chars

    def _truncate_output(self, output) -> bool:
        cut = False
        if output.get("output_type") == "stream" and self._too_long(output.get("text", "")):
            output["text"] = self._cut(output["text"])
            cut = True
        for mime, value in list(output.get("data", {}).items()):
            if mime.startswith("text/") and self._too_long(value):
                output["data"][mime] = self._cut(value)
                cut = True
        return cut

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        cut = [self._truncate_output(output) for output in cell.get("outputs", [])]
        if any(cut):
            name = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") or cell.get("id", str(index))
            self.truncated.append(name)
        return cell, resources


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    state = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            stat = path.lstat()
            state[str(path.relative_to(folder))] = (stat.st_size, stat.st_mtime_ns, stat.st_mode)
    return state


class DatasetGuard:
    """A private copy of the datasets; `check()` restores it if student code changed it."""

    def __init__(self, original: Path, copy: Path):
        self.original, self.copy = Path(original), Path(copy)
        self._restore()

    def _restore(self) -> None:
        if self.copy.exists():
            for dirpath, dirnames, _ in os.walk(self.copy):
                os.chmod(dirpath, 0o755)
            shutil.rmtree(self.copy)
        shutil.copytree(self.original, self.copy, ignore=shutil.ignore_patterns("__pycache__", "generator"))
        for dirpath, dirnames, filenames in os.walk(self.copy):
            for name in filenames:
                os.chmod(Path(dirpath) / name, 0o444)
        for dirpath, _, _ in os.walk(self.copy, topdown=False):
            os.chmod(dirpath, 0o555)
        self._state = _snapshot(self.copy)

    def check(self) -> bool:
        """True (and the copy restored) if the datasets changed since the last check."""
        if self.copy.is_dir() and _snapshot(self.copy) == self._state:
            return False
        self._restore()
        return True


def private_pmcourse(lib: Path) -> Path:
    """A copy of the `pmcourse` package in `lib` (to put first on PYTHONPATH)."""
    import pmcourse

    source = Path(pmcourse.__file__).resolve().parent
    target = lib / "pmcourse"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
    return lib
