"""What can happen to a submission, as data: an `Outcome` enum and the pair's `PairResult`.

Every stage of grading reports what it saw as `Event`s (an `Outcome` plus the
cell, notebook or numbers it concerns), worked out from exception types and
structured results (notebook metadata and outputs, preprocessor records, the
gradebook), never from log text. Sentences for people are made from events only
when shown (`describe`), as learntools makes a learner's message from its
`OutcomeType` at display time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import Enum

from autograder.cohort.untrusted import printable


class Outcome(str, Enum):
    """Everything the pipeline can report about one (student, module) pair."""

    NOT_SUBMITTED = "not_submitted"
    LATE = "late"
    TIMEOUT = "timeout"
    OUT_OF_MEMORY = "out_of_memory"
    KERNEL_DIED = "kernel_died"
    KERNEL_DIED_IN_LOCKED_CELL = "kernel_died_in_locked_cell"
    NOT_JSON = "not_json"
    RENAMED = "renamed"
    MISSING_NOTEBOOK = "missing_notebook"
    EXTRA_NOTEBOOKS = "extra_notebooks"
    EXTRA_FILES = "extra_files"
    TEST_CELL_RESTORED = "test_cell_restored"
    LOCKED_CELL_EDITED = "locked_cell_edited"
    DATASETS_CHANGED = "datasets_changed"
    OUTPUT_TRUNCATED = "output_truncated"
    RETRIED_BUSY = "retried_busy"
    NOT_GRADED = "not_graded"
    NO_GRADE_RECORDED = "no_grade_recorded"
    PIPELINE_ERROR = "pipeline_error"
    WORKER_CRASHED = "worker_crashed"
    TAMPERED = "tampered"
    CELLS_RESTORED = "cells_restored"
    NOT_GRADABLE = "not_gradable"
    GRADER_RETRIED = "grader_retried"
    INTERRUPT_IGNORED = "interrupt_ignored"
    METADATA_RESTORED = "metadata_restored"
    NOT_SANDBOXED = "not_sandboxed"
    WALL_CLOCK_LIMIT = "wall_clock_limit"
    SUBMISSION_MEMORY_LIMIT = "submission_memory_limit"
    PROCESS_LIMIT = "process_limit"


# Outcomes that leave the pair without a grade (status "failed", graded again on the next run).
FAILING = frozenset({Outcome.NOT_GRADED, Outcome.NO_GRADE_RECORDED, Outcome.PIPELINE_ERROR, Outcome.WORKER_CRASHED})
# Outcomes that leave the pair without a grade for a reason that repeats (status "needs_attention":
# exported with a blank score, listed first in the report, not graded again until the files change).
NEEDS_ATTENTION = frozenset({Outcome.NOT_GRADABLE})
# Outcomes of a graded pair that an instructor should look at by hand (listed first in the report).
CHECK_BY_HAND = frozenset({Outcome.TAMPERED})
# Outcomes that explain why no autograded notebook was produced.
EXPLAINS_NO_NOTEBOOK = frozenset(
    {Outcome.NOT_JSON, Outcome.MISSING_NOTEBOOK, Outcome.KERNEL_DIED, Outcome.KERNEL_DIED_IN_LOCKED_CELL}
)


@dataclass(frozen=True)
class Event:
    """One thing that happened: the outcome, and where (cell or notebook) with any numbers."""

    outcome: Outcome
    where: str = ""
    detail: dict = field(default_factory=dict, hash=False, compare=False)

    def as_dict(self) -> dict:
        return {"outcome": self.outcome.value, "where": self.where, "detail": dict(self.detail)}

    @classmethod
    def from_dict(cls, data: dict) -> "Event":
        return cls(Outcome(data["outcome"]), data.get("where", ""), dict(data.get("detail") or {}))


_SENTENCES = {
    Outcome.NOT_SUBMITTED: "no submission",
    Outcome.LATE: "late by {days:.1f} days: penalty {penalty:g} points",
    Outcome.TIMEOUT: "cell {where} ran past the {limit_s} s limit: stopped, scored 0",
    Outcome.OUT_OF_MEMORY: "cell {where} ran out of memory (limit {limit_mb} MB): scored 0",
    Outcome.KERNEL_DIED: "kernel died in cell {where} in two fresh kernels (the submission's doing: os._exit or a "
                         "crash): that cell scored 0, the rest was graded",
    Outcome.KERNEL_DIED_IN_LOCKED_CELL: "kernel died in a locked cell {where}: scored 0",
    Outcome.NOT_JSON: "notebook {where} is not valid JSON (corrupted file): scored 0",
    Outcome.RENAMED: "notebook renamed: graded '{submitted}' as {where}",
    Outcome.MISSING_NOTEBOOK: "notebook missing: {where} (scored 0)",
    Outcome.EXTRA_NOTEBOOKS: "extra notebooks not graded: {where}",
    Outcome.EXTRA_FILES: "extra files ignored by the tests: {where}",
    Outcome.TEST_CELL_RESTORED: "deleted cell {where} put back from the gradebook and graded",
    Outcome.LOCKED_CELL_EDITED: "edited locked cell {where} replaced by the gradebook copy",
    Outcome.DATASETS_CHANGED: "student code changed the datasets; restored for the next student",
    Outcome.OUTPUT_TRUNCATED: "cell {where}: output too long, truncated",
    Outcome.RETRIED_BUSY: "kernel output timed out (machine busy): graded again",
    Outcome.NOT_GRADED: "could not be graded (retried on the next run): {error}",
    Outcome.NO_GRADE_RECORDED: "no grade recorded",
    Outcome.PIPELINE_ERROR: "pipeline error: {error}",
    Outcome.WORKER_CRASHED: "the grading worker crashed on this submission",
    Outcome.TAMPERED: "check by hand: the submission changed how the tests run ({what}) before test cell {where}; "
                      "{cells} test cells ({affected}) got no automatic points",
    Outcome.CELLS_RESTORED: "cells deleted from {where} put back from the release before grading ({cells}); "
                            "the learner's other answers were graded",
    Outcome.NOT_GRADABLE: "nbgrader cannot grade {notebook} as submitted (the same error in two "
                          "fresh runs; graded again only when the files change, or with --force): {error}",
    Outcome.METADATA_RESTORED: "nbgrader metadata changed in {where} (grade ids, a test marked as not graded) "
                               "put back from the release before grading: {cells}",
    Outcome.GRADER_RETRIED: "{reason}: graded again on a fresh kernel (the grader's failure, not the submission's)",
    Outcome.INTERRUPT_IGNORED: "cell {where} ran past the {limit_s} s limit and did not stop when interrupted, in "
                               "two fresh kernels: that cell scored 0, the rest was graded",
    Outcome.NOT_SANDBOXED: "graded without the OS sandbox (--no-sandbox): its code could reach the grader's files",
    Outcome.WALL_CLOCK_LIMIT: "ran past the wall-clock limit of a whole submission: the cells still running were stopped",
    Outcome.SUBMISSION_MEMORY_LIMIT: "cell {where} took the submission over its memory limit (all its processes "
                                     "together: {measured_mb} MB, limit {cap_mb} MB): every process of the submission "
                                     "was stopped and that cell scored 0",
    Outcome.PROCESS_LIMIT: "cell {where} took the submission over its process limit ({measured} processes and "
                           "threads, limit {cap}): every process of the submission was stopped and that cell scored 0",
}


def describe(event: Event) -> str:
    """The sentence shown to an instructor for one event.

    File names and other text from the submission are made printable (no escape sequences, no
    line breaks that could forge a status line); an error keeps its line breaks.
    """
    detail = {key: printable(value, keep="\n\t" if key == "error" else "") if isinstance(value, str) else value
              for key, value in event.detail.items()}
    return _SENTENCES[event.outcome].format(where=printable(event.where), **detail)


def sentences(entry: dict) -> list[str]:
    """The sentences for a journal entry (a `PairResult.as_dict()`)."""
    return [describe(Event.from_dict(e)) for e in entry.get("events", [])]


@dataclass
class PairResult:
    """What grading one (student, module) pair produced; `as_dict` is its journal entry."""

    student: str
    module: str
    status: str  # graded | failed | needs_attention | not_submitted
    events: list[Event] = field(default_factory=list)
    score: float = 0.0
    max_score: float = 0.0
    late_penalty: float = 0.0
    auto_scores: dict[str, float] = field(default_factory=dict)
    digest: str = ""
    seconds: float = 0.0
    worker: int = 0
    finished: float = 0.0

    def add(self, outcome: Outcome, where: str = "", **detail) -> None:
        self.events.append(Event(outcome, where, detail))
        if outcome in FAILING:
            self.status = "failed"
        elif outcome in NEEDS_ATTENTION and self.status != "failed":
            self.status = "needs_attention"

    def extend(self, events) -> None:
        for event in events:
            self.add(event.outcome, event.where, **event.detail)

    @property
    def outcomes(self) -> set[Outcome]:
        return {e.outcome for e in self.events}

    def as_dict(self) -> dict:
        return {
            "student": self.student, "module": self.module, "status": self.status,
            "outcomes": sorted(o.value for o in self.outcomes),
            "events": [e.as_dict() for e in self.events],
            "score": self.score, "max_score": self.max_score, "late_penalty": self.late_penalty,
            "auto_scores": dict(self.auto_scores), "digest": self.digest, "seconds": self.seconds,
            "worker": self.worker, "finished": self.finished,
        }


def unfinished(student: str, module: str, outcome: Outcome, worker: int = 0, digest: str = "", **detail) -> dict:
    """The journal entry of a pair that got no grade (not submitted, or the pipeline failed)."""
    status = "not_submitted" if outcome is Outcome.NOT_SUBMITTED else "failed"
    result = PairResult(student, module, status, digest=digest, worker=worker)
    result.add(outcome, **detail)
    result.status = status
    result.finished = time.time()
    return result.as_dict()
