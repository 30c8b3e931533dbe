"""`setup`: import the roster into the gradebook in one go, set due dates, release modules.

The roster is nbgrader's CSV format: a required `id` column and optional
`first_name`, `last_name`, `email` and `lms_user_id` columns (other columns
are ignored). Ids must be usable as folder names.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from nbgrader.utils import parse_utc

from autograder.cohort.layout import Course, gradebook

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]*$")
FIELDS = ("first_name", "last_name", "email", "lms_user_id")


class RosterError(ValueError):
    """The roster cannot be imported as it is; the message lists every problem."""


@dataclass
class Student:
    id: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    lms_user_id: str = ""


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or "id" not in [f.strip() for f in reader.fieldnames]:
            raise RosterError(f"{path}: the roster needs an 'id' column (found {reader.fieldnames})")
        return [{(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in reader]


def _id_problem(student_id: str, seen: set[str]) -> str | None:
    if not ID_PATTERN.match(student_id):
        return f"id {student_id!r} is empty or not usable as a folder name"
    if student_id in seen:
        return f"id {student_id!r} appears twice"
    return None


def read_roster(path: Path) -> list[Student]:
    """The roster's students; RosterError lists every unusable or repeated id with its line."""
    problems, seen, students = [], set(), []
    for line, row in enumerate(_rows(path), start=2):
        student_id = row.get("id", "")
        if not student_id and not any(row.values()):
            continue
        problem = _id_problem(student_id, seen)
        if problem:
            problems.append(f"line {line}: {problem}")
        seen.add(student_id)
        students.append(Student(student_id, *(row.get(f, "") for f in FIELDS)))
    if problems:
        raise RosterError(f"{path}: " + "; ".join(problems))
    return students


def import_students(course: Course, students: list[Student]) -> int:
    """Add or update every student in one gradebook session."""
    with gradebook(course) as gb:
        for student in students:
            fields = {f: getattr(student, f) or None for f in FIELDS}
            gb.update_or_create_student(student.id, **fields)
    return len(students)


def roster_ids(course: Course) -> list[str]:
    with gradebook(course) as gb:
        return sorted(student.id for student in gb.students)


def release(course: Course, modules: list[str], force: bool = False) -> list[str]:
    """Generate each module's student version (and its gradebook entry) with nbgrader."""
    done = []
    for module in modules:
        released = course.released_module(module).is_dir() and _in_gradebook(course, module)
        if released and not force:
            continue
        course.release_module(module)
        done.append(module)
    return done


def _in_gradebook(course: Course, module: str) -> bool:
    from nbgrader.api import MissingEntry

    with gradebook(course) as gb:
        try:
            gb.find_assignment(module)
            return True
        except MissingEntry:
            return False


def set_due_dates(course: Course, due: dict[str, str]) -> None:
    """`{module: "2025-03-01 23:59 +0100"}`: nbgrader's due date, used by the late policy."""
    with gradebook(course) as gb:
        for module, when in due.items():
            moment = parse_utc(when)
            gb.update_or_create_assignment(module, duedate=moment)


def setup(course: Course, roster: Path | None, modules: list[str], due: dict[str, str], force: bool = False) -> str:
    lines = []
    if roster is not None:
        count = import_students(course, read_roster(roster))
        lines.append(f"roster: {count} students imported or updated from {roster}")
    released = release(course, modules, force=force)
    lines.append(f"released: {', '.join(released) if released else 'nothing new'} (modules: {', '.join(modules)})")
    if due:
        set_due_dates(course, due)
        lines.append("due dates: " + ", ".join(f"{m} {d}" for m, d in due.items()))
    return "\n".join(lines)
