"""The course's product-management dictionary, one call away in any notebook (the learner's part).

    from pmcourse import define, glossary_search
    define("NPS")         # shows the entry (as Markdown in a notebook); a typo gets suggestions
    glossary_search()     # a search box that filters the dictionary as you type

Every entry lives once, in `pmcourse/glossary.yaml`. The authoring tools
(GLOSSARY.md, coverage, YAML sync, links from notebooks) are instructor-side:
`python -m autograder.glossary_tools --help`.
"""

from __future__ import annotations

import difflib
import html
import re
from functools import lru_cache
from pathlib import Path

import yaml

GLOSSARY_FILE = Path(__file__).with_name("glossary.yaml")
REPO_ROOT = Path(__file__).resolve().parents[1]
MARKDOWN_FILE = "GLOSSARY.md"
# From solutions/<module>/ and modules/<module>/ the reference page is two folders up.
NOTEBOOK_LINK_PREFIX = f"../../{MARKDOWN_FILE}"
REQUIRED_FIELDS = ("term", "anchor", "aliases", "definition", "related", "notebooks")
OPTIONAL_FIELDS = ("formula", "convention", "example", "check")


# --------------------------------------------------------------------------- data


@lru_cache(maxsize=4)
def _read(path: str) -> dict:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def glossary_data(path: str | Path = GLOSSARY_FILE) -> dict:
    """The whole YAML file: `entries`, plus the `watch` and `not_pm_acronyms` lists."""
    return _read(str(path))


def entries(path: str | Path = GLOSSARY_FILE) -> list[dict]:
    """Every entry, alphabetical by term (the file groups them by topic)."""
    return sorted(glossary_data(path)["entries"], key=lambda entry: entry["term"].lower())


