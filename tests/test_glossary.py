"""The product-management dictionary: complete, correct, current and findable.

- Every entry is well formed; anchors, names and cross-references resolve;
  no entry names a notebook that does not exist.
- Every term of the course's PM reference and of the glossary issue has an entry.
- Every worked example with a formula is recomputed here, with an
  implementation written in this file (or scipy/statsmodels/vaderSentiment),
  and must equal the number the example shows; examples taken from the course
  data must match the data.
- Coverage: every glossary or watched term in a solution notebook's headings,
  question prompts or mark schemes has an entry listing that notebook, and
  every all-caps acronym in a heading or prompt is in the glossary or the
  explicit non-PM allow-list. A synthetic notebook proves that a new term fails.
- GLOSSARY.md is what `python -m autograder.glossary_tools` generates.
- `define`, `glossary_search` and `link_first_uses` behave for a learner.
"""

from __future__ import annotations

import math
import re
import tomllib
from pathlib import Path

import nbformat
import numpy as np
import pytest
import yaml
from scipy import stats
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from autograder import glossary_tools
from pmcourse import glossary
from pmcourse.data import load

REPO = Path(__file__).resolve().parents[1]
ENTRIES = glossary.entries()
FIELDS = set(glossary.REQUIRED_FIELDS) | set(glossary.OPTIONAL_FIELDS)

# The PM reference's methods and the list: each must have an entry.
REQUIRED_TERMS = [
    # PM-REFERENCE.md
    "RICE", "ICE", "WSJF", "cost of delay", "MoSCoW", "Kano", "Kano categories", "better coefficient",
    "NPS", "promoter", "detractor", "CSAT", "CES", "SUS", "Sentiment", "Cronbach's alpha",
    "TAM", "SAM", "SOM", "top-down", "bottom-up", "CAGR", "Van Westendorp", "OPP", "IPP",
    "PMC", "PME", "Wilson interval", "confidence interval", "Funnel", "Retention", "DAU",
    "MAU", "DAU/MAU", "A/B test", "two-proportion z-test", "sample ratio", "Sample size",
    "MDE", "Lift", "statistical power",
    # the issue
    "north-star metric", "cohort", "stickiness", "sample-ratio mismatch", "PRD", "RACI",
    # the brief's acronyms
    "SRM", "KPI", "OKR",
]

# Entries with a formula that no test can recompute from a worked example.
NOT_COMPUTABLE: dict[str, str] = {}


# ------------------------------------------------ implementations, written here


def nps(scores):
    s = np.asarray(scores)
    return 100 * ((s >= 9).mean() - (s <= 6).mean())


def csat(answers):
    return 100 * (np.asarray(answers) >= 4).mean()


def ces(answers):
    return float(np.mean(answers))


def sus(answers):
    a = np.asarray(answers)
    return 2.5 * ((a[0::2] - 1).sum() + (5 - a[1::2]).sum())


def cronbach_alpha(answers):
    x = np.asarray(answers, dtype=float)
    k = x.shape[1]
    return k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))


KANO_TABLE = {  # PM-REFERENCE.md: rows functional, columns dysfunctional
    "Like": "QAAAO",
    "Expect": "RIIIM",
    "Neutral": "RIIIM",
    "Live-with": "RIIIM",
    "Dislike": "RRRRQ",
}
KANO_ANSWERS = ["Like", "Expect", "Neutral", "Live-with", "Dislike"]


def kano_category(functional, dysfunctional):
    return KANO_TABLE[functional][KANO_ANSWERS.index(dysfunctional)]


def kano_coefficients(A, O, M, I):  # noqa: E741 - the method's own letters
    return [(A + O) / (A + O + M + I), -(O + M) / (A + O + M + I)]


def sample_size(p1, p2, alpha, power):
    """Per-arm size with Cohen's h, the course's convention (m04), computed by statsmodels."""
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    return math.ceil(NormalIndPower().solve_power(proportion_effectsize(p2, p1), alpha=alpha, power=power))


