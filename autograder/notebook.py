"""The notebook-structure helpers now live in `pmcourse.notebook` (below both packages); these names stay importable here."""

from pmcourse.notebook import (  # noqa: F401
    GRADING_CELL_TIMEOUT_S,
    HIDDEN_TESTS_MARKER,
    NotebookGrading,
    Question,
    TestCell,
    cell_error,
    grading_structure,
    is_autograder_test,
    is_manual_answer,
    is_solution_code,
    module_notebooks,
    nbgrader_meta,
    read_notebook,
)
