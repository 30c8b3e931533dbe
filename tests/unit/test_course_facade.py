"""The one nbgrader façade: paths from CourseDirectory (custom layouts included), gradebook URL, config overrides."""

from __future__ import annotations

import pytest

from autograder.cohort.layout import Course


@pytest.fixture
def custom(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        "c.CourseDirectory.course_id = 'demo'\n"
        "c.CourseDirectory.source_directory = 'solutions'\n"
        "c.CourseDirectory.release_directory = 'modules'\n"
        "c.CourseDirectory.submitted_directory = 'handed_in'\n"
        "c.CourseDirectory.directory_structure = '{nbgrader_step}/{assignment_id}/{student_id}'\n"
        "c.Execute.timeout = 12\n",
        encoding="utf-8",
    )
    return tmp_path


def test_paths_follow_the_configured_directory_structure(custom):
    course = Course(custom)
    assert course.submission("ann", "m00") == custom / "handed_in" / "m00" / "ann"
    assert course.graded("ann", "m00") == custom / "autograded" / "m00" / "ann"
    assert course.released_module("m00") == custom / "modules" / "m00"
    assert course.submitted == custom / "handed_in" and course.source == custom / "solutions"
    assert course.course_id == "demo" and course.cell_timeout == 12


def test_default_layout_and_gradebook(tmp_path):
    course = Course(tmp_path)  # no nbgrader_config.py: nbgrader's defaults
    assert course.submission("ann", "m00") == tmp_path / "submitted" / "ann" / "m00"
    assert course.release == tmp_path / "release"
    assert course.db_url == f"sqlite:///{tmp_path / 'gradebook.db'}"
    assert course.cell_timeout == 30, "nbgrader's own default limit"


def test_db_url_override_and_config_overrides(custom):
    course = Course(custom, "postgresql://grader@db/course")
    assert course.db_url == "postgresql://grader@db/course"
    config = course.config_with({"Execute.timeout": 5, "OverwriteCells.add_missing_cells": True})
    assert config.Execute.timeout == 5 and config.OverwriteCells.add_missing_cells is True
    assert config.CourseDirectory.root == str(custom) and config.CourseDirectory.db_url == course.db_url
    assert course.config.Execute.timeout == 12, "overrides never change the course's own config"
    with pytest.raises(ValueError, match="Section.trait"):
        course.config_with({"timeout": 5})
