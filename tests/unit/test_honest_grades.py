"""Honest grades (issue 23), stage by stage on tiny notebooks, no kernel.

- canaries: inserted around test cells, verified and removed, execution counts as stock;
- a deleted question block is put back from the release before nbgrader runs;
- retries: a grader failure is retried on a fresh kernel and never scored, only a
  repeat is the submission's; a deterministic nbgrader failure is run twice, then
  needs attention (not retried forever);
- the journal is checked (shape, pair, gradebook) before a pair is skipped;
- exports blank the score of a pair that did not grade.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import nbformat
import pytest
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from autograder.cohort import export, journal, stages
from autograder.cohort.canary import CANARY_META, TAMPERED_ENAME, Canaries, release_imports
from autograder.cohort.outcomes import Outcome, PairResult, describe, Event
from autograder.cohort.retries import Retries

from conftest import graded_cell, tiny_release


# -- canaries -------------------------------------------------------------------
def two_questions():
    return new_notebook(cells=[
        graded_cell("import pandas as pd\nfrom pmcourse import probe", "setup", locked=True),
        graded_cell("a = 1", "q1_answer", solution=True),
        graded_cell("assert a == 1", "q1_test", grade=True, locked=True, points=2),
        new_markdown_cell("Next question"),
        graded_cell("b = 2", "q2_answer", solution=True),
        graded_cell("assert b == 2", "q2_test", grade=True, locked=True, points=3),
    ])


def run_as_kernel(notebook, canaries: Canaries, *, rewritten_from: int | None = None, tampered: str = ""):
    """Give every code cell the outputs a kernel would: canaries raise their error, the count goes up.

    From cell `rewritten_from` on, every cell ran as `pass` (no error); with `tampered`, the canaries
    report that.
    """
    count = 0
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        count += 1
        cell.execution_count = count
        if CANARY_META not in cell.metadata or (rewritten_from is not None and index >= rewritten_from):
            continue
        verdict = f" tampered: {tampered}" if tampered and cell.metadata[CANARY_META] != "setup" else " ok"
        cell.outputs = [new_output("error", ename="AssertionError", evalue=canaries.secret + verdict, traceback=[])]


def stock_counts(notebook):
    counts, n = [], 0
    for cell in notebook.cells:
        if cell.cell_type == "code":
            n += 1
            counts.append(n)
    return counts


def test_canaries_go_first_and_before_every_test_cell():
    notebook = two_questions()
    canaries = Canaries()
    canaries.insert(notebook)
    roles = [c.metadata.get(CANARY_META) for c in notebook.cells]
    assert roles == ["setup", None, None, "q1_test", None, None, None, "q2_test", None]
    assert canaries.secret not in notebook.cells[3].source, "the secret lives only in the first cell"
    assert Canaries().secret != canaries.secret, "one secret per run"


def test_honest_run_leaves_the_notebook_as_stock_nbgrader_would():
    notebook, canaries = two_questions(), Canaries()
    expected = stock_counts(notebook)
    canaries.insert(notebook)
    run_as_kernel(notebook, canaries)
    assert canaries.verify(notebook) is None
    assert [c.get("metadata", {}).get(CANARY_META) for c in notebook.cells] == [None] * 6, "canaries removed"
    assert [c.execution_count for c in notebook.cells if c.cell_type == "code"] == expected
    assert all(not c.get("outputs") for c in notebook.cells if c.cell_type == "code")


@pytest.mark.parametrize("rewritten_from, tampered, first_affected", [
    (2, "", "q1_test"),  # every cell from the first answer on rewritten (the transformer attack)
    (6, "", "q2_test"),  # rewritten from the second answer on: the first test still counts
    (None, "IPython input_transformers_cleanup", "q1_test"),  # the canaries ran and saw the change
])
def test_a_failed_canary_takes_the_points_of_every_later_test(rewritten_from, tampered, first_affected):
    from nbgrader.utils import determine_grade

    notebook, canaries = two_questions(), Canaries()
    canaries.insert(notebook)
    run_as_kernel(notebook, canaries, rewritten_from=rewritten_from, tampered=tampered)
    finding = canaries.verify(notebook)
    assert finding is not None and finding.before == first_affected
    assert (tampered or "did not run as written") in finding.what
    tests = {c.metadata.nbgrader["grade_id"]: c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade")}
    scores = {gid: determine_grade(cell)[0] for gid, cell in tests.items()}
    affected = finding.affected
    assert scores == {gid: (0 if gid in affected else float(cell.metadata.nbgrader["points"])) for gid, cell in tests.items()}
    assert tests[first_affected].outputs[0]["ename"] == TAMPERED_ENAME
    detail = finding.as_detail()
    assert "{" not in describe(Event(Outcome.TAMPERED, finding.before, detail))


def test_a_canary_that_reports_the_wrong_secret_fails():
    notebook, canaries = two_questions(), Canaries()
    canaries.insert(notebook)
    run_as_kernel(notebook, Canaries())  # errors that imitate a canary without this run's secret
    assert canaries.verify(notebook) is not None


def test_release_imports_are_read_from_locked_cells_only():
    notebook = two_questions()
    notebook.cells.append(graded_cell("import numpy as np", "q3_answer", solution=True))
    assert release_imports(notebook) == {"pd": ("pandas", None), "probe": ("pmcourse", "probe")}


# -- a deleted question block comes back from the release --------------------------
def test_deleted_question_block_is_restored_in_place(tmp_path):
    released = two_questions()
    submitted = nbformat.from_dict(json.loads(nbformat.writes(released)))
    submitted.cells[1].source = "a = 1  # answered"
    del submitted.cells[3:]  # the whole second question, prompt included
    restored = stages.restore_missing_cells(submitted, released)
    assert restored == ["q2_answer", "q2_test"]
    assert [c.metadata.get("nbgrader", {}).get("grade_id") for c in submitted.cells] == \
        ["setup", "q1_answer", "q1_test", "q2_answer", "q2_test"]
    assert submitted.cells[1].source == "a = 1  # answered", "the learner's own answers stay"

    empty = new_notebook(cells=[])
    assert stages.restore_missing_cells(empty, released) == ["setup", "q1_answer", "q1_test", "q2_answer", "q2_test"]


def test_restore_notebook_reports_only_the_learners_cells(tmp_path):
    released = two_questions()
    nbformat.write(released, str(tmp_path / "release.ipynb"))
    submitted = nbformat.from_dict(json.loads(nbformat.writes(released)))
    del submitted.cells[4:]
    nbformat.write(submitted, str(tmp_path / "01.ipynb"))
    events = stages.restore_notebook(tmp_path / "01.ipynb", tmp_path / "release.ipynb")
    assert events == [Event(Outcome.CELLS_RESTORED, "01.ipynb")] and events[0].detail == {"cells": "q2_answer"}
    assert len(nbformat.read(str(tmp_path / "01.ipynb"), as_version=4).cells) == 6


def test_changed_grade_ids_and_flags_are_put_back_from_the_release():
    released = two_questions()
    submitted = nbformat.from_dict(json.loads(nbformat.writes(released)))
    submitted.cells[4].metadata.nbgrader["grade_id"] = "q1_answer"  # a duplicated id, answer kept
    submitted.cells[4].source = "b = 2  # mine"
    submitted.cells[2].metadata.nbgrader["grade"] = False  # a test marked as not graded
    pasted = nbformat.from_dict(json.loads(nbformat.writes(submitted.cells[1])))
    pasted["id"] = "pasted"
    submitted.cells.insert(2, pasted)  # a copy of an answer cell, same grade id, new cell id
    assert sorted(stages.repair_metadata(submitted, released)) == ["q1_answer", "q1_test", "q2_answer"]
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in submitted.cells]
    assert ids == ["setup", "q1_answer", None, "q1_test", None, "q2_answer", "q2_test"]
    assert submitted.cells[3].metadata.nbgrader["grade"] is True and submitted.cells[5].source == "b = 2  # mine"
    assert stages.repair_metadata(submitted, released) == [], "nothing left to repair"
    honest = nbformat.from_dict(json.loads(nbformat.writes(released)))
    honest.cells[1].metadata.nbgrader.pop("checksum", None)  # what grading does not read is left alone
    assert stages.repair_metadata(honest, released) == []


def test_the_whole_error_says_where_it_was_raised():
    try:
        {}["grade_id"]
    except KeyError as error:
        text = stages.error_text(error)
    assert text.startswith("KeyError: 'grade_id' (raised in unit/test_honest_grades.py:")


# -- retries ------------------------------------------------------------------------
CELL = ("01_task.ipynb", "c2", "q1_answer")
OTHER = ("01_task.ipynb", "c5", "q2_answer")


class FakeServer:
    def __init__(self, deaths=0):
        self.deaths, self.restarts = deaths, 0
        self.process = self

    def poll(self):
        return -9 if self.deaths > self.restarts else None

    def ensure_running(self):
        self.restarts += 1


class FakeWorker:
    """What `Retries` uses of a Worker, with nbgrader runs scripted."""

    def __init__(self, runs, server=None):
        self.runs, self.calls = list(runs), 0
        self.fork_server = server or FakeServer()
        self.course = type("C", (), {"cell_timeout": 30})()

    def _fork_server_died(self):
        return self.fork_server.process.poll() is not None

    def run(self, *_):
        self.calls += 1
        item = self.runs.pop(0)
        return item(self) if callable(item) else item


def record(error=None, cell=CELL):
    return stages.RunRecord([stages.Failure("01_task.ipynb", error, cell)] if error else [])


class FakeSandbox:
    """The watchdog's records, one list per nbgrader run."""

    def __init__(self, per_run):
        self.per_run = list(per_run)

    def limit_records(self):
        return self.per_run.pop(0) if self.per_run else []


