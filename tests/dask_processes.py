"""A real Dask cluster for the tests: `dask scheduler` and `dask worker` processes over TCP on 127.0.0.1.

The same path as separate machines: the client reaches the scheduler and the
workers only through TCP. Each process runs in its own session, so a test can
kill one (and its children: the nanny's worker, the fork server) as a crashed
machine would be, and every process started here is stopped at the end.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from postgres_server import free_port

START_TIMEOUT_S = 180


def _bin(python: str, name: str) -> str:
    return str(Path(python).parent / name)


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


class DaskProcesses:
    """Start, count and stop scheduler and worker processes; `stop_all` at the end of a test."""

    def __init__(self, log_dir: Path):
        self.log_dir = Path(log_dir)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.processes: list[subprocess.Popen] = []

    def _start(self, name: str, command: list[str], env: dict | None = None, cwd: str = "/") -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "ab")
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True, env=env or dict(os.environ), cwd=cwd)
        log.close()
        self.processes.append(process)
        return process

    def scheduler(self, port: int | None = None, env: dict | None = None) -> tuple[str, subprocess.Popen]:
        port = port or free_port()
        process = self._start(f"scheduler-{port}", [_bin(sys.executable, "dask"), "scheduler", "--host", "127.0.0.1",
                                                     "--port", str(port), "--dashboard-address", "127.0.0.1:0"], env)
        deadline = time.monotonic() + START_TIMEOUT_S
        while not port_open(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"dask scheduler did not start: {(self.log_dir / f'scheduler-{port}.log').read_text()}")
            time.sleep(0.2)
        return f"tcp://127.0.0.1:{port}", process

    def worker(self, address: str, name: str, python: str = sys.executable, env: dict | None = None,
               prefix: tuple[str, ...] = (), nanny: bool = True) -> subprocess.Popen:
        """A `dask worker` process; `prefix` runs it under another command (say, one that hides a folder).

        `nanny`: False starts the worker without its nanny (`--no-nanny`): one process, not restarted."""
        return self._start(f"worker-{name}", [*prefix, python, "-m", "distributed.cli.dask_worker", address, "--name", name,
                                              "--host", "127.0.0.1", "--nthreads", "1", "--nworkers", "1",
                                              "--memory-limit", "0", "--no-dashboard",
                                              *([] if nanny else ["--no-nanny"])], env)

    @staticmethod
    def kill(process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
        """Kill the process and everything in its session (a machine going away)."""
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=60)

    def stop_all(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                self.kill(process, signal.SIGTERM)
            try:
                os.killpg(process.pid, signal.SIGKILL)  # leftovers in its session (fork servers, kernels)
            except ProcessLookupError:
                pass


def hidden_from(folder: Path) -> tuple[str, ...]:
    """A command prefix: run the rest in its own mount namespace with an empty tmpfs over `folder`."""
    return ("unshare", "--mount", "--propagation", "private", "sh", "-c",
            'mount -t tmpfs -o size=1m none "$0" && exec "$@"', str(folder))
