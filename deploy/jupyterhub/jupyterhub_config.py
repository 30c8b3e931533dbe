"""JupyterHub configuration for the course: nbgrader's exchange, the course's environment, grading on submit.

Load it from The Littlest JupyterHub (deploy/jupyterhub/README.md) or run it directly
(`jupyterhub -f deploy/jupyterhub/jupyterhub_config.py`). It sets only what the course needs;
the authenticator, TLS and the spawner class stay the hub's own (TLJH's, or a test's overlay).

- Two JupyterHub groups, nbgrader's naming for a course on a hub: `formgrade-pm-data-course`
  (instructors: $PMCOURSE_INSTRUCTORS) and `nbgrader-pm-data-course` (students: the ids in the
  course roster, $PMCOURSE_ROSTER). A user in the instructor group is an instructor; any other
  user is a student.
- Every user's server is the course environment's `jupyterhub-singleuser` (JupyterLab, nbgrader's
  Assignments tab and the course's packages): the notebooks' kernel is the course's Python.
- nbgrader's own exchange in $PMCOURSE_EXCHANGE, configured for every user by
  deploy/jupyterhub/jupyter/nbgrader_config.py (through JUPYTER_CONFIG_PATH): students fetch what
  the instructor released from the course's `modules/` and submit there.
- A hub-managed service, `pmcourse-grader` (`python -m autograder.hub`), grades every submission
  as it arrives and releases its feedback; the hub restarts it if it dies.

Settings (environment of the hub process, with their defaults):
  PMCOURSE_COURSE_DIR   /srv/pmcourse                  the instructor's checkout of the course (nbgrader's course root)
  PMCOURSE_VENV         $PMCOURSE_COURSE_DIR/.venv     the course environment (`make env`)
  PMCOURSE_EXCHANGE     /srv/nbgrader/exchange         nbgrader's exchange (created if missing, world-writable)
  PMCOURSE_INSTRUCTORS  instructor                     comma-separated hub user names
  PMCOURSE_ROSTER       $PMCOURSE_COURSE_DIR/roster.csv  the roster (column `id`); its ids form the student group
  PMCOURSE_GRADER_USER  (the hub's user)               system user the grading service runs as (an instructor's)
"""

import csv
import os
from pathlib import Path

c = get_config()  # noqa: F821  (provided by JupyterHub when it loads this file)

COURSE_ID = "pm-data-course"  # the same as c.CourseDirectory.course_id in the course's nbgrader_config.py
HERE = Path(__file__).resolve().parent
COURSE_DIR = Path(os.environ.get("PMCOURSE_COURSE_DIR", "/srv/pmcourse"))
VENV = Path(os.environ.get("PMCOURSE_VENV", COURSE_DIR / ".venv"))
EXCHANGE = Path(os.environ.get("PMCOURSE_EXCHANGE", "/srv/nbgrader/exchange"))
INSTRUCTORS = [name.strip() for name in os.environ.get("PMCOURSE_INSTRUCTORS", "instructor").split(",") if name.strip()]
ROSTER = Path(os.environ.get("PMCOURSE_ROSTER", COURSE_DIR / "roster.csv"))
GRADER_USER = os.environ.get("PMCOURSE_GRADER_USER", "")
INSTRUCTOR_GROUP = f"formgrade-{COURSE_ID}"
STUDENT_GROUP = f"nbgrader-{COURSE_ID}"


def roster_ids(path: Path) -> list[str]:
    """The student ids of the course roster (empty if there is no roster yet)."""
    if not path.is_file():
        return []
    with open(path, newline="", encoding="utf-8") as handle:
        return [row["id"].strip() for row in csv.DictReader(handle) if (row.get("id") or "").strip()]


# nbgrader's exchange: one folder every user can write to (submissions are hidden by their random names).
EXCHANGE.mkdir(parents=True, exist_ok=True)
if os.access(EXCHANGE, os.W_OK) and EXCHANGE.stat().st_uid == os.getuid():
    EXCHANGE.chmod(0o777)

c.JupyterHub.load_groups = {
    INSTRUCTOR_GROUP: {"users": INSTRUCTORS},
    STUDENT_GROUP: {"users": roster_ids(ROSTER)},
}
c.Authenticator.admin_users = set(INSTRUCTORS)

# Every user's server runs from the course environment, so the kernel is the course's Python.
PATH = os.pathsep.join([str(VENV / "bin"), "/usr/local/bin", "/usr/bin", "/bin"])
c.Spawner.cmd = [str(VENV / "bin" / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.environment.update({
    "PATH": PATH,
    "JUPYTER_CONFIG_PATH": str(HERE / "jupyter"),  # nbgrader_config.py for every user
    "PMCOURSE_COURSE_ID": COURSE_ID,
    "PMCOURSE_COURSE_DIR": str(COURSE_DIR),
    "PMCOURSE_EXCHANGE": str(EXCHANGE),
})


def course_role(spawner) -> None:
    """Instructors work in the course folder (the Formgrader reads its gradebook); students in their home."""
    instructor = any(group.name == INSTRUCTOR_GROUP for group in spawner.user.groups)
    spawner.environment["PMCOURSE_ROLE"] = "instructor" if instructor else "student"
    if instructor:
        spawner.notebook_dir = str(COURSE_DIR)


c.Spawner.pre_spawn_hook = course_role

# Grading on submit, as a service the hub starts (and restarts if it dies).
grader = {
    "name": "pmcourse-grader",
    "command": [str(VENV / "bin" / "python"), "-m", "autograder.hub",
                "--course", str(COURSE_DIR), "--exchange", str(EXCHANGE)],
    "cwd": str(COURSE_DIR),
    "environment": {"PATH": PATH},
}
if GRADER_USER:
    grader["user"] = GRADER_USER
c.JupyterHub.services.append(grader)