def grade_with(runs, tmp_path, server=None, limits=()):
    from autograder.cohort.worker import Worker

    nbformat.write(tiny_release(), str(tmp_path / "01_task.ipynb"))
    fake = FakeWorker(runs, server)
    worker = Worker.__new__(Worker)
    worker.fork_server, worker.course, worker._run = fake.fork_server, fake.course, fake.run
    worker.sandbox = FakeSandbox(limits) if limits else None
    result = PairResult("ann", "m00", "graded")
    final = worker._run_with_retries(None, tmp_path, "ann", "m00", result)
    return fake, result, final


def test_a_dead_fork_server_is_restarted_and_the_pair_graded_again_unblamed(tmp_path):
    server = FakeServer(deaths=1)
    fake, result, final = grade_with([record(DeadKernelError("Kernel died")), record()], tmp_path, server)
    assert server.restarts == 1 and fake.calls == 2 and not final.failures
    assert result.outcomes == {Outcome.GRADER_RETRIED} and result.status == "graded"
    assert "fork server" in describe(result.events[0])


def test_a_kernel_death_that_does_not_repeat_is_the_graders(tmp_path):
    fake, result, final = grade_with([record(DeadKernelError("Kernel died")), record()], tmp_path)
    assert fake.calls == 2 and result.outcomes == {Outcome.GRADER_RETRIED}
    assert "not in a fresh kernel" in describe(result.events[0])
    notebook = nbformat.read(str(tmp_path / "01_task.ipynb"), as_version=4)
    assert notebook.cells[1].source != stages.KILLED_CELL_SOURCE, "nothing of the learner's was replaced"


