"""The course's late policy, as an nbgrader late-submission plugin.

10 % of the notebook's score is taken off per started day late; from the 8th
day (more than 7 days late) the notebook scores 0. nbgrader applies it while
autograding (stock `nbgrader autograde` and the pipeline alike) when the
module has a due date in the gradebook (`python -m autograder.cohort setup --due`)
and the submission a `timestamp.txt`.
"""

from __future__ import annotations

import math

from nbgrader.plugins import LateSubmissionPlugin
from traitlets import Float, Integer

DAY_S = 86400


class PerDayLatePenalty(LateSubmissionPlugin):
    fraction_per_day = Float(0.10, help="share of the score taken off per started day late").tag(config=True)
    zero_after_days = Integer(7, help="more days late than this scores 0").tag(config=True)

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        if total_seconds_late <= 0 or not score:
            return 0.0
        days = math.ceil(total_seconds_late / DAY_S)
        if days > self.zero_after_days:
            return float(score)
        return round(min(score, score * self.fraction_per_day * days), 4)
