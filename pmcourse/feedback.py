"""Feedback a learner gets while working alone: hints and a self-check.

- `hint("m00_q1_2")` prints the next hint for a question: a nudge first, then
  the method. Hints live in the module's `hints.yaml`, next to the notebook.
- `self_check("m00_q1_2_hours_left", answer)` says whether an answer is fully
  right without revealing it. It compares a salted, slow hash of the
  canonicalised, rounded answer with the module's `answer_fingerprints.json`,
  which is generated from the solution notebook (`make fingerprints`), never
  typed in. It only prints (to stdout) and never raises, so it cannot change
  a grade.
"""

from __future__ import annotations

import hashlib
import json
import math
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
    """Accept a full question id or an unambiguous prefix of one."""
    if question in known:
        return question
    matches = [key for key in known if key.startswith(question)]
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


def canonical(value, digits: int = DEFAULT_DIGITS):
    """A JSON-ready form of an answer: numbers rounded, containers in a fixed form.

    Series and DataFrames keep their order (a ranking's order is part of the
    answer); dicts and sets are sorted.
    """
    if isinstance(value, pd.DataFrame):
        return {
            "columns": [canonical(c, digits) for c in value.columns],
            "index": [canonical(i, digits) for i in value.index],
            "rows": [canonical(list(row), digits) for row in value.itertuples(index=False)],
        }
    if isinstance(value, pd.Series):
        return [[canonical(i, digits), canonical(v, digits)] for i, v in value.items()]
    if isinstance(value, (pd.Index, np.ndarray, list, tuple)):
        return [canonical(v, digits) for v in list(value)]
    if isinstance(value, Mapping):
        pairs = [[canonical(k, digits), canonical(v, digits)] for k, v in value.items()]
        return sorted(pairs, key=json.dumps)
    if isinstance(value, (set, frozenset)):
        return sorted((canonical(v, digits) for v in value), key=json.dumps)
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return f"{int(value)}"
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return None
        rounded = round(float(value), digits)
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
