"""`collect`: copy submissions into nbgrader's `submitted/<student>/<module>/`.

Three kinds of source:

- a folder laid out like `submitted/` (`<student>/<module>/...`): copied as is;
- a flat folder of files named by student (an unpacked LMS download);
- a `.zip` of files named by student (an LMS "download all submissions").

A file name is matched to a student by the roster's `id`, `lms_user_id`,
e-mail (or its local part), or name (`smithjane`, `janesmith`, or both names
as separate words, as Canvas, Moodle and Blackboard name their files). The
LMS prefix is removed so each file gets the module's own notebook name. Files
that match no student, or more than one, are reported and not copied; two
files for the same student and name keep the newest and are reported.
Copying is idempotent: a student's folder is replaced only if its files change.

The submission time written to `timestamp.txt` is in UTC: a file's modification
time, or a zip entry's UTC time (the "extended timestamp" field most zip tools
write); a zip entry with only the classic DOS time (a local time with no zone)
is read as a local time of this machine and converted to UTC.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from autograder.cohort.digest import submission_digest
from autograder.cohort.layout import Course, gradebook, released_modules, replace_tree

RESUBMISSION = re.compile(r"-\d+(?=\.[A-Za-z0-9]+$)")  # Canvas: 01_orientation-1.ipynb
IGNORED = ("__MACOSX", ".DS_Store", ".ipynb_checkpoints", "Thumbs.db")
EXTENDED_TIMESTAMP = 0x5455  # zip extra field: flags byte, then the UTC modification time (uint32)


class CollectError(ValueError):
    """The files cannot be collected as asked (the message says what to change)."""


@dataclass
class Incoming:
    name: str  # file name as delivered
    when: dt.datetime  # aware, UTC
    read: callable  # () -> bytes


@dataclass
class CollectReport:
    module: str
    copied: dict[str, list[str]] = field(default_factory=dict)  # student -> files
    unchanged: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    not_on_roster: list[str] = field(default_factory=list)
    no_file: list[str] = field(default_factory=list)

    @property
    def problems(self) -> bool:
        return bool(self.unmatched or self.ambiguous or self.duplicates or self.not_on_roster)

    def text(self) -> str:
        lines = [
            f"collect {self.module}: {len(self.copied)} submissions copied, {len(self.unchanged)} unchanged, "
            f"{len(self.no_file)} students with no file",
        ]
        sections = [
            ("files that match no student (not copied)", self.unmatched),
            ("files that match more than one student (not copied)", self.ambiguous),
            ("duplicate files (the newest kept)", self.duplicates),
            ("folders of students not on the roster (copied)", self.not_on_roster),
            ("students with no file", self.no_file),
        ]
        for title, items in sections:
            if items:
                lines.append(f"{title}: {len(items)}")
                lines += [f"  {item}" for item in items]
        return "\n".join(lines)


def _keys(student) -> tuple[set[str], list[tuple[str, str]]]:
    """Exact keys (id, LMS id, e-mail, joined names) and (first, last) name pairs."""
    exact = {student.id.lower()}
    if student.lms_user_id:
        exact.add(str(student.lms_user_id).lower())
    if student.email:
        exact.add(student.email.lower())
    pairs = []
    first = re.sub(r"[^a-z0-9]", "", (student.first_name or "").lower())
    last = re.sub(r"[^a-z0-9]", "", (student.last_name or "").lower())
    if first and last:
        exact |= {last + first, first + last}
        pairs.append((first, last))
    return exact, pairs


def _contains(text: str, key: str) -> bool:
    return re.search(rf"(?<![a-z0-9]){re.escape(key)}(?![a-z0-9])", text) is not None


class Matcher:
    def __init__(self, students):
        self.students = {s.id: _keys(s) for s in students}

    def match(self, filename: str) -> list[str]:
        """The students a delivered file name points to (by id first, then by name)."""
        text = filename.lower()
        exact = [sid for sid, (keys, _) in self.students.items() if any(_contains(text, k) for k in keys)]
        if exact:
            return exact
        words = set(re.split(r"[^a-z0-9]+", text))
        return [sid for sid, (_, pairs) in self.students.items() if any(f in words and l in words for f, l in pairs)]


def _target_name(filename: str, expected: list[str]) -> str:
    """The module's own name for a delivered file (LMS prefix and resubmission suffix removed)."""
    base = RESUBMISSION.sub("", Path(filename).name)
    for name in sorted(expected, key=len, reverse=True):
        if base == name or base.endswith("_" + name) or base.endswith("-" + name) or base.endswith(" " + name):
            return name
    notebooks = [n for n in expected if n.endswith(".ipynb")]
    if base.endswith(".ipynb") and len(notebooks) == 1:
        return notebooks[0]
    # Canvas/Moodle: <name>_<numbers>_..._<original name>
    match = re.search(r"_\d+_(?:\d+_)?(?:assignsubmission_file_)?(.+)$", base)
    return match.group(1) if match else base


def timestamp_text(when: dt.datetime) -> str:
    """nbgrader's timestamp.txt text for an aware time: the time in UTC, labelled UTC."""
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f") + " UTC"


def zip_entry_time(info: zipfile.ZipInfo) -> dt.datetime:
    """A zip entry's modification time in UTC (its extended timestamp, else its DOS time read as local time)."""
    extra = info.extra
    while len(extra) >= 4:
        kind, size = int.from_bytes(extra[:2], "little"), int.from_bytes(extra[2:4], "little")
        body = extra[4:4 + size]
        if kind == EXTENDED_TIMESTAMP and len(body) >= 5 and body[0] & 1:
            return dt.datetime.fromtimestamp(int.from_bytes(body[1:5], "little"), dt.timezone.utc)
        extra = extra[4 + size:]
    return dt.datetime(*info.date_time).astimezone(dt.timezone.utc)


