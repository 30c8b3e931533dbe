"""Numbers that a notebook's prose states about the data, checked against the code.

A sentence such as "3 of the 8 high-priority tasks are done" is registered in
`autograder/prose_numbers/<module>.yaml` with the expression that computes it::

    01_orientation.ipynb:
      numbers:
        - text: "3 of the 8 high-priority tasks"
          expr: "f'{n_done} of the {n_high} high-priority tasks'"
      conventions: ["95 %"]   # numbers in prose that are conventions, not data

`autograder.solution_run` evaluates each `expr` in the solution notebook's
kernel at the point where a reader reads the text (just before the first code
cell after the markdown cell where it first appears) and the test requires
`str(result) == text`. `unregistered_numbers` finds the data-looking numbers
of a notebook's markdown (percentages, decimals, "N of M", "31st of 48") that
are neither inside a registered text nor listed as conventions, so prose
cannot state a number that nothing checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

PROSE_NUMBERS_DIR = Path(__file__).resolve().parent / "prose_numbers"

# What looks like a number about the data in prose.
NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?"  # 12, 1,200, 4.5
DATA_NUMBER = re.compile(
    rf"(?<![\w.]){NUMBER}\s?%"  # 12 %, 4.5%
    rf"|(?<![\w.]){NUMBER}\s+of\s+(?:the\s+)?{NUMBER}(?![\w%]|\.\d)"  # 3 of 8, 3 of the 8
    r"|(?<![\w.])\d+(?:st|nd|rd|th)\s+of\s+\d+(?![\w.])"  # 31st of 48
    r"|(?<![\w.])\d+\.\d+(?![\w]|\.\d)"  # 0.039 (not Q1.2, not 4.2.0)
)
# Parts of markdown that are not prose: code, math, link targets.
NOT_PROSE = re.compile(r"```.*?```|`[^`]*`|\$\$.*?\$\$|\$[^$]*\$|\]\([^)]*\)", re.DOTALL)


@dataclass(frozen=True)
class ProseNumber:
    text: str  # as it appears in the markdown
    expr: str  # a Python expression whose str() must equal `text`


@dataclass
class ProseNumberResult:
    number: ProseNumber
    got: str | None  # str() of the expression's value
    error: str | None  # the expression failed

    @property
    def right(self) -> bool:
        return self.error is None and self.got == self.number.text


@dataclass
class ProseRegistry:
    numbers: list[ProseNumber] = field(default_factory=list)
    conventions: list[str] = field(default_factory=list)


def prose_numbers_file(module: str) -> Path:
    return PROSE_NUMBERS_DIR / f"{module}.yaml"


def load_prose_registry(module: str, notebook_name: str) -> ProseRegistry:
    """The registered numbers and conventions of one notebook (empty if none)."""
    path = prose_numbers_file(module)
    raw = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path.is_file() else {}
    entry = raw.get(notebook_name) or {}
    unknown = set(entry) - {"numbers", "conventions"}
    if unknown:
        raise ValueError(f"{path.name}: {notebook_name} has unknown keys {sorted(unknown)}; use numbers and conventions")
    numbers = [ProseNumber(str(item["text"]), str(item["expr"])) for item in entry.get("numbers") or []]
    return ProseRegistry(numbers, [str(c) for c in entry.get("conventions") or []])


def normalised(text: str) -> str:
    return " ".join(text.split())


def markdown_prose(source: str) -> str:
    """A markdown cell's prose, without code, math and link targets, whitespace collapsed."""
    return normalised(NOT_PROSE.sub(" ", source))


def reading_points(notebook, numbers: list[ProseNumber]) -> dict[int, list[ProseNumber]]:
    """For each code cell index, the numbers to check just before it runs.

    A number is checked before the first code cell that follows the markdown
    cell where its text first appears; text after the last code cell (or not
    found at all) is keyed by the number of cells, i.e. checked at the end.
    """
    points: dict[int, list[ProseNumber]] = {}
    for number in numbers:
        index = _first_markdown_with(notebook, number.text)
        following = (
            next((i for i in range(index + 1, len(notebook.cells)) if notebook.cells[i].cell_type == "code"), None)
            if index is not None
            else None
        )
        points.setdefault(len(notebook.cells) if following is None else following, []).append(number)
    return points


def _first_markdown_with(notebook, text: str) -> int | None:
    wanted = normalised(text)
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown" and wanted in normalised(cell.source):
            return index
    return None


def texts_not_in_markdown(notebook, registry: ProseRegistry) -> list[str]:
    """Registered texts that no markdown cell contains (the prose changed, or a typo)."""
    return [n.text for n in registry.numbers if _first_markdown_with(notebook, n.text) is None]


def unregistered_numbers(notebook, registry: ProseRegistry) -> list[tuple[int, str]]:
    """(cell index, number) for each data-looking number in prose that nothing checks."""
    covered = sorted({normalised(n.text) for n in registry.numbers} | set(registry.conventions), key=len, reverse=True)
    found = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "markdown":
            continue
        prose = normalised(cell.source)
        for text in covered:
            prose = prose.replace(text, " ")
        found.extend((index, match.group(0)) for match in DATA_NUMBER.finditer(markdown_prose(prose)))
    return found
