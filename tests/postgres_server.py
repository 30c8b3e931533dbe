"""A real PostgreSQL server for the tests, in a temporary folder, on 127.0.0.1 only.

Modelled on pytest-postgresql's `postgresql_proc` (initdb into a fresh data
folder, `pg_ctl start` on a free port with a private socket folder, `pg_ctl
stop` at the end), with one difference that keeps us off pytest-postgresql
itself: PostgreSQL refuses to run as root, and CI runs as root, so there the
server runs as the unprivileged `nobody` user (`runuser -u nobody`), with its
folder owned by that user.

The binaries are Debian's (`apt-get install postgresql`, which `.ci/run` does),
found through `pg_config --bindir`, then `/usr/lib/postgresql/<version>/bin`,
then PATH. `CI=true` turns "PostgreSQL is not installed" into a failure
instead of a skip.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

UNPRIVILEGED_USER = "nobody"
START_TIMEOUT_S = 120
SUPERUSER = "postgres"


def postgres_bindir() -> Path | None:
    """The folder holding `initdb` and `pg_ctl`, or None if PostgreSQL is not installed."""
    candidates = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        found = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False).stdout.strip()
        candidates.append(found)
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name), reverse=True)
    candidates += versions
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(str(Path(on_path).resolve().parent))
    for folder in candidates:
        if folder and (Path(folder) / "initdb").is_file() and (Path(folder) / "pg_ctl").is_file():
            return Path(folder)
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", UNPRIVILEGED_USER, "--", *command]


@dataclass
class PostgresServer:
    """One running server: `url(db)` is a SQLAlchemy URL for nbgrader (`postgresql+psycopg://`)."""

    bindir: Path
    folder: Path
    port: int
    host: str = "127.0.0.1"

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def log(self) -> Path:
        return self.folder / "server.log"

    def url(self, database: str = SUPERUSER) -> str:
        return f"postgresql+psycopg://{SUPERUSER}@{self.host}:{self.port}/{database}"

    def _pg_ctl(self, *args: str) -> None:
        command = _as_server_user([str(self.bindir / "pg_ctl"), *args])
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=START_TIMEOUT_S + 30)
        if done.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"pg_ctl {args[0]} failed: {done.stdout}{done.stderr}\n{log}")

    def init(self) -> None:
        command = [str(self.bindir / "initdb"), "-D", str(self.data), "-A", "trust", "-U", SUPERUSER,
                   "-E", "UTF8", "--no-locale", "--no-sync"]
        done = subprocess.run(_as_server_user(command), capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed: {done.stdout}{done.stderr}")

    def start(self) -> None:
        options = (f"-h {self.host} -p {self.port} -k {self.folder} "
                   "-c fsync=off -c full_page_writes=off -c synchronous_commit=off")
        self._pg_ctl("start", "-D", str(self.data), "-w", "-t", str(START_TIMEOUT_S), "-l", str(self.log),
                     "-o", options)

    def stop(self) -> None:
        self._pg_ctl("stop", "-D", str(self.data), "-m", "fast", "-w", "-t", str(START_TIMEOUT_S))

    def is_running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(host=self.host, port=self.port, user=SUPERUSER, dbname=SUPERUSER,
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def start_server() -> PostgresServer:
    bindir = postgres_bindir()
    if bindir is None:
        message = "PostgreSQL is not installed (Debian: apt-get install postgresql; .ci/run does it)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    folder = Path(tempfile.mkdtemp(prefix="pmcourse-postgres-"))  # not under pytest's root-only tmp folders
    if os.geteuid() == 0:
        shutil.chown(folder, UNPRIVILEGED_USER)
    server = PostgresServer(bindir, folder, free_port())
    try:
        server.init()
        server.start()
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return server


def stop_server(server: PostgresServer) -> None:
    try:
        if server.is_running():
            server.stop()
    finally:
        shutil.rmtree(server.folder, ignore_errors=True)
