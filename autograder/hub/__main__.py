"""`python -m autograder.hub --course DIR --exchange DIR`: grade each submission as it arrives (see service.py)."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from pathlib import Path

from autograder.cohort.engine import EngineError
from autograder.cohort.layout import Course, default_course_root
from autograder.cohort.sandbox import SandboxUnavailable
from autograder.hub.service import GradeOnSubmit, ServiceError


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m autograder.hub", allow_abbrev=False,
        description="Grade every submission in nbgrader's exchange as it arrives and release its feedback.",
    )
    p.add_argument("--course", default=os.environ.get("PMCOURSE_COURSE_DIR") or str(default_course_root()),
                   help="the instructor's nbgrader course folder (default: $PMCOURSE_COURSE_DIR, else this one)")
    p.add_argument("--exchange", default=os.environ.get("PMCOURSE_EXCHANGE", "/srv/nbgrader/exchange"),
                   help="nbgrader's exchange root (default: $PMCOURSE_EXCHANGE, else /srv/nbgrader/exchange)")
    p.add_argument("--interval", type=float, default=1.0, help="seconds between two looks at the exchange (default 1)")
    p.add_argument("--workers", "-j", type=int, default=None, help="grading workers (default: one per core)")
    p.add_argument("--once", action="store_true", help="handle what is waiting, then exit")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(asctime)s autograder.hub %(message)s")
    try:
        service = GradeOnSubmit(Course(Path(args.course)), Path(args.exchange), args.workers)
    except ServiceError as error:
        print(f"autograder.hub: {error}", file=sys.stderr)
        return 2
    if args.once:
        for record in service.run_once():
            print(f"{record['status']}: {record['student']} {record['module']}")
        return 0
    # The instructor (and the tests) find the running service by its pid.
    pid_file = service.course.grading / "hub" / "service.pid"
    pid_file.write_text(f"{os.getpid()}\n", encoding="utf-8")
    stop_on_signals()
    try:
        service.serve(args.interval)
    except KeyboardInterrupt:  # SIGINT or SIGTERM: `serve` has closed its cluster on the way out
        logging.getLogger("autograder.hub").info("stopped")
    except (EngineError, SandboxUnavailable) as error:  # no grading cluster could be opened
        print(f"autograder.hub: {error}", file=sys.stderr)
        return 1
    finally:
        if pid_file.is_file() and pid_file.read_text(encoding="utf-8").strip() == str(os.getpid()):
            pid_file.unlink()
    return 0


def stop_on_signals() -> None:
    """SIGINT and SIGTERM (what JupyterHub sends a service it stops) end `serve` as Ctrl-C does.

    The first signal raises KeyboardInterrupt, and the grading cluster closes (its workers, their
    fork servers and kernels); signals that come while it closes are ignored (the hub sends
    SIGTERM after SIGINT, and SIGKILL if the service is still there after both).
    """
    def stop(signum, frame):
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_IGN)
        raise KeyboardInterrupt(signal.Signals(signum).name)

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, stop)


if __name__ == "__main__":
    sys.exit(main())