def _zip_member(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


def _from_zip(path: Path) -> list[Incoming]:
    found = []
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if info.is_dir() or any(part in IGNORED for part in Path(info.filename).parts):
                continue
            found.append(Incoming(info.filename.replace("\\", "/"), zip_entry_time(info),
                                  lambda name=info.filename: _zip_member(path, name)))
    return found


def _from_folder(path: Path) -> list[Incoming]:
    found = []
    for file in sorted(path.rglob("*")):
        if file.is_file() and not any(part in IGNORED for part in file.relative_to(path).parts):
            when = dt.datetime.fromtimestamp(file.stat().st_mtime, dt.timezone.utc)
            found.append(Incoming(str(file.relative_to(path)), when, file.read_bytes))
    return found


def _is_submitted_layout(source: Path, module: str | None, modules: list[str]) -> bool:
    return source.is_dir() and any(
        (d / m).is_dir() for d in source.iterdir() if d.is_dir() for m in ([module] if module else modules)
    )


def _one_module(module: str | None, modules: list[str]) -> str:
    if module is not None:
        return module
    if len(modules) != 1:
        raise CollectError(f"collect: say which module these files are for (--module; released: {modules})")
    return modules[0]


def _strip_student_prefix(name: str, student: str) -> str:
    for prefix in (student + "_", student + "-", student + " "):
        if name.lower().startswith(prefix.lower()) and len(name) > len(prefix):
            return name[len(prefix):]
    return name


def _choose(files: list[Incoming], matcher: Matcher, expected: list[str], report: CollectReport):
    """{student: {module file name: file}}: each file matched to one student, the newest of duplicates kept."""
    chosen: dict[str, dict[str, Incoming]] = {}
    for incoming in files:
        students = matcher.match(incoming.name)
        if len(students) != 1:
            if students:
                report.ambiguous.append(f"{incoming.name} (matches {', '.join(sorted(students))})")
            else:
                report.unmatched.append(incoming.name)
            continue
        student = students[0]
        name = _strip_student_prefix(_target_name(incoming.name, expected), student)
        mine = chosen.setdefault(student, {})
        if name in mine:
            older, incoming = sorted([mine[name], incoming], key=lambda f: (f.when, f.name))
            report.duplicates.append(f"{student} {name}: kept {incoming.name}, ignored {older.name}")
        mine[name] = incoming
    return chosen


def _stage_and_install(course: Course, module: str, student: str, named: dict[str, Incoming], when: str,
                       report: CollectReport) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        staging = Path(scratch) / module
        staging.mkdir()
        for name, incoming in named.items():
            (staging / name).write_bytes(incoming.read())
        (staging / "timestamp.txt").write_text(when + "\n", encoding="utf-8")
        _install(course, staging, student, module, report, sorted(named))


def collect(course: Course, source: Path, module: str | None = None, timestamp: str | None = None) -> CollectReport:
    """Copy `source` (a submitted/-style folder, a flat folder or an LMS zip) into submitted/; report problems.

    Raises CollectError when flat files come with no `module` and more than one module is released.
    """
    modules = released_modules(course)
    with gradebook(course) as gb:
        roster = list(gb.students)
        roster_ids = sorted(s.id for s in roster)
    if _is_submitted_layout(source, module, modules):
        return _collect_layout(course, source, [module] if module else modules, roster_ids)
    module = _one_module(module, modules)
    files = _from_zip(source) if source.suffix.lower() == ".zip" else _from_folder(source)
    report = CollectReport(module)
    expected = sorted(p.name for p in course.released_module(module).iterdir() if p.is_file())
    chosen = _choose(files, Matcher(roster), expected, report)
    for student, named in sorted(chosen.items()):
        when = timestamp or timestamp_text(max(f.when for f in named.values()))
        _stage_and_install(course, module, student, named, when, report)
    report.no_file = [s for s in roster_ids if s not in chosen]
    _save(course, report)
    return report


def _collect_layout(course: Course, source: Path, modules: list[str], roster_ids: list[str]) -> CollectReport:
    report = CollectReport(", ".join(modules))
    for module in modules:
        for folder in sorted(d / module for d in source.iterdir() if (d / module).is_dir()):
            student = folder.parent.name
            if student not in roster_ids:
                report.not_on_roster.append(f"{student} ({module})")
            with tempfile.TemporaryDirectory() as scratch:
                staging = Path(scratch) / module
                shutil.copytree(folder, staging, ignore=shutil.ignore_patterns(*IGNORED))
                _install(course, staging, student, module, report, sorted(p.name for p in staging.iterdir()))
        report.no_file += [f"{s} ({module})" for s in roster_ids if not (source / s / module).is_dir()]
    _save(course, report)
    return report


def _install(course: Course, staging: Path, student: str, module: str, report: CollectReport, names) -> None:
    target = course.submission(student, module)
    if target.is_dir() and submission_digest(target) == submission_digest(staging):
        report.unchanged.append(student)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    replace_tree(staging, target, target.parent / f".{module}.incoming")
    report.copied.setdefault(student, []).extend(names)


def _save(course: Course, report: CollectReport) -> None:
    course.grading.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    (course.grading / f"collect-{stamp}.txt").write_text(report.text() + "\n", encoding="utf-8")
