"""Start grading kernels by forking a process that has already imported the heavy libraries.

Every notebook graded needs a fresh Python kernel, and a fresh kernel spends
most of its start importing the same libraries (Python, ipykernel, pandas,
numpy, scipy, statsmodels, plotly): about 1 s of CPU per notebook on these
machines, paid again for every student. A worker therefore starts one fork
server (`python -m autograder.cohort.forkserver SOCKET`), which imports them
once and then forks one child per kernel. The child is a new, separate process
that becomes an ordinary ipykernel (same command line, environment, working
folder and memory limit as `python -m ipykernel_launcher`); nothing of one
student's kernel survives into the next, because each child starts from the
server's clean state, not from an earlier kernel.

Only libraries whose import does not depend on running inside IPython are
preloaded (not plotly's renderers, not ipywidgets, not the course package), so
that what a notebook sees is what it would see in a freshly started kernel;
plotly's built-in templates are loaded too (`_warm_up_plotly`).

The worker side is `ForkedProvisioner`, a jupyter_client provisioner whose
process handle (`ForkedKernel`) follows the child through a pidfd.

Sandboxed (the default in cohort grading, see `sandbox.py`), the server itself
runs inside bubblewrap, as this file alone (`python forkserver.py SOCKET
--sandbox INBOX`: nothing of `autograder` is importable there), and every
kernel it forks first gets its own namespaces (`_isolate`): a mount namespace
with a fresh size-capped scratch folder (home, temporary and working folder),
its own PID namespace (the kernel is its init: when it ends, every process it
started ends), its own IPC namespace, a /proc that shows only its own
processes, only its own connection folder, process limits, and an unprivileged
uid with no capabilities. The server answers with a pidfd of the kernel
(SCM_RIGHTS), since the kernel's pid in the sandbox means nothing outside.

Sandboxed, the server's main loop is also the watchdog of the whole submission
(`Watchdog`, about every 0.1 s): it sums the memory of every process of the
kernels' uid (RSS from /proc, counted again with Pss from smaps_rollup when the
sum is over the cap, so that pages shared with the server or between children
are not counted twice) and counts their processes and threads. Over the memory
cap (the submission's `memory_bytes`) or the process cap, it writes a record
(`limit-<ns>.json` in the workers' connection root: which limit, the value
measured, the cap) and kills every process of that uid. RLIMIT_NPROC stays, at
twice the process cap, only as a backstop.
"""

from __future__ import annotations

import ctypes
import importlib
import json
import os
import resource
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.provisioning import LocalProvisioner

PRELOAD = (
    "numpy",
    "pandas",
    "scipy.stats",
    "statsmodels.api",
    "plotly.graph_objects",
    "plotly.express",
    "ipykernel.kernelapp",
)
START_TIMEOUT_S = 120
KERNEL_MODULE = "ipykernel_launcher"

# Inside the sandbox (fixed paths, set up by sandbox.py's bwrap command).
SCRATCH = "/sandbox"  # the kernel's own tmpfs: home/, tmp/ (also at /tmp), work/ (its working folder)
INBOX = "/opt/course/inbox"  # read-only: the worker's run folders; the kernel gets a copy of its own
INSIDE_LIB = "/opt/course/lib"  # read-only: the private copy of the course package (PYTHONPATH)
INSIDE_DATASETS = "/opt/course/datasets"  # read-only: the private copy of the datasets (PMCOURSE_DATASETS)
KERNEL_UID = KERNEL_GID = 1000  # in the sandbox's user namespace; a dedicated unprivileged uid on the host
KERNEL_ENV = ("JPY_PARENT_PID", "MALLOC_ARENA_MAX", "LANG", "LC_ALL")  # all the kernel keeps of the worker's
CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWIPC = 0x00020000, 0x20000000, 0x08000000
WATCH_EVERY_S = 0.1  # the sandboxed server's accept timeout: how often the watchdog looks
NPROC_BACKSTOP = 2  # RLIMIT_NPROC is this many times the process cap: the watchdog, not the rlimit, stops a fork bomb
LIMIT_RECORD = "limit-{ns}.json"
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_MOVE, MS_REC, MS_PRIVATE = 1, 2, 4, 32, 4096, 8192, 0x4000, 1 << 18


