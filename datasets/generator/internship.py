"""internship_applications: the intern's own application tracker."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .core import Field, Table

CHANNELS = ["referral", "job board", "career fair", "cold outreach"]
OUTCOMES = ["offer", "rejected", "no response", "withdrawn", "pending"]
N_BY_CHANNEL = {"referral": 8, "job board": 34, "career fair": 13, "cold outreach": 15}
P_SCREEN = {"referral": 0.78, "job board": 0.16, "career fair": 0.5, "cold outreach": 0.3}
DAYS_TO_SCREEN = {"referral": 5, "job board": 16, "career fair": 8, "cold outreach": 11}
COMPANIES = ["Brightloop", "Kettle & Co", "Northwind Mobility", "Parcelo", "Lumio Health", "Fintrail",
             "Greenplate", "Tutorly", "Harbor Analytics", "Stackbay", "Moodboard", "Velo Rides", "Cartwise",
             "Ploom", "Orbit Travel", "Nestable", "Fieldnote", "Quokka Games", "Sprout Bank", "Tessellate",
             "Waypoint Maps", "Clearcart", "Hivemind HR", "Lingo Labs", "Paperfox", "Zestful", "Dovetail Home",
             "Mintly", "Riverbed Media", "Sunday Software"]
ROLES = ["Product Management Intern", "Product Manager Intern", "PM Intern", "APM Intern",
         "Product intern", "Associate Product Manager (Intern)", "Product Analyst Intern",
         "product management intern", "Product Owner Intern"]


def build(rng: np.random.Generator, ctx) -> pd.DataFrame:
    rows = []
    channel_order = [c for c, n in N_BY_CHANNEL.items() for _ in range(n)]
    channel_order = [channel_order[i] for i in rng.permutation(len(channel_order))]
    start = pd.Timestamp("2024-10-01")
    for i, ch in enumerate(channel_order):
        applied = start + pd.Timedelta(days=int(rng.integers(0, 120)))
        if ch == "career fair":
            applied = pd.Timestamp(rng.choice(["2024-10-16", "2024-11-13"])) + pd.Timedelta(days=int(rng.integers(0, 3)))
        screen = interview = final = offer = None
        outcome = "no response"
        if rng.random() < P_SCREEN[ch]:
            screen = applied + pd.Timedelta(days=int(max(1, rng.normal(DAYS_TO_SCREEN[ch], 3))))
            outcome = "rejected"
            if rng.random() < 0.65:
                interview = screen + pd.Timedelta(days=int(rng.integers(4, 15)))
                if rng.random() < 0.5:
                    final = interview + pd.Timedelta(days=int(rng.integers(5, 15)))
                    if rng.random() < 0.45:
                        offer = final + pd.Timedelta(days=int(rng.integers(2, 9)))
                        outcome = "offer"
            if outcome == "rejected" and rng.random() < 0.12:
                outcome = "withdrawn"
        elif applied > pd.Timestamp("2025-01-20"):
            outcome = "pending"
        rows.append({"channel": ch, "company": COMPANIES[int(rng.integers(len(COMPANIES)))],
                     "role": ROLES[int(rng.choice(len(ROLES), p=np.array([6, 3, 4, 2, 2, 1, 2, 1, 1]) / 22))],
                     "applied_date": applied, "screen_date": screen, "interview_date": interview,
                     "final_round_date": final, "offer_date": offer, "outcome": outcome})
    df = pd.DataFrame(rows)
    # Quillo Labs: the referral that became this internship
    ref = df.index[df["channel"] == "referral"][0]
    a = pd.Timestamp("2024-12-02")
    df.loc[ref, ["company", "role", "applied_date", "screen_date", "interview_date", "final_round_date",
                 "offer_date", "outcome"]] = ["Quillo Labs", "Product Management Intern", a, a + pd.Timedelta(days=4),
                                              a + pd.Timedelta(days=11), a + pd.Timedelta(days=22),
                                              a + pd.Timedelta(days=27), "offer"]
    # a referral that skipped the recruiter screen
    ref2 = df.index[(df["channel"] == "referral") & df["interview_date"].notna()]
    if len(ref2) > 1:
        df.loc[ref2[1], "screen_date"] = None
    df = df.sort_values("applied_date", kind="stable").reset_index(drop=True)
    df.insert(0, "application_id", [f"A{i + 1:02d}" for i in range(len(df))])
    cols = ["application_id", "company", "role", "channel", "applied_date", "screen_date", "interview_date",
            "final_round_date", "offer_date", "outcome"]
    return df[cols]


TABLE = Table(
    name="internship_applications",
    title="The intern's internship applications",
    description=(
        "The spreadsheet the intern kept while looking for an internship (October 2024 to February "
        "2025): one row per application, the channel, the date each stage was reached and the "
        "outcome. Role names were typed by hand. A stage that was never reached is empty."
    ),
    area="Internship",
    seed=7001,
    min_rows=50,
    primary_key=["application_id"],
    build=build,
    fields=[
        Field("application_id", "string", "Row identifier.", required=True, unique=True),
        Field("company", "string", "Company applied to.", required=True),
        Field("role", "string", "Role title as typed (inconsistent).", required=True, allowed="free text"),
        Field("channel", "string", "How the application was made.", required=True, enum=CHANNELS),
        Field("applied_date", "date", "Day the application was sent.", required=True),
        Field("screen_date", "date", "Recruiter screen (empty: not reached or skipped)."),
        Field("interview_date", "date", "First interview (empty: not reached)."),
        Field("final_round_date", "date", "Final round (empty: not reached)."),
        Field("offer_date", "date", "Offer received (empty: no offer)."),
        Field("outcome", "string", "Where the application ended.", required=True, enum=OUTCOMES),
    ],
)
