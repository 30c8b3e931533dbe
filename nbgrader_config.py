"""nbgrader configuration for the course.

Run nbgrader from the repository root: `solutions/` is the instructor source
(with solutions, hidden tests and mark schemes), `modules/` is the student
version nbgrader generates from it. The gradebook and the submitted/,
autograded/ and feedback/ folders are local state and are not committed.
"""

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = "pm-data-course"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "modules"

# Every generated student notebook starts with the course header.
c.IncludeHeaderFooter.header = "solutions/header.ipynb"

# Per-cell time limit while autograding. `Execute.timeout` is the setting that
# takes effect (not ExecutePreprocessor.timeout). Course cells take < 5 s.
c.Execute.timeout = 30

# A learner who deleted a graded cell gets it back from the gradebook and is graded.
c.OverwriteCells.add_missing_cells = True

# Files that are never copied into a release or a grading folder.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]

# Late policy: 10 % of a notebook's score off per started day late, 0 after 7 days
# (applies when a module has a due date: `python -m autograder.cohort setup --due`).
c.AssignLatePenalties.plugin_class = "autograder.cohort.late.PerDayLatePenalty"

# Feedback never shows hidden tests or mark schemes (nbgrader's stock feedback does, jupyter/nbgrader#917)
# and draws the learner's plotly charts: for `nbgrader generate_feedback`, the Formgrader's
# "Generate Feedback" button and `python -m autograder.cohort feedback` alike.
c.GenerateFeedback.preprocessors = [
    "autograder.cohort.feedback.HideGraderSecrets",
    "nbgrader.preprocessors.GetGrades",
    "autograder.cohort.feedback.PlotlyToHTML",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