# -- the server process ---------------------------------------------------------
def _become_kernel(request: dict) -> None:
    """In the forked child: turn into `python -m ipykernel_launcher ...` (never returns)."""
    code = 1
    try:
        os.setsid()  # its own process group, as jupyter_client expects, so killpg reaches only it
        if request["memory_bytes"] > 0:
            limit = request["memory_bytes"]
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        if request.get("sandbox"):  # the kernel is its PID namespace's init: a signal without handler would be ignored
            signal.signal(signal.SIGTERM, lambda *_: os._exit(128 + signal.SIGTERM))
        del sys.path[0]  # the server's own `-m` folder, which ipykernel_launcher removes the same way
        sys.argv = [str(Path(sys.prefix) / KERNEL_MODULE)] + request["args"]
        if request["env"].get("JPY_PARENT_PID"):  # ipykernel reads it when imported, i.e. in the server
            sys.argv.append(f"--IPKernelApp.parent_handle={request['env']['JPY_PARENT_PID']}")
        import numpy

        numpy.random.seed()  # fresh entropy, as a new process would have (Python's random reseeds itself)
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    except BaseException:  # noqa: BLE001 - report and leave, never return into the server loop
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


# -- in the sandbox: one kernel's own namespaces ------------------------------------
_LIBC = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    encode = lambda text: text.encode() if text is not None else None  # noqa: E731
    _check(_LIBC.mount(encode(source), encode(target), encode(fstype), flags, encode(data)), f"mount {target}")


def _inside_inbox(cwd: str, host_inbox: str) -> str:
    """The sandbox path of the host run folder `cwd` (which must lie in the worker's run folder)."""
    relative = os.path.relpath(os.path.realpath(cwd), os.path.realpath(host_inbox))
    if relative == ".." or relative.startswith("../") or os.path.isabs(relative):
        raise ValueError(f"the kernel's folder {cwd} is not in the worker's run folder {host_inbox}")
    return os.path.join(INBOX, relative)


def _hold_python_under_tmp() -> dict[str, str]:
    """Move the Python environment aside if it lies under /tmp (a checkout there), before /tmp is hidden.

    Returns {host path: where it is held}; `_restore_held` mounts each back, read-only, at its path.
    """
    held = {}
    for index, prefix in enumerate(dict.fromkeys((sys.base_prefix, sys.prefix))):
        if prefix == "/tmp" or prefix.startswith("/tmp/"):
            hold = os.path.join(SCRATCH, f".python{index}")
            os.mkdir(hold, 0o755)
            _mount(prefix, hold, None, MS_BIND | MS_REC)
            held[prefix] = hold
    return held


def _restore_held(held: dict[str, str]) -> None:
    for prefix, hold in held.items():
        os.makedirs(prefix, mode=0o755, exist_ok=True)
        _mount(hold, prefix, None, MS_MOVE)
        _mount(None, prefix, None, MS_REMOUNT | MS_BIND | MS_RDONLY)
        os.rmdir(hold)


