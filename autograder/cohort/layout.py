"""Where a cohort's files are, and the nbgrader settings the pipeline reads.

The course folder is an nbgrader course (this repository by default): it holds
`nbgrader_config.py`, the source (`solutions/`) and release (`modules/`)
folders, nbgrader's `submitted/`, `autograded/` and `feedback/` folders, and
the pipeline's own `grading/` folder (journal, reports, exports).
"""

from __future__ import annotations

import contextlib
import copy
import functools
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from autograder.repo import DATASETS, REPO_ROOT

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


@functools.cache
def nbgrader_schema_version() -> str:
    """The gradebook schema version (alembic head) of the installed nbgrader, read from its own migration scripts."""
    import nbgrader
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(Path(nbgrader.__file__).parent / "alembic")).get_current_head()


def stamp_if_new(db_url: str) -> None:
    """Give a new (empty) gradebook database nbgrader's schema version, as nbgrader's `Gradebook` does on creation.

    nbgrader asks a subprocess (`alembic heads`) for the version: about 3 s, paid for every new
    course gradebook and every worker's private one. Read in-process it takes 0.1 s; a
    database that already has tables is left alone (nbgrader then creates the rest).
    """
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(db_url)
    try:
        if inspect(engine).get_table_names():
            return
        with engine.begin() as db:
            db.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
            db.execute(text("INSERT INTO alembic_version (version_num) VALUES (:version)"),
                       {"version": nbgrader_schema_version()})
    finally:
        engine.dispose()


@dataclass
class Course:
    """The one façade over nbgrader's `CourseDirectory` and `NbGraderAPI` for a course folder.

    Every course path comes from `CourseDirectory` (`format_path`, so a custom
    `directory_structure` is respected), the gradebook address is nbgrader's
    `CourseDirectory.db_url` (or `--db-url`), and nbgrader is configured from
    the course's `nbgrader_config.py` plus explicit overrides (`config_with`).
    """

    root: Path
    db_url_override: str | None = None

    def __post_init__(self) -> None:
        from nbgrader.coursedir import CourseDirectory

        self.root = Path(self.root).resolve()
        self.config = load_nbgrader_config(self.root)
        self.coursedir = CourseDirectory(config=self.config_with())

    def config_with(self, overrides: dict[str, object] | None = None) -> Config:
        """The course's nbgrader config, rooted here, with `{"Section.trait": value}` overrides applied."""
        config = copy.deepcopy(self.config)
        config.CourseDirectory.root = str(self.root)
        if self.db_url_override:
            config.CourseDirectory.db_url = self.db_url_override
        for key, value in (overrides or {}).items():
            section, _, trait = key.rpartition(".")
            if not section or not trait:
                raise ValueError(f"config override {key!r}: expected 'Section.trait'")
            config[section][trait] = value
        return config

    # nbgrader folders --------------------------------------------------------
    def _dir(self, trait: str) -> Path:
        return self.root / getattr(self.coursedir, trait)

    @property
    def source(self) -> Path:
        return self._dir("source_directory")

    @property
    def release(self) -> Path:
        return self._dir("release_directory")

    @property
    def submitted(self) -> Path:
        return self._dir("submitted_directory")

    @property
    def autograded(self) -> Path:
        return self._dir("autograded_directory")

    @property
    def feedback(self) -> Path:
        return self._dir("feedback_directory")

    def path(self, step: str, module: str, student: str = ".") -> Path:
        """nbgrader's folder of one step (`source`, `release`, `submitted`, `autograded`, `feedback`)."""
        folder = getattr(self.coursedir, f"{step}_directory")
        return Path(self.coursedir.format_path(folder, student, module)).resolve()

    def released_module(self, module: str) -> Path:
        return self.path("release", module)

    def submission(self, student: str, module: str) -> Path:
        return self.path("submitted", module, student)

    def graded(self, student: str, module: str) -> Path:
        return self.path("autograded", module, student)

    @property
    def course_id(self) -> str:
        return self.coursedir.course_id

    @property
    def cell_timeout(self) -> int:
        """nbgrader's per-cell limit while autograding (`Execute.timeout`)."""
        from nbgrader.preprocessors import Execute

        return int(self.config.Execute.get("timeout", Execute.timeout.default_value))

    # the gradebook -----------------------------------------------------------
    @property
    def db_url(self) -> str:
        """`--db-url`, else nbgrader's `CourseDirectory.db_url` (by default the course's gradebook.db)."""
        return self.coursedir.db_url

    # nbgrader's API ----------------------------------------------------------
    def api(self):
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory

        ensure_scripts_on_path()
        config = self.config_with()
        return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)

    def release_module(self, module: str) -> Path:
        """Generate `module`'s student version (and its gradebook entry) with nbgrader: the one way to release."""
        stamp_if_new(self.db_url)
        with contextlib.chdir(self.root):  # nbgrader_config.py names files relative to the course folder
            result = self.api().generate_assignment(module, force=True)
        if not result["success"]:
            raise RuntimeError(f"nbgrader could not release {module}:\n{result.get('log', '')}\n{result.get('error', '')}")
        return self.released_module(module)

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
        return sorted(p.name for p in self.released_module(module).glob("*.ipynb"))


def gradebook(course: Course):
    """nbgrader's Gradebook for this course (use as a context manager)."""
    from nbgrader.api import Gradebook

    ensure_scripts_on_path()
    stamp_if_new(course.db_url)
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
