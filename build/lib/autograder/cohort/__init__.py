"""Instructor pipeline for a whole cohort, on top of nbgrader (`python -m autograder.cohort`).

One command per step, or `all` for the whole flow:

- `setup`: import a roster CSV into the gradebook in one go, set due dates and
  release the modules (`roster.py`);
- `collect`: copy submissions from a folder or an LMS zip into `submitted/`,
  mapping file names to students, with a report of what did not match (`collect.py`);
- `grade`: autograde every (student, module) pair in long-lived parallel workers,
  each pair in an isolated workspace, with a journal so a killed run resumes
  (`grade.py`, `worker.py`, `workspace.py`, `journal.py`);
- `feedback`: nbgrader's feedback HTML with the learner's plotly charts drawn (`feedback.py`);
- `export`: nbgrader's grades CSV and an LMS gradebook CSV (`export.py`);
- `report`: one HTML page on where the cohort struggles (`report.py`).

Everything the pipeline keeps (journal, reports, exports) lives in `grading/` in
the course folder; grades live in nbgrader's gradebook.
"""
