"""Shared code for the course notebooks: data loading, feedback and chart style.

A notebook's setup cell imports what it needs from here::

    from pmcourse import load, hint, self_check, use_course_style
"""

from pmcourse.charts import OKABE_ITO, use_course_style
from pmcourse.data import DatasetNotFoundError, dataset_names, describe, load
from pmcourse.feedback import hint, self_check
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
    "self_check",
    "use_course_style",
]
