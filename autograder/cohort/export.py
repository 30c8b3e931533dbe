"""`export`: grades as nbgrader's CSV and as an LMS gradebook CSV.

- `grades_nbgrader.csv`: exactly what `nbgrader export` writes (its CsvExportPlugin):
  one row per (assignment, student), raw score, late penalty, score, max score.
- `grades_lms.csv`: one row per student (roster order by id), one column per
  module with the final score (after the late penalty; empty when nothing was
  submitted), then the total. A second header-like row is not written: most
  LMS importers take the points possible from their own assignment settings.

A pair that did not grade (grading failed, or nbgrader cannot grade the
notebook as submitted) is never exported as a zero: its score is left blank in
both files and a last `status` column says "needs attention" and why (the
report lists these pairs first, with the whole error).

In both files, text that came from people (names, e-mails, LMS ids) is CSV-quoted and cannot
run as a spreadsheet formula (`untrusted.py`: OWASP's leading quote).
"""

from __future__ import annotations

import csv
from pathlib import Path

from autograder.cohort import journal
from autograder.cohort.layout import Course, gradebook
from autograder.cohort.untrusted import csv_quoting, neutralise_csv
from autograder.cohort.outcomes import CHECK_BY_HAND, Event, describe

NEEDS_ATTENTION = "needs attention"


def final_scores(course: Course):
    """students, modules, {(student, module): score after the late penalty}, {module: max score}."""
    from nbgrader.api import MissingEntry

    scores = {}
    with gradebook(course) as gb:
        students = [(s.id, s.first_name or "", s.last_name or "", s.email or "", s.lms_user_id or "") for s in gb.students]
        modules = sorted(a.name for a in gb.assignments)
        max_scores = {a.name: float(a.max_score) for a in gb.assignments}
        for module in modules:
            for submission in gb.assignment_submissions(module):
                scores[(submission.student_id, module)] = max(
                    0.0, float(submission.score) - float(submission.late_submission_penalty or 0)
                )
    return sorted(students), modules, scores, max_scores


def pair_status(entry: dict | None) -> tuple[bool, str]:
    """(graded?, status text) of a pair from its journal entry (no entry: graded by stock nbgrader)."""
    if entry is None or entry["status"] == "graded":
        flagged = [e for e in (entry or {}).get("events", []) if e["outcome"] in {o.value for o in CHECK_BY_HAND}]
        return True, "graded; check by hand: " + "; ".join(describe(Event.from_dict(e)) for e in flagged) if flagged else "graded"
    if entry["status"] == "not_submitted":
        return True, "not submitted"
    why = "; ".join(describe(Event.from_dict(e)) for e in entry.get("events", []))
    if entry["status"] == "failed":
        return False, f"{NEEDS_ATTENTION} (grading failed; graded again on the next run): {why}"
    return False, f"{NEEDS_ATTENTION}: {why}"


def pair_statuses(course: Course, students, modules) -> dict[tuple[str, str], tuple[bool, str]]:
    """{(student, module): (graded?, status text)} from the journal."""
    return {(s, m): pair_status(journal.read(course, s, m)) for s in students for m in modules}


def _blank_ungraded(nbgrader_csv: Path, statuses) -> None:
    """Blank the scores of the pairs that did not grade in nbgrader's CSV and add a `status` column."""
    with open(nbgrader_csv, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
        fields = list(rows[0].keys()) if rows else []
    if not fields:
        return
    for row in rows:
        graded, text = statuses.get((row.get("student_id"), row.get("assignment")), (True, "graded"))
        row["status"] = text
        if not graded:
            for column in ("raw_score", "late_submission_penalty", "score"):
                if column in row:
                    row[column] = ""
    with open(nbgrader_csv, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields + ["status"])
        writer.writeheader()
        writer.writerows(rows)


def _lms_status(student_id: str, modules, statuses) -> str:
    texts = [f"{m}: {statuses[(student_id, m)][1]}" for m in modules if not statuses.get((student_id, m), (True,))[0]]
    return "; ".join(texts) if texts else "ok"


def export(course: Course, to: Path | None = None) -> list[Path]:
    from nbgrader.plugins import CsvExportPlugin

    folder = to or course.grading
    folder.mkdir(parents=True, exist_ok=True)
    nbgrader_csv = folder / "grades_nbgrader.csv"
    with gradebook(course) as gb:
        CsvExportPlugin(to=str(nbgrader_csv)).export(csv_quoting(gb))

    students, modules, scores, max_scores = final_scores(course)
    statuses = pair_statuses(course, [s[0] for s in students], modules)
    _blank_ungraded(nbgrader_csv, statuses)
    lms_csv = folder / "grades_lms.csv"
    with open(lms_csv, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "last_name", "first_name", "email", "lms_user_id", *modules, "total", "max_total",
                         "status"])
        for student_id, first, last, email, lms_id in students:
            row = [scores.get((student_id, m)) if statuses[(student_id, m)][0] else None for m in modules]
            total = sum(v for v in row if v is not None)
            writer.writerow([student_id, last, first, email, lms_id,
                             *("" if v is None else f"{v:g}" for v in row),
                             f"{total:g}", f"{sum(max_scores.values()):g}", _lms_status(student_id, modules, statuses)])
    for path in (nbgrader_csv, lms_csv):
        neutralise_csv(path)  # names and e-mails are people's text: no cell may run as a formula
    return [nbgrader_csv, lms_csv]
