"""`setup`: import the roster into the gradebook in one go, set due dates, release modules.

The roster is nbgrader's CSV format: a required `id` column and optional
`first_name`, `last_name`, `email` and `lms_user_id` columns (other columns
are ignored). Ids must be usable as folder names (at most `MAX_ID_LENGTH`
characters). `lms_user_id` is the LMS's own number for the student, the one
`collect` matches file names by: Canvas's user id (the "ID" column of its
gradebook export), Moodle's participant id ("Participant 123456" in its grading
worksheet), Blackboard's username. The file may be UTF-8 (with or without BOM),
UTF-16 with a BOM, or Windows-1252/Latin-1 (read as such, with a note).

Due dates are instants: ISO 8601 with an explicit UTC offset (`2025-03-07T23:59+01:00`,
`...Z`) or an IANA zone name (`2025-03-07T23:59 Europe/Berlin`); anything ambiguous
is refused. nbgrader stores them as UTC.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zoneinfo
from dataclasses import dataclass
from pathlib import Path

from autograder.cohort.layout import Course, gradebook
from autograder.cohort.untrusted import printable

MAX_ID_LENGTH = 100  # ids become folder and file names (journal/<module>/<id>.json): 255 bytes at most
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]*$")
FIELDS = ("first_name", "last_name", "email", "lms_user_id")
DUE_FORMS = ("2025-03-07T23:59+01:00", "2025-03-07 23:59:00-05:00", "2025-03-07T22:59Z",
             "2025-03-07T23:59 Europe/Berlin", "2025-03-07 23:59 UTC")
DUE = re.compile(
    r"(?P<local>\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)"
    r"(?P<offset>Z|[+-]\d{2}:\d{2})?(?:\s+(?P<zone>\S+))?"
)


class RosterError(ValueError):
    """The roster cannot be imported as it is; the message lists every problem."""


class DueDateError(ValueError):
    """A `--due` value that is not one unambiguous instant (the message shows the accepted forms)."""


@dataclass
class Student:
    id: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    lms_user_id: str = ""


def roster_text(path: Path) -> tuple[str, str]:
    """The roster file's text and the encoding it was read with (UTF-8, UTF-16 with a BOM, else cp1252/Latin-1)."""
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise RosterError(f"roster {path}: cannot be read ({error.strerror or error}): give the path of a CSV file")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16"), "utf-16"
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "latin-1"


def _rows(path: Path, text: str) -> list[dict[str, str]]:
    if "\0" in text:
        raise RosterError(f"roster {path}: contains NUL bytes, so it is not a CSV text file: "
                          "export the roster again as CSV (UTF-8)")
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        if not reader.fieldnames or "id" not in [f.strip() for f in reader.fieldnames]:
            found = [printable(f) for f in reader.fieldnames or []]
            raise RosterError(f"roster {path}: the roster needs an 'id' column (found {found})")
        return [{(k or "").strip(): (v if isinstance(v, str) else "").strip() for k, v in row.items()} for row in reader]
    except csv.Error as error:
        raise RosterError(f"roster {path}: not a readable CSV file ({error}): export it again as CSV (UTF-8)")


def id_problem(student_id: str) -> str | None:
    """Why `student_id` cannot be a student id (a folder name), or None."""
    if len(student_id) > MAX_ID_LENGTH:
        return (f"id {printable(student_id[:20])!r}... is {len(student_id)} characters long: ids become folder "
                f"names and must be at most {MAX_ID_LENGTH} characters (use the LMS login or student number)")
    if not ID_PATTERN.match(student_id):
        return (f"id {printable(student_id)!r} is empty or not usable as a folder name "
                "(letters, digits and _ . @ - only, starting with a letter or digit)")
    return None


def _row_problems(student: Student, seen: dict[str, set[str]]) -> list[str]:
    problems = [id_problem(student.id)]
    if student.id in seen["id"]:
        problems.append(f"id {student.id!r} appears twice")
    if student.lms_user_id and student.lms_user_id in seen["lms_user_id"]:
        problems.append(f"lms_user_id {printable(student.lms_user_id)!r} appears twice (collect matches files by it)")
    seen["id"].add(student.id)
    seen["lms_user_id"].add(student.lms_user_id)
    return [p for p in problems if p]


def read_roster(path: Path) -> list[Student]:
    """The roster's students; RosterError lists every unusable or repeated id with its line."""
    problems, seen, students = [], {"id": set(), "lms_user_id": set()}, []
    text, _ = roster_text(path)
    for line, row in enumerate(_rows(path, text), start=2):
        if not any(row.values()):
            continue
        student = Student(row.get("id", ""), *(row.get(f, "") for f in FIELDS))
        problems += [f"line {line}: {problem}" for problem in _row_problems(student, seen)]
        students.append(student)
    if problems:
        raise RosterError(f"roster {path}: " + "; ".join(problems) + ": correct the roster and run setup again")
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


