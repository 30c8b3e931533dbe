"""The course home, START-HERE.ipynb, generated from the notebooks' own first cells.

It lists every module and notebook in course order, with its estimated time
and learning objectives, each linking to the student notebook, and a cell that
shows the learner's progress. `make modules` regenerates it and
`tests/test_release.py` checks that the committed copy is current.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder.repo import REPO_ROOT, SOLUTIONS, module_ids
from pmcourse.notebook import module_notebooks, read_notebook

HOME = REPO_ROOT / "START-HERE.ipynb"

WELCOME = """# Start here: Product Data for PM Interns

You are joining the product team of **Quillo**, a study-planning app for university students, as a
product-management intern. Each notebook below is one piece of real intern work, done with data.
Work through them in order; each takes 30-60 minutes.

**How it works.** Open a notebook, run its setup cell, and answer each question where you see
`raise NotImplementedError()`. Run the test cells under a question for feedback; `self_check` tells
you when an answer is fully right, and `hint("question id")` gives one hint at a time. Before you
hand in: *Kernel > Restart Kernel and Run All Cells*, then **Validate**.

**A word you don't know?** The [course dictionary](GLOSSARY.md) defines every term the course uses,
in the course's own conventions; in any notebook, `define("NPS")` shows an entry and
`glossary_search()` gives a search box.

**Your progress.** Run the cell at the bottom of this page (it checks your notebooks; it takes a few
seconds per notebook you have started)."""

PROGRESS = """# Your progress: which questions are fully right, which are started.
from pmcourse.progress import show_progress

show_progress()"""


def learning_objectives(block: str) -> list[str]:
    """The numbered items of a markdown list, each with its indented continuation lines joined."""
    items: list[str] = []
    for line in block.splitlines():
        numbered = re.match(r"^\s*\d+\.\s+(.+)$", line)
        if numbered:
            items.append(numbered.group(1).strip())
        elif items and line.startswith("   ") and line.strip():
            items[-1] += " " + line.strip()
        elif items and not line.strip():
            break
    return items


def notebook_summary(path: Path) -> dict:
    """Title, estimated time and objectives from a notebook's first cell."""
    intro = read_notebook(path).cells[0].source
    title = next((line[2:].strip() for line in intro.splitlines() if line.startswith("# ")), path.stem)
    time = re.search(r"\*\*Estimated time:\*\*\s*(.+)", intro)
    objectives_block = intro.split("**Learning objectives.**", 1)[-1]
    objectives = learning_objectives(objectives_block)
    # Glossary links in a notebook are relative to its module folder; this page is at the root.
    objectives = [item.replace("../../GLOSSARY.md", "GLOSSARY.md") for item in objectives]
    return {
        "title": title,
        "time": time.group(1).strip().rstrip(".") if time else "",
        "objectives": objectives,
    }


def module_title(module: str) -> str:
    number, _, slug = module.partition("_")
    return f"{number}: {slug.replace('_', ' ').capitalize()}"


def home_notebook(modules: list[str] | None = None):
    modules = module_ids() if modules is None else modules
    parts = [WELCOME, "## The course"]
    for module in modules:
        parts.append(f"### {module_title(module)}")
        for path in module_notebooks(SOLUTIONS / module):
            info = notebook_summary(path)
            link = f"modules/{module}/{path.name}"
            objectives = "\n".join(f"  - {item}" for item in info["objectives"])
            parts.append(f"- [{info['title']}]({link}) ({info['time']})\n{objectives}")
    notebook = new_notebook(
        cells=[new_markdown_cell("\n\n".join(parts)), new_code_cell(PROGRESS)],
        metadata={
            "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
    )
    for index, cell in enumerate(notebook.cells):
        cell.id = f"home-{index:03d}"
    return notebook


def home_text(modules: list[str] | None = None) -> str:
    return nbformat.writes(home_notebook(modules)) + "\n"
