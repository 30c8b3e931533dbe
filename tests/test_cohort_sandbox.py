"""Hostile submissions against the OS sandbox: each attack is contained, and shown to work without it.

The attack recipes (`tests/fixtures/attacks/*.yaml`) are graded in one batch
with controls, through `grade` with two workers, while the test plants a secret
in the grader's environment and listens on a TCP port of 127.0.0.1. Each attack
prints what it reached; with the sandbox every one is blocked, its answers still
score in full, and every other student's grade is right. A few of them (the
ones that do no harm when they work) are graded again with `--no-sandbox`,
where they succeed: so the blocked result above means something.
Then the feedback of the whole cohort is scanned for hidden tests, mark schemes
and solution code.
"""

import html
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import threading
from pathlib import Path

import nbformat
import pytest

from autograder.cohort import sandbox
from autograder.cohort.__main__ import main as cohort_main
from autograder.cohort.grade import grade
from autograder.cohort.layout import Course
from autograder.cohort.outcomes import Outcome
from conftest import marked_regions
from cohort_fixtures import ATTACKS, MODULE, build_course, expected_scores, fixture_specs, make_submission, student_of

ATTACK_SPECS = fixture_specs(ATTACKS)
CONTROLS = {"right": {"answers": "right", "expect": {"lost": [], "outcomes": []}},
            "zz_right": {"answers": "right", "expect": {"lost": [], "outcomes": []}},
            "blank": {"answers": "blank", "expect": {"zero": True, "outcomes": []}}}
UNSANDBOXED = sorted(case for case, spec in ATTACK_SPECS.items() if "unsandboxed_output" in spec)
DAEMON_SECONDS = str(4000 + os.getpid() % 1000)


def _need_sandbox():
    reason = sandbox.problem()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must be able to sandbox: {reason}")
        pytest.skip(reason)


class Listener:
    """A TCP server on 127.0.0.1 that counts the connections it gets."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.received: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue
            with connection:
                connection.settimeout(5)
                try:
                    self.received.append(connection.recv(100))
                except OSError:
                    self.received.append(b"")

    def close(self):
        self._stop.set()
        self._thread.join(timeout=10)
        self.server.close()


# The memory attacks touch 2-3 GB of fresh memory: on a loaded 2-core VM that took over the tests'
# usual 10 s cell limit (a cell timeout instead of the outcome under test). No attack relies on it.
ATTACK_CELL_TIMEOUT_S = 60


def _grade_batch(folder: Path, specs: dict, values: dict, **options):
    students = {case: student_of(case, spec) for case, spec in specs.items()}
    build_course(folder, sorted(students.values()), timeout=ATTACK_CELL_TIMEOUT_S)
    for case, spec in specs.items():
        make_submission(folder, students[case], spec, values=values)
    course = Course(folder)
    results = grade(course, progress=False, **options)
    return course, students, {r["student"]: r for r in results}


@pytest.fixture(scope="module")
def environment():
    """The grader's secret (in os.environ, as a token would be) and a listening port."""
    secret = "pmcourse-secret-" + secrets.token_hex(8)
    os.environ["PMCOURSE_GRADER_TOKEN"] = secret
    listener = Listener()
    try:
        yield {"@SECRET@": secret, "@PORT@": str(listener.port), "@DAEMON_SECONDS@": DAEMON_SECONDS}, listener
    finally:
        listener.close()
        del os.environ["PMCOURSE_GRADER_TOKEN"]


@pytest.fixture(scope="module")
def attacked(tmp_path_factory, environment):
    _need_sandbox()
    values, listener = environment
    before = len(listener.received)
    course, students, results = _grade_batch(tmp_path_factory.mktemp("cohort_attacks"), {**ATTACK_SPECS, **CONTROLS},
                                             values, workers=2)
    return course, students, results, len(listener.received) - before


@pytest.fixture(scope="module")
def unsandboxed(tmp_path_factory, environment, attacked):
    """The harmless attacks again, graded with --no-sandbox (after the sandboxed batch: the listener counts apart)."""
    values, listener = environment
    before = len(listener.received)
    specs = {case: ATTACK_SPECS[case] for case in UNSANDBOXED}
    specs["right"] = CONTROLS["right"]
    course, students, results = _grade_batch(tmp_path_factory.mktemp("cohort_unsandboxed"), specs, values,
                                             workers=1, sandbox=False)
    return course, students, results, len(listener.received) - before


