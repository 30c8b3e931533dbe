"""`collect`: copy submissions into nbgrader's `submitted/<student>/<module>/`, trusting nothing in them.

Three kinds of source:

- a folder laid out like `submitted/` (`<student>/<module>/...`): copied as is (folder names
  must be usable student ids);
- a flat folder of files (an unpacked LMS download, or files named by roster id);
- a `.zip` of such files (an LMS "download all submissions").

A file is matched to a student only by an id the LMS itself put in the file name, never by a
name or id the student typed into their own file name:

- Canvas `<name>[_late]_<user id>_<attachment id>_<file>`: the user id, against the roster's
  `lms_user_id`;
- Moodle `<Full Name>_<participant id>_assignsubmission_<plugin>_<file>` (or a folder of that
  name): the participant id, against `lms_user_id`;
- Blackboard `<assignment>_<username>_attempt_<date>_<file>`: the username, against `lms_user_id`
  or the roster id;
- anything else only as `<roster id>/<file>` or `<roster id>_<file>` (files an instructor named).

What a file name adds after the LMS's fields is the student's own file name: it is only used to
find the module's file name (an LMS resubmission suffix such as Canvas's `-2` removed first).
Files that match no student or more than one are reported and not copied; files of one student
that compete for one name are either a provable resubmission (same LMS form and id: the newest
is kept and reported) or a conflict (reported, that student not copied). Nothing is chosen on
a guess.

Nothing is followed or expanded blindly: symbolic links (in a folder or a zip) are copied as
nothing and noted; special files, unsafe zip paths (`..`, absolute), encrypted entries, files
over `Limits.file_bytes`, and zip entries compressed more than `Limits.ratio`:1 are refused
before anything is extracted; a source with more than `Limits.files` files or
`Limits.total_bytes` in all is refused whole. Files are copied in chunks with the limit
enforced while copying, so a zip whose sizes lie cannot use more memory or disk than the limit.
Copying is idempotent: a student's folder is replaced only if its files change.

The submission time written to `timestamp.txt` is in UTC: a file's modification time, or a zip
entry's UTC time (the "extended timestamp" field most zip tools write); a zip entry with only
the classic DOS time (a local time with no zone) is read as a local time of this machine and
converted to UTC.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import stat
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from autograder.cohort.digest import submission_digest
from autograder.cohort.layout import Course, gradebook, released_modules, replace_tree
from autograder.cohort.roster import id_problem
from autograder.cohort.untrusted import printable

RESUBMISSION = re.compile(r"-\d+(?=\.[A-Za-z0-9]+$)")  # Canvas: 01_orientation-1.ipynb
IGNORED = ("__MACOSX", ".DS_Store", ".ipynb_checkpoints", "Thumbs.db")
EXTENDED_TIMESTAMP = 0x5455  # zip extra field: flags byte, then the UTC modification time (uint32)
MB = 1 << 20
CHUNK = MB
MAX_NAME = 255  # characters in one file or folder name

# The LMS's own fields; ids never start with 0 (so `1_01_orientation.ipynb` is not a Canvas name).
CANVAS = re.compile(r"(?:(?P<name>\w*?[^\W\d_]\w*?)_)?(?:late_)?(?P<id>[1-9]\d*)_(?P<attachment>[1-9]\d*)_(?P<file>.+)",
                    re.S | re.I)
MOODLE = re.compile(r"(?P<name>[^_/]*)_(?P<id>\d+)_assignsubmission_(?P<plugin>[a-z]+)(?:_(?P<file>.+))?", re.S)
BLACKBOARD = re.compile(r"(?P<assignment>.+?)_(?P<id>[^_/]+)_attempt_\d{4}(?:-\d{2}){5}(?:_(?P<file>.+))?", re.S)
FORMS = (("Moodle participant id", MOODLE), ("Canvas user id", CANVAS), ("Blackboard username", BLACKBOARD))


class CollectError(ValueError):
    """The files cannot be collected as asked (the message says what to change)."""


@dataclass(frozen=True)
class Limits:
    """What one collect accepts (the defaults fit a cohort of hundreds with plotly-heavy notebooks)."""

    file_bytes: int = 100 * MB  # one file, uncompressed
    total_bytes: int = 2048 * MB  # everything in one source
    files: int = 20_000  # files in one source
    ratio: float = 200.0  # uncompressed / compressed, for a zip entry ...
    ratio_from_bytes: int = MB  # ... of at least this size (small files may compress well)


class Refused(Exception):
    """One file cannot be copied (the message says why)."""


@dataclass
class Incoming:
    name: str  # path as delivered, "/"-separated
    when: dt.datetime  # aware, UTC
    size: int  # bytes, as declared (zip) or seen (folder)
    open: callable  # () -> context manager of a binary stream

    def read(self, limit: int = Limits.file_bytes) -> bytes:
        with self.open() as stream:
            data = stream.read(limit + 1)
        if len(data) > limit:
            raise Refused(f"larger than the {limit // MB} MB limit")
        return data


@dataclass
class CollectReport:
    module: str
    copied: dict[str, list[str]] = field(default_factory=dict)  # student -> files
    unchanged: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    not_on_roster: list[str] = field(default_factory=list)
    no_file: list[str] = field(default_factory=list)

    @property
    def problems(self) -> bool:
        return bool(self.unmatched or self.ambiguous or self.duplicates or self.conflicts or self.refused
                    or self.links or self.not_on_roster)

    def text(self) -> str:
        """The report for a terminal: every file name and id made printable (no escape sequences)."""
        lines = [
            f"collect {printable(self.module)}: {len(self.copied)} submissions copied, {len(self.unchanged)} unchanged, "
            f"{len(self.no_file)} students with no file",
        ]
        sections = [
            ("files that match no student (not copied)", self.unmatched),
            ("files that match more than one student (not copied)", self.ambiguous),
            ("resubmissions (the newest kept)", self.duplicates),
            ("conflicts (that student not copied: keep one file, then collect again)", self.conflicts),
            ("files refused (not copied)", self.refused),
            ("symbolic links (copied as nothing)", self.links),
            ("folders of students not on the roster (copied)", self.not_on_roster),
            ("students with no file", self.no_file),
        ]
        for title, items in sections:
            if items:
                lines.append(f"{title}: {len(items)}")
                lines += [f"  {printable(item)}" for item in items]
        return "\n".join(lines)


# Matching a delivered file to a student ---------------------------------------------------------
@dataclass(frozen=True)
class Match:
    students: tuple[str, ...]
    how: str  # "Canvas user id 123", "roster id s1", ...
    file: str  # the student's own file name (what follows the LMS's fields)


class Matcher:
    """Finds the student a delivered file belongs to, by the LMS's id field or a roster-id folder/prefix only."""

    def __init__(self, students):
        self.ids = {s.id: s.id for s in students}
        self.by_lms: dict[str, list[str]] = {}
        for s in students:
            if s.lms_user_id:
                self.by_lms.setdefault(str(s.lms_user_id).strip().lower(), []).append(s.id)

    def _lms(self, how: str, key: str) -> tuple[str, ...]:
        found = list(self.by_lms.get(key.lower(), []))
        if how.startswith("Blackboard"):
            found += [sid for sid in self.ids if sid.lower() == key.lower() and sid not in found]
        return tuple(sorted(found))

    def _lms_form(self, part: str, folder: bool) -> Match | None:
        if len(part) > MAX_NAME:  # no file system takes it, and the patterns need not scan it
            return None
        for how, pattern in FORMS:
            m = pattern.fullmatch(part)
            if m and (m["file"] is None) == folder:
                return Match(self._lms(how, m["id"]), f"{how} {m['id']}", m["file"] or "")
        return None

    def _roster_prefix(self, part: str, folder: bool) -> Match:
        if folder:
            found = [sid for sid in self.ids if sid.lower() == part.lower()]
            return Match(tuple(found), f"roster id folder {part}", "")
        found = [sid for sid in self.ids if len(part) > len(sid) + 1 and part.lower().startswith(sid.lower())
                 and part[len(sid)] in "_- "]
        rest = part[len(found[0]) + 1:] if len(found) == 1 else part
        return Match(tuple(sorted(found)), "roster id prefix", rest)

    def find(self, name: str) -> Match:
        """Who `name` (a "/"-separated path as delivered) belongs to, and the student's own file name."""
        parts = [p for p in name.split("/") if p]
        last = parts[-1] if parts else name
        for folder in parts[:-1]:  # a folder per student: the outermost one decides, never what is inside it
            found = self._lms_form(folder, folder=True) or self._roster_prefix(folder, folder=True)
            if found.students or found.how.split()[0] != "roster":
                return Match(found.students, found.how, last)
        found = self._lms_form(last, folder=False)
        return found if found else self._roster_prefix(last, folder=False)

    def match(self, filename: str) -> list[str]:
        """The students a delivered file name points to (one, or it is reported)."""
        return list(self.find(filename).students)


