"""The grading journal: one small JSON file per (student, module) pair.

An entry is written (atomically: temporary file, then rename) only after that
pair's grades are committed to the gradebook. A run that is killed leaves no
entry for the pair it was grading; the next run grades that pair again, and
nbgrader's autograde replaces (never duplicates) its grades. An entry whose
submission digest still matches the files in `submitted/` is not graded again.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from autograder.cohort.layout import Course


def entry_path(course: Course, student: str, module: str) -> Path:
    return course.journal / module / f"{student}.json"


def read(course: Course, student: str, module: str) -> dict | None:
    path = entry_path(course, student, module)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None  # a half-written entry cannot exist (rename is atomic), but be safe


def write(course: Course, result: dict) -> Path:
    path = entry_path(course, result["student"], result["module"])
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    staging.write_text(json.dumps(result, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(staging, path)
    return path


def entries(course: Course, module: str | None = None) -> list[dict]:
    """Every journal entry (of one module, or all), sorted by module then student."""
    folders = [course.journal / module] if module else sorted(course.journal.glob("*"))
    found = []
    for folder in folders:
        for path in sorted(folder.glob("*.json")):
            try:
                found.append(json.loads(path.read_text(encoding="utf-8")))
            except json.JSONDecodeError:
                continue
    return found


def is_current(entry: dict | None, digest: str) -> bool:
    """The pair was graded (or found missing) from exactly these submitted files."""
    return bool(entry) and entry.get("digest") == digest and entry.get("status") != "failed"
