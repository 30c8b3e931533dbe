"""onboarding_tasks: the intern's first two weeks (orientation module)."""

import numpy as np
import pandas as pd

from .core import Field, Table

TEAMS = ["Product", "Design", "Engineering", "Data", "People"]
STATUSES = ["done", "in progress", "not started"]
PRIORITIES = ["high", "medium", "low"]

# (task, owner team, due working day, estimated hours)
TASKS = [
    ("Set up laptop, email and Slack", "Engineering", 1, 1.5),
    ("Meet your manager and agree on goals", "People", 1, 1.0),
    ("Read the product strategy doc", "Product", 1, 2.0),
    ("Complete security and privacy training", "People", 1, 1.5),
    ("Tour the Quillo app as a new student", "Product", 2, 1.0),
    ("Read the last three user research reports", "Design", 2, 3.0),
    ("Get access to the analytics warehouse", "Data", 2, 0.5),
    ("Shadow a customer support shift", "Product", 3, 3.0),
    ("Shadow a customer call", "Product", 3, 1.5),
    ("Learn the squad's sprint rituals", "Engineering", 3, 1.0),
    ("Review the design system basics", "Design", 4, 2.0),
    ("Run a first query on the events table", "Data", 4, 2.0),
    ("Read last quarter's NPS summary", "Product", 4, 1.0),
    ("Sit in on sprint planning", "Engineering", 5, 2.0),
    ("Map the signup funnel in the dashboard", "Data", 5, 3.5),
    ("Pair with a designer on a usability test", "Design", 6, 4.0),
    ("Write a one-page competitor summary", "Product", 6, 5.0),
    ("Review the metrics dictionary", "Data", 7, 1.5),
    ("Attend the engineering demo day", "Engineering", 7, 1.0),
    ("Draft interview questions for students", "Design", 8, 2.5),
    ("Prioritise a mini-backlog with RICE", "Product", 8, 3.0),
    ("Buddy check-in and feedback", "People", 9, 0.5),
    ("Present your first-week learnings", "Product", 10, 2.0),
    ("Mid-internship goals review", "People", 10, 1.0),
]


def build(rng: np.random.Generator, ctx) -> pd.DataFrame:
    df = pd.DataFrame(TASKS, columns=["task", "owner_team", "due_day", "estimated_hours"])
    df.insert(0, "task_id", [f"T{i:02d}" for i in range(1, len(df) + 1)])
    n = len(df)
    n_done, n_prog = round(0.4 * n), round(0.2 * n)
    for _ in range(1000):
        # Done work is concentrated on early due days: rank by due day + noise.
        key = df["due_day"].to_numpy() + rng.normal(0, 1.5, n)
        order = np.argsort(key, kind="stable")
        status = np.empty(n, dtype=object)
        status[order[:n_done]] = "done"
        status[order[n_done : n_done + n_prog]] = "in progress"
        status[order[n_done + n_prog :]] = "not started"
        open_hours = (
            df.assign(status=status)
            .query("status != 'done'")
            .groupby("owner_team")["estimated_hours"]
            .sum()
            .reindex(TEAMS, fill_value=0.0)
        )
        if open_hours.nunique() == len(TEAMS):  # no ties between teams
            break
    else:  # pragma: no cover
        raise RuntimeError("could not draw untied onboarding statuses")
    df["status"] = status
    df["priority"] = rng.choice(PRIORITIES, size=n, p=[0.35, 0.4, 0.25])
    return df


TABLE = Table(
    name="onboarding_tasks",
    title="Intern onboarding tasks",
    description=(
        "The intern's checklist for the first two weeks at Quillo Labs, as it "
        "stands at the end of working day 4. One row per task."
    ),
    area="Orientation",
    seed=1001,
    min_rows=20,
    primary_key=["task_id"],
    build=build,
    fields=[
        Field("task_id", "string", "Task identifier, T01 to T24.", required=True, unique=True,
              allowed="T01 .. T24"),
        Field("task", "string", "Short description of the task.", required=True),
        Field("owner_team", "string", "Team that owns the task and helps the intern with it.",
              required=True, enum=TEAMS),
        Field("due_day", "integer", "Working day of the internship by which the task is due.",
              unit="working day", required=True, minimum=1, maximum=10),
        Field("estimated_hours", "number", "Estimated effort, in multiples of half an hour.",
              unit="hours", required=True, minimum=0.5, maximum=6, fmt="{:.1f}"),
        Field("status", "string", "Progress at the end of day 4.", required=True, enum=STATUSES),
        Field("priority", "string", "Priority set by the intern's manager.", required=True,
              enum=PRIORITIES),
    ],
)