def _due_refused(text: str, why: str) -> DueDateError:
    forms = ", ".join(repr(f) for f in DUE_FORMS)
    return DueDateError(f"--due {printable(text)!r}: {why}; give a date and time with a UTC offset or a zone name, "
                        f"e.g. {forms}")


def _zone(text: str, name: str) -> dt.tzinfo:
    if name != "UTC" and "/" not in name:  # CET, EST, PST...: abbreviations that mean different things
        raise _due_refused(text, f"{name!r} is not a zone name (abbreviations are ambiguous: use Area/City)")
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise _due_refused(text, f"{name!r} is not a known time zone") from None


def _offset_or_zone(text: str, offset: str | None, zone: str | None) -> tuple[str | None, str | None]:
    """Exactly one of a UTC offset (`+01:00`, `Z`) and a zone name, or DueDateError."""
    if zone and re.fullmatch(r"[+-]\d{2}:\d{2}", zone) and not offset:  # "23:59 +01:00": unambiguous
        offset, zone = zone, None
    if zone and re.fullmatch(r"[+-]\d{1,4}", zone):
        raise _due_refused(text, f"the offset {zone!r} has no colon (nbgrader reads +0100 as 100 seconds): "
                                 f"write {zone[0]}{zone[1:].zfill(4)[:2]}:{zone[1:].zfill(4)[2:]}")
    if bool(offset) == bool(zone):
        raise _due_refused(text, "give a UTC offset or a zone name, not both" if offset else
                           "no UTC offset or zone name, so the time is ambiguous")
    return offset, zone


def parse_due(text: str) -> dt.datetime:
    """One `--due` value as an aware UTC instant; DueDateError for anything ambiguous (no offset, `+0100`, DST gaps)."""
    match = DUE.fullmatch(text.strip())
    if not match:
        raise _due_refused(text, "not an ISO 8601 date and time (offsets like +0100 need a colon: +01:00)")
    offset, zone = _offset_or_zone(text, match["offset"], match["zone"])
    try:
        moment = dt.datetime.fromisoformat(match["local"].replace(" ", "T") + (offset or "").replace("Z", "+00:00"))
    except ValueError as error:
        raise _due_refused(text, str(error)) from None
    if offset:
        return moment.astimezone(dt.timezone.utc)
    tz = _zone(text, zone)
    first, second = moment.replace(tzinfo=tz, fold=0), moment.replace(tzinfo=tz, fold=1)
    if first.utcoffset() != second.utcoffset():
        raise _due_refused(text, f"{moment:%Y-%m-%d %H:%M} happens twice or never in {zone} (a daylight-saving change)")
    return first.astimezone(dt.timezone.utc)


def utc_text(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def due_dates(course: Course, items: list[str]) -> dict[str, dt.datetime]:
    """`["MODULE=WHEN", ...]` as {module: UTC instant}; DueDateError names every problem's fix."""
    out = {}
    for item in items:
        module, sep, when = item.partition("=")
        module = module.strip()
        if not sep or not module:
            raise _due_refused(item, "expected MODULE=WHEN")
        if module not in course.modules():
            raise DueDateError(f"--due {printable(item)!r}: {printable(module)!r} is not a module of this course "
                               f"(modules: {', '.join(course.modules())})")
        out[module] = parse_due(when)
    return out


def set_due_dates(course: Course, due: dict[str, dt.datetime]) -> None:
    """`{module: aware instant}`: nbgrader's due date (naive UTC, as nbgrader stores it), used by the late policy."""
    with gradebook(course) as gb:
        for module, moment in due.items():
            gb.update_or_create_assignment(module, duedate=moment.astimezone(dt.timezone.utc).replace(tzinfo=None))


def setup(course: Course, roster: Path | None, modules: list[str], due: list[str] | dict[str, dt.datetime],
          force: bool = False) -> str:
    """Import the roster, release `modules`, set due dates (`["MODULE=WHEN", ...]`); the lines to print.

    Raises RosterError or DueDateError (before changing anything) when the roster or a due date is unusable.
    """
    lines = []
    due = due if isinstance(due, dict) else due_dates(course, list(due))
    students = read_roster(roster) if roster is not None else None
    if students is not None:
        count = import_students(course, students)
        encoding = roster_text(roster)[1]
        note = "" if encoding in ("utf-8", "utf-16") else (
            f" (not UTF-8: read as {encoding}; check the names, or save the roster as UTF-8)")
        lines.append(f"roster: {count} students imported or updated from {roster}{note}")
    released = release(course, modules, force=force)
    lines.append(f"released: {', '.join(released) if released else 'nothing new'} (modules: {', '.join(modules)})")
    if due:
        set_due_dates(course, due)
        lines.append("due dates (stored in UTC): " + ", ".join(f"{m} {utc_text(d)}" for m, d in due.items()))
    return "\n".join(lines)
