"""Command line: `python -m autograder.cohort <command> [options]` (see --help)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from autograder.cohort.layout import Course, default_course_root
from autograder.cohort.workspace import DEFAULT_MEMORY_MB


def _course(args) -> Course:
    return Course(Path(args.course), args.db_url)


def _modules(course: Course, args) -> list[str]:
    return args.module or course.modules()


def cmd_setup(args) -> int:
    from autograder.cohort.roster import DueDateError, RosterError, setup
    from autograder.cohort.untrusted import printable

    course = _course(args)
    try:
        print(setup(course, Path(args.roster) if args.roster else None, _modules(course, args), args.due, args.force))
    except (RosterError, DueDateError) as error:
        print(f"setup: {printable(error)}", file=sys.stderr)
        return 2
    return 0


def cmd_collect(args) -> int:
    from autograder.cohort.collect import CollectError, collect
    from autograder.cohort.untrusted import printable

    course = _course(args)
    try:
        report = collect(course, Path(args.source), args.module[0] if args.module else None, args.timestamp)
    except CollectError as error:
        print(printable(error), file=sys.stderr)
        return 2
    print(report.text())
    return 0 if not report.problems else 3


def _grade_or_refuse(course, args):
    """The pairs' journal entries, or exit status 2 with one line when grading cannot start."""
    from autograder.cohort.engine import EngineError
    from autograder.cohort.grade import grade
    from autograder.cohort.sandbox import SandboxUnavailable

    if args.no_sandbox:
        print("grading WITHOUT the OS sandbox (--no-sandbox): submissions can reach this machine's files", flush=True)
    try:
        return grade(course, args.module or None, args.student or None, args.workers, args.force,
                     args.memory_mb, progress=not args.quiet, scheduler=getattr(args, "scheduler", None),
                     sandbox=not args.no_sandbox)
    except SandboxUnavailable as error:
        print(f"grade: {error}", file=sys.stderr)
    except EngineError as error:
        print(error, file=sys.stderr)
    return 2


def cmd_grade(args) -> int:
    from autograder.cohort.grade import status_table, summary
    from autograder.cohort.untrusted import printable

    course = _course(args)
    started = time.time()
    results = _grade_or_refuse(course, args)
    if results == 2:
        return 2
    graded_now = sum(1 for r in results if r.get("finished", 0) >= started and r["status"] != "not_submitted")
    table = printable(status_table(results), keep="\n")  # student ids come from folder names
    if not args.quiet:
        print(table)
    print(summary(results, graded_now))
    course.grading.mkdir(parents=True, exist_ok=True)
    (course.grading / "status.txt").write_text(table + "\n", encoding="utf-8")
    # 1 when this run found a pair without a grade; a pair nbgrader cannot grade as submitted is not graded
    # again (until its files change or --force), so later runs list it as needs_attention and exit 0.
    found = [r for r in results if r["status"] in ("failed", "needs_attention") and r.get("finished", 0) >= started]
    return 1 if found else 0


def cmd_feedback(args) -> int:
    from autograder.cohort.feedback import feedback

    course = _course(args)
    print(feedback(course, args.module or None, args.student or None, args.force))
    return 0


def cmd_export(args) -> int:
    from autograder.cohort.export import export

    course = _course(args)
    for path in export(course, Path(args.to) if args.to else None):
        print(f"wrote {path}")
    return 0


def cmd_report(args) -> int:
    from autograder.cohort.report import report

    course = _course(args)
    print(f"wrote {report(course, Path(args.to) if args.to else None)}")
    return 0


def cmd_all(args) -> int:
    steps = []
    if args.roster or args.due:
        steps.append(cmd_setup)
    if args.source:
        steps.append(cmd_collect)
    steps += [cmd_grade, cmd_feedback, cmd_export, cmd_report]
    code = 0
    for step in steps:
        print(f"== {step.__name__[4:]}", flush=True)
        result = run_step(step, args)
        if result == 2 and step in (cmd_setup, cmd_collect, cmd_grade):  # bad input, or no sandbox possible: nothing to go on with
            return 2
        if step is cmd_collect and result:
            print("(collect found problems: see the report above; going on)")
        code = max(code, result if step is not cmd_collect else 0)
        if result == 2 and step is not cmd_collect:  # the gradebook or the cluster cannot be reached
            return 2
    return code


def run_step(step, args) -> int:
    """One command; again after a dropped gradebook connection; exit 2 naming the gradebook after retries."""
    from autograder.cohort.database import GradebookUnreachable, with_retries

    try:
        return with_retries(lambda: step(args), _course_db_url(args))
    except GradebookUnreachable as error:
        print(error, file=sys.stderr)
        return 2


