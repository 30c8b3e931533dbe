"""Where this repository keeps the course: solutions/ (nbgrader source), modules/ (release), datasets/."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = REPO_ROOT / "solutions"
MODULES = REPO_ROOT / "modules"
DATASETS = REPO_ROOT / "datasets"
HEADER = "header.ipynb"


def module_ids(solutions: Path = SOLUTIONS) -> list[str]:
    """Every module (nbgrader assignment) in `solutions/`, in course order."""
    return sorted(p.name for p in solutions.iterdir() if p.is_dir() and p.name[:1] == "m")
