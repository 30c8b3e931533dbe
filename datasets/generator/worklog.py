"""intern_goals and intern_worklog: the intern's own goals and the log they kept (module m05)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .core import Field, Table

CATEGORIES = ["analysis", "delivery", "stakeholders", "learning"]
START = pd.Timestamp("2025-01-06")  # Monday of week 1; week 12 ends on Friday 28 March 2025

# goal_id, goal, category, metric, unit, baseline, target, due_week (None = left blank in the sheet)
GOALS = [
    ("G1", "Size the study-planner market for the strategy review", "analysis",
     "regions sized in the market model", "regions", 0, 6, 3),
    ("G2", "Own the monthly voice-of-the-customer report", "analysis",
     "monthly voice-of-the-customer reports delivered", "reports", 0, 3, 12),
    ("G3", "Clear the backlog of untagged calendar-sync support tickets", "delivery",
     "untagged sync tickets in the support queue", "tickets", 120, 20, 8),
    ("G4", "Get the calendar-sync rebuild launch-ready", "delivery",
     "launch checklist items done", "items", 0, 24, 12),
    ("G5", "Talk to students every week", "stakeholders",
     "student interviews run", "interviews", 0, 12, 10),
    ("G6", "Get more confident with data", "learning", None, None, None, None, 12),
    ("G7", "Answer the team's data questions faster", "stakeholders",
     "median time to answer a data question", "working days", 3, 1, 11),
    ("G8", "Raise the app-store rating of new reviews", "analysis",
     "average star rating of new reviews", "stars", 3.6, 4.0, None),
]

# One logged entry: (week, weekday 0-4, goal id as typed, activity, (min, max) hours, metric value,
# accomplishment, stakeholders). Hours are drawn in half hours between min and max.
UNTIED_WEEKLY = [
    (0, "Team stand-ups and sprint rituals", (3.5, 5.0), "Core Planner squad"),
    (4, "1:1 with Priya", (1.0, 1.0), "Priya (manager)"),
]
ENTRIES = [
    (1, 0, None, "Onboarding: laptop, accounts and security training", (4.0, 5.0), None, None, "People; Engineering"),
    (1, 1, None, "Read the product strategy doc and past research", (5.0, 6.0), None, None, "Product"),
    (1, 2, None, "Shadowed a support shift", (3.0, 3.0), None, None, "Support"),
    (1, 3, None, "Agreed internship goals with Priya", (1.5, 1.5), None, None, "Priya (manager)"),
    (1, 3, "G6", "SQL course: selects and joins", (2.0, 2.5), None, None, "Data"),
    (2, 0, "G1", "Top-down sizing: North America and Western Europe", (4.0, 5.0), 2, None, "Strategy"),
    (2, 2, "G1", "Top-down sizing: two more regions", (3.5, 4.5), 4, None, "Strategy"),
    (2, 3, "G5", "Student interview: working student", (1.5, 1.5), 1, None, "Design"),
    (2, 4, None, "Ad-hoc request: pricing slide for the board deck", (3.0, 4.0), None, None, "Priya (manager); Finance"),
    (3, 0, "G1", "Bottom-up sizing and the model review", (4.0, 5.0), 6,
     "Built a top-down and bottom-up market-sizing model", "Strategy; Priya (manager)"),
    (3, 1, None, "Market survey: segment analysis", (4.0, 5.0), None, None, "Strategy"),
    (3, 3, "G5", "Student interview: first-year undergrad", (1.5, 1.5), 2, None, "Design"),
    (3, 4, "G6", "SQL course: group by and window functions", (2.0, 2.5), None, None, "Data"),
    (4, 0, None, "Presented the survey segment analysis", (1.5, 2.0), None,
     "Presented the survey segment analysis to the strategy team", "Strategy; Leadership"),
    (4, 1, "G2", "NPS, CSAT and review themes for January", (4.0, 5.0), None, None, "Support; Design"),
    (4, 3, "G2", "Wrote and sent the January voice-of-the-customer report", (3.0, 3.5), 1, None,
     "Support; Design; Core Planner squad"),
    (4, 4, None, "Ad-hoc data pull for the partnerships team", (3.0, 3.0), None, None, "Partnerships"),
    (5, 0, "G3", "Read 200 sync tickets and drafted tagging keywords", (4.0, 5.0), 90, None, "Support"),
    (5, 2, "G5", "Student interview: postgraduate", (1.5, 1.5), 3, None, "Design"),
    (5, 3, None, "Q2 planning prep: backlog scoring", (4.0, 5.0), None, None, "Product; Engineering"),
    (5, 4, "G6", "Finished the SQL course", (2.0, 2.0), None, "Finished the company's SQL course", "Data"),
    (6, 0, "G3", "Keyword rules for sync tickets, tested with support", (3.5, 4.5), 45,
     "Set up keyword rules that tag calendar-sync support tickets automatically", "Support; Engineering"),
    (6, 2, "G7", "Saved queries for the five most asked data questions", (3.0, 4.0), 2.5, None, "Data; Growth"),
    (6, 3, None, "Kano survey analysis", (4.0, 5.0), None, None, "Design; Product"),
    (6, 4, None, "Ad-hoc request: competitor feature table", (2.5, 3.5), None, None, "Priya (manager)"),
    (7, 0, None, "Ran the Q2 roadmap prioritisation workshop", (3.0, 3.5), None,
     "Ran the Q2 roadmap prioritisation workshop with design and engineering", "Design; Engineering; Product"),
    (7, 1, "G3", "Tagging rules, second pass on old tickets", (2.0, 3.0), 30, None, "Support"),
    (7, 2, "G5", "Student interview: online learner", (1.5, 1.5), 4, None, "Design"),
    (7, 3, None, "Roadmap capacity check", (4.0, 5.0), None, None, "Engineering"),
    (8, 0, "G2", "Wrote and sent the February voice-of-the-customer report", (4.0, 5.0), 2, None,
     "Support; Design; Core Planner squad"),
    (8, 1, "G03", "Closed the last untagged sync tickets with support", (2.0, 2.5), 18, None, "Support"),
    (8, 2, None, "Tracking plan for the calendar-sync rebuild", (4.0, 5.0), None, None, "Engineering; Data"),
    (8, 4, None, "Ad-hoc data pull for the sales team", (3.0, 3.0), None, None, "Sales"),
    (9, 0, "G4", "Launch checklist: drafted with engineering and QA", (3.5, 4.5), 6, None, "Engineering; QA"),
    (9, 1, "G7", "Funnel dashboard: first version", (3.0, 4.0), 1.5, None, "Data; Growth"),
    (9, 2, "G5", "Student interview: upper-year undergrad", (1.5, 1.5), 5, None, "Design"),
    (9, 3, "G8", "Checked the rating of new reviews after release 4.3.0", (1.0, 1.5), 3.7, None, "Support"),
    (9, 4, None, "Funnel and retention baseline for the rebuild", (4.0, 5.0), None, None, "Growth; Data"),
    (10, 0, "G4", "Launch checklist: support macros and help-centre articles", (3.0, 4.0), 12, None, "Support"),
    (10, 2, None, "Experiment review: five A/B tests", (4.0, 5.0), None, None, "Growth"),
    (10, 3, None, "Design review of the new sync settings screen", (1.5, 2.0), None, None, "Design"),
    (10, 4, None, "Ad-hoc request: Q1 metrics for the investor update", (3.0, 4.0), None, None, "Priya (manager); Finance"),
    (11, 0, "G7", "Funnel dashboard: launch-team version and a how-to", (3.0, 4.0), 1.0,
     "Built a self-serve funnel dashboard for the launch team", "Data; Growth; Core Planner squad"),
    (11, 1, "G4", "Launch checklist: rollout plan and experiment set-up", (3.0, 4.0), 20, None, "Engineering; Growth"),
    (11, 2, "G5", "Student interview: working student", (1.5, 1.5), 6, None, "Design"),
    (11, 3, None, "Launch one-pager and capacity check", (4.0, 5.0), None, None, "Engineering; Design; Support"),
    (12, 0, "g4", "Launch-readiness review", (2.0, 3.0), 24,
     "Ran the launch-readiness review for the calendar-sync rebuild", "Engineering; QA; Support; Growth"),
    (12, 1, "G2", "Wrote and sent the March voice-of-the-customer report", (3.5, 4.5), 3,
     "Took over the monthly voice-of-the-customer report from the support team", "Support; Design; Core Planner squad"),
    (12, 2, "G5 ", "Student interview: first-year undergrad", (1.5, 1.5), 7, None, "Design"),
    (12, 3, None, "Final presentation: prepared and rehearsed", (4.0, 5.0), None, None, "Priya (manager)"),
    (12, 4, None, "Handover notes for the team", (2.0, 3.0), None, None, "Priya (manager); Core Planner squad"),
]
# Rows that were pasted twice into the sheet (activity names): the copy comes right after the original.
PASTED_TWICE = {"Keyword rules for sync tickets, tested with support", "Ad-hoc data pull for the sales team",
                "Student interview: online learner"}


def build_goals(rng: np.random.Generator, ctx) -> pd.DataFrame:
    cols = ["goal_id", "goal", "category", "metric", "unit", "baseline", "target", "due_week"]
    return pd.DataFrame(GOALS, columns=cols)


def build_worklog(rng: np.random.Generator, ctx) -> pd.DataFrame:
    entries = list(ENTRIES)
    for week in range(1, 13):
        for day, activity, span, who in UNTIED_WEEKLY:
            entries.append((week, day, None, activity, span, None, None, who))
    entries.sort(key=lambda e: (e[0], e[1], e[2] is None))
    rows = []
    for week, day, goal, activity, (lo, hi), value, accomplishment, who in entries:
        hours = lo + 0.5 * int(rng.integers(0, int(round((hi - lo) * 2)) + 1))
        row = {"date": START + pd.Timedelta(days=7 * (week - 1) + day), "week": week, "goal_id": goal,
               "activity": activity, "hours": hours, "metric_value": value,
               "accomplishment": accomplishment, "stakeholders": who}
        rows.append(row)
        if activity in PASTED_TWICE:
            rows.append(dict(row))
    df = pd.DataFrame(rows)
    df.insert(0, "entry_id", [f"E{i + 1:03d}" for i in range(len(df))])
    return df


GOALS_TABLE = Table(
    name="intern_goals",
    title="The intern's internship goals",
    description=(
        "The goals the intern agreed with Priya, their manager, at the end of week 1 of the 12-week "
        "internship (Monday 6 January to Friday 28 March 2025), typed into a sheet: one row per goal, the "
        "metric that shows progress, its value at the start (baseline), the target and the week it is "
        "due. Some cells were left blank. For some goals lower is better (the target is below the baseline)."
    ),
    area="Internship",
    seed=8101,
    min_rows=5,
    primary_key=["goal_id"],
    build=build_goals,
    fields=[
        Field("goal_id", "string", "Goal identifier, G1 to G8.", required=True, unique=True),
        Field("goal", "string", "The goal as written.", required=True),
        Field("category", "string", "Kind of goal.", required=True, enum=CATEGORIES),
        Field("metric", "string", "What is measured to show progress (empty: none stated)."),
        Field("unit", "string", "Unit of the metric."),
        Field("baseline", "number", "Value of the metric at the start of the internship.", fmt="{:g}"),
        Field("target", "number", "Value of the metric the goal aims for.", fmt="{:g}"),
        Field("due_week", "integer", "Internship week (1-12) by which the target should be reached.",
              unit="week of internship", minimum=1, maximum=12),
    ],
)

WORKLOG_TABLE = Table(
    name="intern_worklog",
    title="The intern's work and accomplishments log",
    description=(
        "The log the intern kept during the internship: one row per entry (usually one a day), the goal it "
        "served as typed (empty: no goal), the hours spent (email and chat were not logged), the goal "
        "metric's value when it was measured, an accomplishment worth telling when there was one, and who "
        "was involved. Typed by hand: some goal ids have typos and a few rows were pasted twice."
    ),
    area="Internship",
    seed=8102,
    min_rows=60,
    primary_key=["entry_id"],
    build=build_worklog,
    fields=[
        Field("entry_id", "string", "Row identifier, in the order the rows were typed.", required=True, unique=True),
        Field("date", "date", "Working day of the entry.", required=True),
        Field("week", "integer", "Internship week (week 1 starts on Monday 6 January 2025).",
              unit="week of internship", required=True, minimum=1, maximum=12),
        Field("goal_id", "string", "Goal the work served, as typed (empty: not tied to a goal).",
              allowed="free text"),
        Field("activity", "string", "What the intern did.", required=True),
        Field("hours", "number", "Hours spent, in half hours.", unit="hours", required=True,
              minimum=0.5, maximum=8, fmt="{:g}"),
        Field("metric_value", "number",
              "Value of the goal's metric measured that day, in the goal's unit (empty: not measured).",
              fmt="{:g}"),
        Field("accomplishment", "string", "An accomplishment worth telling, in the past tense (empty: none)."),
        Field("stakeholders", "string", "People or teams involved, separated by '; '.", required=True,
              allowed="'; '-separated"),
    ],
)

TABLES = [GOALS_TABLE, WORKLOG_TABLE]
