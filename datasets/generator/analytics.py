"""Product analytics: users, events, experiments, their assignments and guardrail outcomes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .company import PLATFORMS, SEGMENTS
from .core import Field, Table

CHANNELS = ["app store search", "organic web", "referral", "campus partnership", "paid social"]
FUNNEL = ["signup", "onboarding_completed", "course_added", "calendar_connected", "first_plan_created"]
EVENTS = FUNNEL + ["session_start", "task_completed", "reminder_opened", "paywall_viewed",
                   "subscription_started", "invite_sent"]
# step conversion (after signup) by platform; android loses users at calendar connection
STEP_P = {
    "ios": [0.86, 0.81, 0.74, 0.78],
    "android": [0.84, 0.79, 0.41, 0.76],
    "web": [0.72, 0.84, 0.66, 0.74],
}
WINDOW_START = pd.Timestamp("2024-10-01")
WINDOW_END = pd.Timestamp("2025-03-31")  # last day with events
N_USERS = 20000


def build_users(rng: np.random.Generator, ctx) -> pd.DataFrame:
    n = N_USERS
    days = pd.date_range(WINDOW_START, WINDOW_END - pd.Timedelta(days=14), freq="D")
    w = np.ones(len(days))
    m = days.month.to_numpy()
    w *= np.select([m == 10, m == 1, m == 12], [1.35, 1.4, 0.7], 1.0)
    w *= np.where(days.day_of_week.to_numpy() >= 5, 0.75, 1.0)
    d = np.sort(rng.choice(len(days), size=n, p=w / w.sum()))
    secs = rng.integers(7 * 3600, 24 * 3600, n)
    signup = days[d] + pd.to_timedelta(secs, unit="s")
    df = pd.DataFrame({
        "user_id": [f"U{i + 1:05d}" for i in range(n)],
        "signup_at": signup,
        "platform": np.array(PLATFORMS)[rng.choice(3, size=n, p=[0.42, 0.43, 0.15])],
        "segment": np.array(SEGMENTS)[rng.choice(5, size=n, p=[0.3, 0.3, 0.14, 0.14, 0.12])],
        "acquisition_channel": np.array(CHANNELS)[rng.choice(5, size=n, p=[0.34, 0.18, 0.16, 0.14, 0.18])],
    })
    df = df.sort_values("signup_at", kind="stable").reset_index(drop=True)
    df["user_id"] = [f"U{i + 1:05d}" for i in range(n)]
    return df


USERS = Table(
    name="product_users",
    title="Quillo users who signed up from October 2024 to March 2025",
    description=(
        "Every account created between 1 October 2024 and 17 March 2025, with the platform it was "
        "created on, the student segment chosen at signup and the acquisition channel. Their "
        "events are in product_events."
    ),
    area="Product analytics",
    seed=6001,
    min_rows=20000,
    primary_key=["user_id"],
    build=build_users,
    fields=[
        Field("user_id", "string", "User identifier.", required=True, unique=True),
        Field("signup_at", "datetime", "When the account was created.", required=True),
        Field("platform", "string", "Platform of signup (users stay on it).", required=True, enum=PLATFORMS),
        Field("segment", "string", "Student segment chosen at signup.", required=True, enum=SEGMENTS),
        Field("acquisition_channel", "string", "How the user found Quillo.", required=True, enum=CHANNELS),
    ],
)


def _times(base: np.ndarray, rng, median_min: float, sigma: float = 1.0) -> np.ndarray:
    gap = np.exp(rng.normal(np.log(median_min), sigma, len(base))) * 60.0
    return base + gap.astype("int64") * 1_000_000_000


def build_events(rng: np.random.Generator, ctx) -> pd.DataFrame:
    users = ctx.table("product_users")
    n = len(users)
    uid = users["user_id"].to_numpy()
    t0 = users["signup_at"].to_numpy().astype("datetime64[ns]").astype("int64")
    plat = users["platform"].to_numpy()
    end_ns = (WINDOW_END + pd.Timedelta(days=1)).value
    parts = [(np.arange(n), t0, "signup")]
    reached = np.ones(n, dtype=bool)
    t = t0.copy()
    medians = [6, 30, 600, 900]  # minutes to the next step
    step_time = {}
    for k, step in enumerate(FUNNEL[1:]):
        p = np.array([STEP_P[pl][k] for pl in plat])
        reached = reached & (rng.random(n) < p)
        t = _times(t, rng, medians[k], 1.3)
        ok = reached & (t < end_ns)
        step_time[step] = np.where(ok, t, -1)
        parts.append((np.flatnonzero(ok), t[ok], step))
    # a few users create their first plan before connecting a calendar (out of order)
    skip = (step_time["calendar_connected"] < 0) & (step_time["course_added"] > 0) & (rng.random(n) < 0.06)
    tp = _times(np.where(skip, step_time["course_added"], 0), rng, 240, 1.0)
    ok = skip & (tp < end_ns)
    parts.append((np.flatnonzero(ok), tp[ok], "first_plan_created"))
    tc = step_time["calendar_connected"]
    late = skip & (rng.random(n) < 0.5)
    tc2 = _times(np.where(late, tp, 0), rng, 2000, 0.8)
    ok2 = late & ok & (tc2 < end_ns)
    parts.append((np.flatnonzero(ok2), tc2[ok2], "calendar_connected"))
    activated = (step_time["first_plan_created"] > 0) | ok
    calendar = (tc > 0) & (tc - t0 < 7 * 86400 * 10**9)

    # daily activity after signup
    horizon = 182
    day0 = (t0 // (86400 * 10**9))  # day number of signup
    last_day = end_ns // (86400 * 10**9) - 1
    engage = np.exp(rng.normal(0, 0.8, n)) * np.where(activated, 1.0, 0.25) * np.where(calendar, 1.6, 1.0)
    engage *= np.select([users["segment"].to_numpy() == "Working student"], [0.85], 1.0)
    d = np.arange(1, horizon)
    base_curve = 0.55 * (d ** -0.55)  # daily activity decays with age of the account
    cal_days = day0[:, None] + d[None, :]
    dates = pd.to_datetime(cal_days.ravel() * 86400, unit="s").to_numpy().reshape(cal_days.shape)
    dow = ((cal_days + 3) % 7)  # 0 = Monday (1970-01-01 was a Thursday)
    month = pd.DatetimeIndex(dates.ravel()).month.to_numpy().reshape(cal_days.shape)
    dom = pd.DatetimeIndex(dates.ravel()).day.to_numpy().reshape(cal_days.shape)
    season = np.where(dow >= 5, 0.7, 1.0) * np.where(month == 1, 1.25, 1.0) * np.where(
        (month == 12) & (dom >= 20), 0.45, 1.0)
    p_active = np.clip(engage[:, None] * base_curve[None, :] * season, 0, 0.95)
    active = (rng.random(p_active.shape) < p_active) & (cal_days <= last_day)
    ui, di = np.nonzero(active)
    day_ns = cal_days[ui, di] * 86400 * 10**9
    hour = np.clip(rng.normal(16, 4.5, len(ui)), 6, 23.9)
    ts = day_ns + (hour * 3600).astype("int64") * 10**9
    parts.append((ui, ts, "session_start"))
    ntask = rng.poisson(1.1 * np.where(activated[ui], 1.0, 0.3))
    rep = np.repeat(np.arange(len(ui)), ntask)
    parts.append((ui[rep], ts[rep] + rng.integers(60, 3000, len(rep)) * 10**9, "task_completed"))
    rem = rng.random(len(ui)) < 0.35
    parts.append((ui[rem], ts[rem] - rng.integers(60, 600, rem.sum()) * 10**9, "reminder_opened"))
    inv = rng.random(len(ui)) < 0.02
    parts.append((ui[inv], ts[inv] + rng.integers(100, 1800, inv.sum()) * 10**9, "invite_sent"))
    pw = rng.random(len(ui)) < 0.05
    parts.append((ui[pw], ts[pw] + rng.integers(30, 900, pw.sum()) * 10**9, "paywall_viewed"))
    buy = pw & (rng.random(len(ui)) < 0.09 * np.where(calendar[ui], 1.3, 1.0))
    parts.append((ui[buy], ts[buy] + rng.integers(1000, 2000, buy.sum()) * 10**9, "subscription_started"))

    idx = np.concatenate([p[0] for p in parts])
    tim = np.concatenate([p[1] for p in parts])
    name = np.concatenate([np.full(len(p[0]), p[2], dtype=object) for p in parts])
    ev = pd.DataFrame({"user_id": uid[idx], "event_time": pd.to_datetime(tim).floor("s"), "event_name": name})
    ev = ev[ev["event_time"] < pd.Timestamp(end_ns)]
    # a subscription counts once per user
    first_sub = ev["event_name"].eq("subscription_started") & ev.duplicated(["user_id", "event_name"])
    ev = ev[~first_sub]
    # the tracking SDK double-fires a small share of events
    dup = ev.sample(frac=0.004, random_state=np.random.RandomState(int(rng.integers(2**31))))
    ev = pd.concat([ev, dup])
    ev["order"] = ev["event_name"].map(EVENTS.index)
    ev = ev.sort_values(["event_time", "user_id", "order"], kind="stable").drop(columns="order")
    return ev.reset_index(drop=True)


EVENTS_TABLE = Table(
    name="product_events",
    title="Quillo product events",
    description=(
        "Tracked events of the users in product_users, from signup to 31 March 2025: the activation "
        "funnel (signup, onboarding_completed, course_added, calendar_connected, "
        "first_plan_created), daily use (session_start, task_completed, reminder_opened, "
        "invite_sent) and monetisation (paywall_viewed, subscription_started). The tracking SDK "
        "sends a few events twice."
    ),
    area="Product analytics",
    seed=6002,
    min_rows=100000,
    compress=True,
    foreign_keys=[{"fields": ["user_id"], "reference": {"resource": "product_users", "fields": ["user_id"]}}],
    build=build_events,
    fields=[
        Field("user_id", "string", "User (see product_users).", required=True),
        Field("event_time", "datetime", "When the event happened (user's local time).", required=True),
        Field("event_name", "string", "What happened.", required=True, enum=EVENTS),
    ],
)

# --------------------------------------------------------------------------
EXPERIMENTS = [
    # id, name, hypothesis, metric, start, end, team, planned treatment share
    ("EXP01", "Paywall headline", "An exam-focused paywall headline (\"Ace your exams with Plus\") raises trial starts.",
     "trial_started", "2025-01-06", "2025-01-26", "Growth", 0.5),
    ("EXP02", "Annual plan pre-selected", "Pre-selecting the annual plan at checkout raises purchases.",
     "purchased", "2025-01-13", "2025-02-02", "Growth", 0.5),
    ("EXP03", "New landing page", "A landing page with student testimonials raises signups.",
     "signed_up", "2025-02-03", "2025-02-23", "Growth", 0.5),
    ("EXP04", "Student-discount banner", "A banner offering 30 % off for verified students raises trial starts.",
     "trial_started", "2025-02-10", "2025-03-02", "Growth", 0.5),
    ("EXP05", "Reminder timing", "Sending the study reminder one hour earlier raises next-day return.",
     "returned_next_day", "2025-03-03", "2025-03-16", "Core Planner", 0.5),
]
# Decided before each test (documented in experiments): the smallest relative lift worth shipping,
# and the guardrail (a harm that must not grow by more than the margin, in absolute points).
# id: (mde_relative, guardrail_metric, guardrail_margin)
PLAN = {
    "EXP01": (0.10, "support_contact", 0.01),
    "EXP02": (0.10, "refund_requested", 0.01),
    "EXP03": (0.10, "bounced", 0.03),
    "EXP04": (0.10, "support_contact", 0.01),
    "EXP05": (0.03, "reminders_disabled", 0.01),
}
GUARDRAIL_METRICS = ["support_contact", "refund_requested", "bounced", "reminders_disabled"]
# per experiment: n, {platform: (share of traffic, control rate, treatment rate, treatment share)}
DESIGN = {
    "EXP01": (16000, {"ios": (0.42, 0.082, 0.101, 0.5), "android": (0.43, 0.061, 0.076, 0.5),
                      "web": (0.15, 0.070, 0.085, 0.5)}),
    "EXP02": (8000, {"ios": (0.42, 0.051, 0.052, 0.5), "android": (0.43, 0.037, 0.038, 0.5),
                     "web": (0.15, 0.046, 0.046, 0.5)}),
    # SRM: a redirect bug loses treatment visitors on iOS Safari
    "EXP03": (16000, {"ios": (0.42, 0.120, 0.131, 0.41), "android": (0.43, 0.100, 0.110, 0.5),
                      "web": (0.15, 0.110, 0.121, 0.5)}),
    # Simpson: treatment ramped to 80 % on android (low converting), 20 % on iOS
    "EXP04": (16000, {"ios": (0.45, 0.140, 0.162, 0.2), "android": (0.45, 0.050, 0.066, 0.8),
                      "web": (0.10, 0.090, 0.108, 0.5)}),
    # underpowered: a real but small effect that this sample cannot detect
    "EXP05": (6000, {"ios": (0.42, 0.40, 0.41, 0.5), "android": (0.43, 0.36, 0.37, 0.5),
                     "web": (0.15, 0.30, 0.31, 0.5)}),
}


def build_experiments(rng: np.random.Generator, ctx) -> pd.DataFrame:
    rows = []
    for eid, name, hyp, metric, s, e, team, share in EXPERIMENTS:
        mde, guardrail, margin = PLAN[eid]
        rows.append({"experiment_id": eid, "name": name, "hypothesis": hyp, "primary_metric": metric,
                     "start_date": s, "end_date": e, "owner_team": team,
                     "planned_treatment_share": share, "unit": "visitor" if eid != "EXP05" else "user",
                     "mde_relative": mde, "guardrail_metric": guardrail, "guardrail_margin": margin})
    return pd.DataFrame(rows)


EXPERIMENTS_TABLE = Table(
    name="experiments",
    title="A/B tests run in Q1 2025",
    description="One row per A/B test: what it changed, the hypothesis, primary metric, dates and the planned split.",
    area="Launch & experiments",
    seed=6003,
    min_rows=5,
    primary_key=["experiment_id"],
    build=build_experiments,
    fields=[
        Field("experiment_id", "string", "Experiment identifier.", required=True, unique=True),
        Field("name", "string", "Short name.", required=True),
        Field("hypothesis", "string", "What the team expected.", required=True),
        Field("primary_metric", "string", "Outcome recorded in experiment_assignments.converted.",
              required=True, enum=["trial_started", "purchased", "signed_up", "returned_next_day"]),
        Field("start_date", "date", "First day of assignment.", required=True),
        Field("end_date", "date", "Last day of assignment.", required=True),
        Field("owner_team", "string", "Team running the test.", required=True, enum=["Growth", "Core Planner"]),
        Field("planned_treatment_share", "number", "Planned share of units sent to treatment.",
              unit="fraction 0-1", required=True, minimum=0, maximum=1),
        Field("unit", "string", "Unit of randomisation.", required=True, enum=["visitor", "user"]),
        Field("mde_relative", "number", "Minimum detectable effect decided before the test: the smallest relative "
              "lift of the primary metric worth shipping.", unit="fraction of the control rate", required=True,
              minimum=0, maximum=1),
        Field("guardrail_metric", "string", "Harm that must not grow (recorded in experiment_guardrails.guardrail_event): "
              "support_contact (contacted support within 7 days), refund_requested (asked for a refund within "
              "14 days), bounced (left after one page), reminders_disabled (turned reminders off within 7 days).",
              required=True, enum=GUARDRAIL_METRICS),
        Field("guardrail_margin", "number", "Non-inferiority margin: the largest increase of the guardrail rate "
              "(treatment minus control) the team accepts.", unit="fraction (absolute difference of two rates)",
              required=True, minimum=0, maximum=1, fmt="{:.4f}"),
    ],
)


def build_assignments(rng: np.random.Generator, ctx) -> pd.DataFrame:
    frames = []
    for eid, _, _, _, s, e, _, _ in EXPERIMENTS:
        n, design = DESIGN[eid]
        days = pd.date_range(s, e, freq="D")
        plats = list(design)
        shares = np.array([design[p][0] for p in plats])
        pl = np.array(plats)[rng.choice(len(plats), size=n, p=shares / shares.sum())]
        treat = np.zeros(n, dtype=bool)
        conv = np.zeros(n, dtype=bool)
        for p in plats:
            m = pl == p
            _, rc, rt, ts = design[p]
            if eid == "EXP03" and p == "ios":
                # assigned 50/50, but a share of iOS treatment visitors is dropped before logging
                treat[m] = rng.random(m.sum()) < 0.5
            else:
                treat[m] = rng.random(m.sum()) < ts
            rate = np.where(treat[m], rt, rc)
            conv[m] = rng.random(m.sum()) < rate
        keep = np.ones(n, dtype=bool)
        if eid == "EXP03":
            lost = (pl == "ios") & treat & (rng.random(n) < 0.31)
            keep = ~lost
        when = days[rng.integers(0, len(days), n)] + pd.to_timedelta(rng.integers(0, 86400, n), unit="s")
        frames.append(pd.DataFrame({
            "experiment_id": eid, "unit_id": "", "assigned_at": when,
            "variant": np.where(treat, "treatment", "control"), "platform": pl, "converted": conv,
        })[keep])
    df = pd.concat(frames, ignore_index=True)
    df = df.sort_values(["experiment_id", "assigned_at"], kind="stable").reset_index(drop=True)
    df["unit_id"] = [f"{e[-2:]}-{i:06d}" for e, i in zip(df["experiment_id"], df.groupby("experiment_id").cumcount() + 1)]
    check_planted_experiments(df)
    return df


def _z(df: pd.DataFrame) -> float:
    g = df.groupby("variant")["converted"].agg(["sum", "size"])
    x1, n1 = g.loc["treatment"]
    x0, n0 = g.loc["control"]
    p = (x1 + x0) / (n1 + n0)
    return float((x1 / n1 - x0 / n0) / np.sqrt(p * (1 - p) * (1 / n1 + 1 / n0)))


def check_planted_experiments(df: pd.DataFrame) -> None:
    """Fail loudly if a seed change loses a planted pattern."""
    by = {e: d for e, d in df.groupby("experiment_id")}
    assert _z(by["EXP01"]) > 2.6, "EXP01 should be a clear win"
    assert abs(_z(by["EXP02"])) < 1.5, "EXP02 should be a null result"
    n = by["EXP03"]["variant"].value_counts()
    assert (n["control"] - n["treatment"]) ** 2 / n.sum() > 15, "EXP03 should show a sample-ratio mismatch"
    e4 = by["EXP04"]
    assert _z(e4) < -2, "EXP04 should look worse overall"
    for _, d in e4.groupby("platform"):
        r = d.groupby("variant")["converted"].mean()
        assert r["treatment"] > r["control"], "EXP04 should be better on every platform"
    assert abs(_z(by["EXP05"])) < 1.6, "EXP05 should not reach significance"


ASSIGN = Table(
    name="experiment_assignments",
    title="A/B test assignments and outcomes",
    description=(
        "One row per unit (visitor or user) that entered an experiment: the variant it saw, its "
        "platform and whether it reached the experiment's primary metric (see experiments)."
    ),
    area="Launch & experiments",
    seed=6004,
    min_rows=40000,
    primary_key=["experiment_id", "unit_id"],
    foreign_keys=[{"fields": ["experiment_id"], "reference": {"resource": "experiments", "fields": ["experiment_id"]}}],
    build=build_assignments,
    fields=[
        Field("experiment_id", "string", "Experiment (see experiments).", required=True,
              enum=[x[0] for x in EXPERIMENTS]),
        Field("unit_id", "string", "Visitor or user identifier within the experiment.", required=True),
        Field("assigned_at", "datetime", "When the unit was assigned to a variant.", required=True),
        Field("variant", "string", "Variant shown.", required=True, enum=["control", "treatment"]),
        Field("platform", "string", "Platform of the visit.", required=True, enum=PLATFORMS),
        Field("converted", "boolean", "Reached the experiment's primary metric.", required=True),
    ],
)


# Guardrail outcomes come from other systems (support desk, billing, web analytics, notification
# settings), so they are their own table, with their own seed, joined on (experiment_id, unit_id).
# per experiment: (control rate, treatment rate) of the guardrail event, the same on every platform
GUARDRAIL_RATES = {
    "EXP01": (0.030, 0.030),   # no harm, and enough units to show it (non-inferior)
    "EXP02": (0.012, 0.026),   # pre-selecting the annual plan more than doubles refund requests
    "EXP03": (0.450, 0.450),
    "EXP04": (0.030, 0.030),
    "EXP05": (0.050, 0.058),   # a small rise that this small test can neither show nor rule out
}


def build_guardrails(rng: np.random.Generator, ctx) -> pd.DataFrame:
    units = ctx.table("experiment_assignments")
    treated = (units["variant"] == "treatment").to_numpy()
    control_rate = units["experiment_id"].map({e: r[0] for e, r in GUARDRAIL_RATES.items()}).to_numpy(float)
    treatment_rate = units["experiment_id"].map({e: r[1] for e, r in GUARDRAIL_RATES.items()}).to_numpy(float)
    event = rng.random(len(units)) < np.where(treated, treatment_rate, control_rate)
    df = pd.DataFrame({"experiment_id": units["experiment_id"], "unit_id": units["unit_id"], "guardrail_event": event})
    check_planted_guardrails(df.assign(variant=units["variant"]))
    return df


def _newcombe_upper(df: pd.DataFrame) -> tuple[float, float]:
    """Lower and upper end of the 95 % Newcombe (Wilson-based) interval of treatment - control."""
    z = 1.959963984540054
    ends = {}
    for arm, d in df.groupby("variant"):
        x, n = int(d["guardrail_event"].sum()), len(d)
        p = x / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        ends[arm] = (p, centre - half, centre + half)
    (pc, lc, uc), (pt, lt, ut) = ends["control"], ends["treatment"]
    diff = pt - pc
    low = diff - np.sqrt((pt - lt) ** 2 + (uc - pc) ** 2)
    high = diff + np.sqrt((ut - pt) ** 2 + (pc - lc) ** 2)
    return float(low), float(high)


def check_planted_guardrails(df: pd.DataFrame) -> None:
    """Fail loudly if a seed change loses a planted guardrail result."""
    by = {e: d for e, d in df.groupby("experiment_id")}
    margin = {e: plan[2] for e, plan in PLAN.items()}
    for e in ("EXP01", "EXP03", "EXP04"):
        assert _newcombe_upper(by[e])[1] < margin[e], f"{e}'s guardrail should be shown non-inferior"
    low, _ = _newcombe_upper(by["EXP02"])
    assert low > 0, "EXP02 should clearly raise refund requests"
    low, high = _newcombe_upper(by["EXP05"])
    assert low < 0 < high and high > margin["EXP05"], "EXP05's guardrail should be inconclusive"


GUARDRAILS = Table(
    name="experiment_guardrails",
    title="A/B test guardrail outcomes",
    description=(
        "One row per unit of experiment_assignments: whether it reached its experiment's guardrail event, "
        "a harm the change must not increase (which one: experiments.guardrail_metric). Recorded by the "
        "support desk, billing, web analytics or the notification settings; join on experiment_id and unit_id."
    ),
    area="Launch & experiments",
    seed=6005,
    min_rows=40000,
    primary_key=["experiment_id", "unit_id"],
    foreign_keys=[{"fields": ["experiment_id", "unit_id"],
                   "reference": {"resource": "experiment_assignments", "fields": ["experiment_id", "unit_id"]}}],
    build=build_guardrails,
    fields=[
        Field("experiment_id", "string", "Experiment (see experiments).", required=True,
              enum=[x[0] for x in EXPERIMENTS]),
        Field("unit_id", "string", "Unit (see experiment_assignments).", required=True),
        Field("guardrail_event", "boolean", "Reached the experiment's guardrail event (a harm).", required=True),
    ],
)

TABLES = [USERS, EVENTS_TABLE, EXPERIMENTS_TABLE, ASSIGN, GUARDRAILS]
