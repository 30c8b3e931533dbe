"""`grade`: autograde every (student, module) pair on a Dask cluster, resumably.

Each pair is one Dask task (`engine.py`): on the cluster at `--scheduler`, or
on a local cluster of one worker process per core. Every Dask worker keeps one
long-lived grader (nbgrader loaded once, a kernel fork server, a private
workspace: `worker.py`). Workers get the pair's files as data and return the
autograded files and grades as data; this process alone commits them
(`handover.commit`: autograded/, gradebook, then journal), shows a progress bar
(`rich`) and prints the per-student status table at the end.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager, nullcontext

from autograder.cohort import journal
from autograder.cohort.digest import MISSING, submission_digest
from autograder.cohort.handover import commit
from autograder.cohort.layout import Course, released_modules
from autograder.cohort.outcomes import Outcome, sentences, unfinished
from autograder.cohort.roster import roster_ids
from autograder.cohort.workspace import DEFAULT_MEMORY_MB


def students_of(course: Course) -> list[str]:
    """The roster, plus anyone with a folder in submitted/."""
    found = set(roster_ids(course))
    if course.submitted.is_dir():
        found |= {p.name for p in course.submitted.iterdir() if p.is_dir() and not p.name.startswith(".")}
    return sorted(found)


@contextmanager
def progress_bar(total: int, enabled: bool = True):
    """A progress bar on stderr (rich); `step(label)` after each pair. Off for --quiet or nothing to do."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    console = Console(stderr=True)
    columns = (BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(),
               TextColumn("{task.description}"))
    with Progress(*columns, console=console, disable=not (enabled and total)) as bar:
        task = bar.add_task("", total=total)
        tenth = [0]

        def step(label: str) -> None:
            bar.update(task, advance=1, description=label[:40])
            done = int(bar.tasks[0].completed)
            if enabled and not console.is_terminal and done * 10 // total > tenth[0]:  # a log: a line per 10 %
                tenth[0] = done * 10 // total
                console.print(f"{done}/{total} graded ({label})", highlight=False)

        yield step


def plan(course: Course, modules: list[str], students: list[str], force: bool):
    """Split the pairs into those to grade and those whose journal entry is current."""
    todo, current = [], []
    trust = journal.Trust(course)  # entries are checked against the gradebook before a pair is skipped
    for module in modules:
        for student in students:
            digest = submission_digest(course.submission(student, module))
            entry = trust.read(student, module)
            if not force and trust.is_current(entry, digest):
                current.append(entry)
            elif digest == MISSING:
                todo.append(("nothing", student, module, unfinished(student, module, Outcome.NOT_SUBMITTED, digest=digest)))
            else:
                todo.append(("grade", student, module, None))
    trust.save()
    return todo, current


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def grade(
    course: Course,
    modules: list[str] | None = None,
    students: list[str] | None = None,
    workers: int | None = None,
    force: bool = False,
    memory_mb: int = DEFAULT_MEMORY_MB,
    progress: bool = True,
    scheduler: str | None = None,
    sandbox: bool = True,
    cluster=None,
) -> list[dict]:
    """Grade what is not graded yet; return every pair's journal entry (old and new).

    `scheduler`: a Dask scheduler's address (tcp://host:8786); None starts a
    local cluster of `workers` processes (default: one per core). Raises
    `engine.EngineError` when the cluster cannot grade (what was done is journaled).
    `sandbox`: run every kernel in the OS sandbox (`sandbox.py`); raises
    `SandboxUnavailable` if none can be made here. False grades as before, noted on every pair.
    `cluster`: an open `engine.Cluster` (from `engine.cluster`, kept by a long-lived caller such as
    the hub's grading service) to grade on, left open; its workers' graders and fork servers are
    reused, and `scheduler`, `workers`, `memory_mb` and `sandbox` are the cluster's own. None: a
    cluster is opened for this call and closed after it.
    """
    _require_sandbox(sandbox, cluster)
    modules = modules or released_modules(course)
    students = students or students_of(course)
    todo, results = plan(course, modules, students, force)
    for kind, student, module, result in todo:
        if kind == "nothing":  # not submitted: no worker needed
            journal.write(course, result)
            results.append(result)
    pending = [(s, m) for kind, s, m, _ in todo if kind == "grade"]
    if pending:
        local_workers = max(1, min(workers or default_workers(), len(pending)))
        with _open_cluster(cluster, course, scheduler, local_workers, memory_mb, sandbox) as cluster:
            if progress and cluster.dashboard:
                print(f"Dask dashboard: {cluster.dashboard}", file=sys.stderr, flush=True)
            with progress_bar(len(pending), progress) as step:
                for output in cluster.grade(pending):
                    result = commit(course, output)  # files, gradebook, then journal: the one writer
                    results.append(result)
                    step(f"{result['student']} {result['module']}")
    results.sort(key=lambda r: (r["module"], r["student"]))
    return results


def _open_cluster(cluster, course: Course, scheduler, workers: int, memory_mb: int, sandbox: bool):
    """`cluster` if one is open (it stays open), else a new one for this call (closed after it)."""
    from autograder.cohort import engine

    return nullcontext(cluster) if cluster is not None else engine.cluster(course, scheduler, workers, memory_mb, sandbox)


def _require_sandbox(wanted: bool, cluster=None) -> None:
    """Raise `SandboxUnavailable` (its message names the fix) if a sandbox is wanted and cannot be made.

    An open `cluster` was checked when it was opened."""
    if wanted and cluster is None:
        from autograder.cohort.sandbox import require

        require()


def status_table(results: list[dict]) -> str:
    """One line per (student, module): status, score and what happened."""
    rows = [("student", "module", "status", "score", "what happened")]
    for r in results:
        score = f"{r['score']:g}/{r['max_score']:g}" if r["status"] != "not_submitted" else "-"
        notes = "; ".join(sentences(r)) or "ok"
        rows.append((r["student"], r["module"], r["status"], score, notes))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row[:4], widths)) + "  " + row[4] for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths) + "  " + "-" * 13)
    return "\n".join(lines)


def summary(results: list[dict], graded_now: int) -> str:
    counts: dict[str, int] = {}
    for r in results:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    flagged = sum(1 for r in results if r.get("events") and r["status"] == "graded")
    parts = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    return f"{len(results)} pairs: {parts}; {flagged} graded with a note; {graded_now} graded in this run"
