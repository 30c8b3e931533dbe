"""Outcomes are data; the sentences are made from them only for display."""

from __future__ import annotations

import json

import pytest

from autograder.cohort.outcomes import Event, Outcome, PairResult, describe, sentences, unfinished

DETAILS = {
    Outcome.LATE: {"days": 2.1, "penalty": 3},
    Outcome.TIMEOUT: {"limit_s": 30},
    Outcome.OUT_OF_MEMORY: {"limit_mb": 2048},
    Outcome.RENAMED: {"submitted": "Copy of 01.ipynb"},
    Outcome.NOT_GRADED: {"error": "RuntimeError: boom"},
    Outcome.PIPELINE_ERROR: {"error": "OSError()"},
    Outcome.TAMPERED: {"what": "IPython ast_transformers", "cells": 2, "affected": "q1_test, q2_test"},
    Outcome.CELLS_RESTORED: {"cells": "q2_answer"},
    Outcome.METADATA_RESTORED: {"cells": "q2_answer"},
    Outcome.NOT_GRADABLE: {"notebook": "01.ipynb", "error": "KeyError: 'q1'"},
    Outcome.GRADER_RETRIED: {"reason": "the kernel fork server died while grading"},
    Outcome.INTERRUPT_IGNORED: {"limit_s": 30},
    Outcome.SUBMISSION_MEMORY_LIMIT: {"measured_mb": 2200, "cap_mb": 2048},
    Outcome.PROCESS_LIMIT: {"measured": 301, "cap": 256},
}


@pytest.mark.parametrize("outcome", list(Outcome))
def test_every_outcome_has_a_sentence(outcome):
    text = describe(Event(outcome, "q1", DETAILS.get(outcome, {})))
    assert text and "{" not in text


def test_journal_entry_round_trips_through_json():
    result = PairResult("ann", "m00", "graded")
    result.add(Outcome.TIMEOUT, "q1", limit_s=30)
    result.add(Outcome.LATE, days=1.5, penalty=1)
    entry = json.loads(json.dumps(result.as_dict()))
    assert entry["outcomes"] == ["late", "timeout"]
    assert sentences(entry) == ["cell q1 ran past the 30 s limit: stopped, scored 0", "late by 1.5 days: penalty 1 points"]


def test_failing_outcomes_fail_the_pair():
    result = PairResult("ann", "m00", "graded")
    result.add(Outcome.DATASETS_CHANGED)
    assert result.status == "graded"
    result.add(Outcome.NO_GRADE_RECORDED)
    assert result.status == "failed"
    assert unfinished("ann", "m00", Outcome.NOT_SUBMITTED)["status"] == "not_submitted"
    assert unfinished("ann", "m00", Outcome.WORKER_CRASHED)["status"] == "failed"