def _target_name(filename: str, expected: list[str]) -> str:
    """The module's own name for the student's file name (path and LMS resubmission suffix removed)."""
    base = RESUBMISSION.sub("", Path(filename.replace("\\", "/")).name)
    for name in sorted(expected, key=len, reverse=True):
        if base == name or base.endswith("_" + name) or base.endswith("-" + name) or base.endswith(" " + name):
            return name
    notebooks = [n for n in expected if n.endswith(".ipynb")]
    if base.endswith(".ipynb") and len(notebooks) == 1:
        return notebooks[0]
    match = re.search(r"_\d+_(?:\d+_)?(?:assignsubmission_file_)?(.+)$", base)  # an LMS prefix left in the name
    return match.group(1) if match else base


def _safe_name(name: str) -> str | None:
    """`name` as one printable file name, or None if it cannot be one (empty, `.`, `..`)."""
    name = printable(name).strip()
    return None if name in ("", ".", "..") or "/" in name else name


# Times -------------------------------------------------------------------------------------------
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


# Reading sources without trusting them ------------------------------------------------------------
@contextlib.contextmanager
def _zip_member(path: Path, name: str):
    with zipfile.ZipFile(path) as archive, archive.open(name) as stream:
        yield stream


@contextlib.contextmanager
def _file_nofollow(path: Path):
    """A regular file opened without following a link put there after it was listed."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    with open(fd, "rb") as stream:
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            raise Refused("not a regular file")
        yield stream


def _open_zip(path: Path) -> zipfile.ZipFile:
    what = f"collect: {path}"
    if path.stat().st_size == 0:
        raise CollectError(f"{what} is empty (0 bytes): download the submissions again")
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise CollectError(f"{what} is not a readable zip archive ({error}): give the LMS's "
                           "'download all submissions' .zip, or a folder of the files") from None


def _unsafe_path(name: str) -> bool:
    parts = name.split("/")
    return name.startswith("/") or re.match(r"[A-Za-z]:", name) is not None or ".." in parts


def _entry_problem(info: zipfile.ZipInfo, limits: Limits) -> str | None:
    if info.flag_bits & 0x1:
        return "encrypted: ask the student for an unencrypted file"
    if info.file_size > limits.file_bytes:
        return (f"expands to {info.file_size / MB:,.0f} MB, over the {limits.file_bytes // MB} MB limit for one file "
                "(a zip bomb?): ask the student for the real file")
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size >= limits.ratio_from_bytes and ratio > limits.ratio:
        return (f"compressed {ratio:,.0f}:1, over the {limits.ratio:g}:1 limit (a zip bomb?): "
                "ask the student for the real file")
    return None


def _from_zip(path: Path, limits: Limits = Limits(), report: CollectReport | None = None) -> list[Incoming]:
    """The zip's files, after refusing unsafe, oversized and over-compressed entries (nothing is extracted here)."""
    report = report if report is not None else CollectReport("")
    with _open_zip(path) as archive:
        infos = archive.infolist()
    if len(infos) > limits.files:
        raise CollectError(f"collect: {path} holds {len(infos):,} entries, over the limit of {limits.files:,}: "
                           "this is not one module's submissions")
    found = []
    for info in infos:
        name = info.filename.replace("\\", "/")
        if _unsafe_path(name):
            raise CollectError(f"collect: {path} has an entry named {printable(info.filename)!r} (a path that leaves "
                               "the folder): an LMS never writes that; unpack it yourself and collect the folder")
        if info.is_dir() or any(part in IGNORED for part in name.split("/")):
            continue
        if any(len(part) > MAX_NAME for part in name.split("/")):
            report.refused.append(f"{name[:60]}...: a name over {MAX_NAME} characters (no file system takes it)")
            continue
        if stat.S_ISLNK(info.external_attr >> 16):
            report.links.append(name)
            continue
        problem = _entry_problem(info, limits)
        if problem:
            report.refused.append(f"{name}: {problem}")
            continue
        found.append(Incoming(name, zip_entry_time(info), info.file_size, partial(_zip_member, path, info.filename)))
    _check_total(path, found, limits)
    return found