def test_a_kernel_death_in_the_same_cell_twice_is_the_submissions(tmp_path):
    dead = DeadKernelError("Kernel died")
    fake, result, final = grade_with([record(dead), record(dead), record()], tmp_path)
    assert fake.calls == 3 and result.outcomes == {Outcome.KERNEL_DIED}
    assert "two fresh kernels" in describe(result.events[0])
    assert nbformat.read(str(tmp_path / "01_task.ipynb"), as_version=4).cells[1].source == stages.KILLED_CELL_SOURCE


def test_a_cell_that_ignores_the_interrupt_twice_scores_0_and_the_rest_is_graded(tmp_path):
    stall = CellTimeoutError("Timeout waiting for IOPub output")
    fake, result, final = grade_with([record(stall), record(stall), record()], tmp_path)
    assert fake.calls == 3 and not final.failures
    assert result.outcomes == {Outcome.RETRIED_BUSY, Outcome.INTERRUPT_IGNORED} and result.status == "graded"
    source = nbformat.read(str(tmp_path / "01_task.ipynb"), as_version=4).cells[1].source
    assert "did not stop when" in source and "30 s" in source


def test_a_busy_machine_once_is_not_blamed(tmp_path):
    stall = CellTimeoutError("Timeout waiting for IOPub output")
    fake, result, final = grade_with([record(stall), record(stall, OTHER), record()], tmp_path)
    assert fake.calls == 3 and result.outcomes == {Outcome.RETRIED_BUSY}


