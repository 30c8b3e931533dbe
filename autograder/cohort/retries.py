"""When to run nbgrader again on a pair, and what a failure says about whom (issue 23).

A failure of the grader (its fork server died, a kernel died or stalled once)
is retried on a fresh kernel and never scored; only what repeats in a fresh
kernel is attributed to the submission. A kernel the sandbox's watchdog killed
for going over a limit of the whole submission (memory, processes) is the
submission's doing at once: the cell that was running scores 0, never retried. `Worker._run_with_retries` asks a
`Retries` what to do after each nbgrader run.
"""

from __future__ import annotations

from pathlib import Path

from autograder.cohort import stages
from autograder.cohort.outcomes import Outcome, PairResult

MAX_RUNS = 6  # nbgrader runs per pair at most: first run, fresh-kernel retries, runs after neutralising


class Retries:
    """The retry decisions of one pair (see `Worker._run_with_retries`)."""

    def __init__(self, worker, workdir: Path, result: PairResult):
        self.worker, self.workdir, self.result = worker, workdir, result
        self.seen: set = set()  # (kind, cell) given a fresh kernel once already
        self.confirmed = False  # another failure already run a second time
        self.pending = None  # the cell a kernel died in, given a fresh kernel in the run going on

    def after(self, record: stages.RunRecord) -> str | None:
        """What to do before running again: "again", "confirm" (same failure twice?), or None (done)."""
        limits = self.worker.limit_records()
        if limits:
            return self._over_limit(record, limits[0])
        if self.worker._fork_server_died():
            self.worker.fork_server.ensure_running()
            self.result.add(Outcome.GRADER_RETRIED, reason="the kernel fork server died while grading")
            return "again"
        stop = stages.kernel_death(record) or stages.stalled(record)
        if stop is not None:
            return self._stopped(record, stop)
        if record.failures and not self.confirmed:
            self.confirmed = True
            return "confirm"
        return None

    def _stopped(self, record: stages.RunRecord, stop: stages.Failure) -> str | None:
        kind = "died" if stop is stages.kernel_death(record) else "stalled"
        if stop.last_cell is None:  # died before any cell ran: the kernel could not start
            return None if (kind, None) in self.seen else self._again(kind, None)
        if (kind, stop.last_cell) not in self.seen:
            return self._again(kind, stop.last_cell)
        event = stages.neutralise(self.workdir, stop.last_cell, stalled=kind == "stalled",
                                  limit_s=self.worker.course.cell_timeout)
        self.result.add(event.outcome, event.where, **event.detail)
        return "again" if event.outcome in (Outcome.KERNEL_DIED, Outcome.INTERRUPT_IGNORED) else None

    def _over_limit(self, record: stages.RunRecord, limit: dict) -> str | None:
        """The watchdog killed the submission over a limit: not the grader's failure, blame the running cell at once."""
        failure = stages.kernel_death(record) or next(iter(record.failures), None)
        culprit = failure.last_cell if failure is not None else None
        if culprit is None:  # no cell was running (the kill came between cells): nothing to blame, run again once
            return None if ("limit", None) in self.seen else self._again("limit", None)
        events = stages.over_limit(self.workdir, culprit, limit)
        self.result.extend(events)
        return "again" if len(events) == 1 else None

    def _again(self, kind: str, cell) -> str:
        self.seen.add((kind, cell))
        self.pending = cell if kind == "died" else None
        if kind == "stalled":
            self.result.add(Outcome.RETRIED_BUSY)
        return "again"

    def settled(self, record: stages.RunRecord) -> None:
        """A kernel death that did not come back in the fresh kernel was the grader's (the machine's)."""
        cell, self.pending = self.pending, None
        death = stages.kernel_death(record)
        if cell is not None and (death is None or death.last_cell != cell):
            self.result.add(Outcome.GRADER_RETRIED,
                            reason=f"the kernel died in cell {cell[2] or cell[1]} of {cell[0]}, not in a fresh kernel")
