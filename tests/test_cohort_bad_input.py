"""Bad submissions in one parallel batch: each gets a status saying what happened, no other grade moves.

One fixture submission per case (`tests/fixtures/submissions/*.yaml`), built at
test time from m00's student notebook, all graded together by
`python -m autograder.cohort grade` with two workers.
"""

import html
import json

import nbformat
import pytest

from autograder.cohort.grade import grade
from autograder.cohort.outcomes import Event, Outcome, describe
from autograder.cohort.layout import Course
from cohort_fixtures import (
    MODULE,
    build_course,
    expected_scores,
    fixture_specs,
    make_submission,
    student_of,
)

SPECS = fixture_specs()


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cohort_bad_input")
    students = {case: student_of(case, spec) for case, spec in SPECS.items()}
    build_course(folder, sorted(students.values()))
    for case, spec in SPECS.items():
        make_submission(folder, students[case], spec)
    course = Course(folder)
    results = grade(course, workers=2, progress=False)
    return course, students, {r["student"]: r for r in results}


def test_every_submission_has_a_result(batch):
    course, students, results = batch
    assert set(results) == set(students.values())
    assert all(r["status"] == SPECS_BY_STUDENT[s]["expect"].get("status", "graded") for s, r in results.items()), {
        s: (r["status"], r["outcomes"]) for s, r in results.items()
        if r["status"] != SPECS_BY_STUDENT[s]["expect"].get("status", "graded")
    }


@pytest.mark.parametrize("case", sorted(SPECS))
def test_case_scores_and_status(batch, case):
    course, students, results = batch
    spec, result = SPECS[case], results[students[case]]
    expect = spec["expect"]
    got = set(result["outcomes"]) - {Outcome.RETRIED_BUSY.value}  # a busy machine is not the submission's doing
    assert got == set(expect["outcomes"]), f"{case}: outcomes {sorted(got)}, expected {sorted(expect['outcomes'])}"
    assert result["status"] == expect.get("status", "graded"), result
    wanted = expected_scores(course.root, spec)
    if wanted is not None:
        got = {cell: result["auto_scores"].get(cell, 0.0) for cell in wanted}
        assert got == wanted, f"{case}: test-cell scores {got}, expected {wanted} ({result['outcomes']})"
    if "penalty_share" in expect:
        assert result["late_penalty"] == pytest.approx(expect["penalty_share"] * result["score"]), result
    graded = course.autograded / students[case] / MODULE
    if "output" in expect:
        text = "".join(nb.read_text() for nb in graded.glob("*.ipynb"))
        assert expect["output"] in text, f"{case}: expected {expect['output']!r} in the graded notebook"
    if "max_autograded_kb" in expect:
        size = sum(nb.stat().st_size for nb in graded.glob("*.ipynb")) / 1024
        usual = sum(nb.stat().st_size for nb in (course.autograded / "right" / MODULE).glob("*.ipynb")) / 1024
        assert size - usual < expect["max_autograded_kb"], f"{case}: graded notebook is {size - usual:.0f} KB larger"


def test_next_student_still_gets_the_original_datasets(batch):
    """Full-score pairs graded after the dataset-changer on the same worker prove the data was restored."""
    course, students, results = batch
    changer = results[students["changes_datasets"]]
    later = [
        r for r in results.values()
        if r["worker"] == changer["worker"] and r["finished"] > changer["finished"]
        and SPECS_BY_STUDENT[r["student"]]["expect"].get("lost") == []
    ]
    assert later, "no full-score submission was graded after the dataset-changer on its worker"
    for r in later:
        assert r["score"] - r["late_penalty"] > 0 and Outcome.DATASETS_CHANGED.value not in r["outcomes"]
        wanted = expected_scores(course.root, SPECS_BY_STUDENT[r["student"]])
        assert {c: r["auto_scores"].get(c, 0.0) for c in wanted} == wanted, r


SPECS_BY_STUDENT = {student_of(case, spec): spec for case, spec in SPECS.items()}


def test_journal_and_gradebook_agree(batch):
    course, students, results = batch
    from autograder.cohort.export import final_scores

    _, _, scores, _ = final_scores(course)
    for student, result in results.items():
        entry = json.loads((course.journal / MODULE / f"{student}.json").read_text())
        assert entry["score"] == result["score"]
        assert scores[(student, MODULE)] == pytest.approx(max(0.0, result["score"] - result["late_penalty"]))


