"""Roadmap tables: the feature backlog and team capacity."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .company import TEAMS
from .core import Field, Table

THEMES = ["Sync & integrations", "Study planning", "Collaboration", "Engagement", "Monetisation",
          "Onboarding", "Reliability & performance", "Accessibility & design"]
IMPACTS = [3, 2, 1, 0.5, 0.25]
CONFIDENCES = [1.0, 0.8, 0.5]
FIB = [1, 2, 3, 5, 8, 13, 20]
MOSCOW = ["Must", "Should", "Could", "Won't"]
STAKEHOLDERS = ["product", "engineering", "sales", "support"]

# id: (title, theme, team, depends_on)
ITEMS = {
    "F01": ("Import timetable from the university portal", "Onboarding", "Growth", []),
    "F02": ("Shorter signup: 3 questions instead of 9", "Onboarding", "Growth", []),
    "F03": ("Import deadlines from Canvas", "Sync & integrations", "Platform", []),
    "F04": ("Import deadlines from Moodle", "Sync & integrations", "Platform", ["F03"]),
    "F05": ("Reliable two-way calendar sync", "Sync & integrations", "Platform", []),
    "F06": ("Outlook calendar support", "Sync & integrations", "Platform", ["F05"]),
    "F07": ("Recurring lecture editor", "Study planning", "Core Planner", []),
    "F08": ("Exam countdown widget", "Study planning", "Core Planner", []),
    "F09": ("Offline access to plans", "Reliability & performance", "Platform", ["F05"]),
    "F10": ("Faster app start", "Reliability & performance", "Platform", []),
    "F11": ("Fix crashes on the timetable screen", "Reliability & performance", "Core Planner", []),
    "F12": ("AI study-plan generator", "Study planning", "Core Planner", ["F13"]),
    "F13": ("Spaced-repetition tuning", "Study planning", "Core Planner", []),
    "F14": ("Work-shift planner for working students", "Study planning", "Core Planner", ["F07"]),
    "F15": ("Focus timer for study sessions", "Study planning", "Core Planner", []),
    "F16": ("Shared group study rooms", "Collaboration", "Growth", []),
    "F17": ("Share a plan with a link", "Collaboration", "Growth", []),
    "F18": ("Group deadline board", "Collaboration", "Growth", ["F16"]),
    "F19": ("Referral rewards", "Engagement", "Growth", ["F17"]),
    "F20": ("Weekly progress email", "Engagement", "Growth", []),
    "F21": ("Streaks and badges", "Engagement", "Growth", []),
    "F22": ("Smart reminder timing", "Engagement", "Core Planner", []),
    "F23": ("Quiet hours for notifications", "Engagement", "Core Planner", ["F22"]),
    "F24": ("Grade calculator", "Study planning", "Core Planner", []),
    "F25": ("Annual plan discount at checkout", "Monetisation", "Growth", []),
    "F26": ("Student verification for discounts", "Monetisation", "Growth", ["F25"]),
    "F27": ("Campus admin dashboard", "Monetisation", "Platform", ["F28"]),
    "F28": ("In-app receipts and invoices", "Monetisation", "Growth", []),
    "F29": ("Group billing for study groups", "Monetisation", "Growth", ["F28", "F16"]),
    "F30": ("Dark mode", "Accessibility & design", "Design Systems", ["F36"]),
    "F31": ("Larger text support", "Accessibility & design", "Design Systems", ["F36"]),
    "F32": ("Screen-reader labels", "Accessibility & design", "Design Systems", []),
    "F33": ("Export to PDF", "Study planning", "Core Planner", []),
    "F34": ("Redesigned weekly view", "Accessibility & design", "Design Systems", ["F36"]),
    "F35": ("Tablet layout", "Accessibility & design", "Design Systems", ["F34"]),
    "F36": ("Shared design tokens for web and mobile", "Accessibility & design", "Design Systems", []),
    "F37": ("Sync conflict resolution screen", "Sync & integrations", "Platform", ["F38"]),
    "F38": ("Sync status indicator", "Sync & integrations", "Platform", ["F05"]),
    "F39": ("Self-service data export", "Reliability & performance", "Platform", []),
    "F40": ("Onboarding checklist", "Onboarding", "Growth", []),
    "F41": ("Sample semester for new users", "Onboarding", "Growth", ["F40"]),
    "F42": ("Smartwatch reminders", "Engagement", "Core Planner", ["F22"]),
    "F43": ("Crash reporting upgrade", "Reliability & performance", "Platform", []),
    "F44": ("Pricing page experiments", "Monetisation", "Growth", []),
    "F45": ("Course template library", "Collaboration", "Growth", ["F17"]),
    "F46": ("Study statistics dashboard", "Engagement", "Core Planner", []),
    "F47": ("Push notification deep links", "Engagement", "Platform", ["F22"]),
    "F48": ("Spanish and Portuguese localisation", "Onboarding", "Growth", ["F01"]),
}

# planted RICE inputs: reach, impact, confidence, effort
OVERRIDES = {
    "F05": (1500, 0.5, 0.5, 5.0),   # Kano must-be, undervalued by RICE
    "F20": (2000, 1, 0.8, 2.0),     # tie at 800 ...
    "F22": (1000, 2, 0.8, 2.0),     # ... same effort: id breaks the tie
    "F40": (4000, 0.5, 1.0, 2.5),   # ... higher effort: ranked after
    "F08": (1500, 1, 1.0, 3.0),     # tie at 500
    "F31": (2500, 0.5, 0.8, 2.0),   # tie at 500, lower effort first
    "F12": (9000, 2, 0.5, 8.0),     # the exciting AI feature
}
EFFORTS = [0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0]
THEME_BIAS = {  # stakeholder -> theme -> bias on the latent value
    "product": {"Study planning": 0.5, "Engagement": 0.3},
    "engineering": {"Reliability & performance": 0.9, "Sync & integrations": 0.6,
                    "Accessibility & design": 0.3},
    "sales": {"Monetisation": 1.0, "Collaboration": 0.6, "Sync & integrations": 0.2},
    "support": {"Reliability & performance": 0.8, "Sync & integrations": 0.9, "Onboarding": 0.6},
}
MOSCOW_FORCED = {("F05", "product"): "Could", ("F05", "support"): "Must",
                 ("F05", "engineering"): "Must", ("F05", "sales"): "Should"}


def _to_fib(x: float) -> int:
    return min(FIB, key=lambda f: (abs(np.log(f) - np.log(max(x, 0.5))), f))


def build_backlog(rng: np.random.Generator, ctx) -> pd.DataFrame:
    rows = []
    for iid, (title, theme, team, deps) in ITEMS.items():
        reach = int(np.clip(np.round(np.exp(rng.normal(np.log(2500), 0.8)) / 50) * 50, 200, 15000))
        impact = IMPACTS[int(rng.choice(5, p=[0.1, 0.25, 0.35, 0.2, 0.1]))]
        conf = CONFIDENCES[int(rng.choice(3, p=[0.3, 0.45, 0.25]))]
        effort = EFFORTS[int(rng.choice(len(EFFORTS), p=[0.08, 0.18, 0.16, 0.18, 0.16, 0.12, 0.07, 0.05]))]
        if iid in OVERRIDES:
            reach, impact, conf, effort = OVERRIDES[iid]
        ice_i = int(np.clip(np.round({3: 9, 2: 7, 1: 5, 0.5: 3.5, 0.25: 2}[impact] + rng.normal(0, 1)), 1, 10))
        ice_c = int(np.clip(np.round(conf * 9 + rng.normal(0, 0.8)), 1, 10))
        ice_e = int(np.clip(np.round(10.5 - 1.4 * effort + rng.normal(0, 0.8)), 1, 10))
        bv = _to_fib({3: 13, 2: 8, 1: 5, 0.5: 3, 0.25: 1}[impact] * np.exp(rng.normal(0, 0.3)))
        tc = _to_fib(np.exp(rng.normal(np.log(3), 0.7)))
        rr = _to_fib(np.exp(rng.normal(np.log(2.5), 0.7)))
        size = _to_fib(effort * 2.2 * np.exp(rng.normal(0, 0.2)))
        if iid == "F05":
            tc, rr = 13, 13  # the sync rebuild is urgent and de-risks F06, F09, F37, F38
        rows.append({
            "item_id": iid, "title": title, "theme": theme, "team": team,
            "reach_per_quarter": reach, "impact": impact, "confidence": conf,
            "effort_person_months": effort,
            "ice_impact": ice_i, "ice_confidence": ice_c, "ice_ease": ice_e,
            "wsjf_business_value": bv, "wsjf_time_criticality": tc,
            "wsjf_risk_reduction": rr, "wsjf_job_size": size,
            "depends_on": ";".join(deps) if deps else None,
        })
    df = pd.DataFrame(rows)
    rice = df["reach_per_quarter"] * df["impact"] * df["confidence"] / df["effort_person_months"]
    latent = (np.log(rice) - np.log(rice).mean()) / np.log(rice).std()
    for st in STAKEHOLDERS:
        noise = rng.normal(0, 0.9 if st != "product" else 0.35, len(df))
        v = latent.to_numpy() * (1.0 if st == "product" else 0.5) + noise
        v = v + df["theme"].map(THEME_BIAS[st]).fillna(0.0).to_numpy()
        cuts = np.quantile(v, [0.62, 0.35, 0.12]) if st == "product" else np.quantile(v, [0.7, 0.4, 0.15])
        lab = np.where(v >= cuts[0], "Must", np.where(v >= cuts[1], "Should", np.where(v >= cuts[2], "Could", "Won't")))
        df[f"moscow_{st}"] = lab
    for (iid, st), lab in MOSCOW_FORCED.items():
        df.loc[df["item_id"] == iid, f"moscow_{st}"] = lab
    return df


BACKLOG = Table(
    name="feature_backlog",
    title="Quillo feature backlog",
    description=(
        "The candidate items for the next two quarters, with the inputs of three prioritisation "
        "methods (RICE, ICE, WSJF), dependencies between items and the MoSCoW label that each of "
        "four stakeholders (product, engineering, sales, support) gave every item. Reach and effort "
        "are the product team's estimates. One person-month is 20 person-days."
    ),
    area="Roadmap",
    seed=5001,
    min_rows=40,
    primary_key=["item_id"],
    build=build_backlog,
    fields=[
        Field("item_id", "string", "Backlog item identifier.", required=True, unique=True, allowed="F01 .. F48"),
        Field("title", "string", "Short name of the item.", required=True),
        Field("theme", "string", "Product theme.", required=True, enum=THEMES),
        Field("team", "string", "Team that would build it.", required=True, enum=TEAMS),
        Field("reach_per_quarter", "integer", "RICE reach: users affected per quarter.",
              unit="users per quarter", required=True, minimum=0),
        Field("impact", "number", "RICE impact: 3 massive, 2 high, 1 medium, 0.5 low, 0.25 minimal.",
              unit="scale", required=True, enum=IMPACTS, fmt="{:g}"),
        Field("confidence", "number", "RICE confidence: 1.0 high, 0.8 medium, 0.5 low.",
              unit="fraction", required=True, enum=CONFIDENCES, fmt="{:.1f}"),
        Field("effort_person_months", "number", "RICE effort.", unit="person-months", required=True,
              minimum=0.1, fmt="{:g}", allowed="> 0"),
        Field("ice_impact", "integer", "ICE impact.", unit="1-10", required=True, minimum=1, maximum=10),
        Field("ice_confidence", "integer", "ICE confidence.", unit="1-10", required=True, minimum=1, maximum=10),
        Field("ice_ease", "integer", "ICE ease (10 = trivial).", unit="1-10", required=True, minimum=1, maximum=10),
        Field("wsjf_business_value", "integer", "WSJF user/business value.", unit="relative", required=True,
              enum=FIB),
        Field("wsjf_time_criticality", "integer", "WSJF time criticality.", unit="relative", required=True,
              enum=FIB),
        Field("wsjf_risk_reduction", "integer", "WSJF risk reduction / opportunity enablement.",
              unit="relative", required=True, enum=FIB),
        Field("wsjf_job_size", "integer", "WSJF job size.", unit="relative", required=True, enum=FIB),
        Field("depends_on", "string",
              "Items that must be done first, ';'-separated item ids (empty: none).",
              allowed="';'-separated item ids"),
    ] + [Field(f"moscow_{st}", "string", f"MoSCoW label given by {st}.", required=True, enum=MOSCOW)
         for st in STAKEHOLDERS],
)

# --------------------------------------------------------------------------
HEADCOUNT = {"Growth": 6, "Core Planner": 7, "Platform": 5, "Design Systems": 3}
FOCUS = {"Growth": 0.75, "Core Planner": 0.8, "Platform": 0.65, "Design Systems": 0.8}
HOLIDAYS = pd.to_datetime(["2025-04-18", "2025-04-21", "2025-05-01", "2025-05-29", "2025-06-09"])


def build_capacity(rng: np.random.Generator, ctx) -> pd.DataFrame:
    rows = []
    start = pd.Timestamp("2025-04-07")
    for k in range(6):
        s = start + pd.Timedelta(weeks=2 * k)
        e = s + pd.Timedelta(days=11)
        days = pd.bdate_range(s, e)
        wd = int(len(days) - days.isin(HOLIDAYS).sum())
        for team in TEAMS:
            hc = HEADCOUNT[team] + (1 if team == "Growth" and k >= 3 else 0)  # a hire joins
            pto = float(rng.choice([0, 0.5, 1, 2, 3, 4, 5, 8], p=[0.1, 0.1, 0.15, 0.2, 0.15, 0.12, 0.1, 0.08]))
            if k == 5:
                pto += 2 * hc  # early-summer holidays
            cap = (hc * wd - pto) * FOCUS[team]
            rows.append({"team": team, "sprint": f"S{k + 1}", "sprint_start": s, "sprint_end": e,
                         "headcount": hc, "working_days": wd, "pto_days": pto,
                         "focus_factor": FOCUS[team], "capacity_person_days": cap})
    return pd.DataFrame(rows)


CAPACITY = Table(
    name="team_capacity",
    title="Team capacity per sprint",
    description=(
        "Capacity of the four product teams over the six two-week sprints of Q2 2025. "
        "capacity_person_days = (headcount x working_days - pto_days) x focus_factor, where the "
        "focus factor is the share of time left for roadmap work after meetings, support and bugs."
    ),
    area="Roadmap",
    seed=5002,
    min_rows=20,
    primary_key=["team", "sprint"],
    build=build_capacity,
    fields=[
        Field("team", "string", "Team.", required=True, enum=TEAMS),
        Field("sprint", "string", "Sprint of Q2 2025.", required=True, enum=[f"S{k}" for k in range(1, 7)]),
        Field("sprint_start", "date", "First day of the sprint (a Monday).", required=True),
        Field("sprint_end", "date", "Last day of the sprint (a Friday).", required=True),
        Field("headcount", "integer", "People in the team.", unit="persons", required=True, minimum=1),
        Field("working_days", "integer", "Working days in the sprint after public holidays.",
              unit="days", required=True, minimum=0, maximum=10),
        Field("pto_days", "number", "Planned leave in the team.", unit="person-days", required=True,
              minimum=0, fmt="{:.1f}"),
        Field("focus_factor", "number", "Share of time available for roadmap work.", unit="fraction 0-1",
              required=True, minimum=0, maximum=1),
        Field("capacity_person_days", "number", "Roadmap capacity.", unit="person-days", required=True,
              minimum=0, fmt="{:.2f}"),
    ],
)

TABLES = [BACKLOG, CAPACITY]
