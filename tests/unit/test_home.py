"""The course home lists every learning objective whole, continuation lines included."""

import pytest

from autograder.home import learning_objectives

pytestmark = pytest.mark.unit


def test_an_objective_that_wraps_is_joined_whole():
    block = (
        "\n1. Size a market\n   from the top down;\n2. Read a survey.\n\n"
        "Later text with 3. a number is not an objective.\n"
    )
    assert learning_objectives(block) == ["Size a market from the top down;", "Read a survey."]


def test_no_list_means_no_objectives():
    assert learning_objectives("Just prose.\n") == []