def _course_db_url(args) -> str:
    try:
        return _course(args).db_url
    except Exception:  # noqa: BLE001 - only used to name the gradebook in a message
        return args.db_url or "the course's gradebook"


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="python -m autograder.cohort", allow_abbrev=False,
        description="Grade a whole cohort with nbgrader: setup, collect, grade, feedback, export, report.",
    )
    common = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    common.add_argument("--course", default=str(default_course_root()),
                        help="the nbgrader course folder (default: this one, or the repository)")
    common.add_argument("--db-url", default=None,
                        help="gradebook address (default: nbgrader's CourseDirectory.db_url, "
                             "else sqlite:///<course>/gradebook.db); e.g. postgresql://user@host/course")
    common.add_argument("--module", "-m", action="append", default=[], help="only this module (repeatable)")
    sub = top.add_subparsers(dest="command", required=True)

    def add(name, func, help_text, *extra):
        p = sub.add_parser(name, parents=[common, *extra], help=help_text, description=help_text, allow_abbrev=False)
        p.set_defaults(func=func)
        return p

    setup_opts = argparse.ArgumentParser(add_help=False)
    setup_opts.add_argument("--roster", help="roster CSV: id[,first_name,last_name,email,lms_user_id]")
    setup_opts.add_argument("--due", action="append", default=[], metavar="MODULE=WHEN",
                            help="due date with a UTC offset or a zone name, e.g. m00_orientation=2025-03-07T23:59+01:00 or "
                                 "'m00_orientation=2025-03-07T23:59 Europe/Berlin' (repeatable)")
    collect_opts = argparse.ArgumentParser(add_help=False)
    collect_opts.add_argument("--timestamp", default=None,
                              help="submission time to record when the files carry none (default: file times)")
    grade_opts = argparse.ArgumentParser(add_help=False)
    grade_opts.add_argument("--workers", "-j", type=int, default=None,
                            help="worker processes of the local cluster (default: one per core)")
    grade_opts.add_argument("--student", "-s", action="append", default=[], help="only this student (repeatable)")
    grade_opts.add_argument("--memory-mb", type=int, default=DEFAULT_MEMORY_MB,
                            help=f"memory limit of each student kernel (default {DEFAULT_MEMORY_MB} MB; 0: none)")
    grade_opts.add_argument("--quiet", "-q", action="store_true", help="no progress bar or status table")
    grade_opts.add_argument("--no-sandbox", action="store_true",
                            help="run student code without the OS sandbox (only for submissions you trust; "
                                 "noted on every pair)")
    cluster_opts = argparse.ArgumentParser(add_help=False)
    cluster_opts.add_argument("--scheduler", default=None, metavar="ADDRESS",
                              help="grade on the Dask cluster at this scheduler, e.g. tcp://host:8786 "
                                   "(default: a local cluster of --workers processes)")
    force_opt = argparse.ArgumentParser(add_help=False)
    force_opt.add_argument("--force", action="store_true", help="redo what is already done")
    to_opt = argparse.ArgumentParser(add_help=False)
    to_opt.add_argument("--to", default=None, help="output folder or file (default: <course>/grading/)")

    add("setup", cmd_setup, "import the roster, set due dates, release the modules", setup_opts, force_opt)
    p = add("collect", cmd_collect, "copy submissions from a folder or an LMS zip into submitted/", collect_opts)
    p.add_argument("source", help="a folder (submitted/-style or flat) or a .zip of files named by student")
    add("grade", cmd_grade, "autograde in parallel, resuming where a previous run stopped", grade_opts,
        cluster_opts, force_opt)
    add("feedback", cmd_feedback, "feedback HTML per student and module, plotly charts included",
        grade_opts, force_opt)
    add("export", cmd_export, "grades as nbgrader's CSV and as an LMS gradebook CSV", to_opt)
    add("report", cmd_report, "one HTML page on the cohort: scores, pass rates, missing submissions", to_opt)
    p = add("all", cmd_all, "setup (if --roster/--due), collect (if a source), grade, feedback, export, report",
            setup_opts, collect_opts, grade_opts, cluster_opts, force_opt, to_opt)
    p.add_argument("source", nargs="?", default=None, help="submissions to collect first (optional)")
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.func(args) if args.func is cmd_all else run_step(args.func, args)


if __name__ == "__main__":
    sys.exit(main())
