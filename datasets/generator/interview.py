"""metric_drop_case: the practice case for "activation dropped last week, why?" (module m05)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .company import PLATFORMS, SEGMENTS
from .core import Field, Table

START = pd.Timestamp("2024-04-29")  # a Monday; six full weeks to Sunday 9 June 2024
N_DAYS = 42
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
LAST_WEEK = (pd.Timestamp("2024-06-03"), pd.Timestamp("2024-06-09"))
ANDROID_FIRST_YEAR_RATE_FACTOR = 0.5  # last week: the cause
WEB_ONLINE_SIGNUP_FACTOR = 2.6  # last week: a paid campaign, the distractor (mix)


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
                if LAST_WEEK[0] <= day <= LAST_WEEK[1]:
                    if platform == "web" and segment == "Online learner":
                        mean *= WEB_ONLINE_SIGNUP_FACTOR
                    if platform == "android" and segment == "First-year undergrad":
                        rate *= ANDROID_FIRST_YEAR_RATE_FACTOR
                signups = int(rng.poisson(mean))
                activations = int(rng.binomial(signups, rate))
                rows.append({"date": day, "platform": platform, "segment": segment,
                             "signups": signups, "activations": activations})
    return pd.DataFrame(rows)


TABLE = Table(
    name="metric_drop_case",
    title="Practice case: daily sign-ups and activations by platform and segment",
    description=(
        "The data behind the metrics question of a mock PM interview: Quillo's daily new sign-ups and how many of "
        "them activated, per platform and student segment, for six weeks (29 April to 9 June 2024, "
        "Monday to Sunday). The interviewer's question: the activation rate dropped last week, why?"
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
              "Of that day's sign-ups, how many created a first study plan within 7 days (activated).",
              unit="students", required=True, minimum=0),
    ],
)