def test_workspace_had_no_solutions_or_hidden_tests(batch):
    course, students, results = batch
    graded = course.autograded / students["reads_solutions"] / MODULE
    notebook = nbformat.read(str(next(graded.glob("*.ipynb"))), as_version=4)
    printed = [o.get("text", "") for c in notebook.cells for o in c.get("outputs", []) if o.get("output_type") == "stream"]
    assert any("LEAKS: []" in text for text in printed), printed


def test_feedback_shows_the_learners_plotly_charts(batch):
    from autograder.cohort.feedback import feedback

    course, students, results = batch
    summary = feedback(course, students=["right", "blank"])
    assert "0 failed" in summary, summary
    page = next((course.feedback / "right" / MODULE).glob("*.html")).read_text(encoding="utf-8")
    assert page.count("Plotly.newPlot") >= 1, "the learner's plotly figures are missing from the feedback"
    assert page.count("plotly.js v") == 1 or page.count("* plotly.js") == 1, "plotly.js should be embedded exactly once"
    assert 'src="https://cdn.plot.ly' not in page, "plotly.js must be embedded, not loaded from a CDN"


def test_exports_and_report(batch):
    import csv

    from autograder.cohort.export import export
    from autograder.cohort.report import report

    course, students, results = batch
    nbgrader_csv, lms_csv = export(course)
    rows = list(csv.DictReader(open(nbgrader_csv)))
    assert {r["student_id"] for r in rows} == set(students.values())
    lms = list(csv.DictReader(open(lms_csv)))
    assert len(lms) == len(students) and MODULE in lms[0]
    late = next(r for r in lms if r["student_id"] == "late")
    assert float(late[MODULE]) == pytest.approx(results["late"]["score"] - results["late"]["late_penalty"])
    page = report(course).read_text(encoding="utf-8")
    assert page.count("Plotly.newPlot") == 3 and "hardest" in page
    assert "<h2>Not submitted (0)</h2>" in page, "every student of the batch submitted"
    for event in results[students["kernel_exit"]]["events"]:  # what happened, in the instructor's words
        assert html.escape(describe(Event.from_dict(event))) in page


def test_a_pair_that_did_not_grade_is_never_exported_as_zero(batch):
    """Blank score and a status in both exports; listed first in the report, with the whole error."""
    import csv

    from autograder.cohort.export import export
    from autograder.cohort.report import report

    course, students, results = batch
    broken = students["invalid_notebook"]
    assert results[broken]["status"] == "needs_attention"
    nbgrader_csv, lms_csv = export(course)
    row = next(r for r in csv.DictReader(open(nbgrader_csv)) if r["student_id"] == broken)
    assert row["score"] == "" and row["status"].startswith("needs attention"), row
    lms = {r["student_id"]: r for r in csv.DictReader(open(lms_csv))}
    assert lms[broken][MODULE] == "" and "needs attention" in lms[broken]["status"]
    assert lms["right"]["status"] == "ok" and float(lms["right"][MODULE]) > 0
    error = next(e for e in results[broken]["events"] if e["outcome"] == Outcome.NOT_GRADABLE.value)["detail"]["error"]
    assert len(error) > 300 and "'source' is a required property" in error, "the whole exception, not cut off"
    page = report(course).read_text(encoding="utf-8")
    attention = page[page.index("<h2>Needs attention"):page.index("<h2>Not submitted")]
    assert page.index("<h2>Needs attention") < page.index("Plotly.newPlot"), "listed first"
    assert html.escape(error) in attention
    for case in ("transformer_attack", "transformer_post_attack", "ast_transformer_attack", "transform_cell_attack"):
        assert f"<td>{students[case]}</td>" in attention, f"{case}: a tampered pair is a line for the instructor"


def test_a_deterministic_failure_is_not_graded_again_and_grade_stops_failing(batch):
    from autograder.cohort.__main__ import main

    course, students, results = batch
    broken = students["invalid_notebook"]
    code = main(["grade", "--course", str(course.root), "--student", broken, "--student", "right", "-q"])
    assert code == 0, "a pair already known to need attention does not fail every later run"
    entry = json.loads((course.journal / MODULE / f"{broken}.json").read_text())
    assert entry["finished"] == results[broken]["finished"], "not graded again while its files stay the same"