def _check_total(path: Path, found: list[Incoming], limits: Limits) -> None:
    total = sum(f.size for f in found)
    if total > limits.total_bytes:
        raise CollectError(f"collect: {path} holds {total / MB:,.0f} MB of files, over the limit of "
                           f"{limits.total_bytes // MB:,} MB: collect one module at a time")
    if len(found) > limits.files:
        raise CollectError(f"collect: {path} holds over {limits.files:,} files: collect one module at a time")


def _folder_entry(root: Path, rel: str, limits: Limits, report: CollectReport) -> Incoming | None:
    full = root / rel
    info = full.lstat()
    if stat.S_ISLNK(info.st_mode):
        report.links.append(rel)
        return None
    if not stat.S_ISREG(info.st_mode):
        report.refused.append(f"{rel}: not a regular file")
        return None
    if info.st_size > limits.file_bytes:
        report.refused.append(f"{rel}: {info.st_size / MB:,.0f} MB, over the {limits.file_bytes // MB} MB limit")
        return None
    when = dt.datetime.fromtimestamp(info.st_mtime, dt.timezone.utc)
    return Incoming(rel, when, info.st_size, partial(_file_nofollow, full))


def _from_folder(path: Path, limits: Limits = Limits(), report: CollectReport | None = None) -> list[Incoming]:
    """The folder's regular files; links are noted and never followed, other special files refused."""
    report = report if report is not None else CollectReport("")
    found = []
    for root, dirs, files in os.walk(path):  # never descends into a linked folder
        here = Path(root).relative_to(path)
        for name in sorted(dirs):
            if name in IGNORED or (Path(root) / name).is_symlink():
                dirs.remove(name)
                if name not in IGNORED:
                    report.links.append((here / name).as_posix())
        dirs.sort()
        for name in sorted(files):
            if name not in IGNORED:
                incoming = _folder_entry(path, (here / name).as_posix(), limits, report)
                found += [incoming] if incoming else []
        if len(found) > limits.files:
            break
    _check_total(path, found, limits)
    return found


