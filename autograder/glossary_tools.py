"""Authoring tools for the course glossary: GLOSSARY.md, coverage, notebook lists, links.

The learner's part (`define`, `search`, `glossary_search`) is `pmcourse.glossary`;
this instructor-side part reads the same `pmcourse/glossary.yaml`. From the
repository root::

    python -m autograder.glossary_tools              # rewrite GLOSSARY.md from the YAML
    python -m autograder.glossary_tools --check      # exit 1 if GLOSSARY.md is not current
    python -m autograder.glossary_tools --coverage   # terms solutions/ uses that the glossary does not list
    python -m autograder.glossary_tools --sync       # set each entry's `notebooks` from solutions/
    python -m autograder.glossary_tools --link solutions/m01_x/01_y.ipynb   # link first uses (dry run)
    python -m autograder.glossary_tools --link solutions/m01_x/01_y.ipynb --write

A term "used by" a notebook is one that appears in its headings, question
prompts or mark schemes (`notebook_sections`); that is what the coverage test
in `tests/test_glossary.py` checks against each entry's `notebooks` list.
"""

from __future__ import annotations

import argparse
import re
import sys
from functools import lru_cache
from pathlib import Path

import yaml

from pmcourse.glossary import (
    GLOSSARY_FILE,
    MARKDOWN_FILE,
    NOTEBOOK_LINK_PREFIX,
    REPO_ROOT,
    _index,
    _key,
    _names,
    _read,
    entries,
    entry_markdown,
    glossary_data,
)

# ------------------------------------------------------------------ the reference page


def render_glossary() -> str:
    """The text of GLOSSARY.md, generated from glossary.yaml."""
    items = entries()
    out = [
        "# Product-management dictionary",
        "",
        "*Generated from `pmcourse/glossary.yaml` by `python -m autograder.glossary_tools`: "
        "edit the YAML, not this file.*",
        "",
        "Every term the course uses, defined once, with the convention the course grades by "
        "(from the course's PM reference). In a notebook, look a term up without leaving "
        'JupyterLab: `from pmcourse import define, glossary_search`, then `define("NPS")` '
        "or `glossary_search()`.",
        "",
        f"{len(items)} entries:",
        "",
    ]
    by_letter: dict[str, list[dict]] = {}
    for entry in items:
        by_letter.setdefault(entry["term"][0].upper(), []).append(entry)
    for letter, group in by_letter.items():
        links = " · ".join(f"[{e['term']}](#{e['anchor']})" for e in group)
        out.append(f"**{letter}** {links}  ")
    out.append("")
    for entry in items:
        out += ["---", "", entry_markdown(entry, heading="###", anchors=True)]
    return "\n".join(out).rstrip() + "\n"


# ----------------------------------------------------- terms in notebooks: matching


def _pattern_for(name: str) -> re.Pattern:
    """A regex for one term: whole words, a plural allowed; acronyms match case.

    A space in the name also matches a hyphen, but a hyphen only matches a
    hyphen: "must-be" (Kano) is not found in "must be".
    """
    acronym = name.upper() == name and any(c.isalpha() for c in name)
    body = re.escape(name)
    body = body.replace(r"\ ", r"[-\s]+")  # "north star" finds "north-star"; not the reverse
    body += "(?:s|es)?" if name[-1:].isalpha() else ""
    flags = 0 if acronym else re.IGNORECASE
    return re.compile(rf"(?<![\w/-]){body}(?![\w])", flags)


@lru_cache(maxsize=4)
def term_patterns(path: str = str(GLOSSARY_FILE)) -> list[tuple[str, re.Pattern, str | None]]:
    """(name, regex, anchor or None) for every name to look for, longest first.

    The names are every entry's term and aliases, plus the `watch` list of PM
    terms in glossary.yaml (anchor None when no entry has that name).
    """
    pairs: dict[str, str | None] = {}
    for entry in entries(path):
        for name in _names(entry):
            pairs.setdefault(name, entry["anchor"])
    by_key = {_key(name): anchor for name, anchor in pairs.items()}
    for name in glossary_data(path).get("watch", []):
        if name not in pairs:
            pairs[name] = by_key.get(_key(name))
    ordered = sorted(pairs, key=lambda name: (-len(name), name))
    return [(name, _pattern_for(name), pairs[name]) for name in ordered]