def mix_and_rate(w0, r0, w1, r1):
    """[total rate effect, total mix effect], the midpoint decomposition (m05 02)."""
    w0, r0, w1, r1 = map(np.asarray, (w0, r0, w1, r1))
    overall0, overall1 = (w0 * r0).sum(), (w1 * r1).sum()
    rate = ((w0 + w1) / 2 * (r1 - r0)).sum()
    mix = ((w1 - w0) * ((r0 + r1) / 2 - (overall0 + overall1) / 2)).sum()
    assert np.isclose(rate + mix, overall1 - overall0), "the decomposition should add up exactly"
    return [round(float(rate), 12), round(float(mix), 12)]


def vader_compound(text):
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer().polarity_scores(text)["compound"]


METHODS = {
    "rice": lambda reach, impact, confidence, effort: reach * impact * confidence / effort,
    "ice": lambda impact, confidence, ease: impact * confidence * ease,
    "cost_of_delay": lambda value, time_criticality, risk_reduction: value + time_criticality + risk_reduction,
    "wsjf": lambda value, time_criticality, risk_reduction, job_size: [
        value + time_criticality + risk_reduction,
        (value + time_criticality + risk_reduction) / job_size,
    ],
    "kano_category": kano_category,
    "kano_coefficients": kano_coefficients,
    "opportunity_score": lambda importance, satisfaction: importance + max(importance - satisfaction, 0),
    "capacity": lambda headcount, working_days, pto_days, focus_factor: (
        (headcount * working_days - pto_days) * focus_factor
    ),
    "nps": nps,
    "csat": csat,
    "ces": ces,
    "sus": sus,
    "cronbach_alpha": cronbach_alpha,
    "vader_compound": vader_compound,
    "product": lambda factors: math.prod(factors),
    "ratio": lambda part, whole: part / whole,
    "ratio_percent": lambda part, whole: 100 * part / whole,
    "cagr_percent": lambda start, end, periods: 100 * ((end / start) ** (1 / periods) - 1),
    "funnel": lambda counts: [*(b / a for a, b in zip(counts, counts[1:])), counts[-1] / counts[0]],
    "ltv": lambda arpu, margin, churn: arpu * margin / churn,
    "roi_percent": lambda gain, cost: 100 * (gain - cost) / cost,
    "lift_percent": lambda treatment, control: 100 * (treatment - control) / control,
    "wilson": lambda successes, n: list(proportion_confint(successes, n, alpha=0.05, method="wilson")),
    "two_proportion_z": lambda x1, n1, x2, n2: list(proportions_ztest([x1, x2], [n1, n2])),
    "srm": lambda counts, shares: list(
        stats.chisquare(counts, [share * sum(counts) for share in shares])
    ),
    "sample_size": sample_size,
    "swing_of_product": lambda factors, moved, change: abs(
        math.prod(f * (1 + change) if i == moved else f for i, f in enumerate(factors))
        - math.prod(f * (1 - change) if i == moved else f for i, f in enumerate(factors))
    ),
    "mix_and_rate": mix_and_rate,
    "progress_to_target": lambda baseline, target, current: (current - baseline) / (target - baseline),
}


CHECKS = [
    pytest.param(entry, check, id=f"{entry['anchor']}-{i}")
    for entry in ENTRIES
    for i, check in enumerate(entry.get("check", []))
]


# ----------------------------------------------------------------- the data file


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e["anchor"])
def test_entry_is_well_formed(entry):
    name = entry.get("term", "?")
    missing = [f for f in glossary.REQUIRED_FIELDS if f not in entry]
    assert not missing, f"{name}: missing fields {missing}"
    unknown = set(entry) - FIELDS
    assert not unknown, f"{name}: unknown fields {sorted(unknown)} (typo?)"
    assert entry["anchor"] == github_slug(entry["term"]), (
        f"{name}: anchor should be {github_slug(entry['term'])!r} (the GitHub slug of the term), "
        "so links work on the repository host and in JupyterLab"
    )
    for field in ("definition", "formula", "convention", "example"):
        if field in entry:
            assert isinstance(entry[field], str) and entry[field].strip(), f"{name}: empty {field}"
    for field in ("aliases", "related", "notebooks"):
        assert isinstance(entry[field], list), f"{name}: {field} should be a list"
    assert entry["definition"].strip().endswith((".", ")", '"')), f"{name}: definition is not a sentence"