def _printed(course: Course, student: str) -> str:
    graded = next((course.autograded / student / MODULE).glob("*.ipynb"))
    notebook = nbformat.read(str(graded), as_version=4)
    return "".join(o.get("text", "") for c in notebook.cells for o in c.get("outputs", []) if o.get("output_type") == "stream")


@pytest.mark.parametrize("case", sorted({**ATTACK_SPECS, **CONTROLS}))
def test_each_attack_is_contained_and_graded_right(attacked, case):
    course, students, results, _ = attacked
    spec = {**ATTACK_SPECS, **CONTROLS}[case]
    result = results[students[case]]
    got = set(result["outcomes"]) - {Outcome.RETRIED_BUSY.value}
    status = spec["expect"].get("status", "graded")
    assert result["status"] == status and got == set(spec["expect"]["outcomes"]), (case, result["outcomes"])
    wanted = expected_scores(course.root, spec)
    if wanted is not None:
        assert {cell: result["auto_scores"].get(cell, 0.0) for cell in wanted} == wanted, (case, result["auto_scores"])
    if "output" in spec["expect"]:
        printed = _printed(course, students[case])
        assert spec["expect"]["output"] in printed, f"{case}: {printed[-600:]}"


def test_no_connection_left_the_sandbox(attacked):
    assert attacked[3] == 0, "a sandboxed kernel reached a TCP port on 127.0.0.1"


def test_the_gradebook_and_course_are_intact(attacked):
    course, students, results, _ = attacked
    from autograder.cohort.export import final_scores

    _, _, scores, _ = final_scores(course)
    for student, result in results.items():
        assert scores[(student, MODULE)] == pytest.approx(result["score"] - result["late_penalty"]), student
    assert (course.root / "solutions" / MODULE).is_dir() and any((course.root / "solutions" / MODULE).glob("*.ipynb"))


def _processes_of(uid_from: int, uid_to: int) -> list[str]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        uid = int(re.search(r"^Uid:\s+(\d+)", text, re.M).group(1))
        if uid_from <= uid < uid_to:
            found.append(f"{status.parent.name} uid {uid}")
    return found


def test_nothing_a_submission_started_is_still_running(attacked):
    """The daemon and the fork bomb's children died with their kernels; no uid of this batch's sandboxes owns a process.

    Only this batch's uids (HOST_UID_BASE + each grading worker's pid): tests on the other
    pytest worker may be grading in sandboxes of their own at the same time.
    """
    course, students, results, _ = attacked
    daemons = [p for p in Path("/proc").glob("[0-9]*/cmdline")
               if p.exists() and _read(p) == f"sleep\0{DAEMON_SECONDS}\0"]
    assert not daemons, "the daemon outlived its kernel"
    uids = {sandbox.HOST_UID_BASE + result["worker"] for result in results.values() if result.get("worker")}
    assert uids, "every pair says which worker graded it"
    assert not [found for uid in uids for found in _processes_of(uid, uid + 1)]


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except OSError:
        return ""


def test_attacks_work_without_the_sandbox(unsandboxed):
    """The same code, graded with --no-sandbox, reaches what the sandbox kept from it."""
    course, students, results, connections = unsandboxed
    for case in UNSANDBOXED:
        printed = _printed(course, students[case])
        assert ATTACK_SPECS[case]["unsandboxed_output"] in printed, f"{case} without the sandbox: {printed[-600:]}"
    assert connections >= 1, "the network attack did not reach the listener without the sandbox"
    for result in results.values():
        assert Outcome.NOT_SANDBOXED.value in result["outcomes"], result["outcomes"]


def _event(result: dict, outcome: Outcome) -> dict:
    return next(e for e in result["events"] if e["outcome"] == outcome.value)


def test_limits_of_the_whole_submission_say_what_was_measured(attacked):
    """The watchdog stopped the fork bomb and the memory hog over their caps (not an rlimit, not the OOM killer)."""
    course, students, results, _ = attacked
    memory = _event(results[students["memory_together"]], Outcome.SUBMISSION_MEMORY_LIMIT)
    processes = _event(results[students["fork_bomb"]], Outcome.PROCESS_LIMIT)
    print(f"\nmemory_together: {memory}; score {results[students['memory_together']]['score']}"
          f"/{results[students['memory_together']]['max_score']}")
    print(f"fork_bomb: {processes}; score {results[students['fork_bomb']]['score']}/{results[students['fork_bomb']]['max_score']}")
    assert memory["detail"]["cap_mb"] == 2048 and 2048 < memory["detail"]["measured_mb"] < 3 * 1024, memory
    assert processes["detail"]["cap"] == 256 and 256 < processes["detail"]["measured"] < 2 * 256, processes


