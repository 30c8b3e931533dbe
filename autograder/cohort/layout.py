"""Where a cohort's files are, and the nbgrader settings the pipeline reads.

The course folder is an nbgrader course (this repository by default): it holds
`nbgrader_config.py`, the source (`solutions/`) and release (`modules/`)
folders, nbgrader's `submitted/`, `autograded/` and `feedback/` folders, and
the pipeline's own `grading/` folder (journal, reports, exports).
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from autograder.course import REPO_ROOT

CONFIG_FILE = "nbgrader_config.py"


def load_nbgrader_config(course: Path) -> Config:
    """The course's `nbgrader_config.py`, as nbgrader itself reads it."""
    path = course / CONFIG_FILE
    if not path.is_file():
        return Config()
    return PyFileConfigLoader(path.name, path=str(course)).load_config()


def ensure_scripts_on_path() -> None:
    """nbgrader runs `alembic` from PATH: put this environment's scripts first."""
    scripts = str(Path(sys.executable).parent)
    if scripts not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([scripts, os.environ.get("PATH", "")])


@dataclass
class Course:
    root: Path
    db_url_override: str | None = None

    def __post_init__(self) -> None:
        self.root = Path(self.root).resolve()
        self.config = load_nbgrader_config(self.root)

    # nbgrader folders --------------------------------------------------------
    def _dir(self, trait: str, default: str) -> Path:
        value = self.config.CourseDirectory.get(trait, default)
        return self.root / value

    @property
    def source(self) -> Path:
        return self._dir("source_directory", "source")

    @property
    def release(self) -> Path:
        return self._dir("release_directory", "release")

    @property
    def submitted(self) -> Path:
        return self._dir("submitted_directory", "submitted")

    @property
    def autograded(self) -> Path:
        return self._dir("autograded_directory", "autograded")

    @property
    def feedback(self) -> Path:
        return self._dir("feedback_directory", "feedback")

    @property
    def course_id(self) -> str:
        return self.config.CourseDirectory.get("course_id", "")

    @property
    def cell_timeout(self) -> int:
        return int(self.config.Execute.get("timeout", 30))

    # the gradebook -----------------------------------------------------------
    @property
    def db_url(self) -> str:
        """`--db-url`, else nbgrader's `CourseDirectory.db_url`, else the course's gradebook.db."""
        if self.db_url_override:
            return self.db_url_override
        configured = self.config.CourseDirectory.get("db_url", "")
        return configured or f"sqlite:///{self.root / 'gradebook.db'}"

    # the pipeline's own folder ----------------------------------------------
    @property
    def grading(self) -> Path:
        return self.root / "grading"

    @property
    def journal(self) -> Path:
        return self.grading / "journal"

    def modules(self) -> list[str]:
        """Every module (nbgrader assignment) in the source folder, in course order."""
        if not self.source.is_dir():
            return []
        return sorted(p.name for p in self.source.iterdir() if p.is_dir() and p.name[:1] == "m")

    def released_notebooks(self, module: str) -> list[str]:
        """The notebook file names a submission of `module` must contain."""
        return sorted(p.name for p in (self.release / module).glob("*.ipynb"))


def gradebook(course: Course):
    """nbgrader's Gradebook for this course (use as a context manager)."""
    from nbgrader.api import Gradebook

    ensure_scripts_on_path()
    return Gradebook(course.db_url, course.course_id)


def released_modules(course: Course) -> list[str]:
    """The course's modules that are in the gradebook (released), in course order."""
    from nbgrader.api import MissingEntry

    out = []
    with gradebook(course) as gb:
        for module in course.modules():
            try:
                gb.find_assignment(module)
                out.append(module)
            except MissingEntry:
                continue
    return out


def default_course_root() -> Path:
    """The current folder if it is an nbgrader course, else this repository."""
    here = Path.cwd()
    return here if (here / CONFIG_FILE).is_file() else REPO_ROOT


def datasets_of(course: Course) -> Path:
    """The course's datasets folder (the repository's when the course folder has none)."""
    from autograder.course import DATASETS

    own = course.root / "datasets"
    return own if (own / "datasets" / "datapackage.json").exists() or (own / "datapackage.json").is_file() else DATASETS


def replace_tree(source: Path, target: Path, staging: Path) -> None:
    """Make `target` a copy of `source`, through `staging`, so a crash never leaves half a copy."""
    if staging.exists():
        shutil.rmtree(staging)
    shutil.copytree(source, staging)
    if target.exists():
        shutil.rmtree(target)
    os.replace(staging, target)
