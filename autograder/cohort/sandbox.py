"""The OS sandbox every kernel that runs a submission lives in (bubblewrap + per-kernel namespaces).

Each grading worker runs its kernel fork server (`forkserver.py`) inside one
bubblewrap sandbox, and the server gives every kernel its own namespaces on top
(`forkserver._isolate`). What a kernel sees and may do:

- its own user, mount, PID, IPC, UTS and network namespaces (no network at all:
  its only way out are the unix sockets of its own connection folder);
- an unprivileged uid with no capabilities: uid 1000 in the sandbox, a dedicated
  uid on the host (`host_uid`, one per worker, owning no file of the machine);
- read-only: the system (/usr and the usual top-level links), a short list of
  /etc files, the Python environment (the venv and the interpreter it points
  to), a private copy of `datasets/` and of the `pmcourse` package; nothing else of
  the machine: no course folder (so no `solutions/`, gradebook, config or other
  submission), no home folder, no host /proc;
- one writable scratch folder, a fresh tmpfs per kernel with a size cap (home,
  /tmp and its working folder, a copy of the submission's files), gone when the
  kernel ends;
- limits for the whole submission (every process of its uid together), kept by
  the fork server's watchdog (`forkserver.Watchdog`): memory (`memory_mb`) and
  processes and threads (`processes`); over either, every process of the
  submission is killed and a record left for the grader (`limit_records()`);
- limits per process: address space (RLIMIT_AS, also `memory_mb`), CPU time,
  file size and open files, and RLIMIT_NPROC at twice `processes` as a backstop; a clean environment (no variable of
  the grader's); `--die-with-parent`, and the kernel is the init of its PID
  namespace: when it ends, every process it started is killed.

`problem()` says why no sandbox can be made here (one line naming the fix);
`grade` then refuses unless run with `--no-sandbox`.
"""

from __future__ import annotations

import ctypes
import functools
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from autograder.cohort.forkserver import INBOX as INSIDE_INBOX
from autograder.cohort.forkserver import INSIDE_DATASETS, INSIDE_LIB, LIMIT_RECORD, SCRATCH
from autograder.cohort.workspace import make_owned_folder, run_folder

INSIDE_SERVER = "/opt/grader/forkserver.py"
HOST_UID_BASE = 3_000_000  # kernels' host uids: HOST_UID_BASE + the worker's pid; no account or file owns them
ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "timezone", "nsswitch.conf", "passwd",
             "group", "hosts", "alternatives", "fonts", "mime.types", "ssl/openssl.cnf")
TOP_LEVEL = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")
CLONE_NEWUSER = 0x10000000
NO_SANDBOX_HINT = "or grade with --no-sandbox if you trust every submission"


class SandboxUnavailable(RuntimeError):
    """No sandbox can be made on this machine; the message names the fix."""


@dataclass(frozen=True)
class Limits:
    """What one submission's kernel may use (per-process limits apply to each of its processes)."""

    memory_mb: int = 2048  # memory of the whole submission (watchdog), and address space of each process
    processes: int = 256  # processes and threads of the whole submission (watchdog)
    cpu_s: int = 900  # CPU time of each process
    file_mb: int = 512  # largest file
    open_files: int = 1024
    scratch_mb: int = 512  # the writable scratch folder (home, /tmp, working folder) together
    wall_s: int = 900  # wall-clock time of a whole submission (every notebook and retry)

    def kernel_request(self, ipc_dir: str) -> dict:
        """The part of a fork request the sandboxed server's `_isolate` reads."""
        return {"ipc_dir": ipc_dir, "scratch_bytes": self.scratch_mb << 20, "processes": self.processes,
                "cpu_s": self.cpu_s, "file_bytes": self.file_mb << 20, "open_files": self.open_files}


