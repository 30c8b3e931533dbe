"""Capstone: Rotaly, a B2B shift-scheduling SaaS for restaurants, cafés and shops."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .core import Field, Table
from .text import add_noise, pick
from .roadmap import CONFIDENCES, FIB, IMPACTS, MOSCOW, _to_fib

BUSINESS_TYPES = ["restaurant", "café", "bar", "bakery", "retail shop"]
CAP_PLANS = ["Starter", "Pro", "Multi-site"]
CAP_REGIONS = ["North America", "Western Europe", "Latin America"]
CAP_CHANNELS = ["self-serve", "sales-led", "partner (POS reseller)"]
PRICE = {"Starter": 29.0, "Pro": 79.0, "Multi-site": 59.0}  # Multi-site priced per location
END = pd.Timestamp("2025-03-31")


def build_accounts(rng: np.random.Generator, ctx) -> pd.DataFrame:
    n = 900
    rows = []
    days = pd.date_range("2024-04-01", "2025-02-28", freq="D")
    for i in range(n):
        btype = BUSINESS_TYPES[int(rng.choice(5, p=[0.38, 0.24, 0.12, 0.1, 0.16]))]
        locs = int(min(1 + rng.geometric(0.55) - 1 + (rng.random() < 0.12) * rng.integers(2, 10), 25))
        plan = "Multi-site" if locs >= 3 else ("Pro" if rng.random() < 0.45 else "Starter")
        emp = int(max(3, round(locs * np.exp(rng.normal(np.log(14), 0.5)))))
        signup = days[int(rng.integers(len(days)))]
        ch = CAP_CHANNELS[int(rng.choice(3, p=[0.5, 0.25, 0.25] if locs < 3 else [0.15, 0.7, 0.15]))]
        mrr = PRICE[plan] * (locs if plan == "Multi-site" else 1)
        rows.append({"account_id": f"AC{i + 1:04d}", "signup_date": signup, "business_type": btype,
                     "region": CAP_REGIONS[int(rng.choice(3, p=[0.45, 0.4, 0.15]))],
                     "locations": locs, "employees": emp, "plan": plan, "acquisition_channel": ch,
                     "mrr_usd": mrr})
    df = pd.DataFrame(rows).sort_values("signup_date", kind="stable").reset_index(drop=True)
    df["account_id"] = [f"AC{i + 1:04d}" for i in range(n)]
    return df


ACCOUNTS = Table(
    name="capstone_accounts",
    title="Rotaly customer accounts",
    description=(
        "Businesses that started a Rotaly subscription between April 2024 and February 2025: type, "
        "size, plan and monthly recurring revenue at signup. Whether and when they churned is in "
        "capstone_events (event account_cancelled)."
    ),
    area="Capstone",
    seed=8001,
    min_rows=500,
    primary_key=["account_id"],
    build=build_accounts,
    fields=[
        Field("account_id", "string", "Account identifier.", required=True, unique=True),
        Field("signup_date", "date", "Day the paid subscription started.", required=True),
        Field("business_type", "string", "Kind of business.", required=True, enum=BUSINESS_TYPES),
        Field("region", "string", "Region.", required=True, enum=CAP_REGIONS),
        Field("locations", "integer", "Number of sites (restaurants, shops) on the account.", unit="sites",
              required=True, minimum=1),
        Field("employees", "integer", "Staff scheduled in Rotaly.", unit="persons", required=True, minimum=1),
        Field("plan", "string", "Plan: Starter (1 site, 29 USD), Pro (1 site, 79 USD), Multi-site (59 USD per site).",
              required=True, enum=CAP_PLANS),
        Field("acquisition_channel", "string", "How the account was won.", required=True, enum=CAP_CHANNELS),
        Field("mrr_usd", "number", "Monthly recurring revenue at signup.", unit="USD per month", required=True,
              minimum=0),
    ],
)

CAP_EVENTS = ["account_created", "location_added", "staff_invited", "schedule_published", "shift_swap_requested",
              "shift_swap_approved", "timesheet_exported", "payroll_export_failed", "account_cancelled"]
ROLES = ["owner", "manager", "staff"]


def _hidden(ctx):
    """Per-account latent facts shared by events and feedback (own fixed stream)."""
    acc = ctx.table("capstone_accounts")
    rng = np.random.default_rng(8000)
    n = len(acc)
    invites_early = rng.random(n) < np.where(acc["acquisition_channel"] == "sales-led", 0.75, 0.5)
    payroll_pain = (acc["locations"].to_numpy() >= 3) & (rng.random(n) < 0.55) | (rng.random(n) < 0.08)
    monthly_churn = 0.025 + np.where(invites_early, 0.0, 0.07) + np.where(payroll_pain, 0.035, 0.0)
    months_alive = rng.geometric(monthly_churn) - 1 + rng.random(n)
    churn_date = acc["signup_date"] + pd.to_timedelta(np.round(months_alive * 30.4), unit="D")
    churned = churn_date <= END
    return acc, invites_early, payroll_pain, churned.to_numpy(), churn_date.where(churned)


def build_cap_events(rng: np.random.Generator, ctx) -> pd.DataFrame:
    acc, early, pain, churned, cdate = _hidden(ctx)
    rows_a, rows_t, rows_e, rows_r = [], [], [], []

    def add(a, t, e, r):
        rows_a.append(a); rows_t.append(t); rows_e.append(e); rows_r.append(r)

    for i, a in enumerate(acc.itertuples(index=False)):
        t0 = pd.Timestamp(a.signup_date) + pd.Timedelta(hours=float(rng.uniform(8, 20)))
        add(a.account_id, t0, "account_created", "owner")
        last = min(cdate.iloc[i], END + pd.Timedelta(hours=23)) if churned[i] else END + pd.Timedelta(hours=23)
        for k in range(1, a.locations):
            add(a.account_id, t0 + pd.Timedelta(hours=float(rng.uniform(0.2, 72))), "location_added", "owner")
        inv_t = t0 + pd.Timedelta(days=float(rng.uniform(0.1, 6.5) if early[i] else rng.uniform(8, 40)))
        if inv_t < last:
            add(a.account_id, inv_t, "staff_invited", pick(rng, ["owner", "manager"]))
        week = pd.Timestamp(a.signup_date) + pd.Timedelta(days=int(rng.integers(2, 8)))
        while week < last:
            for _ in range(a.locations if a.locations <= 4 else 4):
                add(a.account_id, week + pd.Timedelta(hours=float(rng.uniform(9, 18))), "schedule_published",
                    pick(rng, ["owner", "manager", "manager"]))
            if week > inv_t:
                for _ in range(int(rng.poisson(0.15 * min(a.employees, 40) / 4))):
                    ts = week + pd.Timedelta(hours=float(rng.uniform(0, 160)))
                    add(a.account_id, ts, "shift_swap_requested", "staff")
                    if rng.random() < 0.8:
                        add(a.account_id, ts + pd.Timedelta(hours=float(rng.uniform(0.5, 20))),
                            "shift_swap_approved", "manager")
            if week.day <= 7 or (a.plan == "Multi-site" and 14 < week.day <= 21):
                ts = week + pd.Timedelta(hours=float(rng.uniform(8, 20)))
                if pain[i] and rng.random() < 0.6:
                    add(a.account_id, ts, "payroll_export_failed", pick(rng, ["owner", "manager"]))
                    ts = ts + pd.Timedelta(hours=float(rng.uniform(0.2, 30)))
                add(a.account_id, ts, "timesheet_exported", pick(rng, ["owner", "manager"]))
            week = week + pd.Timedelta(days=7)
        if churned[i]:
            add(a.account_id, cdate.iloc[i] + pd.Timedelta(hours=float(rng.uniform(9, 17))), "account_cancelled", "owner")
    df = pd.DataFrame({"account_id": rows_a, "event_time": rows_t, "event_name": rows_e, "actor_role": rows_r})
    df["event_time"] = pd.to_datetime(df["event_time"]).dt.floor("s")
    df = df[df["event_time"] <= END + pd.Timedelta(hours=23, minutes=59)]
    df["o"] = df["event_name"].map(CAP_EVENTS.index)
    df = df.sort_values(["event_time", "account_id", "o"], kind="stable").drop(columns="o")
    return df.reset_index(drop=True)


CAP_EVENTS_TABLE = Table(
    name="capstone_events",
    title="Rotaly product events",
    description=(
        "Account-level product events of Rotaly customers from signup to 31 March 2025: setup "
        "(account_created, location_added, staff_invited), weekly use (schedule_published, shift "
        "swaps, timesheet_exported, payroll_export_failed) and account_cancelled (churn)."
    ),
    area="Capstone",
    seed=8002,
    min_rows=20000,
    compress=True,
    foreign_keys=[{"fields": ["account_id"], "reference": {"resource": "capstone_accounts", "fields": ["account_id"]}}],
    build=build_cap_events,
    fields=[
        Field("account_id", "string", "Account (see capstone_accounts).", required=True),
        Field("event_time", "datetime", "When it happened (local time of the business).", required=True),
        Field("event_name", "string", "What happened.", required=True, enum=CAP_EVENTS),
        Field("actor_role", "string", "Who did it.", required=True, enum=ROLES),
    ],
)

# --------------------------------------------------------------------------
CAP_POOLS = {
    "payroll": ["The payroll export to our accounting tool fails every month.",
                "Exporting hours to payroll is still manual for us, it takes a whole afternoon.",
                "Payroll export doesn't handle overtime, so I redo it in Excel.",
                "With four sites the payroll export is a nightmare.",
                "We need a direct payroll integration, the CSV export isn't enough."],
    "swaps": ["Staff love swapping shifts in the app.", "Shift swaps save me hours of texting.",
              "Shift swap approvals get lost, managers don't see them."],
    "mobile": ["The staff app is easy, even our older staff use it.", "Staff app logs people out all the time.",
               "My team checks their rota on the phone, no more printed schedules."],
    "pricing": ["Per-site pricing adds up quickly for a small chain.", "Good value for what it does.",
                "Too expensive for a single café."],
    "compliance": ["It warns me when someone has no break, that's great for labour law.",
                   "Break rules for our state are wrong."],
    "onboarding": ["Setup took ten minutes.", "Importing staff from the POS was painful."],
}
SOURCES = ["NPS survey", "support ticket", "sales call", "churn survey"]


def build_cap_feedback(rng: np.random.Generator, ctx) -> pd.DataFrame:
    acc, early, pain, churned, cdate = _hidden(ctx)
    rows = []
    n = 1300
    for i in range(n):
        k = int(rng.integers(len(acc)))
        a = acc.iloc[k]
        src = SOURCES[int(rng.choice(4, p=[0.5, 0.3, 0.12, 0.08]))]
        if src == "churn survey" and not churned[k]:
            src = "NPS survey"
        p = np.array([0.18, 0.2, 0.18, 0.16, 0.12, 0.16])
        if pain[k]:
            p[0] = 0.6
        theme = list(CAP_POOLS)[int(rng.choice(6, p=p / p.sum()))]
        text = pick(rng, CAP_POOLS[theme])
        neg = any(w in text for w in ("fail", "manual", "doesn't", "nightmare", "isn't", "lost", "logs",
                                       "adds up", "expensive", "wrong", "painful"))
        score = None
        if src == "NPS survey":
            score = int(np.clip(np.round(rng.normal(4.5 if neg else 8.6, 1.6)), 0, 10))
        lo = pd.Timestamp(a["signup_date"]) + pd.Timedelta(days=14)
        hi = cdate.iloc[k] if churned[k] else END
        if src == "churn survey":
            date = cdate.iloc[k]
        else:
            span = max((hi - lo).days, 1)
            date = lo + pd.Timedelta(days=int(rng.integers(0, span)))
        if date > END or date < lo - pd.Timedelta(days=14):
            continue
        rows.append({"account_id": a["account_id"], "feedback_date": date, "source": src,
                     "role": pick(rng, ["owner", "owner", "manager"]), "nps_score": score,
                     "text": add_noise(rng, text, p_typo=0.15, p_lower=0.1)})
    df = pd.DataFrame(rows).sort_values("feedback_date", kind="stable").reset_index(drop=True)
    df.insert(0, "feedback_id", [f"FB{i + 1:04d}" for i in range(len(df))])
    return df


CAP_FEEDBACK = Table(
    name="capstone_feedback",
    title="Rotaly customer feedback",
    description=(
        "Feedback from Rotaly customers collected from four sources: the quarterly NPS survey (with a "
        "0-10 score), support tickets, notes from sales calls and the survey shown when an account "
        "cancels. One row per piece of feedback."
    ),
    area="Capstone",
    seed=8003,
    min_rows=1000,
    primary_key=["feedback_id"],
    foreign_keys=[{"fields": ["account_id"], "reference": {"resource": "capstone_accounts", "fields": ["account_id"]}}],
    build=build_cap_feedback,
    fields=[
        Field("feedback_id", "string", "Feedback identifier.", required=True, unique=True),
        Field("account_id", "string", "Account (see capstone_accounts).", required=True),
        Field("feedback_date", "date", "Day the feedback was given.", required=True),
        Field("source", "string", "Where the feedback came from.", required=True, enum=SOURCES),
        Field("role", "string", "Role of the person giving feedback.", required=True, enum=["owner", "manager"]),
        Field("nps_score", "integer", "Likelihood to recommend (NPS survey only).", unit="0-10 scale",
              minimum=0, maximum=10),
        Field("text", "string", "What the customer said, as recorded.", required=True, allowed="free text"),
    ],
)

# --------------------------------------------------------------------------
CAP_ITEMS = [
    ("R01", "Direct payroll integration (Gusto, ADP)", "Payroll & compliance", [], (120, 2, 0.8, 6.0)),
    ("R02", "Overtime rules in timesheet export", "Payroll & compliance", [], None),
    ("R03", "Break-rule templates per state", "Payroll & compliance", [], None),
    ("R04", "Auto-fill schedule from last week", "Scheduling", [], None),
    ("R05", "Demand forecast from POS sales", "Scheduling", ["R06"], None),
    ("R06", "POS integration (Square, Toast)", "Integrations", [], None),
    ("R07", "Shift-swap approval inbox", "Staff app", [], None),
    ("R08", "Staff app: stay logged in", "Staff app", [], None),
    ("R09", "Open-shift marketplace", "Staff app", ["R07"], None),
    ("R10", "Multi-site dashboard", "Multi-site", [], None),
    ("R11", "Move staff between sites", "Multi-site", ["R10"], None),
    ("R12", "Labour-cost budget per week", "Scheduling", ["R06"], None),
    ("R13", "Availability requests from staff", "Staff app", [], None),
    ("R14", "Time-clock kiosk mode", "Payroll & compliance", [], None),
    ("R15", "Geo-fenced clock-in", "Payroll & compliance", ["R14"], None),
    ("R16", "Template library for café rotas", "Scheduling", [], None),
    ("R17", "Team chat", "Staff app", [], None),
    ("R18", "SSO for multi-site owners", "Multi-site", ["R10"], None),
    ("R19", "Annual billing discount", "Billing", [], None),
    ("R20", "Per-site invoices", "Billing", ["R10"], None),
    ("R21", "Tip pooling report", "Payroll & compliance", ["R02"], None),
    ("R22", "Onboarding: import staff from CSV", "Onboarding", [], None),
    ("R23", "Onboarding: guided first rota", "Onboarding", [], None),
    ("R24", "Spanish-language staff app", "Staff app", [], None),
    ("R25", "Public API", "Integrations", [], None),
    ("R26", "Accounting export (QuickBooks, Xero)", "Integrations", ["R02"], None),
    ("R27", "Manager mobile approvals", "Staff app", ["R07"], None),
    ("R28", "Holiday calendar by region", "Scheduling", [], None),
    ("R29", "Sick-leave cover suggestions", "Scheduling", ["R13"], None),
    ("R30", "Printable rota redesign", "Scheduling", [], None),
]
CAP_THEMES = ["Payroll & compliance", "Scheduling", "Staff app", "Multi-site", "Integrations", "Billing",
              "Onboarding"]


def build_cap_backlog(rng: np.random.Generator, ctx) -> pd.DataFrame:
    rows = []
    for iid, title, theme, deps, override in CAP_ITEMS:
        reach = int(np.clip(np.round(np.exp(rng.normal(np.log(300), 0.7)) / 10) * 10, 20, 2000))
        impact = IMPACTS[int(rng.choice(5, p=[0.1, 0.25, 0.35, 0.2, 0.1]))]
        conf = CONFIDENCES[int(rng.choice(3, p=[0.3, 0.45, 0.25]))]
        effort = float(rng.choice([0.5, 1, 1.5, 2, 3, 4, 6]))
        if override:
            reach, impact, conf, effort = override
        rows.append({
            "item_id": iid, "title": title, "theme": theme,
            "reach_accounts_per_quarter": reach, "impact": impact, "confidence": conf,
            "effort_person_months": effort,
            "ice_impact": int(np.clip(np.round({3: 9, 2: 7, 1: 5, 0.5: 3.5, 0.25: 2}[impact] + rng.normal(0, 1)), 1, 10)),
            "ice_confidence": int(np.clip(np.round(conf * 9 + rng.normal(0, 0.8)), 1, 10)),
            "ice_ease": int(np.clip(np.round(10.5 - 1.4 * effort + rng.normal(0, 0.8)), 1, 10)),
            "wsjf_business_value": _to_fib({3: 13, 2: 8, 1: 5, 0.5: 3, 0.25: 1}[impact] * np.exp(rng.normal(0, 0.3))),
            "wsjf_time_criticality": _to_fib(np.exp(rng.normal(np.log(3), 0.7))),
            "wsjf_risk_reduction": _to_fib(np.exp(rng.normal(np.log(2.5), 0.7))),
            "wsjf_job_size": _to_fib(effort * 2.2 * np.exp(rng.normal(0, 0.2))),
            "depends_on": ";".join(deps) if deps else None,
            "arr_at_risk_usd": float(np.round(np.exp(rng.normal(np.log(8000), 1.0)), -2)),
            "moscow": MOSCOW[int(rng.choice(4, p=[0.25, 0.35, 0.3, 0.1]))],
        })
    df = pd.DataFrame(rows)
    df.loc[df["item_id"] == "R01", ["arr_at_risk_usd", "moscow", "wsjf_time_criticality"]] = [182000.0, "Should", 13]
    return df


CAP_BACKLOG = Table(
    name="capstone_backlog",
    title="Rotaly feature backlog",
    description=(
        "Rotaly's candidate roadmap items: RICE, ICE and WSJF inputs, dependencies, the annual "
        "recurring revenue of accounts that asked for the item (ARR at risk) and the product "
        "lead's MoSCoW label. Reach counts accounts, not people."
    ),
    area="Capstone",
    seed=8004,
    min_rows=25,
    primary_key=["item_id"],
    build=build_cap_backlog,
    fields=[
        Field("item_id", "string", "Backlog item identifier.", required=True, unique=True),
        Field("title", "string", "Short name.", required=True),
        Field("theme", "string", "Product theme.", required=True, enum=CAP_THEMES),
        Field("reach_accounts_per_quarter", "integer", "RICE reach: accounts affected per quarter.",
              unit="accounts per quarter", required=True, minimum=0),
        Field("impact", "number", "RICE impact: 3, 2, 1, 0.5 or 0.25.", unit="scale", required=True,
              enum=IMPACTS, fmt="{:g}"),
        Field("confidence", "number", "RICE confidence: 1.0, 0.8 or 0.5.", unit="fraction", required=True,
              enum=CONFIDENCES, fmt="{:.1f}"),
        Field("effort_person_months", "number", "RICE effort.", unit="person-months", required=True,
              minimum=0.1, fmt="{:g}", allowed="> 0"),
        Field("ice_impact", "integer", "ICE impact.", unit="1-10", required=True, minimum=1, maximum=10),
        Field("ice_confidence", "integer", "ICE confidence.", unit="1-10", required=True, minimum=1, maximum=10),
        Field("ice_ease", "integer", "ICE ease.", unit="1-10", required=True, minimum=1, maximum=10),
        Field("wsjf_business_value", "integer", "WSJF user/business value.", unit="relative", required=True, enum=FIB),
        Field("wsjf_time_criticality", "integer", "WSJF time criticality.", unit="relative", required=True, enum=FIB),
        Field("wsjf_risk_reduction", "integer", "WSJF risk reduction / opportunity enablement.", unit="relative",
              required=True, enum=FIB),
        Field("wsjf_job_size", "integer", "WSJF job size.", unit="relative", required=True, enum=FIB),
        Field("depends_on", "string", "Items that must be done first, ';'-separated (empty: none).",
              allowed="';'-separated item ids"),
        Field("arr_at_risk_usd", "number", "Annual recurring revenue of the accounts that requested the item.",
              unit="USD per year", required=True, minimum=0, fmt="{:.0f}"),
        Field("moscow", "string", "MoSCoW label from the product lead.", required=True, enum=MOSCOW),
    ],
)

TABLES = [ACCOUNTS, CAP_EVENTS_TABLE, CAP_FEEDBACK, CAP_BACKLOG]