def _isolate(request: dict, host_inbox: str) -> None:
    """In the kernel (PID 1 of its own namespace, still privileged in the sandbox): set up, then drop privileges.

    Mounts (all private to this kernel): a fresh tmpfs at SCRATCH with its size cap,
    holding home/, tmp/ (also mounted at /tmp) and work/ (a copy of the kernel's run
    folder); its own /proc; the inbox and every other kernel's connection folder hidden.
    """
    limits = request["sandbox"]
    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV)
    _mount("scratch", SCRATCH, "tmpfs", MS_NOSUID | MS_NODEV,
           f"size={limits['scratch_bytes']},mode=0755,uid={KERNEL_UID},gid={KERNEL_GID}")
    work = os.path.join(SCRATCH, "work")
    shutil.copytree(_inside_inbox(request["cwd"], host_inbox), work, symlinks=True)
    for name in ("home", "tmp", "ipc"):
        os.mkdir(os.path.join(SCRATCH, name), 0o700)
    for dirpath, dirnames, filenames in os.walk(SCRATCH):
        for name in [dirpath, *(os.path.join(dirpath, n) for n in dirnames + filenames)]:
            os.lchown(name, KERNEL_UID, KERNEL_GID)
    _mount("inbox", INBOX, "tmpfs", MS_NOSUID | MS_NODEV | MS_RDONLY, "size=4k,mode=0555")
    ipc = limits["ipc_dir"]  # the kernel's connection folder, at its host path (zmq's ipc:// paths)
    _mount(ipc, os.path.join(SCRATCH, "ipc"), None, MS_BIND)
    python = _hold_python_under_tmp()
    _mount(os.path.join(SCRATCH, "tmp"), "/tmp", None, MS_BIND)  # hides the other kernels' folders
    os.makedirs(ipc, exist_ok=True)
    _mount(os.path.join(SCRATCH, "ipc"), ipc, None, MS_MOVE)
    _restore_held(python)
    for limit, value in ((resource.RLIMIT_NPROC, NPROC_BACKSTOP * limits["processes"]), (resource.RLIMIT_CPU, limits["cpu_s"]),
                         (resource.RLIMIT_FSIZE, limits["file_bytes"]), (resource.RLIMIT_NOFILE, limits["open_files"]),
                         (resource.RLIMIT_CORE, 0)):
        resource.setrlimit(limit, (value, value))
    os.setgroups([])
    os.setresgid(KERNEL_GID, KERNEL_GID, KERNEL_GID)
    os.setresuid(KERNEL_UID, KERNEL_UID, KERNEL_UID)  # a non-zero uid: every capability is gone
    request["cwd"] = work
    home = os.path.join(SCRATCH, "home")
    request["env"] = {key: value for key, value in request["env"].items() if key in KERNEL_ENV}
    request["env"].update(HOME=home, TMPDIR="/tmp", USER="student", LOGNAME="student", PYTHONPATH=INSIDE_LIB,
                          PMCOURSE_DATASETS=INSIDE_DATASETS, PATH=os.environ.get("PATH", "/usr/bin:/bin"),
                          IPYTHONDIR=os.path.join(home, ".ipython"), MPLCONFIGDIR=os.path.join(home, ".matplotlib"))


def _start_isolated(conn: socket.socket, request: dict, host_inbox: str) -> None:
    """In the server's forked child: new namespaces, then fork the kernel as their PID 1 (never returns).

    Answers the worker with the kernel's pidfd; if the set-up fails, with the error.
    """
    code = 1
    try:
        _check(_LIBC.unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC), "unshare")
        _mount(None, "/", None, MS_REC | MS_PRIVATE)
        ready_r, ready_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(ready_r)
            try:
                _isolate(request, host_inbox)
            except BaseException as error:  # noqa: BLE001 - tell the worker, never become a kernel half-isolated
                os.write(ready_w, f"sandbox set-up failed: {error!r}"[:500].encode())
                os._exit(1)
            os.close(ready_w)
            conn.close()
            _become_kernel(request)
        os.close(ready_w)
        failure = b"".join(iter(lambda: os.read(ready_r, 4096), b""))
        if failure:
            conn.sendall(json.dumps({"error": failure.decode(errors="replace")}).encode())
        else:
            pidfd = os.pidfd_open(pid)
            socket.send_fds(conn, [json.dumps({"pid": pid}).encode()], [pidfd])
        code = 0
    except BaseException as error:  # noqa: BLE001
        try:
            conn.sendall(json.dumps({"error": f"sandbox set-up failed: {error!r}"[:500]}).encode())
        except OSError:
            pass
    finally:
        os._exit(code)


# -- in the sandbox: the watchdog of the whole submission -------------------------------
class Usage:
    """What the processes of one uid use together: memory (bytes), tasks (processes + threads), their pids."""

    def __init__(self, memory: int = 0, tasks: int = 0, pids: list[int] | None = None):
        self.memory, self.tasks, self.pids = memory, tasks, pids or []