@functools.lru_cache(maxsize=1)
def problem() -> str | None:
    """None if a sandbox can be made here, else one line that says what to do."""
    if not sys.platform.startswith("linux"):
        return f"the grading sandbox needs Linux (user namespaces); this is {sys.platform}: {NO_SANDBOX_HINT}"
    if shutil.which("bwrap") is None:
        return f"bubblewrap is not installed: run `apt-get install bubblewrap` (Debian/Ubuntu), {NO_SANDBOX_HINT}"
    try:
        fd = make_userns(HOST_UID_BASE)
    except OSError as error:
        return (f"cannot create a user namespace ({error.strerror}): allow them "
                f"(`sysctl -w kernel.unprivileged_userns_clone=1 user.max_user_namespaces=10000`), {NO_SANDBOX_HINT}")
    try:
        trial = subprocess.run(["bwrap", "--userns", str(fd), "--unshare-pid", "--unshare-net", "--uid", "0",
                                "--ro-bind", "/", "/", "--proc", "/proc", "--", "true"],
                               pass_fds=[fd], capture_output=True, text=True, timeout=60)
    finally:
        os.close(fd)
    if trial.returncode != 0:
        reason = (trial.stderr.strip().splitlines() or ["no message"])[-1]
        return f"bubblewrap cannot make a sandbox here ({reason}): check that user namespaces are allowed, {NO_SANDBOX_HINT}"
    return None


def require() -> None:
    """Raise `SandboxUnavailable` if no sandbox can be made here."""
    reason = problem()
    if reason:
        raise SandboxUnavailable(reason)


def make_userns(host_uid: int) -> int:
    """A user namespace (as an open fd) where uid/gid 0 are the grader's and 1000 is `host_uid` on the host.

    Uid 0 inside lets the fork server set up each kernel's namespaces; the kernels
    then become uid 1000, which on the host is `host_uid`, a uid nothing else uses
    (so RLIMIT_NPROC counts exactly that worker's submission).
    """
    libc = ctypes.CDLL(None, use_errno=True)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child only holds the new namespace open
        os.close(write_end)
        code = 0 if libc.unshare(CLONE_NEWUSER) == 0 else 1
        os.read(read_end, 1)
        os._exit(code)
    os.close(read_end)
    try:
        mine = os.readlink("/proc/self/ns/user")
        deadline = time.monotonic() + 30
        while os.readlink(f"/proc/{pid}/ns/user") == mine:
            if time.monotonic() > deadline or os.waitpid(pid, os.WNOHANG) != (0, 0):
                raise OSError(1, "Operation not permitted")
            time.sleep(0.002)
        gid = host_uid
        with open(f"/proc/{pid}/uid_map", "w", encoding="ascii") as handle:
            handle.write(f"0 {os.getuid()} 1\n1000 {host_uid} 1\n")
        with open(f"/proc/{pid}/gid_map", "w", encoding="ascii") as handle:
            handle.write(f"0 {os.getgid()} 1\n1000 {gid} 1\n")
        return os.open(f"/proc/{pid}/ns/user", os.O_RDONLY)
    finally:
        os.close(write_end)
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass


def _with_open_parents(args: list[str]) -> list[str]:
    """`args` with a world-traversable `--dir` for every missing parent of a bind target (bwrap makes them 0700)."""
    out, made = [], {"/", "/tmp", "/usr", "/etc", "/proc", "/dev"}
    i = 0
    while i < len(args):
        option = args[i]
        width = 3 if option in ("--ro-bind", "--ro-bind-try", "--bind", "--symlink") else 2 if option == "--dir" else 1
        if width == 3:
            for parent in reversed(Path(args[i + 2]).parents):
                if str(parent) not in made:
                    out += ["--perms", "0755", "--dir", str(parent)]
                    made.add(str(parent))
        out += args[i:i + width]
        i += width
    return out