def test_anchors_and_names_are_unique():
    anchors = [e["anchor"] for e in ENTRIES]
    assert len(anchors) == len(set(anchors)), "two entries share an anchor"
    owner: dict[str, str] = {}
    for entry in ENTRIES:
        names = glossary._names(entry)
        assert len(names) == len(set(names)), f"'{entry['term']}' repeats a name"
        for name in names:  # spelling variants of one entry ("p-value", "p value") may share a key
            key = glossary._key(name)
            assert owner.get(key, entry["term"]) == entry["term"], (
                f"'{name}' of '{entry['term']}' is also a name of '{owner[key]}'"
            )
            owner[key] = entry["term"]


def test_related_terms_exist():
    for entry in ENTRIES:
        for name in entry["related"]:
            target = glossary.lookup(name)
            assert target is not None and target["term"] == name, (
                f"'{entry['term']}' relates to '{name}', which is not an entry's term"
            )
            assert name != entry["term"], f"'{name}' relates to itself"


def test_no_entry_refers_to_a_notebook_that_does_not_exist():
    for entry in ENTRIES:
        for notebook in entry["notebooks"]:
            assert (REPO / "solutions" / notebook).is_file(), (
                f"'{entry['term']}' lists {notebook}, which is not in solutions/"
            )


@pytest.mark.parametrize("term", REQUIRED_TERMS)
def test_reference_terms_have_entries(term):
    assert glossary.lookup(term) is not None, f"no glossary entry for '{term}'"


def test_watched_terms_and_acronyms_have_entries():
    data = glossary.glossary_data()
    lacking = [term for term in data["watch"] if glossary.lookup(term) is None]
    assert not lacking, f"watched terms without an entry: {lacking}"
    overlap = glossary_tools.allow_listed_glossary_acronyms()
    assert not overlap, f"acronyms both allow-listed as not PM and defined in the glossary: {overlap}"


def test_an_allow_listed_acronym_with_an_entry_is_found(tmp_path):
    path = tmp_path / "glossary.yaml"
    path.write_text(
        "entries:\n"
        "  - {term: Net Promoter Score, anchor: nps, aliases: [NPS], definition: d, related: [], notebooks: []}\n"
        "not_pm_acronyms: [NPS, CSV]\nwatch: []\n",
        encoding="utf-8",
    )
    assert glossary_tools.allow_listed_glossary_acronyms(str(path)) == {"NPS"}
    assert glossary_tools.known_acronyms(str(path)) == {"NPS", "CSV"}


def test_glossary_ships_inside_the_package():
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    data = config["tool"]["setuptools"]["package-data"]
    assert "glossary.yaml" in data.get("pmcourse", []), "add glossary.yaml to pmcourse's package-data"
    assert glossary.GLOSSARY_FILE.parent == Path(glossary.__file__).parent


# ------------------------------------------------------------- formula checks


def _decimals(number) -> int:
    text = repr(number)
    return len(text.split(".")[1]) if "." in text else 0


def _shown(number, example: str) -> bool:
    """Whether `number` is written in `example` (thousands separators ignored)."""
    plain = re.sub(r"(?<=\d),(?=\d{3})", "", example)
    return re.search(rf"(?<![\d.]){re.escape(repr(number))}(?![\d])", plain) is not None


@pytest.mark.parametrize("entry, check", CHECKS)
def test_worked_example_is_right(entry, check):
    method = METHODS[check["method"]]
    got = method(**check["inputs"])
    expected = check["expected"]
    got_list = got if isinstance(got, list) else [got]
    expected_list = expected if isinstance(expected, list) else [expected]
    assert len(got_list) == len(expected_list), f"{entry['term']}: expected {expected}, computed {got}"
    for value, want in zip(got_list, expected_list):
        if isinstance(want, str):
            assert value == want, f"{entry['term']}: the example says {want}, the method gives {value}"
            continue
        tolerance = 1e-6 if isinstance(want, int) else 0.5 * 10 ** -_decimals(want) + 1e-12
        assert abs(float(value) - want) <= tolerance, (
            f"{entry['term']}: the example says {want}, but {check['method']}"
            f"({check['inputs']}) = {value}"
        )
        assert _shown(want, entry["example"]), (
            f"{entry['term']}: the checked number {want!r} is not written in the example text"
        )