def _fields(text: str) -> dict[str, str]:
    return dict(line.split(":", 1) for line in text.splitlines() if ":" in line)


def _kilobytes(value: str) -> int:
    return int(value.split()[0]) * 1024 if value.strip() else 0


def _pss(proc: str, pid: int) -> int:
    """Proportional memory of one process (shared pages split between their users); 0 if it is gone."""
    try:
        with open(f"{proc}/{pid}/smaps_rollup", encoding="ascii") as handle:
            return _kilobytes(_fields(handle.read()).get("Pss", ""))
    except (OSError, ValueError):
        return 0


def usage(uid: int, proc: str = "/proc", pss_above: int = 0) -> Usage:
    """Memory and tasks of every live process whose real uid is `uid` (zombies hold no memory and are skipped).

    Memory is the sum of RSS; if that is over `pss_above` (> 0) it is summed again as Pss,
    so pages that several of the processes share are counted once.
    """
    found = Usage()
    for name in os.listdir(proc):
        if not name.isdigit():
            continue
        try:
            with open(f"{proc}/{name}/status", encoding="ascii", errors="replace") as handle:
                fields = _fields(handle.read())
            if int(fields["Uid"].split()[0]) != uid or fields.get("State", "").split()[:1] == ["Z"]:
                continue
            found.memory += _kilobytes(fields.get("VmRSS", ""))
            found.tasks += int(fields.get("Threads", "1"))
        except (OSError, KeyError, ValueError, IndexError):  # gone meanwhile
            continue
        found.pids.append(int(name))
    if 0 < pss_above < found.memory:
        found.memory = sum(_pss(proc, pid) for pid in found.pids)
    return found


def over_limit(used: Usage, memory_cap: int, process_cap: int) -> dict | None:
    """The limit `used` is over ({limit, measured, cap}), or None. A cap of 0 is no limit."""
    if memory_cap > 0 and used.memory > memory_cap:
        return {"limit": "memory", "measured": used.memory, "cap": memory_cap}
    if process_cap > 0 and used.tasks > process_cap:
        return {"limit": "processes", "measured": used.tasks, "cap": process_cap}
    return None


def kill_all(uid: int, proc: str = "/proc", rounds: int = 100) -> int:
    """SIGKILL every process of `uid` until none is left (a fork bomb may fork meanwhile); returns how many."""
    killed = 0
    for _ in range(rounds):
        pids = usage(uid, proc).pids
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except ProcessLookupError:
                pass
        time.sleep(0.005)
    return killed


class Watchdog:
    """Limits for the whole submission (every process of the kernels' uid together), checked by `check()`.

    `watch(request)` names the kernel just started (its memory and process caps, and
    where the record goes); `check()` measures, and over a cap writes the record
    first (so the grader finds it when it sees the kernel die), then kills every
    process of the uid.
    """

    def __init__(self, uid: int = KERNEL_UID, proc: str = "/proc"):
        self.uid, self.proc = uid, proc
        self.memory_cap = self.process_cap = 0
        self.records = ""

    def watch(self, request: dict) -> None:
        self.memory_cap = max(int(request.get("memory_bytes") or 0), 0)
        self.process_cap = int(request["sandbox"]["processes"])
        self.records = os.path.dirname(request["sandbox"]["ipc_dir"].rstrip("/"))

    def check(self) -> dict | None:
        """Measure once; returns the record written if a limit was crossed (and everything was killed)."""
        if not (self.memory_cap or self.process_cap):
            return None
        found = over_limit(usage(self.uid, self.proc, pss_above=self.memory_cap), self.memory_cap, self.process_cap)
        if found is None:
            return None
        if self.records:
            path = os.path.join(self.records, LIMIT_RECORD.format(ns=time.time_ns()))
            with open(path + ".tmp", "w", encoding="ascii") as handle:
                json.dump(found, handle)
            os.replace(path + ".tmp", path)
        found["killed"] = kill_all(self.uid, self.proc)
        return found