_CODE = re.compile(r"```.*?```|`[^`\n]*`|\$\$.*?\$\$|\$[^$\n]*\$|<[^>\n]+>", re.DOTALL)
_LINK = re.compile(r"\[[^\]\n]*\]\([^)\n]*\)")


def _blank(text: str, pattern: re.Pattern) -> str:
    """`text` with every match of `pattern` replaced by spaces (positions kept)."""
    return pattern.sub(lambda m: " " * len(m.group(0)), text)


def terms_in(text: str, path: str = str(GLOSSARY_FILE)) -> dict[str, str | None]:
    """{name: anchor or None} of the glossary/watched names that `text` uses."""
    plain = _blank(_blank(text, _CODE), _LINK)
    found: dict[str, str | None] = {}
    for name, pattern, anchor in term_patterns(path):
        hit = pattern.search(plain)
        if hit:
            found[name] = anchor
            plain = _blank(plain, pattern)  # so "alpha" is not found again inside "Cronbach's alpha"
    return found


_ACRONYM = re.compile(r"(?<![\w.-])([A-Z]{2,6})(?:s|'s)?(?![\w])")


def acronyms_in(text: str) -> set[str]:
    """All-caps words of 2-6 letters (a plural `s` allowed), outside code and links' targets."""
    plain = _blank(text, _CODE)
    plain = re.sub(r"\]\([^)\n]*\)", "]", plain)
    return set(_ACRONYM.findall(plain))


def glossary_acronyms(path: str = str(GLOSSARY_FILE)) -> set[str]:
    """Acronyms in the glossary's terms and aliases."""
    found = set()
    for entry in entries(path):
        for name in _names(entry):
            found.update(re.findall(r"\b[A-Z]{2,6}\b", name))
    return found


def known_acronyms(path: str = str(GLOSSARY_FILE)) -> set[str]:
    """Acronyms that are the glossary's terms or aliases, or in its non-PM allow-list."""
    return set(glossary_data(path).get("not_pm_acronyms", [])) | glossary_acronyms(path)


def allow_listed_glossary_acronyms(path: str = str(GLOSSARY_FILE)) -> set[str]:
    """Acronyms that are both allow-listed as not PM and defined in the glossary (should be none)."""
    return set(glossary_data(path).get("not_pm_acronyms", [])) & glossary_acronyms(path)


# -------------------------------------------------- what a notebook's terms are


_HEADING = re.compile(r"^#{1,6}\s+\S.*$", re.MULTILINE)
_QUESTION = re.compile(r"^#{2,4}\s+Q\d+\.\d+\b.*$", re.MULTILINE)
_NBGRADER_MARKER = re.compile(
    r"^### (BEGIN|END) (SOLUTION|MARK SCHEME|HIDDEN TESTS)\s*$", re.MULTILINE
)


def notebook_sections(notebook) -> dict[str, str]:
    """The text a notebook's terms are taken from: `headings`, `prompts`, `mark_schemes`.

    `notebook` is a path or an nbformat notebook. A question prompt runs from a
    `### Q1.2 ...` heading to the next heading or code cell; the mark schemes
    are the graded-task cells and every BEGIN/END MARK SCHEME block.
    """
    if not hasattr(notebook, "cells"):
        import nbformat

        notebook = nbformat.read(str(notebook), as_version=4)
    headings: list[str] = []
    prompts: list[str] = []
    schemes: list[str] = []
    in_prompt = False
    for cell in notebook.cells:
        source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
        if cell.cell_type != "markdown":
            in_prompt = False
            continue
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("task") or "BEGIN MARK SCHEME" in source:
            schemes.append(source)
        source = _NBGRADER_MARKER.sub("", source)
        if meta.get("solution"):  # a written answer: the learner's text, not the course's
            in_prompt = False
            continue
        headings += _HEADING.findall(_blank(source, re.compile(r"```.*?```", re.DOTALL)))
        lines = source.splitlines()
        for line in lines:
            if _QUESTION.match(line):
                in_prompt = True
            elif _HEADING.match(line):
                in_prompt = False
            if in_prompt:
                prompts.append(line)
    return {
        "headings": "\n".join(headings),
        "prompts": "\n".join(prompts),
        "mark_schemes": "\n".join(schemes),
    }


