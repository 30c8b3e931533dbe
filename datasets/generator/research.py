"""User-research tables: usability study (tasks and SUS) and the Kano survey."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .company import KANO_FEATURES, PLATFORMS, SEGMENTS
from .core import Field, Table

# task id, task, success probability, median seconds, mean errors
UT_TASKS = [
    ("UT1", "Create an account and add your courses", 0.93, 150, 0.4),
    ("UT2", "Add an exam with a reminder", 0.90, 75, 0.3),
    ("UT3", "Connect your university calendar", 0.42, 260, 2.4),
    ("UT4", "Plan your study week", 0.80, 210, 0.9),
    ("UT5", "Invite a friend to a group study room", 0.72, 120, 1.0),
    ("UT6", "Upgrade to Plus and find the receipt", 0.64, 170, 1.3),
]
N_PARTICIPANTS = 14
NOT_ATTEMPTED = ("P09", "UT6")  # session ran out of time
ACQUIESCENT = "P06"  # answered 5 to every SUS item
SUS_ITEMS = [
    "I think that I would like to use Quillo frequently.",
    "I found Quillo unnecessarily complex.",
    "I thought Quillo was easy to use.",
    "I think that I would need the support of a technical person to be able to use Quillo.",
    "I found the various functions in Quillo were well integrated.",
    "I thought there was too much inconsistency in Quillo.",
    "I would imagine that most people would learn to use Quillo very quickly.",
    "I found Quillo very cumbersome to use.",
    "I felt very confident using Quillo.",
    "I needed to learn a lot of things before I could get going with Quillo.",
]


def _participants():
    """Participants and their latent skill; own fixed stream, shared by both tables."""
    rng = np.random.default_rng(4000)
    out = []
    for i in range(N_PARTICIPANTS):
        out.append({
            "participant_id": f"P{i + 1:02d}",
            "segment": SEGMENTS[i % 5],
            "platform": PLATFORMS[int(rng.choice(3, p=[0.4, 0.4, 0.2]))],
            "age": int(rng.integers(18, 31)),
            "used_planner_app_before": bool(rng.random() < 0.6),
            "skill": float(rng.normal(0, 0.6)),
        })
    return out


def build_sus(rng: np.random.Generator, ctx) -> pd.DataFrame:
    rows = []
    for p in _participants():
        row = {k: v for k, v in p.items() if k != "skill"}
        # overall attitude: mean SUS around 62
        att = 0.55 + 0.12 * p["skill"] + rng.normal(0, 0.08)
        for q in range(1, 11):
            pos = q % 2 == 1
            target = 1 + 4 * (att if pos else 1 - att)
            row[f"sus_q{q}"] = int(np.clip(np.round(rng.normal(target, 0.7)), 1, 5))
        if p["participant_id"] == ACQUIESCENT:
            for q in range(1, 11):
                row[f"sus_q{q}"] = 5
        rows.append(row)
    return pd.DataFrame(rows)


SUS = Table(
    name="usability_participants",
    title="Usability study participants and SUS answers",
    description=(
        "The 14 students who took part in the moderated usability test of Quillo 4.3 in December "
        "2024, with their answers to the ten System Usability Scale items (1 strongly disagree .. "
        "5 strongly agree), answered after the tasks."
    ),
    area="User research",
    seed=4001,
    min_rows=12,
    primary_key=["participant_id"],
    build=build_sus,
    fields=[
        Field("participant_id", "string", "Participant identifier, P01 to P14.", required=True, unique=True),
        Field("segment", "string", "Student segment.", required=True, enum=SEGMENTS),
        Field("platform", "string", "Platform used in the session.", required=True, enum=PLATFORMS),
        Field("age", "integer", "Age.", unit="years", required=True, minimum=16, maximum=70),
        Field("used_planner_app_before", "boolean", "Had used a study-planner app before.", required=True),
    ] + [
        Field(f"sus_q{q}", "integer", f"SUS item {q}: \"{t}\"", unit="1-5 agreement", required=True,
              minimum=1, maximum=5, allowed="1 strongly disagree .. 5 strongly agree")
        for q, t in enumerate(SUS_ITEMS, start=1)
    ],
)


def build_tasks(rng: np.random.Generator, ctx) -> pd.DataFrame:
    parts = ctx.table("usability_participants")
    skills = {p["participant_id"]: p["skill"] for p in _participants()}
    rows = []
    for pid in parts["participant_id"]:
        s = skills[pid]
        for tid, name, p_ok, med, err in UT_TASKS:
            if (pid, tid) == NOT_ATTEMPTED:
                rows.append({"participant_id": pid, "task_id": tid, "task": name, "success": None,
                             "time_seconds": None, "errors": None, "seq": None})
                continue
            logit = np.log(p_ok / (1 - p_ok)) + 1.2 * s
            ok = bool(rng.random() < 1 / (1 + np.exp(-logit)))
            errors = int(rng.poisson(err * (0.6 if ok else 1.8) * np.exp(-0.4 * s)))
            t = med * np.exp(rng.normal(0, 0.35) - 0.25 * s) * (1.0 if ok else 1.5) + 20 * errors
            seq = int(np.clip(np.round(rng.normal(5.8 if ok else 3.2, 0.9) - 0.3 * errors), 1, 7))
            rows.append({"participant_id": pid, "task_id": tid, "task": name, "success": ok,
                         "time_seconds": int(round(t)), "errors": errors, "seq": seq})
    return pd.DataFrame(rows)


TASKS = Table(
    name="usability_tasks",
    title="Usability study task results",
    description=(
        "One row per participant and task of the December 2024 usability test: whether the task "
        "was completed without help, time on task, errors and the Single Ease Question. P09 ran "
        "out of time before UT6, so that attempt is empty (not a failure)."
    ),
    area="User research",
    seed=4002,
    min_rows=70,
    primary_key=["participant_id", "task_id"],
    foreign_keys=[{"fields": ["participant_id"],
                   "reference": {"resource": "usability_participants", "fields": ["participant_id"]}}],
    build=build_tasks,
    fields=[
        Field("participant_id", "string", "Participant (see usability_participants).", required=True),
        Field("task_id", "string", "Task identifier.", required=True, enum=[t[0] for t in UT_TASKS]),
        Field("task", "string", "Task given to the participant.", required=True,
              enum=[t[1] for t in UT_TASKS]),
        Field("success", "boolean", "Completed without help (empty: not attempted)."),
        Field("time_seconds", "integer", "Time on task (empty: not attempted).", unit="seconds", minimum=0),
        Field("errors", "integer", "Errors observed (wrong paths, slips).", unit="count", minimum=0),
        Field("seq", "integer", "Single Ease Question: how easy was the task.", unit="1-7 scale",
              minimum=1, maximum=7, allowed="1 very difficult .. 7 very easy"),
    ],
)

# --------------------------------------------------------------------------
# Kano
KANO_ANSWERS = ["Like", "Expect", "Neutral", "Live-with", "Dislike"]
# answer pairs (functional, dysfunctional) that produce each category, most typical first
CELLS = {
    "M": [("Expect", "Dislike"), ("Neutral", "Dislike"), ("Live-with", "Dislike")],
    "O": [("Like", "Dislike")],
    "A": [("Like", "Neutral"), ("Like", "Live-with"), ("Like", "Expect")],
    "I": [("Neutral", "Neutral"), ("Neutral", "Live-with"), ("Expect", "Neutral"), ("Live-with", "Live-with"),
          ("Neutral", "Expect")],
    "R": [("Dislike", "Like"), ("Neutral", "Like"), ("Dislike", "Neutral")],
    "Q": [("Like", "Like"), ("Dislike", "Dislike")],
}
CATS = ["M", "O", "A", "I", "R", "Q"]
# feature id -> probabilities over M, O, A, I, R, Q
KANO_P = {
    "F05": [0.52, 0.22, 0.06, 0.15, 0.02, 0.03],  # must-be: sync
    "F09": [0.30, 0.34, 0.12, 0.20, 0.02, 0.02],  # performance: offline
    "F12": [0.06, 0.16, 0.44, 0.26, 0.06, 0.02],  # attractive: AI plan
    "F16": [0.05, 0.14, 0.36, 0.38, 0.05, 0.02],  # close A/I: group rooms
    "F21": [0.03, 0.08, 0.22, 0.45, 0.20, 0.02],  # indifferent, with reverse: streaks
    "F24": [0.12, 0.40, 0.18, 0.26, 0.02, 0.02],  # performance: grade calculator
    "F30": [0.10, 0.20, 0.28, 0.38, 0.02, 0.02],  # indifferent: dark mode
    "F33": [0.06, 0.12, 0.14, 0.62, 0.04, 0.02],  # indifferent: PDF export
}


def build_kano(rng: np.random.Generator, ctx) -> pd.DataFrame:
    rows = []
    n = 180
    for r in range(n):
        seg = SEGMENTS[int(rng.choice(5, p=[0.25, 0.3, 0.17, 0.16, 0.12]))]
        for fid, fname in KANO_FEATURES:
            p = np.array(KANO_P[fid], dtype=float)
            if fid == "F21" and seg == "Postgraduate":
                p[4] += 0.3  # postgrads find streaks childish
            cat = CATS[int(rng.choice(6, p=p / p.sum()))]
            cells = CELLS[cat]
            w = np.array([3.0] + [1.0] * (len(cells) - 1))
            f, d = cells[int(rng.choice(len(cells), p=w / w.sum()))]
            rows.append({"respondent_id": f"K{r + 1:03d}", "segment": seg, "feature_id": fid,
                         "feature": fname, "functional": f, "dysfunctional": d})
    return pd.DataFrame(rows)


KANO = Table(
    name="kano_survey",
    title="Kano survey on eight candidate features",
    description=(
        "Answers of 180 Quillo users (January 2025) to the Kano question pair for eight candidate "
        "features: \"How do you feel if Quillo has this feature?\" (functional) and \"... if it does "
        "not have it?\" (dysfunctional). One row per respondent and feature."
    ),
    area="User research",
    seed=4003,
    min_rows=1000,
    primary_key=["respondent_id", "feature_id"],
    foreign_keys=[{"fields": ["feature_id"], "reference": {"resource": "feature_backlog", "fields": ["item_id"]}}],
    build=build_kano,
    fields=[
        Field("respondent_id", "string", "Respondent identifier.", required=True),
        Field("segment", "string", "Respondent's student segment.", required=True, enum=SEGMENTS),
        Field("feature_id", "string", "Backlog item the question is about (see feature_backlog).",
              required=True, enum=[f for f, _ in KANO_FEATURES]),
        Field("feature", "string", "Feature as described to the respondent.", required=True,
              enum=[n for _, n in KANO_FEATURES]),
        Field("functional", "string", "Answer if the feature is present.", required=True, enum=KANO_ANSWERS),
        Field("dysfunctional", "string", "Answer if the feature is absent.", required=True, enum=KANO_ANSWERS),
    ],
)

TABLES = [SUS, TASKS, KANO]
