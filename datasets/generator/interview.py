"""metric_drop_case: the practice case for "activation dropped last week, why?" (module m05)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .company import PLATFORMS, SEGMENTS
from .core import Field, Table

START = pd.Timestamp("2024-04-29")  # a Monday; seven full weeks of sign-ups to Sunday 16 June 2024
N_DAYS = 49  # the first 42 days (to 9 June) are drawn first, so they do not depend on the seventh week
PULLED = pd.Timestamp("2024-06-17")  # the data were pulled on Monday 17 June 2024, 00:00
WINDOW_DAYS = 7  # activation: a first study plan on the sign-up day or the 6 days after it
# share of a sign-up day's 7-day activations that have happened after k days (k = 0..7)
ACTIVATED_BY_DAY = [0.0, 0.46, 0.63, 0.75, 0.84, 0.91, 0.96, 1.0]
PLATFORM_SHARE = {"ios": 0.40, "android": 0.36, "web": 0.24}
SEGMENT_SHARE = {"First-year undergrad": 0.30, "Upper-year undergrad": 0.26, "Working student": 0.15,
                 "Postgraduate": 0.14, "Online learner": 0.15}
# activation rate: segment base x platform factor
SEGMENT_RATE = {"First-year undergrad": 0.44, "Upper-year undergrad": 0.47, "Working student": 0.39,
                "Postgraduate": 0.52, "Online learner": 0.29}
PLATFORM_FACTOR = {"ios": 1.05, "android": 0.97, "web": 0.92}
WEEKDAY_FACTOR = [1.10, 1.08, 1.05, 1.00, 0.92, 0.88, 0.97]  # Monday .. Sunday
DAILY_SIGNUPS = 1500
# planted (see INSTRUCTOR-NOTES F19)
PARTNERSHIP_WEEK = (pd.Timestamp("2024-05-06"), pd.Timestamp("2024-05-12"))  # postgraduate sign-ups x1.8
LAST_WEEK = (pd.Timestamp("2024-06-03"), pd.Timestamp("2024-06-09"))  # the last week whose windows have closed
ANDROID_FIRST_YEAR_RATE_FACTOR = 0.5  # from 3 June on (not fixed by the pull): the cause
WEB_ONLINE_SIGNUP_FACTOR = 2.6  # week of 3 June only: a paid campaign, the distractor (mix)
# week of 10 June: its windows are still open on 17 June, so its activations are incomplete (a calendar drop)


def build(rng: np.random.Generator, ctx) -> pd.DataFrame:
    rows = []
    for d in range(N_DAYS):
        day = START + pd.Timedelta(days=d)
        trend = 1 + 0.004 * d
        for platform in PLATFORMS:
            for segment in SEGMENTS:
                mean = DAILY_SIGNUPS * trend * WEEKDAY_FACTOR[day.day_of_week] * PLATFORM_SHARE[platform] \
                    * SEGMENT_SHARE[segment]
                rate = SEGMENT_RATE[segment] * PLATFORM_FACTOR[platform]
                if PARTNERSHIP_WEEK[0] <= day <= PARTNERSHIP_WEEK[1] and segment == "Postgraduate":
                    mean *= 1.8
                if LAST_WEEK[0] <= day <= LAST_WEEK[1] and platform == "web" and segment == "Online learner":
                    mean *= WEB_ONLINE_SIGNUP_FACTOR
                if day >= LAST_WEEK[0] and platform == "android" and segment == "First-year undergrad":
                    rate *= ANDROID_FIRST_YEAR_RATE_FACTOR
                signups = int(rng.poisson(mean))
                activations = int(rng.binomial(signups, rate))
                days_observed = min((PULLED - day).days, WINDOW_DAYS)
                if days_observed < WINDOW_DAYS:  # the window is still open: only the activations so far
                    activations = int(rng.binomial(activations, ACTIVATED_BY_DAY[days_observed]))
                rows.append({"date": day, "platform": platform, "segment": segment,
                             "signups": signups, "activations": activations})
    return pd.DataFrame(rows)


TABLE = Table(
    name="metric_drop_case",
    title="Practice case: daily sign-ups and activations by platform and segment",
    description=(
        "The data behind the metrics question of a mock PM interview: Quillo's daily new sign-ups and how many of "
        "them activated, per platform and student segment, for seven weeks of sign-ups (29 April to 16 June 2024, "
        "Monday to Sunday), pulled on Monday 17 June 2024. A sign-up activates when it creates a first study plan "
        "on its sign-up day or one of the 6 days after it; activations are counted at the pull, so the sign-ups "
        "of 11-16 June had not had their 7 days yet. The interviewer's question: the activation rate dropped, why?"
    ),
    area="Internship",
    seed=7002,
    min_rows=600,
    primary_key=["date", "platform", "segment"],
    build=build,
    fields=[
        Field("date", "date", "Day of sign-up.", required=True),
        Field("platform", "string", "Platform the student signed up on.", required=True, enum=PLATFORMS),
        Field("segment", "string", "Student segment chosen at sign-up.", required=True, enum=SEGMENTS),
        Field("signups", "integer", "New accounts created that day.", unit="students", required=True, minimum=0),
        Field("activations", "integer",
              "Of that day's sign-ups, how many had created a first study plan within 7 days (the sign-up day and "
              "the 6 days after it) when the data were pulled on 17 June 2024; for sign-ups after 10 June the "
              "window was still open, so the count is incomplete.",
              unit="students", required=True, minimum=0),
    ],
)
