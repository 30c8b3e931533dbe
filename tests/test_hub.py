"""The course on a real JupyterHub: release, fetch, submit, graded on submit, feedback back.

A real JupyterHub (6.1, from PyPI) with the real configurable-http-proxy (from npm, installed in
deploy/jupyterhub/node_modules by `npm ci`) runs the course's own configuration
(deploy/jupyterhub/jupyterhub_config.py) on 127.0.0.1, on free ports, with a temporary course
folder, exchange and hub database. The grading service is the hub-managed service that config
defines. Everything is driven as users drive it: the hub's REST API (users, groups, servers),
each user's own Jupyter server behind the proxy (nbgrader's Assignments-tab API: list, fetch,
submit, fetch_feedback; the contents API to write and read files; the Formgrader's API), and
nbgrader's or the course's commands run as the instructor.

Users: two students on the roster (alice, bob), one hub user who is not (carol), one
instructor (teacher). They are hub users served by JupyterHub's SimpleLocalProcessSpawner
(each user's server in its own home folder, all as the test's system user) behind the
DummyAuthenticator. Real local users (useradd) cannot run the course's environment on CI: the
fresh clone, and its .venv, sit in root's home, which other users cannot read. nbgrader tells
the students apart by their hub names (deploy/jupyterhub/jupyter/nbgrader_config.py), as it
does on The Littlest JupyterHub; what this cannot test is the exchange's file permissions
between system users.

Grades are compared with stock `nbgrader autograde` on the very notebooks that were submitted.
The last step runs in headless Chromium (Debian's `chromium`, driven by Playwright as in
tests/test_browser.py): alice logs in, submits from JupyterLab's Assignments tab, fetches her
feedback there and reads her score (screenshots in artifacts/hub/). Without chromium that step is
skipped outside CI and fails in CI.
The submit-to-score-visible times (submit pressed -> the feedback fetched and its score read)
are printed (`hub submit-to-score (...): n=.. p50=.. s p95=.. s max=.. s`, with the machine's load)
and appended to artifacts/hub/submit_to_score.txt: once for the submissions made one after another
(the steady state a student sees: 4 in `make test`, 12 in `make bench-hub`, which runs this file
alone), once for every submission of the run. They are measured, not asserted (a busy machine
would fail them).

The instructor also grades by hand in the Formgrader, through its own HTTP API (the calls its
page makes: a written answer's score, a comment); the export, the cohort report and the feedback
the student fetches then show them. Last, the grading service is stopped as the hub stops it
(a signal), and none of its processes (Dask workers, fork servers, kernels) may be left behind.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest

from autograder import stock_nbgrader as nbcourse
from autograder.repo import REPO_ROOT
from cohort_fixtures import MODULE, build_course, questions

DEPLOY = REPO_ROOT / "deploy" / "jupyterhub"
CHP = DEPLOY / "node_modules" / ".bin" / "configurable-http-proxy"
ARTIFACTS = REPO_ROOT / "artifacts" / "hub"  # submit_to_score.txt: one line of timings per run
COURSE_ID = "pm-data-course"
NOTEBOOK = "01_orientation.ipynb"
STUDENTS = ["alice", "bob"]
OUTSIDER = "carol"  # a hub user who is not on the course roster
INSTRUCTOR = "teacher"
TOKEN = "hub-test-admin-token-0123456789abcdef"
WAIT = 180  # generous: the machine may be busy; every wait ends as soon as its condition holds
# The steady-state latency sample: 4 in the suite (each graded right); `make bench-hub` sets 12.
SUBMISSIONS_ONE_AFTER_ANOTHER = int(os.environ.get("HUB_SUBMISSIONS", "4"))

if not CHP.exists():
    if os.environ.get("CI"):
        pytest.fail("CI needs configurable-http-proxy: .ci/run installs it (`npm ci` in deploy/jupyterhub)",
                    pytrace=False)
    pytest.skip("no configurable-http-proxy: `cd deploy/jupyterhub && npm ci` to run the hub test",
                allow_module_level=True)

import requests  # noqa: E402  (installed with jupyterhub)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, what: str, timeout: float = WAIT, every: float = 0.25):
    """Return condition()'s first truthy value; fail saying `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    pytest.fail(f"timed out after {timeout} s waiting for {what}")