@pytest.mark.parametrize("entry, check", [c for c in CHECKS if "data" in c.values[1]])
def test_worked_example_inputs_come_from_the_course_data(entry, check):
    source = check["data"]
    table = load(source["table"])
    if "first" in source:
        table = table.head(source["first"])
    for column, value in source.get("rows", {}).items():
        table = table[table[column].astype(str) == str(value)]
    assert len(table), f"{entry['term']}: no rows of {source['table']} match {source}"
    for name, columns in source["inputs"].items():
        if isinstance(columns, list):
            assert len(table) == 1, f"{entry['term']}: a list of columns needs exactly one row"
            actual = [table[c].iloc[0] for c in columns]
        elif "first" in source:
            actual = list(table[columns])
        else:
            assert len(table) == 1, f"{entry['term']}: expected one row of {source['table']}"
            actual = table[columns].iloc[0]
        assert np.allclose(np.asarray(actual, dtype=float), np.asarray(check["inputs"][name], dtype=float)), (
            f"{entry['term']}: input {name} is {check['inputs'][name]} in the glossary but "
            f"{actual} in {source['table']}"
        )


def test_every_formula_is_checked():
    unchecked = [
        e["term"] for e in ENTRIES if e.get("formula") and not e.get("check") and e["term"] not in NOT_COMPUTABLE
    ]
    assert not unchecked, f"entries with a formula but no worked example the tests recompute: {unchecked}"
    unknown = {c["method"] for e in ENTRIES for c in e.get("check", [])} - set(METHODS)
    assert not unknown, f"checks name methods this test does not implement: {unknown}"


def test_pm_reference_examples_are_checked():
    """The worked examples PM-REFERENCE.md gives are in the glossary and recomputed."""
    wanted = {
        "RICE": 800,
        "SUS": 85.0,
        "Wilson interval": [0.3561, 0.5476],
        "Two-proportion z-test": [2.502, 0.0124],
        "CAGR": 23.86,
    }
    for term, expected in wanted.items():
        checks = glossary.lookup(term).get("check", [])
        assert any(c["expected"] == expected for c in checks), f"{term}: the reference example {expected} is not checked"


def test_known_wrong_answers_are_rejected():
    """The checks would catch the classic mistakes (promoters from 8, CAGR over data points)."""
    nps_check = glossary.lookup("NPS")["check"][0]
    scores = nps_check["inputs"]["scores"]
    s = np.asarray(scores)
    from_eight = 100 * ((s >= 8).mean() - (s <= 6).mean())
    assert abs(from_eight - nps_check["expected"]) > 0.05
    cagr = glossary.lookup("CAGR")["check"][0]["inputs"]
    over_points = 100 * ((cagr["end"] / cagr["start"]) ** (1 / (cagr["periods"] + 1)) - 1)
    assert abs(over_points - 23.86) > 0.005


# ------------------------------------------------------------------ the page


def test_glossary_md_is_current():
    page = (REPO / glossary.MARKDOWN_FILE).read_text(encoding="utf-8")
    assert page == glossary_tools.render_glossary(), "GLOSSARY.md is stale: run `python -m autograder.glossary_tools`"
    assert glossary_tools.main(["--check"]) == 0


def test_glossary_md_has_an_anchor_per_entry():
    page = glossary_tools.render_glossary()
    for entry in ENTRIES:
        assert f'<a id="{entry["anchor"]}"></a>' in page
        assert f"\n### {entry['term']}\n" in page
    for target in re.findall(r"\]\(#([^)]+)\)", page):
        assert f'<a id="{target}"></a>' in page, f"GLOSSARY.md links to #{target}, which is not an anchor"


# ------------------------------------------------------------------ coverage


SOLUTIONS = glossary_tools.solution_notebooks()


@pytest.mark.parametrize("path", SOLUTIONS, ids=glossary_tools.notebook_id)
def test_notebook_terms_are_in_the_glossary(path):
    problems = glossary_tools.coverage_problems([path])
    assert not problems, "\n".join(problems)