def solution_notebooks(root: Path = REPO_ROOT) -> list[Path]:
    """Every solution notebook, `solutions/<module>/<name>.ipynb`, in course order."""
    return sorted(
        p
        for p in (root / "solutions").glob("m*/*.ipynb")
        if not p.name.startswith(".") and ".ipynb_checkpoints" not in p.parts
    )


def notebook_id(path: Path) -> str:
    """How the glossary names a notebook: `m00_orientation/01_orientation.ipynb`."""
    return f"{path.parent.name}/{path.name}"


def coverage_problems(
    notebooks: list[Path] | None = None, glossary: str | Path = GLOSSARY_FILE
) -> list[str]:
    """What the glossary misses for these notebooks (all solution notebooks by default).

    - a watched term used in a notebook with no entry at all;
    - an entry whose term a notebook uses but whose `notebooks` does not list it;
    - an all-caps acronym in a heading or prompt that is neither in the
      glossary nor in its `not_pm_acronyms` allow-list.
    """
    notebooks = solution_notebooks() if notebooks is None else notebooks
    glossary = str(glossary)
    by_anchor = {entry["anchor"]: entry for entry in entries(glossary)}
    known = known_acronyms(glossary)
    problems: list[str] = []
    for path in notebooks:
        name = notebook_id(path)
        sections = notebook_sections(path)
        used = terms_in("\n".join(sections.values()), glossary)
        reported: set[str] = set()
        for term, anchor in sorted(used.items()):
            if anchor is None:
                problems.append(f"{name}: uses '{term}', which has no glossary entry")
            elif name not in by_anchor[anchor]["notebooks"] and anchor not in reported:
                reported.add(anchor)
                problems.append(
                    f"{name}: uses '{term}'; add the notebook to the `notebooks` of "
                    f"'{by_anchor[anchor]['term']}' (or run `python -m autograder.glossary_tools --sync`)"
                )
        for acronym in sorted(acronyms_in(sections["headings"] + "\n" + sections["prompts"]) - known):
            problems.append(
                f"{name}: the acronym '{acronym}' is in a heading or prompt but not in the "
                "glossary (add an entry, or add it to not_pm_acronyms if it is not a PM term)"
            )
    return problems


def notebooks_using(notebooks: list[Path] | None = None) -> dict[str, list[str]]:
    """{anchor: [notebook ids]} of the entries each solution notebook uses."""
    notebooks = solution_notebooks() if notebooks is None else notebooks
    using: dict[str, list[str]] = {}
    for path in notebooks:
        for anchor in set(terms_in("\n".join(notebook_sections(path).values())).values()):
            if anchor is not None:
                using.setdefault(anchor, []).append(notebook_id(path))
    return using


def sync_notebooks(write: bool = False) -> list[str]:
    """Make each entry's `notebooks` list the solution notebooks that use it.

    Edits only the one-line `notebooks: [...]` of each entry in glossary.yaml
    (comments and layout are kept); notebooks that no longer exist are dropped.
    Returns the changes, one line each.
    """
    using = notebooks_using()
    existing = {notebook_id(path) for path in solution_notebooks()}
    lines = GLOSSARY_FILE.read_text(encoding="utf-8").splitlines(keepends=True)
    changes: list[str] = []
    anchor = None
    for i, line in enumerate(lines):
        found = re.match(r"^  anchor: (\S+)\s*$", line)
        if found:
            anchor = found.group(1)
        elif anchor and line.startswith("  notebooks:"):
            old = yaml.safe_load(line.split(":", 1)[1]) or []
            new = sorted({n for n in old if n in existing} | set(using.get(anchor, [])))
            if new != old:
                changes.append(f"{anchor}: {old} -> {new}")
                lines[i] = f"  notebooks: [{', '.join(new)}]\n"
            anchor = None
    if write and changes:
        GLOSSARY_FILE.write_text("".join(lines), encoding="utf-8")
        _read.cache_clear()
        _index.cache_clear()
        term_patterns.cache_clear()
    return changes


# -------------------------------------------------------------- linking first uses