OVERLAY = """
# The test's overlay: the course's configuration, then what a test machine needs instead of TLJH's.
c = get_config()
load_subconfig({deploy!r})
c.JupyterHub.bind_url = "http://127.0.0.1:{port}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
c.ConfigurableHTTPProxy.command = [{chp!r}]
c.ConfigurableHTTPProxy.pid_file = {tmp!r} + "/proxy.pid"
c.JupyterHub.db_url = "sqlite:///" + {tmp!r} + "/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = {tmp!r} + "/cookie_secret"
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allow_all = True
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {tmp!r} + "/home/{{username}}"
c.Spawner.ip = "127.0.0.1"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.interrupt_timeout = 3  # stopping: SIGINT, then SIGTERM after 3 s (not 10)
c.Spawner.popen_kwargs = {{"start_new_session": False}}  # so the test can always stop what it started
c.Spawner.args = {args!r}
c.JupyterHub.tornado_settings = {{"slow_spawn_timeout": 0}}  # POST .../server answers at once; the test waits on ready
c.JupyterHub.services.append({{"name": "e2e", "api_token": {token!r}}})
c.JupyterHub.load_roles = [{{
    "name": "e2e",
    "scopes": ["admin:users", "admin:servers", "admin:groups", "access:servers", "list:users", "read:users"],
    "services": ["e2e"],
}}]
"""


class Hub:
    """A running JupyterHub and what the test talks to."""

    def __init__(self, tmp: Path, course: Path, exchange: Path):
        self.tmp, self.course, self.exchange = tmp, course, exchange
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.auth = {"Authorization": f"token {TOKEN}"}
        self.log = tmp / "jupyterhub.log"
        config = tmp / "jupyterhub_config.py"
        config.write_text(OVERLAY.format(
            deploy=str(DEPLOY / "jupyterhub_config.py"), port=self.port, hub_port=free_port(),
            api_port=free_port(), chp=str(CHP), tmp=str(tmp), token=TOKEN,
            args=["--allow-root"] if os.getuid() == 0 else [],
        ), encoding="utf-8")
        self.env = {
            **os.environ,
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
            "PMCOURSE_COURSE_DIR": str(course),
            "PMCOURSE_VENV": sys.prefix,
            "PMCOURSE_EXCHANGE": str(exchange),
            "PMCOURSE_INSTRUCTORS": INSTRUCTOR,
            "PMCOURSE_ROSTER": str(course / "roster.csv"),
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(config)],
            cwd=tmp, env=self.env, stdout=open(self.log, "w"), stderr=subprocess.STDOUT, start_new_session=True,
        )

    # the hub's REST API ---------------------------------------------------------
    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        return requests.request(method, f"{self.base}/hub/api{path}", headers=self.auth, timeout=60, **kwargs)

    def up(self) -> bool:
        if self.proc.poll() is not None:
            pytest.fail(f"JupyterHub exited {self.proc.returncode}:\n{self.log.read_text()[-4000:]}")
        try:
            return self.api("GET", "/").status_code == 200
        except requests.ConnectionError:
            return False

    def start_server(self, user: str) -> None:
        response = self.api("POST", f"/users/{user}/server")
        assert response.status_code in (201, 202), f"starting {user}'s server: {response.status_code} {response.text}"

    def ready(self, user: str) -> bool:
        server = self.api("GET", f"/users/{user}").json().get("servers", {}).get("", {})
        return bool(server.get("ready"))

    # a user's own Jupyter server, through the proxy -------------------------------
    def server(self, user: str, method: str, path: str, **kwargs) -> requests.Response:
        response = requests.request(method, f"{self.base}/user/{user}{path}", headers=self.auth, timeout=120, **kwargs)
        assert response.status_code < 400, f"{method} /user/{user}{path}: {response.status_code} {response.text[:2000]}"
        return response

    def assignments(self, user: str) -> list[dict]:
        body = self.server(user, "GET", "/assignments", params={"course_id": COURSE_ID}).json()
        assert body["success"], body
        return body["value"]

    def action(self, user: str, action: str) -> dict:
        """nbgrader's Assignments-tab buttons: fetch, submit, fetch_feedback."""
        return self.server(user, "POST", f"/assignments/{action}",
                           data={"course_id": COURSE_ID, "assignment_id": MODULE}).json()

    def submissions(self, user: str) -> list[dict]:
        for entry in self.assignments(user):
            if entry["assignment_id"] == MODULE and entry["status"] == "submitted":
                return entry["submissions"]
        return []

    def put_notebook(self, user: str, notebook, name: str = NOTEBOOK) -> None:
        self.server(user, "PUT", f"/api/contents/{MODULE}/{name}",
                    json={"type": "notebook", "format": "json", "content": notebook})

    def read_file(self, user: str, path: str) -> str:
        return self.server(user, "GET", f"/api/contents/{path}", params={"content": 1, "type": "file"}).json()["content"]

    def service_pid(self) -> int | None:
        path = self.course / "grading" / "hub" / "service.pid"
        return int(path.read_text()) if path.is_file() else None

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # the hub stops users' servers, the service and the proxy
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                pass
        for pid in filter(None, [self.service_pid()]):
            with_pid_killed(pid)
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # anything left of the hub's process group
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=30)


