"""The built wheel holds every package: installed outside the checkout, the pipeline and the late plugin import.

Offline: the wheel is built with the pinned setuptools already in the environment
(no build isolation, no dependencies), installed with `--no-deps --no-index` into a
fresh venv that sees this environment's packages through a path file, and imported
from a folder outside the checkout.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMPORTS = [
    "autograder.cohort.worker", "autograder.cohort.grade", "autograder.cohort.collect",
    "autograder.cohort.late", "pmcourse.data",
]


def run(*args, cwd=None) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True)
    assert done.returncode == 0, f"{args}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
    return done.stdout


def test_wheel_installs_and_imports_the_pipeline_and_late_plugin(tmp_path):
    source = tmp_path / "source"  # a copy: setuptools leaves build/ and *.egg-info/ where it builds
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for package in ("autograder", "pmcourse"):
        shutil.copytree(ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    dist = tmp_path / "dist"
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
        "--disable-pip-version-check", "-w", dist, source)
    wheel = next(dist.glob("pmcourse-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "autograder/cohort/late.py" in names and "autograder/cohort/worker.py" in names, names
    assert "pmcourse/glossary.yaml" in names and any(n.startswith("autograder/wrong_answers/") for n in names), names

    venv = tmp_path / "fresh"
    run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").strip())
    # this environment's third-party packages, but not its editable checkout of the course
    (site / "course-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index",
        "--disable-pip-version-check", wheel)

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    code = (
        "import importlib, sys\n"
        f"mods = [importlib.import_module(m) for m in {IMPORTS!r}]\n"
        "from autograder.cohort.late import PerDayLatePenalty\n"
        "from nbgrader.plugins import LateSubmissionPlugin\n"
        "assert issubclass(PerDayLatePenalty, LateSubmissionPlugin)\n"
        "print('\\n'.join(m.__file__ for m in mods))\n"
    )
    files = run(python, "-c", code, cwd=outside).split()
    assert len(files) == len(IMPORTS)
    assert all(Path(f).is_relative_to(site) for f in files), f"imported from the checkout, not the wheel: {files}"