def _system_binds() -> list[str]:
    args = ["--ro-bind", "/usr", "/usr"]
    for name in TOP_LEVEL:
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    for name in ETC_FILES:
        args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    for prefix in dict.fromkeys((sys.base_prefix, sys.prefix)):  # the interpreter, then the venv
        if not prefix.startswith("/usr/"):
            args += ["--ro-bind", prefix, prefix]
    return args


class Sandbox:
    """One worker's sandbox: its user namespace, its kernels' connection folders, the bwrap command of its server."""

    def __init__(self, inbox: Path, lib: Path, datasets: Path, limits: Limits = Limits()):
        require()
        self.inbox, self.lib, self.datasets, self.limits = Path(inbox), Path(lib), Path(datasets), limits
        self.host_uid = HOST_UID_BASE + os.getpid()
        self.ipc_root = run_folder("pmcourse-ipc")
        self._userns = make_userns(self.host_uid)

    def server_command(self, socket_path: str) -> tuple[list[str], list[int]]:
        """The command that starts the fork server in the sandbox, and the fds it must inherit."""
        path = f"{sys.prefix}/bin:/usr/local/bin:/usr/bin:/bin"
        command = ["bwrap", *_with_open_parents([ "--userns", str(self._userns), "--unshare-pid", "--unshare-ipc", "--unshare-net",
            "--unshare-uts", "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--hostname", "grading",
            "--clearenv", "--setenv", "PATH", path, "--setenv", "LANG", "C.UTF-8", "--setenv", "MALLOC_ARENA_MAX", "2",
            "--setenv", "HOME", "/nonexistent", "--setenv", "PYTHONDONTWRITEBYTECODE", "1", "--setenv", "PYTHONPATH", INSIDE_LIB,
            "--uid", "0", "--gid", "0", "--cap-add", "ALL",
            "--tmpfs", "/tmp",  # first: a Python environment under /tmp (a checkout there) is bound over it
            *_system_binds(),
            "--proc", "/proc", "--dev", "/dev", "--dir", SCRATCH,
            "--ro-bind", str(self.lib), INSIDE_LIB, "--ro-bind", str(self.datasets), INSIDE_DATASETS,
            "--ro-bind", str(self.inbox), INSIDE_INBOX, "--bind", str(self.ipc_root), str(self.ipc_root),
            "--ro-bind", str(Path(__file__).with_name("forkserver.py")), INSIDE_SERVER,
            "--chdir", "/"]),
            "--", sys.executable, INSIDE_SERVER, socket_path, "--sandbox", str(self.inbox),
        ]
        return command, [self._userns]

    def kernel_settings(self) -> str:
        """What the kernel manager needs (JSON, a config value): connection folders, host uid, limits."""
        return json.dumps({"ipc_root": str(self.ipc_root), "host_uid": self.host_uid, "limits": asdict(self.limits)})

    def clear_kernel_folders(self) -> None:
        """Remove what finished kernels left in the connection folder, and any limit record (called between pairs)."""
        for path in self.ipc_root.iterdir():
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
        self.limit_records()

    def limit_records(self) -> list[dict]:
        """The limits the watchdog enforced since the last call (oldest first; each {limit, measured, cap}), taken away.

        The fork server writes them in the connection root, where no kernel can write.
        """
        records = []
        for path in sorted(self.ipc_root.glob(LIMIT_RECORD.format(ns="*"))):
            try:
                records.append(json.loads(path.read_text(encoding="ascii")))
            except (OSError, ValueError):  # half written (the server was killed meanwhile): nothing to go by
                pass
            path.unlink(missing_ok=True)
        return records

    def close(self) -> None:
        if self._userns is not None:
            os.close(self._userns)
            self._userns = None
        shutil.rmtree(self.ipc_root, ignore_errors=True)


def kernel_folder(settings: dict, kernel_id: str) -> Path:
    """A fresh connection folder for one kernel, owned by the kernels' host uid (it binds its sockets there)."""
    return make_owned_folder(Path(settings["ipc_root"]) / kernel_id, settings["host_uid"])

