"""Shared code for the course notebooks: data loading, feedback and chart style.

A notebook's setup cell imports what it needs from here::

    from pmcourse import load, hint, self_check, use_course_style

Importing it also routes library warnings to stdout (see
`pmcourse.feedback.route_warnings_to_stdout`): a warning never costs points.
"""

from pmcourse.charts import OKABE_ITO, use_course_style
from pmcourse.data import DatasetNotFoundError, dataset_names, describe, load
from pmcourse.feedback import hint, probe, route_warnings_to_stdout, self_check
from pmcourse.glossary import define, glossary_search

__all__ = [
    "OKABE_ITO",
    "DatasetNotFoundError",
    "dataset_names",
    "define",
    "describe",
    "glossary_search",
    "hint",
    "load",
    "probe",
    "self_check",
    "use_course_style",
]

route_warnings_to_stdout()