def _synthetic_notebook(folder: Path, heading: str, prompt: str, scheme: str = "") -> Path:
    module = folder / "solutions" / "m09_synthetic"
    module.mkdir(parents=True)
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# A synthetic notebook\n\n**Where you are in the internship.** ..."),
        nbformat.v4.new_markdown_cell(f"### Q1.1 {heading} (2 points)\n\n{prompt}"),
        nbformat.v4.new_code_cell("answer = 1"),
    ]
    if scheme:
        cell = nbformat.v4.new_markdown_cell(f"### BEGIN MARK SCHEME\n{scheme}\n### END MARK SCHEME")
        cell.metadata["nbgrader"] = {"task": True, "grade": False, "solution": False}
        nb.cells.append(cell)
    path = module / "01_synthetic.ipynb"
    nbformat.write(nb, str(path))
    return path


def test_coverage_fails_on_a_new_acronym(tmp_path):
    path = _synthetic_notebook(tmp_path, "Compute the XYZQ score", "Use the ZQR method.")
    problems = glossary_tools.coverage_problems([path])
    assert any("'XYZQ'" in p for p in problems), problems
    assert any("'ZQR'" in p for p in problems), problems


def test_coverage_fails_when_an_entry_does_not_list_the_notebook(tmp_path):
    path = _synthetic_notebook(tmp_path, "Rank by RICE", "Then compute the NPS and its retention.")
    problems = "\n".join(glossary_tools.coverage_problems([path]))
    for term in ("RICE", "NPS", "Retention"):
        assert f"`notebooks` of '{term}'" in problems, problems


def test_coverage_fails_on_a_watched_term_the_glossary_lacks(tmp_path):
    data = yaml.safe_load(glossary.GLOSSARY_FILE.read_text(encoding="utf-8"))
    data["entries"] = [e for e in data["entries"] if e["term"] not in ("OKR", "Cohort")]
    smaller = tmp_path / "glossary.yaml"
    smaller.write_text(yaml.safe_dump(data), encoding="utf-8")
    path = _synthetic_notebook(
        tmp_path, "Draft an OKR", "Keep it short.", scheme="1 point for naming the cohort."
    )
    problems = "\n".join(glossary_tools.coverage_problems([path], glossary=smaller))
    assert "uses 'OKR', which has no glossary entry" in problems, problems
    assert "uses 'cohort', which has no glossary entry" in problems, problems  # from the mark scheme
    assert "acronym 'OKR'" in problems, problems


def test_coverage_passes_allowed_acronyms_and_code(tmp_path):
    path = _synthetic_notebook(
        tmp_path, "Read the CSV", "Load it with `load(\"nps_survey\")`; the ID column is `RESPONSE_ID`."
    )
    assert glossary_tools.coverage_problems([path]) == []


def test_sections_skip_solutions_and_keep_prompts():
    nb = nbformat.v4.new_notebook()
    answer = nbformat.v4.new_markdown_cell("### BEGIN SOLUTION\nOur NPS rose.\n### END SOLUTION")
    answer.metadata["nbgrader"] = {"solution": True, "grade": True, "points": 3}
    nb.cells = [
        nbformat.v4.new_markdown_cell("## Part 1\n\nIntro text about CSAT.\n\n### Q1.1 Do it (1 point)\n\nUse the CES."),
        answer,
    ]
    sections = glossary_tools.notebook_sections(nb)
    assert "Use the CES." in sections["prompts"]
    assert "CSAT" not in sections["prompts"] + sections["headings"]
    assert "NPS" not in "".join(sections.values())
    assert "BEGIN" not in sections["headings"]


# --------------------------------------------------------- findable in a notebook


def test_define_shows_an_entry(capsys):
    assert glossary.define("NPS") is None
    out = capsys.readouterr().out
    assert "#### NPS" in out and "promoters" in out.lower() and "-100" in out
    glossary.define("net promoter score")
    assert "#### NPS" in capsys.readouterr().out
    glossary.define("dau/mau")
    assert "#### DAU/MAU" in capsys.readouterr().out


@pytest.mark.parametrize("typo, meant", [("NSP", "NPS"), ("Net Promotor Score", "NPS"),
                                          ("retension", "Retention"), ("Cronbachs alfa", "Cronbach's alpha"),
                                          ("wsfj", "WSJF")])
def test_define_suggests_close_matches(typo, meant, capsys):
    glossary.define(typo)
    out = capsys.readouterr().out
    assert "No entry called" in out and meant in out, out


