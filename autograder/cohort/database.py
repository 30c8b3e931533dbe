"""Reaching the gradebook (SQLite or PostgreSQL): retries, and one clear line when it cannot be reached.

nbgrader opens a new SQLAlchemy engine for every `Gradebook`, so a connection
that drops (a PostgreSQL restart, a network cut, a server that is not up yet)
shows as an `OperationalError` or `InterfaceError` from the next operation.
Every pipeline step is idempotent (setup updates or creates, grade resumes
from its journal, feedback/export/report rewrite their files), so a step that
hit one is run again after a growing wait; after the last attempt the error
names the database (password hidden) and what to check.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TypeVar

ATTEMPTS = 4
FIRST_WAIT_S = 2.0

T = TypeVar("T")


class GradebookUnreachable(RuntimeError):
    """The gradebook could not be reached after every attempt (the message says what to check)."""


def hide_password(db_url: str) -> str:
    """The URL as it can be shown: `postgresql+psycopg://user:***@host:5432/course`."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(db_url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - not a URL SQLAlchemy can read: show it as given
        return db_url


def connection_errors() -> tuple[type[BaseException], ...]:
    from sqlalchemy.exc import InterfaceError, OperationalError

    return (OperationalError, InterfaceError)


def reason(error: BaseException) -> str:
    """The driver's first line (`connection refused`, `database "x" does not exist`, ...)."""
    original = getattr(error, "orig", None) or error
    text = str(original).strip().splitlines()
    return f"{type(original).__name__}: {text[0] if text else ''}"[:300]


def what_to_check(db_url: str) -> str:
    if db_url.startswith("sqlite"):
        return "check that the gradebook file's folder exists and is writable, and that no other program holds it"
    return ("check that the database server is running and reachable from this machine, that the database "
            "exists, and the user and password (--db-url or c.CourseDirectory.db_url)")


def unreachable(db_url: str, error: BaseException, attempts: int) -> GradebookUnreachable:
    return GradebookUnreachable(
        f"cannot reach the gradebook {hide_password(db_url)} after {attempts} attempts ({reason(error)}): "
        f"{what_to_check(db_url)}"
    )


def with_retries(action: Callable[[], T], db_url: str, attempts: int | None = None,
                 first_wait_s: float | None = None, say: Callable[[str], None] | None = None) -> T:
    """`action()`, run again after a dropped gradebook connection; GradebookUnreachable after `attempts`."""
    say = say or (lambda line: print(line, file=sys.stderr, flush=True))
    attempts = attempts or ATTEMPTS
    first_wait_s = FIRST_WAIT_S if first_wait_s is None else first_wait_s
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except connection_errors() as error:
            if attempt == attempts:
                raise unreachable(db_url, error, attempts) from error
            wait = first_wait_s * 2 ** (attempt - 1)
            say(f"gradebook {hide_password(db_url)} unreachable ({reason(error)}); "
                f"attempt {attempt} of {attempts}, trying again in {wait:g} s")
            time.sleep(wait)
    raise AssertionError("unreachable")