def _key(text: str) -> str:
    """A lookup key that ignores case, spaces, hyphens and punctuation."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _names(entry: dict) -> list[str]:
    return [entry["term"], *entry.get("aliases", [])]


@lru_cache(maxsize=4)
def _index(path: str = str(GLOSSARY_FILE)) -> dict[str, dict]:
    index: dict[str, dict] = {}
    for entry in entries(path):
        for name in [*_names(entry), entry["anchor"]]:
            index.setdefault(_key(name), entry)
    return index


def lookup(term: str) -> dict | None:
    """The entry for `term` (its name, an alias or its anchor; any case), or None."""
    return _index().get(_key(term))


def closest(term: str, n: int = 5) -> list[str]:
    """Up to `n` entry names closest to `term`: misspellings, then partial matches."""
    index = _index()
    by_key: dict[str, str] = {}
    for entry in entries():
        for name in _names(entry):
            by_key.setdefault(_key(name), name)
    wanted = _key(term)
    found = difflib.get_close_matches(wanted, list(by_key), n=n, cutoff=0.6)
    if wanted and len(found) < n:
        found += [k for k in by_key if wanted in k and k not in found][: n - len(found)]
    names: list[str] = []
    for key in found:
        name = index[key]["term"]
        if name not in names:
            names.append(name)
    return names[:n]


# ----------------------------------------------------------------------- rendering


def entry_markdown(entry: dict, heading: str = "###", anchors: bool = False) -> str:
    """One entry as Markdown: the reference page's section and `define`'s output."""
    lines = []
    if anchors:
        lines.append(f'<a id="{entry["anchor"]}"></a>')
    lines.append(f"{heading} {entry['term']}")
    lines.append("")
    if entry.get("aliases"):
        lines += [f"*Also:* {', '.join(entry['aliases'])}", ""]
    lines += [entry["definition"].strip(), ""]
    if entry.get("formula"):
        lines += [f"**Formula:** `{entry['formula'].strip()}`", ""]
    if entry.get("convention"):
        lines += [f"**In this course:** {entry['convention'].strip()}", ""]
    if entry.get("example"):
        lines += [f"**Example:** {entry['example'].strip()}", ""]
    if entry.get("related"):
        if anchors:
            related = [_related_link(name) for name in entry["related"]]
        else:
            related = entry["related"]
        lines += [f"**Related:** {', '.join(related)}", ""]
    if entry.get("notebooks"):
        used = ", ".join(f"`{path}`" for path in entry["notebooks"])
        lines += [f"**Used in:** {used}", ""]
    return "\n".join(lines).rstrip() + "\n"


def _related_link(name: str) -> str:
    target = lookup(name)
    return f"[{name}](#{target['anchor']})" if target else name


def _in_a_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with the course
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def _show(markdown: str) -> None:
    if _in_a_notebook():
        from IPython.display import Markdown, display

        display(Markdown(markdown))
    else:
        print(markdown)


def define(term: str) -> None:
    """Show the dictionary entry for `term` (rendered Markdown in a notebook, text elsewhere).

    A misspelt or unknown term shows the closest entries instead of raising.
    Use `lookup(term)` to get the entry as a dict.
    """
    entry = lookup(str(term))
    if entry is not None:
        _show(entry_markdown(entry, heading="####"))
        return
    near = closest(str(term))
    if near:
        names = ", ".join(f"`{name}`" for name in near)
        _show(f"No entry called **{term}**. Closest: {names}. Try `define({near[0]!r})`.")
    else:
        _show(
            f"No entry called **{term}**, and nothing close. `glossary_search()` lists every "
            f"term; {MARKDOWN_FILE} at the top of the course folder has them all."
        )


# ------------------------------------------------------------------------- search


def _matches(query: str, items: list[dict]) -> list[dict]:
    """Entries whose name contains the query, then entries whose definition has every word of it."""
    wanted = _key(query)
    by_name = [e for e in items if any(wanted in _key(name) for name in _names(e))]
    words = query.lower().split()
    by_text = [e for e in items if e not in by_name and all(word in e["definition"].lower() for word in words)]
    return by_name + by_text


def search(query: str, limit: int | None = None) -> list[dict]:
    """Entries matching `query`: name matches first, then definitions; typos get close matches."""
    items = entries()
    if not _key(query):
        found = list(items)
    else:
        found = _matches(query, items) or [lookup(name) for name in closest(query)]
    return found[:limit] if limit else found


def _entry_html(entry: dict) -> str:
    parts = [f"<b>{html.escape(entry['term'])}</b>"]
    if entry.get("aliases"):
        parts.append(f" <i>({html.escape(', '.join(entry['aliases'][:3]))})</i>")
    parts.append(f": {html.escape(entry['definition'].strip())}")
    if entry.get("formula"):
        parts.append(f"<br><code>{html.escape(entry['formula'].strip())}</code>")
    if entry.get("convention"):
        parts.append(f"<br><small>In this course: {html.escape(entry['convention'].strip())}</small>")
    return "<li style='margin-bottom:0.4em'>" + "".join(parts) + "</li>"


def search_html(query: str, limit: int = 12) -> str:
    """The HTML list `glossary_search` shows for `query`."""
    found = search(query, limit=None)
    exact = bool(_key(query)) and any(
        _key(query) in _key(name) for e in entries() for name in _names(e)
    ) or any(query.lower() in e["definition"].lower() for e in entries())
    if not found:
        return f"<p>Nothing matches <b>{html.escape(query)}</b>.</p>"
    header = ""
    if query.strip() and not exact:
        header = f"<p>No entry matches <b>{html.escape(query)}</b>; closest:</p>"
    more = len(found) - limit
    items = "".join(_entry_html(e) for e in found[:limit])
    tail = f"<p><i>{more} more: keep typing to narrow down.</i></p>" if more > 0 else ""
    return f"{header}<ul style='padding-left:1.2em'>{items}</ul>{tail}"


def glossary_search(limit: int = 12):
    """A search box over the dictionary: the list below it filters as you type."""
    import ipywidgets as widgets

    box = widgets.Text(
        placeholder="Type a term, e.g. NPS, retention, sample size",
        description="Look up",
        continuous_update=True,
        layout=widgets.Layout(width="60%"),
    )
    results = widgets.HTML(value=search_html("", limit))

    def update(change) -> None:
        results.value = search_html(change["new"], limit)

    box.observe(update, names="value")
    return widgets.VBox([box, results])