def test_a_deterministic_nbgrader_failure_is_run_twice_then_needs_attention(tmp_path):
    error = KeyError("m00_q1_2_completion_by_team")
    fake, result, final = grade_with([record(error, None), record(KeyError("m00_q1_2_completion_by_team"), None)],
                                     tmp_path)
    assert fake.calls == 2 and final.repeated
    event = stages.not_graded(final)
    assert event.outcome is Outcome.NOT_GRADABLE and event.detail["error"] == "KeyError: 'm00_q1_2_completion_by_team'"
    result.add(event.outcome, **event.detail)
    assert result.status == "needs_attention"


def test_not_graded_keeps_the_whole_error():
    long = "x" * 5000
    event = stages.not_graded(record(RuntimeError(long)))
    assert event.outcome is Outcome.NOT_GRADED and event.detail["error"] == f"RuntimeError: {long}", "never cut"


@pytest.mark.parametrize("limit, outcome, words", [
    ({"limit": "processes", "measured": 301, "cap": 256}, Outcome.PROCESS_LIMIT,
     ("process limit (301 for all its processes together, limit 256)", "(301 processes and threads, limit 256)")),
    ({"limit": "memory", "measured": 2200 << 20, "cap": 2048 << 20}, Outcome.SUBMISSION_MEMORY_LIMIT,
     ("memory limit (2200 MB for all its processes together, limit 2048 MB)", "(all its processes together: 2200 MB, limit 2048 MB)")),
])
def test_a_submission_over_a_limit_loses_the_running_cell_at_once(tmp_path, limit, outcome, words):
    """The watchdog's kill is the submission's doing: no fresh-kernel retry, the running cell scores 0, the rest is graded."""
    fake, result, final = grade_with([record(DeadKernelError("Kernel died")), record()], tmp_path, limits=[[limit]])
    assert fake.calls == 2 and not final.failures
    assert result.outcomes == {outcome} and result.status == "graded"
    source = nbformat.read(str(tmp_path / "01_task.ipynb"), as_version=4).cells[1].source
    assert source.startswith("raise RuntimeError") and words[0] in source, source
    assert describe(result.events[0]).startswith("cell q1_answer of 01_task.ipynb took the submission over its")
    assert words[1] in describe(result.events[0])


def test_over_a_limit_in_a_locked_cell_the_notebook_is_not_run_again(tmp_path):
    """A process started earlier went over the limit while a test cell ran: that cell cannot be replaced."""
    locked = ("01_task.ipynb", "c3", "q1_test")
    limit = {"limit": "processes", "measured": 300, "cap": 256}
    fake, result, final = grade_with([record(DeadKernelError("Kernel died"), locked)], tmp_path, limits=[[limit]])
    assert fake.calls == 1
    assert result.outcomes == {Outcome.PROCESS_LIMIT, Outcome.KERNEL_DIED_IN_LOCKED_CELL}


def test_retries_have_a_bound(tmp_path):
    from autograder.cohort.retries import MAX_RUNS

    server = FakeServer(deaths=100)
    fake, result, final = grade_with([record(DeadKernelError("x"))] * 20, tmp_path, server)
    assert fake.calls == MAX_RUNS


# -- the journal is checked before it is trusted -----------------------------------------
class FakeCourse:
    def __init__(self, root: Path):
        self.root, self.grading, self.journal = root, root / "grading", root / "grading" / "journal"


def entry(student="ann", module="m00", status="graded", score=9.0, digest="d1"):
    result = PairResult(student, module, status, digest=digest)
    result.score, result.max_score = score, 14.0
    return result.as_dict()