def test_memory_together_really_goes_over_the_cap_without_the_sandbox(unsandboxed):
    """Each of its processes stays under the per-process limit, yet together they hold more than 2 GB."""
    course, students, results, _ = unsandboxed
    printed = _printed(course, students["memory_together"])
    found = re.search(r"SUCCEEDED, (\d+) MB together", printed)
    assert found and int(found.group(1)) > 2048, printed[-600:]


def test_no_sandbox_is_said_in_the_status_table(unsandboxed):
    from autograder.cohort.grade import status_table

    course, students, results, _ = unsandboxed
    table = status_table(list(results.values()))
    assert table.count("without the OS sandbox (--no-sandbox)") == len(results), table


def test_grade_refuses_without_a_sandbox(tmp_path, monkeypatch, capsys):
    """No bubblewrap: `grade` exits 2 with one line that names the fix, and grades nothing."""
    monkeypatch.setattr(shutil, "which", lambda name, *args, **kw: None)
    sandbox.problem.cache_clear()
    try:
        code = cohort_main(["grade", "--course", str(tmp_path), "--quiet"])
    finally:
        sandbox.problem.cache_clear()
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1, err
    assert "apt-get install bubblewrap" in err[0] and "--no-sandbox" in err[0], err


# -- the feedback scan -----------------------------------------------------------
def _page_text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def test_feedback_shows_no_hidden_tests_mark_schemes_or_solutions(attacked):
    """Every feedback page of the cohort, grepped for what only the instructor may see."""
    from autograder.cohort.feedback import feedback

    course, students, results, _ = attacked
    summary = feedback(course)
    assert "0 failed" in summary, summary
    release = "".join(nb.read_text() for nb in (course.root / "modules" / MODULE).glob("*.ipynb"))
    hidden, schemes, solutions = set(), set(), set()
    for nb in (course.root / "solutions" / MODULE).glob("*.ipynb"):
        for cell in nbformat.read(str(nb), as_version=4).cells:
            hidden |= set(marked_regions(cell.source, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"))
            schemes |= set(marked_regions(cell.source, "BEGIN MARK SCHEME", "END MARK SCHEME"))
            solutions |= set(marked_regions(cell.source, "BEGIN SOLUTION", "END SOLUTION"))
    def secret(line: str) -> bool:  # long enough to be distinctive ("else:" is not), and not shown to students anyway
        return len(line) > 12 and json.dumps(line)[1:-1] not in release

    hidden, schemes, solutions = ({line for line in lines if secret(line)} for lines in (hidden, schemes, solutions))
    assert hidden and schemes and solutions, "the module has no hidden tests, mark scheme or solution to look for"
    graded_text = "".join(nb.read_text() for nb in course.autograded.rglob("*.ipynb"))
    assert any(json.dumps(line)[1:-1] in graded_text for line in hidden), "the scan would not see hidden tests"
    pages = sorted(course.feedback.rglob("*.html"))
    assert len(pages) == len(list(course.autograded.glob(f"*/{MODULE}/*.ipynb"))) >= len(students) - 1, pages
    for page in pages:
        text = _page_text(page.read_text(encoding="utf-8"))
        student = page.parent.name if page.parent.name != MODULE else page.parent.parent.name
        submitted = "".join(nb.read_text() for nb in (course.submitted / student / MODULE).glob("*.ipynb"))
        for marker in ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "BEGIN MARK SCHEME", "END MARK SCHEME"):
            assert marker not in text, f"{page}: {marker}"
        leaked = [line for line in hidden | schemes if line in text]
        assert not leaked, f"{page} shows hidden tests or mark scheme lines: {leaked[:3]}"
        copied = [line for line in solutions if line in text and json.dumps(line)[1:-1] not in submitted]
        assert not copied, f"{page} shows solution code the learner did not write: {copied[:3]}"


def test_the_wall_clock_cap_cuts_every_cell_limit():
    """A submission's cells share one deadline: a cell never gets more than what is left of it."""
    import time

    from nbformat.v4 import new_code_cell

    from autograder.cohort.workspace import LimitedExecute

    execute = LimitedExecute(timeout=30, deadline=time.time() + 5)
    assert 4 <= execute._get_timeout(new_code_cell("pass")) <= 5
    assert LimitedExecute(timeout=30, deadline=time.time() - 60)._get_timeout(new_code_cell("pass")) == 1.0
    assert LimitedExecute(timeout=30)._get_timeout(new_code_cell("pass")) == 30
