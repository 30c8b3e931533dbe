"""Experiment pitfalls: the home-screen test, day by day (m04 05 Experiment pitfalls).

One A/B test (EXP06, a redesigned home screen) run for four whole weeks from a Wednesday, reported
per day and arm: the users who entered the test that day and how many of them reached each of four
metrics and the guardrail. Planted: a novelty effect (the lift on the primary metric is large in the
first week and fades), a day-of-week pattern (weekends convert less and the redesign helps less
there), one secondary metric that is significant alone but not after Holm, and a guardrail that a
superiority test calls "no significant harm" but that is not shown non-inferior at its margin.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .core import Field, Table

TEST_START = pd.Timestamp("2025-04-09")  # a Wednesday: test weeks are not calendar weeks
TEST_DAYS = 28
# control rates on weekdays and at weekends
CONTROL = {
    "plan_created": (0.30, 0.21),
    "task_completed": (0.45, 0.36),
    "calendar_connected": (0.12, 0.10),
    "upgraded": (0.025, 0.020),
    "support_contact": (0.020, 0.020),
}
# relative lift in treatment: plan_created gets a novelty lift that fades (day d from 0), smaller at weekends
STEADY_LIFT, NOVELTY_LIFT, NOVELTY_DAYS, WEEKEND_SHARE = 0.03, 0.25, 5.0, 0.3
OTHER_LIFT = {"task_completed": 0.03, "calendar_connected": 0.0, "upgraded": 0.0, "support_contact": 0.12}
METRICS = list(CONTROL)
GUARDRAIL_MARGIN = 0.005  # the notebook's plan: support contacts may rise by at most half a point


def build_daily(rng: np.random.Generator, ctx) -> pd.DataFrame:
    days = pd.date_range(TEST_START, periods=TEST_DAYS, freq="D")
    weekend = days.day_of_week >= 5
    rows = []
    for d, (day, is_weekend) in enumerate(zip(days, weekend)):
        for variant in ("control", "treatment"):
            users = int(rng.poisson(380 if is_weekend else 620))
            row = {"date": day, "variant": variant, "users": users}
            for metric in METRICS:
                rate = CONTROL[metric][1 if is_weekend else 0]
                if variant == "treatment":
                    if metric == "plan_created":
                        lift = STEADY_LIFT + NOVELTY_LIFT * np.exp(-d / NOVELTY_DAYS)
                        lift *= WEEKEND_SHARE if is_weekend else 1.0
                    else:
                        lift = OTHER_LIFT[metric]
                    rate *= 1 + lift
                row[metric] = int(rng.binomial(users, rate))
            rows.append(row)
    df = pd.DataFrame(rows, columns=["date", "variant", "users", *METRICS])
    check_planted_daily(df)
    return df


def _pooled(df: pd.DataFrame, metric: str) -> tuple[float, float, float]:
    """Control rate, treatment rate and the pooled z-test p-value of one metric."""
    from scipy import stats

    g = df.groupby("variant")[["users", metric]].sum()
    xc, nc, xt, nt = g.loc["control", metric], g.loc["control", "users"], g.loc["treatment", metric], g.loc["treatment", "users"]
    p = (xc + xt) / (nc + nt)
    z = (xt / nt - xc / nc) / np.sqrt(p * (1 - p) * (1 / nc + 1 / nt))
    return xc / nc, xt / nt, float(2 * stats.norm.sf(abs(z)))


def _newcombe_low_high(df: pd.DataFrame, metric: str) -> tuple[float, float]:
    """The 95 % Newcombe (Wilson-based) interval of treatment minus control."""
    z = 1.959963984540054
    g = df.groupby("variant")[["users", metric]].sum()
    ends = {}
    for arm in ("control", "treatment"):
        x, n = g.loc[arm, metric], g.loc[arm, "users"]
        p = x / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        ends[arm] = (p, centre - half, centre + half)
    (pc, lc, uc), (pt, lt, ut) = ends["control"], ends["treatment"]
    return (float(pt - pc - np.sqrt((pt - lt) ** 2 + (uc - pc) ** 2)),
            float(pt - pc + np.sqrt((ut - pt) ** 2 + (pc - lc) ** 2)))


def _newcombe_high(df: pd.DataFrame, metric: str) -> float:
    return _newcombe_low_high(df, metric)[1]


def check_planted_daily(df: pd.DataFrame) -> None:
    """Fail loudly if a seed change loses a planted pattern."""
    day = (df["date"] - TEST_START).dt.days
    week = day // 7 + 1
    lifts = []
    for w in range(1, 5):
        c, t, _ = _pooled(df[week == w], "plan_created")
        lifts.append(t / c - 1)
    assert lifts[0] > 0.12 and lifts[0] > 2 * max(lifts[2:]), f"week 1 should carry a novelty lift: {lifts}"
    assert lifts[0] > lifts[1] > max(lifts[2:]) - 0.005, f"the lift should fade week by week: {lifts}"
    p = {m: _pooled(df, m)[2] for m in METRICS[:4]}
    assert p["plan_created"] < 0.001, p
    assert 0.01 < p["task_completed"] < 0.04, p  # significant alone, not after Holm over 4 metrics
    assert p["calendar_connected"] > 0.2 and p["upgraded"] > 0.2, p
    _, _, p_late = _pooled(df[week >= 3], "plan_created")
    assert p_late > 0.05, f"after the novelty, the lift alone is not significant: {p_late}"
    c, t, p_guard = _pooled(df, "support_contact")
    assert p_guard > 0.05 and t > c, "the guardrail should look like 'no significant harm' to a superiority test"
    assert _newcombe_high(df, "support_contact") > GUARDRAIL_MARGIN, "yet it should not be shown non-inferior"
    low, high = _newcombe_low_high(df, "plan_created")
    mde = 0.05 * _pooled(df, "plan_created")[0]
    assert 0 < low < mde < high, "the 28-day interval should hold the MDE: real, size unclear"
    weekend = df["date"].dt.day_of_week >= 5
    wc, wt, _ = _pooled(df[weekend], "plan_created")
    dc, dt, _ = _pooled(df[~weekend], "plan_created")
    assert wc < dc - 0.05 and wt / wc - 1 < dt / dc - 1, "weekends convert less and gain less"


DAILY = Table(
    name="experiment_daily",
    title="The home-screen A/B test (EXP06), day by day",
    description=(
        "One row per day and variant of EXP06, a redesigned home screen tested 50/50 on new users for "
        "28 days from Wednesday 9 April 2025: how many users entered the test that day and how many of "
        "them reached each metric within 24 hours (support contacts: within 7 days). plan_created is the "
        "primary metric; task_completed, calendar_connected and upgraded are secondary; support_contact "
        "is the guardrail."
    ),
    area="Launch & experiments",
    seed=6691,
    min_rows=56,
    primary_key=["date", "variant"],
    build=build_daily,
    fields=[
        Field("date", "date", "Day the users entered the test.", required=True),
        Field("variant", "string", "Variant shown.", required=True, enum=["control", "treatment"]),
        Field("users", "integer", "New users who entered the test that day in this variant.", unit="users",
              required=True, minimum=0),
        Field("plan_created", "integer", "Of them, users who created a study plan within 24 hours (primary metric).",
              unit="users", required=True, minimum=0),
        Field("task_completed", "integer", "Of them, users who completed a study task within 24 hours.",
              unit="users", required=True, minimum=0),
        Field("calendar_connected", "integer", "Of them, users who connected a calendar within 24 hours.",
              unit="users", required=True, minimum=0),
        Field("upgraded", "integer", "Of them, users who started a Premium trial within 24 hours.",
              unit="users", required=True, minimum=0),
        Field("support_contact", "integer", "Of them, users who contacted support within 7 days (guardrail).",
              unit="users", required=True, minimum=0),
    ],
)

TABLES = [DAILY]