@pytest.fixture
def trust(tmp_path, monkeypatch):
    course = FakeCourse(tmp_path)
    monkeypatch.setattr(journal, "gradebook_scores", lambda c: {("ann", "m00"): (9.0, 14.0, 0.0)})
    return course, journal.Trust(course)


@pytest.mark.parametrize("content", [
    b"\xff\xfe\x00garbage", b'{"student": "ann"', b"[]", b'"ann"', b"{}",
    json.dumps({**entry(), "status": "graded!"}).encode(),
    json.dumps({**entry(), "score": "9"}).encode(),
    json.dumps({**entry(), "events": [{"outcome": "no_such_outcome"}]}).encode(),
    json.dumps(entry(student="bob")).encode(),  # another student's entry copied over
])
def test_a_corrupt_entry_is_reported_and_regraded_not_fatal(trust, content):
    course, checker = trust
    path = journal.entry_path(course, "ann", "m00")
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    assert checker.read("ann", "m00") is None
    assert len(checker.problems) == 1 and checker.problems[0]["student"] == "ann"
    assert journal.entries(course) == [] and journal.read(course, "ann", "m00") is None


def test_an_entry_is_current_only_if_the_gradebook_holds_its_grade(trust):
    course, checker = trust
    journal.write(course, entry())
    good = checker.read("ann", "m00")
    assert checker.is_current(good, "d1") and not checker.problems
    assert not checker.is_current(good, "d2"), "changed files are graded again"
    forged = entry(score=14.0)
    assert not checker.is_current(forged, "d1")
    assert "gradebook holds 9/14" in checker.problems[-1]["problem"]
    elsewhere = entry(student="cat")
    assert not checker.is_current(elsewhere, "d1")
    assert "no grade" in checker.problems[-1]["problem"]
    assert checker.is_current(entry(status="needs_attention", score=0), "d1"), "not retried while the files stay"
    assert not checker.is_current(entry(status="failed"), "d1"), "a grader failure is retried"
    checker.save()
    assert [p["student"] for p in journal.saved_problems(course)] == ["ann", "cat"]


# -- exports: a pair that did not grade is blank, with a status ------------------------
def test_pair_status_says_what_needs_attention():
    assert export.pair_status(None) == (True, "graded")
    assert export.pair_status(entry()) == (True, "graded")
    ungradable = PairResult("ann", "m00", "graded")
    ungradable.add(Outcome.NOT_GRADABLE, notebook="01.ipynb", error="KeyError: 'q1'")
    graded, text = export.pair_status(ungradable.as_dict())
    assert not graded and text.startswith("needs attention: nbgrader cannot grade 01.ipynb")
    assert "KeyError: 'q1'" in text
    tampered = PairResult("ann", "m00", "graded")
    tampered.add(Outcome.TAMPERED, "q1_test", what="IPython ast_transformers", cells=2, affected="q1_test, q2_test")
    graded, text = export.pair_status(tampered.as_dict())
    assert graded and text.startswith("graded; check by hand") and "ast_transformers" in text


def test_nbgrader_csv_gets_blank_scores_and_a_status(tmp_path):
    path = tmp_path / "grades.csv"
    path.write_text("assignment,duedate,timestamp,student_id,last_name,first_name,email,raw_score,"
                    "late_submission_penalty,score,max_score\n"
                    "m00,,,ann,A,Ann,a@x,0.0,0.0,0.0,14.0\nm00,,,bob,B,Bob,b@x,9.0,0.0,9.0,14.0\n", encoding="utf-8")
    export._blank_ungraded(path, {("ann", "m00"): (False, "needs attention: KeyError"),
                                  ("bob", "m00"): (True, "graded")})
    rows = {r["student_id"]: r for r in csv.DictReader(path.open(encoding="utf-8"))}
    assert rows["ann"]["score"] == "" and rows["ann"]["raw_score"] == "" and rows["ann"]["status"].startswith("needs")
    assert rows["bob"]["score"] == "9.0" and rows["bob"]["status"] == "graded" and rows["ann"]["max_score"] == "14.0"
