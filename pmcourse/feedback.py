"""Feedback a learner gets while working alone: hints and a self-check.

- `hint("m00_q1_2")` prints the next hint for a question: a nudge first, then
  the method. Hints live in the module's `hints.yaml`, next to the notebook.
- `self_check("m00_q1_2_hours_left", answer)` says whether an answer is fully
  right without revealing it. It compares a salted, slow hash of the
  canonicalised, rounded answer with the module's `answer_fingerprints.json`,
  which is generated from the solution notebook (`make fingerprints`), never
  typed in. It only prints (to stdout) and never raises, so it cannot change
  a grade. Equal numbers get equal verdicts: `3000`, `3000.0` and
  `numpy.int64(3000)` are the same answer.
- `probe(function, cases)` runs a learner's function on several inputs (the
  edge cases the graded tests try) and returns what came back, so a
  self-check covers the function's behaviour and not just one result.
- `route_warnings_to_stdout()` (called when `pmcourse` is imported) shows
  library warnings on stdout: nbgrader scores a test cell that writes to
  stderr as failed, and a warning must never cost a right answer its points.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import sys
import warnings
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

HINTS_FILE = "hints.yaml"
FINGERPRINTS_FILE = "answer_fingerprints.json"
DEFAULT_DIGITS = 6
_HASH_ITERATIONS = 20_000

_hints_shown: dict[str, int] = {}
# Every fingerprint computed in this kernel, by question: read by the
# autograder to regenerate answer_fingerprints.json from the solutions.
computed_fingerprints: dict[str, str] = {}


def _resolve_question(question: str, known: list[str]) -> str | None:
    """Accept a full question id or an unambiguous prefix of one.

    A prefix that ends at a word boundary wins: "m05_q5_1" means m05_q5_1_fit_scores,
    not m05_q5_11_... or m05_q5_12_...
    """
    if question in known:
        return question
    matches = [key for key in known if key.startswith(question + "_")]
    matches = matches or [key for key in known if key.startswith(question)]
    return matches[0] if len(matches) == 1 else None


def hint(question: str, folder: str | Path = ".") -> None:
    """Print the next hint for `question`; each call shows one more."""
    path = Path(folder) / HINTS_FILE
    if not path.is_file():
        print(f"No {HINTS_FILE} next to this notebook: open the notebook from its module folder.")
        return
    hints = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    key = _resolve_question(question, list(hints))
    if key is None:
        print(f"No hints for {question!r}. Questions with hints: {', '.join(hints)}.")
        return
    shown = _hints_shown.get(key, 0)
    texts = hints[key]
    if shown >= len(texts):
        print(
            f"That was the last hint for {key} ({len(texts)} of {len(texts)}). "
            "Re-read the worked example above the question; it uses the same method."
        )
        return
    _hints_shown[key] = shown + 1
    print(f"Hint {shown + 1} of {len(texts)} for {key}:\n{texts[shown].strip()}")


_NOT_A_CONTAINER = object()


def canonical(value, digits: int = DEFAULT_DIGITS):
    """A JSON-ready form of an answer: numbers rounded, containers in a fixed form.

    Series and DataFrames keep their order (a ranking's order is part of the
    answer); dicts and sets are sorted.
    """
    form = _canonical_container(value, digits)
    return _canonical_scalar(value, digits) if form is _NOT_A_CONTAINER else form


def _canonical_frame(frame: pd.DataFrame, digits: int) -> dict:
    return {
        "columns": [canonical(c, digits) for c in frame.columns],
        "index": [canonical(i, digits) for i in frame.index],
        "rows": [canonical(list(row), digits) for row in frame.itertuples(index=False)],
    }


def _canonical_container(value, digits: int):
    if isinstance(value, pd.DataFrame):
        return _canonical_frame(value, digits)
    if isinstance(value, pd.Series):
        return [[canonical(i, digits), canonical(v, digits)] for i, v in value.items()]
    if isinstance(value, (pd.Index, np.ndarray, list, tuple)):
        return [canonical(v, digits) for v in list(value)]
    if isinstance(value, Mapping):
        pairs = [[canonical(k, digits), canonical(v, digits)] for k, v in value.items()]
        return sorted(pairs, key=json.dumps)
    if isinstance(value, (set, frozenset)):
        return sorted((canonical(v, digits) for v in value), key=json.dumps)
    return _NOT_A_CONTAINER


def _canonical_scalar(value, digits: int):
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        # One form for every real number: 3000, 3000.0 and np.int64(3000) are equal answers.
        number = float(value)
        if math.isnan(number):
            return None
        rounded = round(number, digits)
        return f"{rounded + 0.0:.{digits}f}"  # + 0.0 turns -0.0 into 0.0
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, str):
        return value.strip()
    raise TypeError(f"self_check cannot compare a {type(value).__name__}")


def fingerprint(question: str, value, digits: int = DEFAULT_DIGITS) -> str:
    """A salted, slow hash of an answer: equal answers give equal fingerprints."""
    text = json.dumps(canonical(value, digits), sort_keys=True)
    digest = hashlib.pbkdf2_hmac(
        "sha256", text.encode("utf-8"), question.encode("utf-8"), _HASH_ITERATIONS
    )
    return digest.hex()[:32]


def self_check(question: str, value, digits: int = DEFAULT_DIGITS, folder: str | Path = ".") -> None:
    """Print whether `value` is the fully right answer to `question`.

    Returns None on purpose: it is the last line of test cells, and nbgrader
    reads a test cell's displayed result as a partial-credit score.
    """
    try:
        mine = fingerprint(question, value, digits)
    except TypeError as problem:
        print(f"Self-check {question}: {problem}. Check what your answer variable holds.")
        return
    computed_fingerprints[question] = mine
    path = Path(folder) / FINGERPRINTS_FILE
    if not path.is_file():
        print(f"Self-check {question}: no {FINGERPRINTS_FILE} next to this notebook.")
        return
    expected = json.loads(path.read_text(encoding="utf-8")).get(question)
    if expected is None:
        print(f"Self-check {question}: this question has no answer fingerprint yet.")
        return
    if mine == expected:
        print(f"Self-check {question}: fully right.")
        return
    print(
        f"Self-check {question}: not fully right yet. The visible tests check the form "
        f"of the answer; the graded tests check all of it. Try hint({question!r})."
    )


MODIFIED_INPUT = "modified its input"


def _call(function, case):
    """Call `function` with a case: a tuple of positional arguments or a dict of keyword arguments."""
    if isinstance(case, Mapping):
        return function(**case)
    if isinstance(case, tuple):
        return function(*case)
    raise TypeError(
        "probe: each case is a tuple of positional arguments, e.g. (tasks,), "
        f"or a dict of keyword arguments; got a {type(case).__name__}"
    )


def _same(before, after) -> bool:
    try:
        return canonical(before) == canonical(after)
    except TypeError:
        return True  # an argument self_check cannot compare is not judged


def probe(function, cases) -> list:
    """What `function` returns for each case, for `self_check`.

    Each case is a tuple of positional arguments (or a dict of keyword
    arguments); the function gets deep copies. The list holds, per case, the
    result, or `"raises ValueError"` (the exception's class name), followed by
    `"modified its input"` when the call changed one of its arguments.
    """
    results = []
    for case in cases:
        arguments = copy.deepcopy(case)
        try:
            result = _call(function, arguments)
        except Exception as problem:  # the learner's function may raise anything
            result = f"raises {type(problem).__name__}"
        values = arguments.values() if isinstance(arguments, Mapping) else arguments
        originals = case.values() if isinstance(case, Mapping) else case
        changed = any(not _same(a, b) for a, b in zip(originals, values))
        results.append([result, MODIFIED_INPUT] if changed else result)
    return results


def _show_warning_on_stdout(message, category, filename, lineno, file=None, line=None) -> None:
    text = warnings.formatwarning(message, category, filename, lineno, line)
    sys.stdout.write(text)


def route_warnings_to_stdout() -> None:
    """Show Python warnings on stdout instead of stderr.

    nbgrader scores a test cell with any stderr output as failed; a library
    warning (a pandas deprecation, say) raised while a test calls a right
    answer must not cost points. The learner still sees the warning.
    """
    warnings.showwarning = _show_warning_on_stdout