def _copy_limited(stream, out, limit: int) -> None:
    copied = 0
    while chunk := stream.read(CHUNK):
        copied += len(chunk)
        if copied > limit:
            raise Refused(f"larger than the {limit // MB} MB limit while copying")
        out.write(chunk)


def _write(incoming: Incoming, target: Path, limits: Limits) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with incoming.open() as stream, open(target, "xb") as out:
            _copy_limited(stream, out, limits.file_bytes)
    except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError, EOFError, OSError) as error:
        raise Refused(f"unreadable ({error})") from None


# Choosing files per student ----------------------------------------------------------------------
def _match_all(files: list[Incoming], matcher: Matcher, expected: list[str], report: CollectReport):
    """{student: {module file name: [(how, file), ...]}}, reporting files that match no student or several."""
    matched: dict[str, dict[str, list[tuple[str, Incoming]]]] = {}
    for incoming in files:
        found = matcher.find(incoming.name)
        if len(found.students) != 1:
            if found.students:
                report.ambiguous.append(f"{incoming.name} ({found.how}: {', '.join(found.students)})")
            else:
                report.unmatched.append(_unmatched_text(incoming.name, found))
            continue
        name = _safe_name(_target_name(found.file or incoming.name, expected))
        if name is None:
            report.refused.append(f"{incoming.name}: not a usable file name")
            continue
        matched.setdefault(found.students[0], {}).setdefault(name, []).append((found.how, incoming))
    return matched


def _unmatched_text(name: str, found: Match) -> str:
    if found.how.startswith(("Canvas", "Moodle", "Blackboard")):
        return f"{name} ({found.how} is no student's lms_user_id: add it to the roster and run setup again)"
    return name


def _resubmission(incoming: Incoming) -> int:
    found = RESUBMISSION.search(Path(incoming.name).name)
    return int(found.group(0)[1:]) if found else 0


def _choose(matched, report: CollectReport) -> dict[str, dict[str, Incoming]]:
    """One file per (student, name): a resubmission only when the same LMS id delivered all of them."""
    chosen = {}
    for student, names in sorted(matched.items()):
        mine, conflict = {}, False
        for name, candidates in sorted(names.items()):
            ways = {how for how, _ in candidates}
            files = sorted((f for _, f in candidates), key=lambda f: (f.when, _resubmission(f), f.name))
            if len(files) > 1 and len(ways) > 1:
                conflict = True
                report.conflicts.append(f"{student} {name}: " + ", ".join(f.name for f in files))
            elif len(files) > 1:
                report.duplicates.append(f"{student} {name}: kept {files[-1].name}, ignored "
                                         + ", ".join(f.name for f in files[:-1]))
            mine[name] = files[-1]
        if not conflict:
            chosen[student] = mine
    return chosen