def link_first_uses(
    markdown_text: str,
    seen: set[str] | None = None,
    prefix: str = NOTEBOOK_LINK_PREFIX,
) -> str:
    """`markdown_text` with the first use of each glossary term linked to its entry.

    A term is linked as `[NPS](../../GLOSSARY.md#nps)`. `seen` holds the anchors
    already linked (pass the same set for every cell of a notebook so only the
    notebook's first use is linked); it is updated in place. Headings, code,
    math, HTML and existing links are left alone.
    """
    seen = set() if seen is None else seen
    protected = _blank(_blank(markdown_text, _CODE), _LINK)
    protected = _blank(protected, _HEADING)
    taken = [False] * len(markdown_text)
    first: dict[str, tuple[int, int]] = {}
    for _name, pattern, anchor in term_patterns():  # longest first: "Cronbach's alpha" before "alpha"
        for hit in pattern.finditer(protected):
            if any(taken[hit.start():hit.end()]):
                continue
            taken[hit.start():hit.end()] = [True] * (hit.end() - hit.start())
            if anchor is None or anchor in seen:
                continue
            if anchor not in first or hit.start() < first[anchor][0]:
                first[anchor] = (hit.start(), hit.end())
    seen.update(first)
    text = markdown_text
    for anchor, (start, end) in sorted(first.items(), key=lambda item: -item[1][0]):
        text = f"{text[:start]}[{text[start:end]}]({prefix}#{anchor}){text[end:]}"
    return text


def link_notebook(path: str | Path, write: bool = False) -> list[str]:
    """Link the first use of each term in a notebook's markdown; return the terms linked.

    Skips written-answer solutions and mark schemes. With `write=False` (the
    default) the notebook is not changed: the return value says what would be.
    """
    import nbformat

    notebook = nbformat.read(str(path), as_version=4)
    seen: set[str] = set()
    linked: list[str] = []
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        if "BEGIN SOLUTION" in cell.source or "MARK SCHEME" in cell.source:
            continue
        before = set(seen)
        new = link_first_uses(cell.source, seen)
        if new != cell.source:
            linked += sorted(seen - before)
            cell.source = new
    if write and linked:
        nbformat.write(notebook, str(path))
    return linked


# ---------------------------------------------------------------- command line


def _check(target: Path) -> int:
    current = target.read_text(encoding="utf-8") if target.is_file() else ""
    if current != render_glossary():
        print(f"{MARKDOWN_FILE} is not current: run `python -m autograder.glossary_tools`.")
        return 1
    print(f"{MARKDOWN_FILE} is current ({len(entries())} entries).")
    return 0


def _coverage() -> int:
    problems = coverage_problems()
    print("\n".join(problems) or "Every term the solution notebooks use has its entry.")
    return 1 if problems else 0


def _sync(target: Path) -> int:
    changes = sync_notebooks(write=True)
    print("\n".join(changes) or "Every entry's notebooks list is current.")
    if changes:
        target.write_text(render_glossary(), encoding="utf-8")
        print(f"Rewrote {MARKDOWN_FILE}.")
    return 0


def _link(paths: list[str], write: bool) -> int:
    for path in paths:
        linked = link_notebook(path, write=write)
        print(f"{path}: {'linked' if write else 'would link'} {len(linked)} terms: {', '.join(linked)}")
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m autograder.glossary_tools", allow_abbrev=False,
                                  description="Glossary authoring: with no option, rewrite GLOSSARY.md from the YAML.")
    what = top.add_mutually_exclusive_group()
    what.add_argument("--check", action="store_true", help="exit 1 if GLOSSARY.md is not current")
    what.add_argument("--coverage", action="store_true", help="terms solutions/ uses that the glossary does not list")
    what.add_argument("--sync", action="store_true", help="set each entry's `notebooks` from solutions/")
    what.add_argument("--link", nargs="+", metavar="NOTEBOOK", help="link the first use of each term (dry run)")
    top.add_argument("--write", action="store_true", help="with --link: write the links into the notebooks")
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    target = REPO_ROOT / MARKDOWN_FILE
    if args.write and not args.link:
        parser().error("--write goes with --link")
    if args.check:
        return _check(target)
    if args.coverage:
        return _coverage()
    if args.sync:
        return _sync(target)
    if args.link:
        return _link(args.link, args.write)
    target.write_text(render_glossary(), encoding="utf-8")
    print(f"Wrote {MARKDOWN_FILE} ({len(entries())} entries).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