def _warm_up_plotly() -> None:
    """Load the classes and validators of plotly's templates, which plotly imports one by one on first use.

    The course's setup cell merges `plotly_white` with the course template: without this, every kernel
    spends about 0.13 s of its setup cell importing them (measured in a forked kernel). This changes no
    setting (the default template stays plotly's): the two built-in templates are loaded from plotly's
    package data, as their first use in a kernel would load them.
    """
    import plotly.io

    plotly.io.templates.merge_templates("plotly_white", "plotly")


def serve(socket_path: str, inbox: str | None = None) -> None:
    """Preload, then fork one kernel per request until the parent (the worker) is gone.

    `inbox`: sandboxed; the host path of the worker's run folder (bound read-only at INBOX).
    """
    for name in PRELOAD:
        importlib.import_module(name)
    _warm_up_plotly()
    parent = os.getppid()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(socket_path)
    server.listen(8)
    server.settimeout(1.0 if inbox is None else WATCH_EVERY_S)
    watchdog = Watchdog()  # watches only sandboxed kernels (their requests carry the caps)
    while os.getppid() == parent:
        _reap_kernels()
        watchdog.check()
        try:
            conn, _ = server.accept()
        except TimeoutError:
            continue
        with conn:
            conn.settimeout(30)
            request = json.loads(_read_all(conn))
            if request.get("quit"):  # leave normally: the sandbox's init then reaps everything (CPU accounting too)
                break
            if request.get("sandbox"):
                watchdog.watch(request)
            pid = os.fork()
            if pid == 0:
                server.close()
                if inbox is not None:
                    _start_isolated(conn, request, inbox)
                conn.close()
                _become_kernel(request)
            if inbox is None:
                conn.sendall(json.dumps({"pid": pid}).encode())
    server.close()


