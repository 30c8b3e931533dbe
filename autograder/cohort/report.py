"""`report`: one HTML page on the cohort, with plotly charts (plotly.js embedded once, no CDN).

- score distribution per module (every student a dot, after late penalties);
- pass rate per question (a question passes when all its autograded test cells score full points);
- the hardest questions (lowest pass rates);
- who has not submitted what, and every submission whose grading left a note.

First of all, the pairs that need a person: those that did not grade (whole
error, never cut), those to check by hand (tests that did not run as written)
and journal entries the last `grade` run could not trust.
"""

from __future__ import annotations

import html
from pathlib import Path

from autograder.cohort import journal
from autograder.cohort.layout import Course, gradebook
from autograder.cohort.outcomes import CHECK_BY_HAND, sentences
from pmcourse.notebook import grading_structure, module_notebooks

PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]  # Okabe-Ito
HARDEST = 10
UNGRADED = ("failed", "needs_attention")


def question_of(course: Course, module: str) -> dict[str, str]:
    """{test cell grade id: question grade id} from the module's source notebooks."""
    owner = {}
    for path in module_notebooks(course.source / module):
        for question in grading_structure(path).questions:
            for test in question.tests:
                owner[test.grade_id] = question.grade_id
    return owner


def _score_row(module: str, submission) -> dict:
    final = max(0.0, float(submission.score) - float(submission.late_submission_penalty or 0))
    maximum = float(submission.max_score) or 1.0
    return {"module": module, "student": submission.student_id, "score": final, "percent": 100 * final / maximum}


def _test_rows(module: str, submission, owner: dict[str, str]) -> list[dict]:
    """One row per autograded test cell with points: its question and whether it got full points."""
    return [
        {"module": module, "student": submission.student_id, "question": owner.get(grade.name, grade.name),
         "full": (grade.auto_score or 0) >= grade.max_score_gradecell}
        for notebook in submission.notebooks for grade in notebook.grades
        if grade.cell.cell_type == "code" and grade.max_score_gradecell != 0
    ]


def cohort_tables(course: Course):
    """(scores rows, question rows, missing rows) read from the gradebook."""
    scores, tests, submitted = [], [], set()
    with gradebook(course) as gb:
        roster = sorted(s.id for s in gb.students)
        modules = sorted(a.name for a in gb.assignments)
        for module in modules:
            owner = question_of(course, module)
            for submission in gb.assignment_submissions(module):
                submitted.add((submission.student_id, module))
                if (journal.read(course, submission.student_id, module) or {}).get("status") in UNGRADED:
                    continue  # no grade to chart: listed under "Needs attention"
                scores.append(_score_row(module, submission))
                tests += _test_rows(module, submission, owner)
    missing = [(s, m) for m in modules for s in roster if (s, m) not in submitted
               or (journal.read(course, s, m) or {}).get("status") == "not_submitted"]
    return scores, tests, missing, modules


def _charts(scores, per_question, hardest, modules) -> list[str]:
    """The report's three plotly charts as HTML (plotly.js embedded once), each with its caption."""
    import plotly.express as px
    import plotly.io as pio

    sections, first = [], True

    def chart(figure, caption):
        nonlocal first
        figure.update_layout(template="plotly_white", colorway=PALETTE, margin=dict(l=60, r=20, t=60, b=60))
        sections.append(pio.to_html(figure, include_plotlyjs=first, full_html=False))
        sections.append(f"<p class='caption'>{html.escape(caption)}</p>")
        first = False

    if len(scores):
        medians = scores.groupby("module")["percent"].median()
        lowest = medians.idxmin()
        chart(px.box(scores, x="module", y="percent", points="all", hover_data=["student", "score"],
                     color="module", category_orders={"module": modules},
                     title=f"Scores per module: the lowest median is {lowest} ({medians[lowest]:.0f} %)",
                     labels={"percent": "score (% of the module's points, after late penalties)", "module": "module"}),
              "Each dot is one student's submission; the box spans the middle half of the cohort.")
    if len(per_question):
        chart(px.bar(per_question, x="question", y="pass_rate", color="module",
                     title="Pass rate per question: where the cohort gets stuck",
                     labels={"pass_rate": "students passing every test (%)", "question": "question"},
                     range_y=[0, 100]),
              "A question passes when every one of its autograded test cells scores full points.")
        worst = hardest.iloc[0]
        chart(px.bar(hardest.sort_values("pass_rate", ascending=False), x="pass_rate", y="question",
                     orientation="h", color="module", range_x=[0, 100],
                     title=f"The {len(hardest)} hardest questions: {worst['question']} is passed by "
                           f"{worst['pass_rate']:.0f} % of the students",
                     labels={"pass_rate": "students passing every test (%)", "question": ""}),
              "Start the next class with these, hardest first.")
    return sections


