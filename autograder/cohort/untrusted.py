"""Text that came from people (file names, roster fields): safe to print, safe in a spreadsheet.

- `printable`: what a terminal shows of a name, with ANSI escape sequences removed and every
  other control or bidirectional-override character shown as `?`, so a file name cannot clear
  the screen, forge a status line or reverse the text around it.
- `spreadsheet_safe` / `neutralise_csv`: OWASP's CSV-injection defence: a cell that starts with
  `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading single quote, so Excel,
  LibreOffice and Google Sheets show it as text instead of running it as a formula. Plain
  numbers (`-1.5`) are left alone: they are data, not formulas.
"""

from __future__ import annotations

import csv
import os
import re
import tempfile
import unicodedata
from pathlib import Path

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), and two-character escapes (ESC x).
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?|\x9b[0-?]*[ -/]*[@-~]")
BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def printable(text: object, keep: str = "") -> str:
    """`text` as one safe line: escape sequences removed, other control characters (but those in `keep`) shown as `?`."""
    text = ANSI.sub("", str(text))
    return "".join("?" if ch not in keep and (ch in BIDI or unicodedata.category(ch) == "Cc") else ch for ch in text)


def spreadsheet_safe(cell: object) -> object:
    """`cell`, with a leading `'` if a spreadsheet would read it as a formula (numbers and non-text unchanged)."""
    if isinstance(cell, str) and cell.startswith(FORMULA_START) and not NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def neutralise_csv(path: Path) -> None:
    """Rewrite the CSV file at `path` with every formula-like cell made safe (atomically)."""
    path = Path(path)
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    safe = [[spreadsheet_safe(cell) for cell in row] for row in rows]
    if safe == rows:
        return
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", newline="", encoding="utf-8") as out:
            csv.writer(out).writerows(safe)
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def _csv_cell(value: object) -> object:
    """A text cell ready for a writer that joins cells with commas and quotes nothing (nbgrader's CSV export)."""
    if not isinstance(value, str):
        return value
    value = spreadsheet_safe(value)
    return '"' + value.replace('"', '""') + '"' if any(ch in value for ch in ',"\r\n') else value


class _QuotedStudent:
    def __init__(self, student):
        self._student = student

    def __getattr__(self, name):
        value = getattr(self._student, name)
        return _csv_cell(value) if name in ("first_name", "last_name", "email") else value


class csv_quoting:  # noqa: N801  (used like a function: `plugin.export(csv_quoting(gb))`)
    """A gradebook whose students' names and e-mails come out CSV-quoted and formula-safe.

    nbgrader's `CsvExportPlugin` writes `",".join(cells)`: a comma in a name shifts every later
    column and can start a new cell with `=`. The id is left as it is (it is looked up, and the
    roster only allows folder-name characters in it).
    """

    def __init__(self, gradebook):
        self._gradebook = gradebook

    def __getattr__(self, name):
        return getattr(self._gradebook, name)

    @property
    def students(self):
        return [_QuotedStudent(s) for s in self._gradebook.students]