# Installing --------------------------------------------------------------------------------------
def _stage_and_install(course: Course, module: str, student: str, named: dict[str, Incoming], when: str,
                       report: CollectReport, limits: Limits) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        staging = Path(scratch) / module
        staging.mkdir()
        try:
            for name, incoming in named.items():
                _write(incoming, staging / name, limits)
        except Refused as why:
            report.refused.append(f"{incoming.name}: {why}; {student} not copied")
            return
        (staging / "timestamp.txt").write_text(when + "\n", encoding="utf-8")  # never the student's own
        _install(course, staging, student, module, report, sorted(named))


def _released(course: Course, module: str | None, modules: list[str]) -> str:
    if not modules:
        raise CollectError("collect: no module is released yet: run `python -m autograder.cohort setup` first")
    if module is None:
        if len(modules) != 1:
            raise CollectError(f"collect: say which module these files are for (--module; released: {modules})")
        return modules[0]
    if module not in modules:
        raise CollectError(f"collect: module {printable(module)!r} is not released (released: {', '.join(modules)}): "
                           f"run `python -m autograder.cohort setup --module {printable(module)}` first")
    return module


def _source_files(source: Path, limits: Limits, report: CollectReport) -> list[Incoming]:
    if not source.exists():
        raise CollectError(f"collect: {source} does not exist: give the LMS's .zip or a folder of submissions")
    if source.is_dir():
        return _from_folder(source, limits, report)
    return _from_zip(source, limits, report)


def collect(course: Course, source: Path, module: str | None = None, timestamp: str | None = None,
            limits: Limits = Limits()) -> CollectReport:
    """Copy `source` (a submitted/-style folder, a flat folder or an LMS zip) into submitted/; report problems.

    Raises CollectError (nothing copied) for an unreleased or unnamed module, a source that is
    missing, not a zip, empty, with unsafe paths, or over the limits.
    """
    source = Path(source)
    modules = released_modules(course)
    with gradebook(course) as gb:
        roster = list(gb.students)
    roster_ids = sorted(s.id for s in roster)
    if _is_submitted_layout(source, module, modules):
        wanted = [_released(course, m, modules) for m in ([module] if module else modules)]
        return _collect_layout(course, source, wanted, roster_ids, limits)
    module = _released(course, module, modules)
    report = CollectReport(module)
    files = _source_files(source, limits, report)
    expected = sorted(p.name for p in course.released_module(module).iterdir() if p.is_file())
    chosen = _choose(_match_all(files, Matcher(roster), expected, report), report)
    for student, named in sorted(chosen.items()):
        when = timestamp or timestamp_text(max(f.when for f in named.values()))
        _stage_and_install(course, module, student, named, when, report, limits)
    report.no_file = _without_file(roster_ids, chosen, report)
    _save(course, report)
    return report


def _without_file(roster_ids: list[str], chosen: dict, report: CollectReport) -> list[str]:
    matched = chosen.keys() | {c.split(" ", 1)[0] for c in report.conflicts}
    return [s for s in roster_ids if s not in matched]


def _real_dir(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()


def _is_submitted_layout(source: Path, module: str | None, modules: list[str]) -> bool:
    return _real_dir(source) and any(
        _real_dir(d / m) for d in source.iterdir() if _real_dir(d) for m in ([module] if module else modules)
    )


def _collect_layout(course: Course, source: Path, modules: list[str], roster_ids: list[str],
                    limits: Limits) -> CollectReport:
    report = CollectReport(", ".join(modules))
    for module in modules:
        for folder in sorted(d / module for d in source.iterdir() if _real_dir(d) and _real_dir(d / module)):
            _collect_one_folder(course, folder, module, roster_ids, limits, report)
        report.no_file += [f"{s} ({module})" for s in roster_ids if not _real_dir(source / s / module)]
    _save(course, report)
    return report


def _collect_one_folder(course: Course, folder: Path, module: str, roster_ids: list[str], limits: Limits,
                        report: CollectReport) -> None:
    student = folder.parent.name
    if id_problem(student):
        report.refused.append(f"{student}/{module}: the folder name is not a usable student id; rename it")
        return
    if student not in roster_ids:
        report.not_on_roster.append(f"{student} ({module})")
    seen = CollectReport(module)
    files = _from_folder(folder, limits, seen)
    report.links += [f"{student}/{module}/{item}" for item in seen.links]
    report.refused += [f"{student}/{module}/{item}" for item in seen.refused]
    with tempfile.TemporaryDirectory() as scratch:
        staging = Path(scratch) / module
        staging.mkdir()
        try:
            for incoming in files:
                _write(incoming, staging / incoming.name, limits)
        except Refused as why:
            report.refused.append(f"{student}/{module}/{incoming.name}: {why}; {student} not copied")
            return
        _install(course, staging, student, module, report, sorted(f.name for f in files))


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