def with_pid_killed(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def run_as_instructor(hub: Hub, *command: str) -> subprocess.CompletedProcess:
    """A command run in the course folder with the instructor's environment on the hub."""
    env = {**hub.env, "JUPYTER_CONFIG_PATH": str(DEPLOY / "jupyter"), "PMCOURSE_ROLE": "instructor",
           "JUPYTERHUB_USER": INSTRUCTOR}
    result = subprocess.run(command, cwd=hub.course, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{' '.join(command)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result


def run_as_student(hub: Hub, user: str, *args: str) -> subprocess.CompletedProcess:
    """`nbgrader ARGS` in a student's terminal on the hub (their home, their hub name, the course's config)."""
    home = hub.tmp / "home" / user
    env = {**hub.env, "HOME": str(home), "JUPYTER_CONFIG_PATH": str(DEPLOY / "jupyter"), "PMCOURSE_ROLE": "student",
           "JUPYTERHUB_USER": user}
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=home, env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, f"nbgrader {' '.join(args)} as {user} exited {result.returncode}:\n{result.stderr}"
    return result


# ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hub")
    course = build_course(tmp / "course", STUDENTS, due=False)
    exchange = tmp / "exchange"
    hub = Hub(tmp, course, exchange)
    hub.timer = Timer()
    try:
        wait_for(hub.up, "JupyterHub to answer", every=0.5)
        yield hub
    finally:
        hub.stop()
        for workspace in getattr(hub, "leftovers", ()):
            remove_tree(workspace)
        report_times(hub.timer.seconds, "every submission of the run")


def remove_tree(folder: Path) -> None:
    """A grading workspace, whatever modes the sandbox left in it (as worker.Worker.close removes it)."""
    for dirpath, _, _ in os.walk(folder):
        os.chmod(dirpath, 0o755)
    shutil.rmtree(folder, ignore_errors=True)


def report_times(seconds: list[float], what: str) -> None:
    """Print the submit-to-score-visible times (a measurement, not a pass/fail: the machine may be busy)."""
    if not seconds:
        return
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    line = (f"hub submit-to-score ({what}): n={len(ordered)} p50={statistics.median(ordered):.1f} s "
            f"p95={p95:.1f} s max={ordered[-1]:.1f} s load(1/5/15 min)={load} "
            f"samples={[round(s, 1) for s in seconds]}")
    print("\n" + line, flush=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with open(ARTIFACTS / "submit_to_score.txt", "a", encoding="utf-8") as handle:
        handle.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')}: {line}\n")


def notebook_with(hub: Hub, answered: str) -> dict:
    """The released notebook with the solution's code in `all`, `none` or the `first half` of the questions."""
    structure = questions(hub.course)
    ids = [q.grade_id for q in structure.questions]
    chosen = {"all": set(ids), "none": set(), "first half": set(ids[: len(ids) // 2])}[answered]
    notebook = nbcourse.submission_from(hub.course / "modules" / MODULE / NOTEBOOK, structure.path, chosen)
    return json.loads(nbformat.writes(notebook))


TEST_CELL_SCORE = re.compile(r'href="#([^"]+)">Test cell</a> \(Score: ([0-9.]+) / ([0-9.]+)\)')


class Timer:
    """Submit -> score visible, as a student experiences it."""

    def __init__(self):
        self.seconds: list[float] = []

    def submit_and_read_score(self, hub: Hub, user: str) -> tuple[str, str]:
        """Press Submit, wait for the feedback to be fetchable, fetch it; return (timestamp, feedback HTML)."""
        started = time.monotonic()
        before = {s["timestamp"] for s in hub.submissions(user)}
        result = hub.action(user, "submit")
        assert result["success"], f"{user}'s submit was refused: {result}"
        timestamp = next(s["timestamp"] for s in hub.submissions(user) if s["timestamp"] not in before)
        html = read_feedback(hub, user, timestamp)
        self.seconds.append(time.monotonic() - started)
        return timestamp, html


def read_feedback(hub: Hub, user: str, timestamp: str, timeout: float = WAIT) -> str:
    def released():
        return any(s["timestamp"] == timestamp and s["has_exchange_feedback"] for s in hub.submissions(user))

    wait_for(released, f"{user}'s feedback for the submission of {timestamp}", timeout=timeout, every=0.5)
    hub.action(user, "fetch_feedback")
    return hub.read_file(user, f"{MODULE}/feedback/{timestamp}/{Path(NOTEBOOK).stem}.html")


def scores_in(html: str) -> dict[str, float]:
    return {grade_id: float(score) for grade_id, score, _ in TEST_CELL_SCORE.findall(html)}


def pipeline_scores(hub: Hub) -> dict[str, dict[str, float]]:
    return nbcourse.auto_scores(hub.course, MODULE)


def events(hub: Hub) -> list[dict]:
    path = hub.course / "grading" / "hub" / "events.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.is_file() else []


# ------------------------------------------------------------------------------------------
def test_the_hub_runs_the_course(hub):
    """Groups from the roster, every user's server up, the instructor releases from modules/."""
    groups = {g["name"]: sorted(g["users"]) for g in hub.api("GET", "/groups").json()}
    assert groups == {f"formgrade-{COURSE_ID}": [INSTRUCTOR], f"nbgrader-{COURSE_ID}": STUDENTS}, groups
    response = hub.api("POST", f"/users/{OUTSIDER}")  # joins the hub, not the roster
    assert response.status_code == 201, response.text
    users = [INSTRUCTOR, *STUDENTS]  # carol works from a terminal: nbgrader's commands, no server needed
    for user in users:
        hub.start_server(user)
    run_as_instructor(hub, sys.executable, "-m", "nbgrader", "release_assignment", MODULE)
    for user in users:
        wait_for(lambda: hub.ready(user), f"{user}'s server", every=1)
    released = {a["assignment_id"]: a["status"] for a in hub.assignments("alice")}
    assert released == {MODULE: "released"}, released
    wait_for(hub.service_pid, "the grading service to start")


def test_students_are_graded_on_submit_and_see_their_score(hub):
    for user, answered in (("alice", "all"), ("bob", "first half")):
        listing = hub.action(user, "fetch")
        assert listing["success"], listing
        assert any(a["assignment_id"] == MODULE and a["status"] == "fetched" for a in listing["value"]), listing
        hub.put_notebook(user, notebook_with(hub, answered))
    timer, seen = hub.timer, {}

    def submit(user):
        seen[user] = timer.submit_and_read_score(hub, user)

    threads = [threading.Thread(target=submit, args=(user,)) for user in STUDENTS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(seen) == set(STUDENTS), f"a submission was not graded: {sorted(seen)} (see the log {hub.log})"
    gradebook = pipeline_scores(hub)
    for user in STUDENTS:
        _, html = seen[user]
        assert scores_in(html) == gradebook[user], f"{user}'s feedback shows other scores than the gradebook"
    hub.feedback_html = seen["alice"][1]
    noted = {e["student"]: e["outcomes"] for e in events(hub) if e["status"] == "graded"}
    assert sorted(noted) == STUDENTS and not [o for o in noted.values() if "extra_files" in o], (
        f"nbgrader's own submission_secret.txt is not a file the student added: {noted}")
    total = sum(t.points for q in questions(hub.course).questions for t in q.tests)
    assert sum(gradebook["alice"].values()) == total
    assert 0 < sum(gradebook["bob"].values()) < total


def test_the_feedback_a_student_fetches_shows_no_hidden_tests_or_mark_schemes(hub):
    html = hub.feedback_html
    assert scores_in(html), "the feedback must show the score of every test"
    for marker in ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "BEGIN MARK SCHEME"):
        assert marker not in html, f"the feedback a student fetched shows {marker!r}"


def test_a_student_not_on_the_roster_is_not_graded_and_nothing_is_lost(hub):
    home = hub.tmp / "home" / OUTSIDER
    home.mkdir(parents=True)
    run_as_student(hub, OUTSIDER, "fetch_assignment", MODULE)
    nbformat.write(nbformat.from_dict(notebook_with(hub, "all")), home / MODULE / NOTEBOOK)
    run_as_student(hub, OUTSIDER, "submit", MODULE)
    wait_for(lambda: [e for e in events(hub) if e["student"] == OUTSIDER], "the service to set carol's submission aside")
    assert [e["status"] for e in events(hub) if e["student"] == OUTSIDER] == ["not_on_roster"]
    inbound = list((hub.exchange / COURSE_ID / "inbound").glob(f"{OUTSIDER}+{MODULE}+*"))
    assert len(inbound) == 1 and (inbound[0] / NOTEBOOK).is_file(), "carol's submission must stay in the exchange"
    assert OUTSIDER not in pipeline_scores(hub) and not (hub.course / "feedback" / OUTSIDER).exists()


def test_the_wrong_notebook_is_refused_at_submit(hub):
    hub.server("alice", "PATCH", f"/api/contents/{MODULE}/{NOTEBOOK}",
               json={"path": f"{MODULE}/Copy of {NOTEBOOK}"})
    count = len(hub.submissions("alice"))
    result = hub.action("alice", "submit")
    assert result.get("success") is False and NOTEBOOK in result.get("value", ""), result
    assert len(hub.submissions("alice")) == count, "a refused submission must not reach the exchange"
    hub.server("alice", "PATCH", f"/api/contents/{MODULE}/Copy of {NOTEBOOK}", json={"path": f"{MODULE}/{NOTEBOOK}"})


def test_a_resubmission_is_regraded_and_two_submits_in_a_second_grade_the_latest(hub):
    """bob answers the rest and presses Submit twice at once: both reach the exchange, the latest counts."""
    timer = hub.timer
    hub.put_notebook("bob", notebook_with(hub, "all"))
    before = {s["timestamp"] for s in hub.submissions("bob")}
    started = time.monotonic()
    results = []
    clicks = [threading.Thread(target=lambda: results.append(hub.action("bob", "submit"))) for _ in range(2)]
    for click in clicks:
        click.start()
    for click in clicks:
        click.join()
    assert all(r["success"] for r in results), results
    new = sorted(s["timestamp"] for s in hub.submissions("bob") if s["timestamp"] not in before)
    assert len(new) == 2, f"both submits must reach the exchange: {new}"
    html = read_feedback(hub, "bob", new[-1])
    timer.seconds.append(time.monotonic() - started)
    total = sum(t.points for q in questions(hub.course).questions for t in q.tests)
    assert sum(scores_in(html).values()) == total
    assert sum(pipeline_scores(hub)["bob"].values()) == total, "the gradebook must hold bob's latest submission"
    handled = [e["timestamp"] for e in events(hub) if e["student"] == "bob" and e["status"] == "graded"]
    assert handled[-1] == new[-1], handled


def test_submit_to_score_visible_one_submission_after_another(hub):
    """Submissions by alice and bob in turn, each waited for: each graded right, and the time a student
    waits for their score (`SUBMISSIONS_ONE_AFTER_ANOTHER`; `make bench-hub` makes 12)."""
    seconds, total = [], sum(t.points for q in questions(hub.course).questions for t in q.tests)
    for number in range(SUBMISSIONS_ONE_AFTER_ANOTHER):
        user = STUDENTS[number % 2]
        hub.put_notebook(user, notebook_with(hub, "all"))
        before = len(hub.timer.seconds)
        _, html = hub.timer.submit_and_read_score(hub, user)
        seconds += hub.timer.seconds[before:]
        assert sum(scores_in(html).values()) == total, f"{user}'s submission {number + 1} shows another score"
    report_times(seconds, f"{SUBMISSIONS_ONE_AFTER_ANOTHER} submissions one after another")


def test_a_submission_made_while_the_service_is_down_is_graded_when_it_is_back(hub):
    old = hub.service_pid()
    # killed, it cannot close its workers: their workspaces are this test's to remove
    hub.leftovers = set(filter(None, map(workspace_of, descendants(old))))
    os.kill(old, signal.SIGSTOP)  # the service can do nothing from here on
    try:
        hub.put_notebook("alice", notebook_with(hub, "first half"))
        before = {s["timestamp"] for s in hub.submissions("alice")}
        result = hub.action("alice", "submit")
        assert result["success"], result
        timestamp = next(s["timestamp"] for s in hub.submissions("alice") if s["timestamp"] not in before)
    finally:
        os.kill(old, signal.SIGKILL)  # the service dies without having seen it; the hub restarts it
    # meanwhile (the hub polls its services every 30 s), stock nbgrader grades the same notebooks
    stock = stock_scores(hub)
    wait_for(lambda: hub.service_pid() not in (None, old), "the hub to restart the grading service", timeout=WAIT)
    html = read_feedback(hub, "alice", timestamp)
    half = sum(scores_in(html).values())
    assert 0 < half < sum(t.points for q in questions(hub.course).questions for t in q.tests)
    assert pipeline_scores(hub)["alice"] == stock["alice"]
    assert pipeline_scores(hub)["bob"] == stock["bob"], "bob's grade must equal stock nbgrader's on the same notebook"


def stock_scores(hub: Hub) -> dict[str, dict[str, float]]:
    """Stock `nbgrader autograde` on the newest submission of each student in the exchange."""
    reference = build_course(hub.tmp / "stock", STUDENTS, due=False)
    for student in STUDENTS:
        newest = max(hub.exchange.joinpath(COURSE_ID, "inbound").glob(f"{student}+{MODULE}+*"),
                     key=lambda p: (p / "timestamp.txt").read_text())
        shutil.copytree(newest, reference / "submitted" / student / MODULE)
    nbcourse.autograde(reference, MODULE)
    return nbcourse.auto_scores(reference, MODULE)


def test_the_instructor_sees_submissions_and_exports_from_the_same_gradebook(hub):
    listing = hub.server(INSTRUCTOR, "GET", f"/formgrader/api/submissions/{MODULE}").json()
    by_student = {s["student"]: s for s in listing}
    gradebook = pipeline_scores(hub)
    for student in STUDENTS:
        assert by_student[student]["autograded"], by_student[student]
        assert by_student[student]["score"] == pytest.approx(sum(gradebook[student].values()))
    run_as_instructor(hub, sys.executable, "-m", "autograder.cohort", "export")
    grades = (hub.course / "grading" / "grades_nbgrader.csv").read_text()
    for student in STUDENTS:
        assert re.search(rf"^{MODULE},[^\n]*{student}", grades, re.M), grades


MANUAL_CELL = "m00_q1_6_status_update"  # the module's written answer: 3 points, graded by hand
MANUAL_SCORE, COMMENT = 2.0, "Clear and short; name the team that is behind."


def formgrader(hub: Hub, method: str, path: str, **kwargs):
    """The Formgrader's HTTP API in the instructor's server (what its grading page calls)."""
    return hub.server(INSTRUCTOR, method, f"/formgrader/api{path}", **kwargs).json()


def exported_score(hub: Hub, student: str) -> float:
    with open(hub.course / "grading" / "grades_nbgrader.csv", newline="", encoding="utf-8") as handle:
        (row,) = [r for r in csv.DictReader(handle) if r["student_id"] == student and r["assignment"] == MODULE]
    return float(row["score"])


def reported_score(hub: Hub, student: str) -> float:
    """The student's score in the cohort report's chart (plotly's customdata: [student, score])."""
    page = (hub.course / "grading" / "report.html").read_text(encoding="utf-8")
    (score,) = re.findall(rf'\["{student}",([0-9.]+)\]', page)
    return float(score)


def test_the_instructor_grades_by_hand_in_the_formgrader_and_everyone_sees_it(hub):
    """A written answer scored and commented through the Formgrader's API: export, report and the student's feedback."""
    notebook = notebook_with(hub, "all")
    (written,) = [c for c in notebook["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == MANUAL_CELL]
    written["source"] = "Three of four teams are on track; one is 12 hours behind and we are moving work to it."
    hub.put_notebook("bob", notebook)
    hub.timer.submit_and_read_score(hub, "bob")  # bob writes his status update and submits
    auto = sum(pipeline_scores(hub)["bob"].values())
    (notebook,) = [n for n in formgrader(hub, "GET", f"/submitted_notebooks/{MODULE}/{Path(NOTEBOOK).stem}")
                   if n["student"] == "bob"]
    assert notebook["needs_manual_grade"], notebook
    (grade,) = [g for g in formgrader(hub, "GET", "/grades", params={"submission_id": notebook["id"]})
                if g["name"] == MANUAL_CELL]
    assert grade["auto_score"] is None and grade["needs_manual_grade"], grade
    graded = formgrader(hub, "PUT", f"/grade/{grade['id']}", json={"manual_score": MANUAL_SCORE, "extra_credit": 0})
    assert graded["manual_score"] == MANUAL_SCORE and not graded["needs_manual_grade"], graded
    (comment,) = [c for c in formgrader(hub, "GET", "/comments", params={"submission_id": notebook["id"]})
                  if c["name"] == MANUAL_CELL]
    assert formgrader(hub, "PUT", f"/comment/{comment['id']}", json={"manual_comment": COMMENT})["manual_comment"] == COMMENT

    # the export and the cohort report read the same gradebook
    run_as_instructor(hub, sys.executable, "-m", "autograder.cohort", "export")
    run_as_instructor(hub, sys.executable, "-m", "autograder.cohort", "report")
    assert exported_score(hub, "bob") == auto + MANUAL_SCORE
    assert reported_score(hub, "bob") == auto + MANUAL_SCORE

    # the feedback: the course's (hidden tests cut), made again with the hand grade, released from the Formgrader
    run_as_instructor(hub, sys.executable, "-m", "autograder.cohort", "feedback", "--force", "-s", "bob", "-m", MODULE)
    released = formgrader(hub, "POST", f"/assignment/{MODULE}/bob/release_feedback")
    assert released["success"], released
    newest = max(hub.submissions("bob"), key=lambda s: s["timestamp"])

    def updated():
        submission = next(s for s in hub.submissions("bob") if s["timestamp"] == newest["timestamp"])
        return any(n["feedback_updated"] for n in submission["notebooks"])

    wait_for(updated, "bob's Assignments tab to offer the updated feedback", every=0.5)
    hub.action("bob", "fetch_feedback")
    html = hub.read_file("bob", f"{MODULE}/feedback/{newest['timestamp']}/{Path(NOTEBOOK).stem}.html")
    assert f'href="#{MANUAL_CELL}">Written response</a> (Score: {MANUAL_SCORE} / 3.0)' in html
    assert "<b>Comments:</b>" in html and COMMENT in html, "bob's feedback must show the instructor's comment"
    assert f"(Score: {auto + MANUAL_SCORE} / " in html
    assert "BEGIN HIDDEN TESTS" not in html and "BEGIN MARK SCHEME" not in html


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def new_timestamp(hub: Hub, before: set[str]) -> str:
    return next(s["timestamp"] for s in hub.submissions("alice") if s["timestamp"] not in before)


def test_a_student_submits_from_the_assignments_tab_and_sees_the_score(hub):
    """Headless Chromium: alice logs in, submits from JupyterLab's Assignments tab, fetches feedback, reads her score."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("CI needs Debian's chromium for the hub's browser step: .ci/run installs it", pytrace=False)
        pytest.skip("no chromium: `apt-get install chromium` to run the hub's browser step")
    from playwright.sync_api import sync_playwright

    shots = ARTIFACTS
    shots.mkdir(parents=True, exist_ok=True)
    hub.put_notebook("alice", notebook_with(hub, "all"))
    before = {s["timestamp"] for s in hub.submissions("alice")}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(WAIT * 1000)
            page.goto(f"{hub.base}/hub/login?next=/user/alice/lab")
            page.fill("#username_input", "alice")
            page.fill("#password_input", "any")
            page.click("#login_submit")
            page.wait_for_selector(".jp-LabShell")
            page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
            page.locator(".lm-Menu-itemLabel", has_text="Assignment List").click()
            submit = page.locator("#fetched_assignments_list button", has_text="Submit")
            submit.wait_for()
            page.screenshot(path=shots / "1_assignments.png")
            started = time.monotonic()
            submit.click()
            # the new submission is listed; press Refresh until its feedback is there to fetch
            deadline = time.monotonic() + WAIT
            available = page.locator("#submitted_assignments_list", has_text="feedback available to fetch")
            while not available.count() and time.monotonic() < deadline:
                time.sleep(2)
                page.click("#refresh_assignments_list")  # then let the list load before looking again
                page.wait_for_selector("#submitted_assignments_list_loading", state="hidden")
            assert available.count(), "the Assignments tab never showed alice's feedback as available"
            page.locator("#submitted_assignments_list button", has_text="Fetch Feedback").click()
            # the list is redrawn once the feedback is fetched: the newest row then links to it too
            page.wait_for_function("() => !document.querySelector('#submitted_assignments_list')"
                                   ".innerText.includes('feedback available to fetch')")
            page.locator("#submitted_assignments_list a", has_text="view feedback").last.click()
            page.locator(".jp-BreadCrumbs", has_text=new_timestamp(hub, before)).wait_for()
            page.locator(".jp-DirListing-item", has_text=".html").first.dblclick()
            frame = page.frame_locator("iframe").last
            frame.locator("text=Score:").first.wait_for()
            hub.timer.seconds.append(time.monotonic() - started)
            page.screenshot(path=shots / "2_feedback.png")
            text = frame.locator("body").inner_text()
        except Exception:
            page.screenshot(path=shots / "failed.png")
            raise
        finally:
            browser.close()
    new = [s["timestamp"] for s in hub.submissions("alice") if s["timestamp"] not in before]
    assert len(new) == 1, f"one click, one submission: {new}"
    total = sum(t.points for q in questions(hub.course).questions for t in q.tests)
    assert f"(Score: {total:.1f} / " in text, text[:2000]


def descendants(pid: int) -> set[int]:
    """Every process below `pid` (from /proc: sandboxed fork servers and kernels included, by their host pids)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def running(pid: int) -> bool:
    """Alive and not a zombie waiting for its parent to collect it."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def command_of(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")[:120]
    except OSError:
        return "?"


def workspace_of(pid: int) -> Path | None:
    """A grading worker's private workspace (its working folder, worker.py), if `pid` is one."""
    try:
        cwd = Path(os.readlink(f"/proc/{pid}/cwd"))
    except OSError:
        return None
    return cwd if cwd.name.startswith("pmcourse-grading-") else None


def test_stopping_the_service_leaves_no_worker_or_kernel_behind(hub):
    """The hub stops a service with a signal: the service closes its grading cluster before it exits.

    Its processes would end even if it were killed (each watches its parent); what only a clean
    close does is the workers' own teardown, seen here as their private workspaces removed.
    """
    pid = hub.service_pid()
    left = descendants(pid)
    commands = [command_of(p) for p in left]
    assert sum("forkserver" in c for c in commands) >= 1 and sum("multiprocessing" in c for c in commands) >= 1, (
        f"the service should hold its grading cluster open between passes: {commands}")
    workspaces = set(filter(None, map(workspace_of, left)))
    assert workspaces and all(w.is_dir() for w in workspaces), workspaces
    started = time.monotonic()
    os.kill(pid, signal.SIGTERM)
    wait_for(lambda: not running(pid), "the grading service to exit after SIGTERM", timeout=60, every=0.2)
    print(f"\nthe grading service stopped {time.monotonic() - started:.1f} s after SIGTERM "
          f"({len(left)} processes under it)")
    deadline = time.monotonic() + 30  # what the service closed may take a moment more to be gone
    while any(running(p) for p in left) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(running(p) for p in left), f"left behind: {[command_of(p) for p in left if running(p)]}"
    assert not [w for w in workspaces if w.exists()], "the workers' workspaces must be removed when the service stops"
    assert "autograder.hub stopped" in hub.log.read_text(), "the service must log that it stopped"
