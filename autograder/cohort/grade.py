"""`grade`: autograde every (student, module) pair in parallel, resumably.

Pairs are handed to long-lived worker processes (default: one per core); each
worker loads nbgrader once and grades pair after pair in its own isolated
workspace (`worker.py`). The main process writes the journal entry of a pair
once the worker returns (its grades are then committed), draws the progress
bar and prints the per-student status table at the end.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool

from autograder.cohort import journal
from autograder.cohort.layout import Course, released_modules
from autograder.cohort.roster import roster_ids
from autograder.cohort.digest import MISSING, submission_digest
from autograder.cohort.outcomes import Outcome, sentences, unfinished
from autograder.cohort.worker import grade_in_worker, init_worker
from autograder.cohort.workspace import DEFAULT_MEMORY_MB

POOL_RESTARTS = 2


def students_of(course: Course) -> list[str]:
    """The roster, plus anyone with a folder in submitted/."""
    found = set(roster_ids(course))
    if course.submitted.is_dir():
        found |= {p.name for p in course.submitted.iterdir() if p.is_dir() and not p.name.startswith(".")}
    return sorted(found)


class Progress:
    """A one-line progress bar on stderr (a line every 10 % when not a terminal)."""

    def __init__(self, total: int, enabled: bool = True):
        self.total, self.done, self.enabled = total, 0, enabled and total > 0
        self.started = time.monotonic()
        self.tty = sys.stderr.isatty()
        self._last_decile = -1

    def step(self, label: str) -> None:
        self.done += 1
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.started
        eta = elapsed / self.done * (self.total - self.done)
        width = 30
        filled = int(width * self.done / self.total)
        line = (f"[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} "
                f"{elapsed:5.0f} s, about {eta:4.0f} s left  {label[:40]}")
        if self.tty:
            sys.stderr.write("\r" + line.ljust(110))
            if self.done == self.total:
                sys.stderr.write("\n")
        elif self.done * 10 // self.total != self._last_decile:
            self._last_decile = self.done * 10 // self.total
            sys.stderr.write(line + "\n")
        sys.stderr.flush()


def plan(course: Course, modules: list[str], students: list[str], force: bool):
    """Split the pairs into those to grade and those whose journal entry is current."""
    todo, current = [], []
    for module in modules:
        for student in students:
            digest = submission_digest(course.submission(student, module))
            entry = journal.read(course, student, module)
            if not force and journal.is_current(entry, digest):
                current.append(entry)
            elif digest == MISSING:
                todo.append(("nothing", student, module, unfinished(student, module, Outcome.NOT_SUBMITTED, digest=digest)))
            else:
                todo.append(("grade", student, module, None))
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
    sandbox: bool = True,
) -> list[dict]:
    """Grade what is not graded yet; return every pair's journal entry (old and new).

    `sandbox`: run every kernel in the OS sandbox (`sandbox.py`); raises
    `SandboxUnavailable` if none can be made here. False grades as before, noted on every pair.
    """
    _require_sandbox(sandbox)
    modules = modules or released_modules(course)
    students = students or students_of(course)
    todo, results = plan(course, modules, students, force)
    for kind, student, module, result in todo:
        if kind == "nothing":  # not submitted: no worker needed
            journal.write(course, result)
            results.append(result)
    pending = [(s, m) for kind, s, m, _ in todo if kind == "grade"]
    bar = Progress(len(pending), progress)
    workers = max(1, min(workers or default_workers(), len(pending) or 1))
    for _ in range(POOL_RESTARTS + 1):
        if not pending:
            break
        pending = _run_pool(course, pending, workers, (memory_mb, sandbox), bar, results)
    for student, module in pending:  # the pool broke again and again on these
        entry = unfinished(student, module, Outcome.WORKER_CRASHED)
        results.append(entry)
        journal.write(course, entry)
    results.sort(key=lambda r: (r["module"], r["student"]))
    return results


def _require_sandbox(wanted: bool) -> None:
    """Raise `SandboxUnavailable` (its message names the fix) if a sandbox is wanted and cannot be made."""
    if wanted:
        from autograder.cohort.sandbox import require

        require()


def _run_pool(course: Course, pairs, workers, kernel_options, bar: Progress, results: list[dict]):
    """Grade `pairs`; return those left ungraded if the pool broke. `kernel_options`: (memory_mb, sandbox)."""
    left = set(pairs)
    context = multiprocessing.get_context("spawn")
    initargs = (str(course.root), course.db_url_override, *kernel_options)
    try:
        with ProcessPoolExecutor(workers, mp_context=context, initializer=init_worker, initargs=initargs) as pool:
            futures = {pool.submit(grade_in_worker, s, m): (s, m) for s, m in pairs}
            for future in as_completed(futures):
                result = future.result()
                journal.write(course, result)
                results.append(result)
                left.discard(futures[future])
                bar.step(f"{result['student']} {result['module']}")
    except BrokenProcessPool:
        pass
    return [pair for pair in pairs if pair in left]


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
