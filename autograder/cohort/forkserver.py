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
that what a notebook sees is what it would see in a freshly started kernel.

The worker side is `ForkedProvisioner`, a jupyter_client provisioner whose
process handle (`ForkedKernel`) follows the child through a pidfd.
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import select
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


def serve(socket_path: str) -> None:
    """Preload, then fork one kernel per request until the parent (the worker) is gone."""
    for name in PRELOAD:
        importlib.import_module(name)
    parent = os.getppid()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(socket_path)
    server.listen(8)
    server.settimeout(1.0)
    while os.getppid() == parent:
        _reap_kernels()
        try:
            conn, _ = server.accept()
        except TimeoutError:
            continue
        with conn:
            conn.settimeout(30)
            request = json.loads(_read_all(conn))
            pid = os.fork()
            if pid == 0:
                server.close()
                conn.close()
                _become_kernel(request)
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

    def __init__(self, folder: Path):
        self.socket_path = str(Path(folder) / "forkserver.sock")
        self.process: subprocess.Popen | None = None
        self.ensure_running()

    def ensure_running(self) -> None:
        if self.process is not None and self.process.poll() is None:
            return
        Path(self.socket_path).unlink(missing_ok=True)
        # glibc reads MALLOC_ARENA_MAX when a process starts: the kernels inherit the server's
        # allocator, and each thread's own 64 MB arena would count against their memory limit.
        env = {**os.environ, "MALLOC_ARENA_MAX": os.environ.get("MALLOC_ARENA_MAX", "2")}
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
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def fork_kernel(socket_path: str, args: list[str], env: dict[str, str], cwd: str, memory_bytes: int) -> int:
    """Ask the fork server at `socket_path` for a kernel; returns its pid."""
    request = {"args": args, "env": env, "cwd": cwd, "memory_bytes": memory_bytes}
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(60)
        conn.connect(socket_path)
        conn.sendall(json.dumps(request).encode())
        conn.shutdown(socket.SHUT_WR)
        return int(json.loads(_read_all(conn))["pid"])


class ForkedKernel:
    """What jupyter_client needs of a `subprocess.Popen`, for a kernel that is not our child.

    The fork server is the kernel's parent and collects its exit status, so the
    code is not known here: `returncode` is -1 once it has exited.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None
        try:
            self._pidfd: int | None = os.pidfd_open(pid)
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

    Its kernel manager (`parent`) names the server (`fork_server`, a socket path)
    and the kernel's address-space limit (`memory_mb`).
    """

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        if cmd[1:3] != ["-m", KERNEL_MODULE]:
            raise RuntimeError(f"the fork server starts ipykernel only, not {cmd!r}")
        env = dict(kwargs.get("env") or os.environ)
        if not kwargs.get("independent"):
            env["JPY_PARENT_PID"] = str(os.getpid())  # as jupyter_client's launch_kernel does
        cwd = str(kwargs.get("cwd") or os.getcwd())
        memory_bytes = max(self.parent.memory_mb, 0) * 1024 * 1024
        pid = fork_kernel(self.parent.fork_server, cmd[3:], env, cwd, memory_bytes)
        self.process = ForkedKernel(pid)
        self.pid = self.pgid = pid
        self.cwd = cwd
        return self.connection_info


if __name__ == "__main__":
    import argparse

    cli = argparse.ArgumentParser(prog="python -m autograder.cohort.forkserver", description="a grading worker's kernel fork server")
    cli.add_argument("socket", help="the Unix socket to serve on")
    serve(cli.parse_args().socket)
