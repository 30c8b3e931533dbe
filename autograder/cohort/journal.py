"""The grading journal: one small JSON file per (student, module) pair, checked before it is trusted.

An entry is written (atomically: temporary file, then rename) only after that
pair's grades are committed to the gradebook. A run that is killed leaves no
entry for the pair it was grading; the next run grades that pair again, and
nbgrader's autograde replaces (never duplicates) its grades.

An entry is a claim, not a fact: `Trust` lets `grade` skip a pair only when
its entry is well formed, belongs to that pair, matches the files in
`submitted/` (digest) and, for a graded pair, matches the gradebook `grade`
writes to (a deleted or recreated gradebook, or another `--db-url`, has no
such grade). A corrupt, forged or stale entry is reported (`problems`, kept in
`grading/journal_problems.json` for the report) and the pair graded again; it
never stops the cohort.
"""

from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path

from autograder.cohort.layout import Course
from autograder.cohort.outcomes import Outcome

STATUSES = ("graded", "failed", "needs_attention", "not_submitted")
PROBLEMS_FILE = "journal_problems.json"
_TEXT = ("student", "module", "status", "digest")
_NUMBERS = ("score", "max_score", "late_penalty")


def entry_path(course: Course, student: str, module: str) -> Path:
    return course.journal / module / f"{student}.json"


def _load(path: Path) -> tuple[dict | None, str | None]:
    """(entry, None) for a well-formed entry file, (None, why not) otherwise, (None, None) if there is none."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, None
    except (OSError, ValueError) as error:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        return None, f"unreadable ({type(error).__name__})"
    problem = malformed(data)
    return (None, problem) if problem else (data, None)


def _bad_events(events) -> bool:
    if not isinstance(events, list):
        return True
    try:
        return not all(isinstance(e, dict) and Outcome(e["outcome"]) for e in events)
    except (KeyError, ValueError, TypeError):
        return True


def malformed(data) -> str | None:
    """Why `data` is not a journal entry, or None."""
    if not isinstance(data, dict):
        return f"not an entry (a JSON {type(data).__name__})"
    if any(not isinstance(data.get(k), str) for k in _TEXT):
        return "a field is missing or not text"
    numbers = [data.get(k) for k in _NUMBERS]
    if any(isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) for v in numbers):
        return "a score is missing or not a number"
    if data["status"] not in STATUSES:
        return f"unknown status {data['status']!r}"
    if _bad_events(data.get("events", [])):
        return "its events are not outcomes this grader knows"
    return None


def read(course: Course, student: str, module: str) -> dict | None:
    """The pair's entry if it is well formed and names this pair, else None."""
    entry, _ = _load(entry_path(course, student, module))
    if entry is None or (entry["student"], entry["module"]) != (student, module):
        return None
    return entry


def write(course: Course, result: dict) -> Path:
    path = entry_path(course, result["student"], result["module"])
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    staging.write_text(json.dumps(result, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(staging, path)
    return path


def entries(course: Course, module: str | None = None) -> list[dict]:
    """Every well-formed journal entry (of one module, or all), sorted by module then student."""
    folders = [course.journal / module] if module else sorted(p for p in course.journal.glob("*") if p.is_dir())
    found = []
    for folder in folders:
        for path in sorted(folder.glob("*.json")):
            entry, _ = _load(path)
            if entry is not None and (entry["student"], entry["module"]) == (path.stem, folder.name):
                found.append(entry)
    return found


def is_current(entry: dict | None, digest: str) -> bool:
    """The pair was graded (or found missing, or found ungradable) from exactly these submitted files."""
    return bool(entry) and entry.get("digest") == digest and entry.get("status") != "failed"


def gradebook_scores(course: Course) -> dict[tuple[str, str], tuple[float, float, float]]:
    """{(student, module): (score, max score, late penalty)} of every submission in the gradebook."""
    from autograder.cohort.layout import gradebook

    found = {}
    with gradebook(course) as gb:
        for assignment in gb.assignments:
            for submission in gb.assignment_submissions(assignment.name):
                found[(submission.student_id, assignment.name)] = (
                    float(submission.score or 0), float(submission.max_score or 0),
                    float(submission.late_submission_penalty or 0),
                )
    return found


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


class Trust:
    """The journal checked against the gradebook, for `grade` to decide what it may skip."""

    def __init__(self, course: Course):
        self.course = course
        self.scores = gradebook_scores(course)
        self.problems: list[dict] = []

    def read(self, student: str, module: str) -> dict | None:
        """The pair's entry, or None (a bad entry is noted in `problems`)."""
        path = entry_path(self.course, student, module)
        entry, problem = _load(path)
        if entry is not None and (entry["student"], entry["module"]) != (student, module):
            entry, problem = None, f"names another pair ({entry['student']}/{entry['module']})"
        if problem:
            self._note(student, module, f"journal entry {problem}")
        return entry

    def _gradebook_disagrees(self, entry: dict) -> str | None:
        held = self.scores.get((entry["student"], entry["module"]))
        if held is None:
            return "the gradebook has no grade for it (deleted or recreated gradebook, or another --db-url)"
        claimed = (float(entry["score"]), float(entry["max_score"]), float(entry["late_penalty"]))
        if not all(_close(a, b) for a, b in zip(held, claimed)):
            return (f"the gradebook holds {held[0]:g}/{held[1]:g} (penalty {held[2]:g}), "
                    f"the journal {claimed[0]:g}/{claimed[1]:g} (penalty {claimed[2]:g})")
        return None

    def is_current(self, entry: dict | None, digest: str) -> bool:
        """`is_current`, and for a graded pair the gradebook holds the grade the entry claims."""
        if not is_current(entry, digest):
            return False
        problem = self._gradebook_disagrees(entry) if entry["status"] == "graded" else None
        if problem:
            self._note(entry["student"], entry["module"], f"journal entry does not match the gradebook: {problem}")
            return False
        return True

    def _note(self, student: str, module: str, problem: str) -> None:
        self.problems.append({"student": student, "module": module, "problem": problem + "; graded again"})
        print(f"journal: {student}/{module}: {problem}; graded again", file=sys.stderr)

    def save(self) -> None:
        """Keep this run's problems for the report (an empty list clears the last run's)."""
        self.course.grading.mkdir(parents=True, exist_ok=True)
        path = self.course.grading / PROBLEMS_FILE
        staging = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        staging.write_text(json.dumps(self.problems, indent=1), encoding="utf-8")
        os.replace(staging, path)


def saved_problems(course: Course) -> list[dict]:
    """The journal problems the last `grade` run found (for the report)."""
    try:
        data = json.loads((course.grading / PROBLEMS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [p for p in data if isinstance(p, dict) and all(isinstance(p.get(k), str) for k in ("student", "module", "problem"))] if isinstance(data, list) else []