def test_define_never_raises_on_nonsense(capsys):
    glossary.define("qqqqqqq")
    assert "nothing close" in capsys.readouterr().out


def test_define_renders_markdown_in_a_kernel(monkeypatch):
    shown = []
    monkeypatch.setattr(glossary, "_in_a_notebook", lambda: True)
    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj))
    glossary.define("SUS")
    assert len(shown) == 1 and isinstance(shown[0], IPython.display.Markdown)
    assert "2.5" in shown[0].data


def test_glossary_search_filters_as_you_type():
    import ipywidgets as widgets

    box = glossary.glossary_search()
    assert isinstance(box, widgets.VBox)
    text, results = box.children
    assert isinstance(text, widgets.Text) and isinstance(results, widgets.HTML)
    assert text.continuous_update
    everything = results.value
    text.value = "retention"
    assert "<b>Retention</b>" in results.value and results.value != everything
    assert "<b>NPS</b>" not in results.value
    text.value = "stickiness"
    assert "<b>DAU/MAU</b>" in results.value
    text.value = "retension"
    assert "closest" in results.value and "<b>Retention</b>" in results.value
    text.value = "<script>"
    assert "<script>" not in results.value


def test_search_finds_by_definition():
    found = [e["term"] for e in glossary.search("recommend")]
    assert "NPS" in found


# ---------------------------------------------------------------- linking


def test_link_first_uses_links_once_with_a_relative_path():
    text = "The NPS is a loyalty measure. Compute NPS per plan, then the Net Promoter Score by month."
    linked = glossary_tools.link_first_uses(text)
    assert linked.count("](../../GLOSSARY.md#nps)") == 1
    assert linked.startswith("The [NPS](../../GLOSSARY.md#nps) is")
    target = (REPO / "solutions" / "m00_orientation" / "../../GLOSSARY.md").resolve()
    assert target == (REPO / "GLOSSARY.md").resolve()


def test_link_first_uses_leaves_headings_code_math_and_links_alone():
    text = (
        "### Q1.2 Rank by RICE (3 points)\n\n"
        "Use `rice(df)` on the RICE inputs; see [the RICE page](https://example.org/RICE).\n"
        "$NPS = P - D$ and then NPS, and Cronbach's alpha, not the alpha level."
    )
    seen: set[str] = set()
    linked = glossary_tools.link_first_uses(text, seen)
    assert linked.splitlines()[0] == "### Q1.2 Rank by RICE (3 points)"
    assert "`rice(df)` on the [RICE](../../GLOSSARY.md#rice) inputs" in linked
    assert "[the RICE page](https://example.org/RICE)" in linked
    assert "$NPS = P - D$ and then [NPS](../../GLOSSARY.md#nps)" in linked
    assert "[Cronbach's alpha](../../GLOSSARY.md#cronbachs-alpha)" in linked
    assert {"rice", "nps", "cronbachs-alpha"} <= seen
    again = glossary_tools.link_first_uses("More RICE and NPS.", seen)
    assert again == "More RICE and NPS.", "a term already linked in this notebook is not linked again"


def test_link_targets_exist_in_the_page():
    page = glossary_tools.render_glossary()
    text = " ".join(e["term"] for e in ENTRIES)
    for anchor in re.findall(r"GLOSSARY\.md#([\w-]+)\)", glossary_tools.link_first_uses(text)):
        assert f'<a id="{anchor}"></a>' in page


def test_link_notebook_dry_run_and_write(tmp_path):
    path = _synthetic_notebook(tmp_path, "Rank by RICE", "Compute the RICE score, then the NPS.")
    before = path.read_bytes()
    linked = glossary_tools.link_notebook(path)
    assert set(linked) == {"rice", "nps"} and path.read_bytes() == before
    glossary_tools.link_notebook(path, write=True)
    nb = nbformat.read(str(path), as_version=4)
    nbformat.validate(nb)
    assert "Compute the [RICE score](../../GLOSSARY.md#rice), then the [NPS](../../GLOSSARY.md#nps)." in nb.cells[1].source
    assert nb.cells[1].source.startswith("### Q1.1 Rank by RICE (2 points)")


def test_exported_from_the_package():
    import pmcourse

    assert pmcourse.define is glossary.define
    assert pmcourse.glossary_search is glossary.glossary_search