def _reap_kernels() -> None:
    """Collect the kernels that have exited (their CPU time then counts in the worker's usage)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _read_all(conn: socket.socket) -> bytes:
    chunks = []
    while True:
        chunk = conn.recv(65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


# -- the worker side ---------------------------------------------------------------
class ForkServer:
    """The worker's handle on its fork server process (started at once; restarted if it died)."""

    def __init__(self, folder: Path, sandbox=None):
        """`sandbox`: a `sandbox.Sandbox` to run the server (and so every kernel) in, or None."""
        self.sandbox = sandbox
        self.socket_path = str(Path(sandbox.ipc_root if sandbox else folder) / "forkserver.sock")
        self.process: subprocess.Popen | None = None
        self.ensure_running()

    def ensure_running(self) -> None:
        if self.process is not None and self.process.poll() is None:
            return
        Path(self.socket_path).unlink(missing_ok=True)
        # glibc reads MALLOC_ARENA_MAX when a process starts: the kernels inherit the server's
        # allocator, and each thread's own 64 MB arena would count against their memory limit.
        env = {**os.environ, "MALLOC_ARENA_MAX": os.environ.get("MALLOC_ARENA_MAX", "2")}
        if self.sandbox is not None:
            command, pass_fds = self.sandbox.server_command(self.socket_path)
            self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, pass_fds=pass_fds)
        else:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "autograder.cohort.forkserver", self.socket_path],
                stdin=subprocess.DEVNULL, env=env,
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while not os.path.exists(self.socket_path):
            if self.process.poll() is not None:
                raise RuntimeError(f"the kernel fork server stopped at start (exit code {self.process.returncode})")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the kernel fork server did not start within {START_TIMEOUT_S} s")
            time.sleep(0.05)

    def close(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        if self.sandbox is not None:  # ask first: a killed bwrap leaves its kernels' CPU time unaccounted
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
                    conn.settimeout(10)
                    conn.connect(self.socket_path)
                    conn.sendall(b'{"quit": true}')
                self.process.wait(timeout=10)
                return
            except (OSError, subprocess.TimeoutExpired):
                pass
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def fork_kernel(socket_path: str, args: list[str], env: dict[str, str], cwd: str, memory_bytes: int,
                sandbox: dict | None = None) -> tuple[int, int | None]:
    """Ask the fork server at `socket_path` for a kernel; returns its pid and (sandboxed) a pidfd of it."""
    request = {"args": args, "env": env, "cwd": cwd, "memory_bytes": memory_bytes, "sandbox": sandbox}
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(60)
        conn.connect(socket_path)
        conn.sendall(json.dumps(request).encode())
        conn.shutdown(socket.SHUT_WR)
        if sandbox is None:
            return int(json.loads(_read_all(conn))["pid"]), None
        message, fds, _, _ = socket.recv_fds(conn, 65536, 1)
        answer = json.loads(message or b"{}")
        if not fds:
            raise RuntimeError(answer.get("error", "the sandboxed fork server gave no kernel"))
        return _host_pid(fds[0]), fds[0]


def _host_pid(pidfd: int) -> int:
    """The pid (in this process's namespace) of the process a pidfd refers to."""
    with open(f"/proc/self/fdinfo/{pidfd}", encoding="ascii") as info:
        for line in info:
            if line.startswith("Pid:"):
                return int(line.split()[1])
    raise RuntimeError("this Linux does not report a pidfd's pid")


class ForkedKernel:
    """What jupyter_client needs of a `subprocess.Popen`, for a kernel that is not our child.

    The fork server is the kernel's parent and collects its exit status, so the
    code is not known here: `returncode` is -1 once it has exited.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int, pidfd: int | None = None):
        self.pid = pid
        self.returncode: int | None = None
        if pidfd is not None:
            self._pidfd: int | None = pidfd
            return
        try:
            self._pidfd = os.pidfd_open(pid)
        except ProcessLookupError:  # already gone
            self._pidfd, self.returncode = None, -1

    def poll(self) -> int | None:
        if self.returncode is None and self._pidfd is not None and select.select([self._pidfd], [], [], 0)[0]:
            self.returncode = -1
            os.close(self._pidfd)
            self._pidfd = None
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0)
            select.select([self._pidfd], [], [], 0.1)
        return self.returncode  # type: ignore[return-value]

    def send_signal(self, signum: int) -> None:
        if self.poll() is not None or self._pidfd is None:
            raise ProcessLookupError(3, "No such process")  # what jupyter_client tolerates (ESRCH)
        signal.pidfd_send_signal(self._pidfd, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class ForkedProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, but the kernel process comes from a fork server.

    Its kernel manager (`parent`) names the server (`fork_server`, a socket path),
    the kernel's address-space limit (`memory_mb`) and, sandboxed, the kernel's
    limits and connection folder (`sandbox_request()`).
    """

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        if cmd[1:3] != ["-m", KERNEL_MODULE]:
            raise RuntimeError(f"the fork server starts ipykernel only, not {cmd!r}")
        env = dict(kwargs.get("env") or os.environ)
        if not kwargs.get("independent"):
            env["JPY_PARENT_PID"] = str(os.getpid())  # as jupyter_client's launch_kernel does
        cwd = str(kwargs.get("cwd") or os.getcwd())
        memory_bytes = max(self.parent.memory_mb, 0) * 1024 * 1024
        sandbox = self.parent.sandbox_request()
        pid, pidfd = fork_kernel(self.parent.fork_server, cmd[3:], env, cwd, memory_bytes, sandbox)
        self.process = ForkedKernel(pid, pidfd)
        self.pid = self.pgid = pid
        self.cwd = cwd
        return self.connection_info


if __name__ == "__main__":
    import argparse

    cli = argparse.ArgumentParser(prog="python -m autograder.cohort.forkserver", description="a grading worker's kernel fork server")
    cli.add_argument("socket", help="the Unix socket to serve on")
    cli.add_argument("--sandbox", metavar="INBOX", default=None,
                     help="running in the grading sandbox; INBOX is the host path of the worker's run folder")
    options = cli.parse_args()
    serve(options.socket, options.sandbox)
