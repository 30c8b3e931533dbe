"""`export`: grades as nbgrader's CSV and as an LMS gradebook CSV.

- `grades_nbgrader.csv`: exactly what `nbgrader export` writes (its CsvExportPlugin):
  one row per (assignment, student), raw score, late penalty, score, max score.
- `grades_lms.csv`: one row per student (roster order by id), one column per
  module with the final score (after the late penalty; empty when nothing was
  submitted), then the total. A second header-like row is not written: most
  LMS importers take the points possible from their own assignment settings.

In both files, text that came from people (names, e-mails, LMS ids) is CSV-quoted and cannot
run as a spreadsheet formula (`untrusted.py`: OWASP's leading quote).
"""

from __future__ import annotations

import csv
from pathlib import Path

from autograder.cohort.layout import Course, gradebook
from autograder.cohort.untrusted import csv_quoting, neutralise_csv


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


def export(course: Course, to: Path | None = None) -> list[Path]:
    from nbgrader.plugins import CsvExportPlugin

    folder = to or course.grading
    folder.mkdir(parents=True, exist_ok=True)
    nbgrader_csv = folder / "grades_nbgrader.csv"
    with gradebook(course) as gb:
        CsvExportPlugin(to=str(nbgrader_csv)).export(csv_quoting(gb))

    students, modules, scores, max_scores = final_scores(course)
    lms_csv = folder / "grades_lms.csv"
    with open(lms_csv, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "last_name", "first_name", "email", "lms_user_id", *modules, "total", "max_total"])
        for student_id, first, last, email, lms_id in students:
            row = [scores.get((student_id, m)) for m in modules]
            total = sum(v for v in row if v is not None)
            writer.writerow([student_id, last, first, email, lms_id,
                             *("" if v is None else f"{v:g}" for v in row),
                             f"{total:g}", f"{sum(max_scores.values()):g}"])
    for path in (nbgrader_csv, lms_csv):
        neutralise_csv(path)  # names and e-mails are people's text: no cell may run as a formula
    return [nbgrader_csv, lms_csv]