def _notes_rows(course: Course) -> str:
    """Table rows of the graded pairs something happened to, in the instructor's words."""
    return "".join(
        f"<tr><td>{html.escape(e['student'])}</td><td>{html.escape(e['module'])}</td><td>{html.escape(e['status'])}</td>"
        f"<td>{html.escape('; '.join(sentences(e)))}</td></tr>"
        for e in journal.entries(course) if e.get("events") and e["status"] != "not_submitted"
    )


def needs_attention(course: Course) -> list[dict]:
    """Journal entries a person must look at: not graded, or graded with an outcome to check by hand."""
    flagged = {o.value for o in CHECK_BY_HAND}
    return [e for e in journal.entries(course)
            if e["status"] in UNGRADED or flagged & set(e.get("outcomes", []))]


def _attention_section(course: Course) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(e['student'])}</td><td>{html.escape(e['module'])}</td>"
        f"<td>{html.escape(e['status'].replace('_', ' '))}</td>"
        f"<td><pre style='white-space:pre-wrap;margin:0'>{html.escape(chr(10).join(sentences(e)))}</pre></td></tr>"
        for e in needs_attention(course)
    )
    rows += "".join(
        f"<tr><td>{html.escape(p['student'])}</td><td>{html.escape(p['module'])}</td><td>journal</td>"
        f"<td>{html.escape(p['problem'])}</td></tr>"
        for p in journal.saved_problems(course)
    )
    count = rows.count("<tr>")
    return (f"<h2>Needs attention ({count})</h2>\n<p>Pairs without a trustworthy grade: not graded (blank in the "
            "exports, whole error shown), tests to check by hand, journal entries that were not trusted.</p>\n"
            "<table><tr><th>student</th><th>module</th><th>status</th><th>what happened</th></tr>"
            f"{rows or '<tr><td colspan=4>nothing</td></tr>'}</table>")


def _target(course: Course, to: Path | None) -> Path:
    if to is None:
        return course.grading / "report.html"
    return to / "report.html" if to.is_dir() or not to.suffix else to


def report(course: Course, to: Path | None = None) -> Path:
    import pandas as pd

    scores, tests, missing, modules = cohort_tables(course)
    scores = pd.DataFrame(scores, columns=["module", "student", "score", "percent"])
    tests = pd.DataFrame(tests, columns=["module", "student", "question", "full"])
    per_question = (
        tests.groupby(["module", "question", "student"])["full"].all()
        .groupby(["module", "question"]).mean().mul(100).rename("pass_rate").reset_index()
    )
    hardest = per_question.sort_values(["pass_rate", "question"]).head(HARDEST)
    sections = _charts(scores, per_question, hardest, modules)
    missing_rows = "".join(f"<tr><td>{html.escape(s)}</td><td>{html.escape(m)}</td></tr>" for s, m in missing)
    notes_rows = _notes_rows(course)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Cohort report: {html.escape(course.course_id or course.root.name)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}}
table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #ccc;padding:4px 8px;text-align:left}}
.caption{{color:#555;margin-top:0}}</style></head><body>
<h1>Cohort report</h1>
<p>{scores['student'].nunique() if len(scores) else 0} students with at least one submission, {len(scores)} submissions
across {len(modules)} modules; {len(missing)} (student, module) pairs not submitted.</p>
{_attention_section(course)}
{''.join(sections)}
<h2>Not submitted ({len(missing)})</h2>
<table><tr><th>student</th><th>module</th></tr>{missing_rows or '<tr><td colspan=2>everyone submitted</td></tr>'}</table>
<h2>Submissions graded with a note</h2>
<table><tr><th>student</th><th>module</th><th>status</th><th>what happened</th></tr>{notes_rows or '<tr><td colspan=4>none</td></tr>'}</table>
<h2>Hardest questions</h2>
<table><tr><th>question</th><th>module</th><th>pass rate</th></tr>
{''.join(f"<tr><td>{html.escape(r.question)}</td><td>{html.escape(r.module)}</td><td>{r.pass_rate:.0f} %</td></tr>" for r in hardest.itertuples())}
</table></body></html>
"""
    target = _target(course, to)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(page, encoding="utf-8")
    return target
