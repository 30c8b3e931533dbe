"""Revenue: Quillo Plus subscriptions, their monthly payments, marketing spend, and the app releases.

The subscriptions are the users of product_users who have a `subscription_started` event in
product_events, so the warehouse's revenue and behaviour agree. Every plan bills monthly, on the
day of the month the subscription started (clamped to the month's end), so a subscription that
is active pays exactly once per calendar month.

Planted for the weekly metrics review (m06 04):
- students who subscribe around the January exams cancel after them: February renewals churn
  far more than any other month, so the January cohort's revenue retention is the lowest;
- December renewals churn more than autumn ones (the Christmas break);
- some Plus subscribers upgrade to Pro at a renewal (expansion revenue), a few Pro subscribers
  downgrade (contraction), so net revenue retention is above gross revenue retention;
- paid social buys subscribers at several times the cost of the other channels: its payback
  is far longer than a student's expected lifetime, campus partnerships pay back fastest.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .analytics import CHANNELS, WINDOW_END, WINDOW_START
from .company import APP_VERSIONS
from .core import Field, Table

PRICES = {"plus": 4.99, "pro": 8.99}  # USD a month
DATA_END = WINDOW_END + pd.Timedelta(hours=23, minutes=59, seconds=59)
# chance that a subscription is cancelled before a renewal, by the renewal's month
CHURN_BY_MONTH = {10: 0.08, 11: 0.09, 12: 0.20, 1: 0.10, 2: 0.38, 3: 0.12}
CHURN_EXTRA_PAID_SOCIAL = 0.08
UPGRADE_P, DOWNGRADE_P = 0.09, 0.05  # at a renewal: plus -> pro, pro -> plus
# average monthly spend by channel (USD); paid social is the expensive one
SPEND = {"app store search": 900.0, "organic web": 250.0, "referral": 120.0, "campus partnership": 300.0,
         "paid social": 2600.0}


def build_subscriptions(rng: np.random.Generator, ctx) -> pd.DataFrame:
    events = ctx.table("product_events")
    starts = (events[events["event_name"] == "subscription_started"].groupby("user_id")["event_time"].min()
              .sort_values(kind="stable"))
    channel = ctx.table("product_users").set_index("user_id")["acquisition_channel"]
    n = len(starts)
    plan = np.where(rng.random(n) < 0.8, "plus", "pro")
    cancelled = []
    for start, user in zip(starts.to_numpy(), starts.index):
        start = pd.Timestamp(start)
        extra = CHURN_EXTRA_PAID_SOCIAL if channel[user] == "paid social" else 0.0
        when = pd.NaT
        k = 1
        while start + pd.DateOffset(months=k) <= DATA_END:
            previous, renewal = start + pd.DateOffset(months=k - 1), start + pd.DateOffset(months=k)
            if rng.random() < CHURN_BY_MONTH[renewal.month] + extra:
                when = previous + (renewal - previous) * rng.uniform(0.2, 0.95)
                break
            k += 1
        cancelled.append(when.floor("s") if when is not pd.NaT else pd.NaT)
    return pd.DataFrame({
        "subscription_id": [f"S{i + 1:04d}" for i in range(n)],
        "user_id": starts.index.to_numpy(),
        "started_at": starts.to_numpy(),
        "plan_at_start": plan,
        "cancelled_at": pd.to_datetime(pd.Series(cancelled, dtype="datetime64[ns]")),
    })


SUBSCRIPTIONS = Table(
    name="subscriptions",
    title="Quillo Plus subscriptions, October 2024 to March 2025",
    description=(
        "One row per paid subscription: the users of product_users who started one (their "
        "subscription_started event), the plan they started on and, if they cancelled before "
        "31 March 2025, when. Every plan bills monthly; the payments are in payments."
    ),
    area="Product analytics",
    seed=6101,
    min_rows=500,
    primary_key=["subscription_id"],
    foreign_keys=[{"fields": ["user_id"], "reference": {"resource": "product_users", "fields": ["user_id"]}}],
    build=build_subscriptions,
    fields=[
        Field("subscription_id", "string", "Subscription identifier.", required=True, unique=True),
        Field("user_id", "string", "The subscriber (see product_users).", required=True, unique=True),
        Field("started_at", "datetime", "When the subscription started (its first payment).", required=True),
        Field("plan_at_start", "string", "Plan chosen at the start.", required=True, enum=sorted(PRICES)),
        Field("cancelled_at", "datetime",
              "When the subscriber cancelled; empty if still subscribed on 31 March 2025. "
              "No payment follows a cancellation."),
    ],
)


def build_payments(rng: np.random.Generator, ctx) -> pd.DataFrame:
    subs = ctx.table("subscriptions")
    rows = []
    for sub in subs.itertuples(index=False):
        start = pd.Timestamp(sub.started_at)
        plan = sub.plan_at_start
        k = 0
        while start + pd.DateOffset(months=k) <= DATA_END:
            paid_at = start + pd.DateOffset(months=k)
            if not pd.isna(sub.cancelled_at) and sub.cancelled_at < paid_at:
                break
            if k > 0:
                draw = rng.random()
                if plan == "plus" and draw < UPGRADE_P:
                    plan = "pro"
                elif plan == "pro" and draw < DOWNGRADE_P:
                    plan = "plus"
            rows.append((sub.subscription_id, sub.user_id, paid_at, plan, PRICES[plan]))
            k += 1
    df = pd.DataFrame(rows, columns=["subscription_id", "user_id", "paid_at", "plan", "amount_usd"])
    df = df.sort_values(["paid_at", "subscription_id"], kind="stable").reset_index(drop=True)
    df.insert(0, "payment_id", [f"P{i + 1:05d}" for i in range(len(df))])
    return df


PAYMENTS = Table(
    name="payments",
    title="Monthly subscription payments",
    description=(
        "One row per monthly charge of a subscription (see subscriptions): the plan it paid for and "
        "the amount. A subscription pays on the day of the month it started, once per calendar month, "
        "until it is cancelled; a plan change (plus to pro, or back) takes effect at a renewal."
    ),
    area="Product analytics",
    seed=6102,
    min_rows=1000,
    primary_key=["payment_id"],
    foreign_keys=[{"fields": ["subscription_id"], "reference": {"resource": "subscriptions", "fields": ["subscription_id"]}}],
    build=build_payments,
    fields=[
        Field("payment_id", "string", "Payment identifier.", required=True, unique=True),
        Field("subscription_id", "string", "Subscription charged (see subscriptions).", required=True),
        Field("user_id", "string", "The subscriber (see product_users).", required=True),
        Field("paid_at", "datetime", "When the charge was made.", required=True),
        Field("plan", "string", "Plan this charge pays for (one month of it).", required=True, enum=sorted(PRICES)),
        Field("amount_usd", "number", "Amount charged.", unit="USD", required=True, minimum=0),
    ],
)


def build_spend(rng: np.random.Generator, ctx) -> pd.DataFrame:
    months = pd.date_range(WINDOW_START, WINDOW_END, freq="MS")
    rows = []
    for month in months:
        season = 1.3 if month.month in (10, 1) else (0.6 if month.month == 12 else 1.0)
        for channel in CHANNELS:
            rows.append((month, channel, round(SPEND[channel] * season * rng.uniform(0.85, 1.15), -1)))
    return pd.DataFrame(rows, columns=["month", "acquisition_channel", "spend_usd"])


SPEND_TABLE = Table(
    name="marketing_spend",
    title="Marketing spend by month and acquisition channel",
    description=(
        "What Quillo spent to acquire users, per calendar month and acquisition channel (the channels "
        "of product_users): ads, campus events, referral credits, content. For CAC and payback."
    ),
    area="Product analytics",
    seed=6103,
    min_rows=30,
    primary_key=["month", "acquisition_channel"],
    build=build_spend,
    fields=[
        Field("month", "date", "First day of the calendar month.", required=True),
        Field("acquisition_channel", "string", "Channel (as in product_users).", required=True, enum=CHANNELS),
        Field("spend_usd", "number", "Spend in the month.", unit="USD", required=True, minimum=0, fmt="{:.0f}"),
    ],
)

RELEASE_NOTES = {
    "3.8.0": "Study streaks.",
    "3.9.0": "Shared course plans.",
    "4.0.0": "New planner design.",
    "4.0.1": "Planner fixes.",
    "4.1.0": "Focus timer.",
    "4.2.0": "Calendar sync rebuilt (broke sync for some students).",
    "4.2.1": "Sync hotfix (partial).",
    "4.2.2": "Calendar sync fixed.",
    "4.3.0": "Reminders redesigned.",
    "4.4.0": "Exam mode: revision plans before exams.",
}


def build_releases(rng: np.random.Generator, ctx) -> pd.DataFrame:
    return pd.DataFrame({
        "version": [v for v, _ in APP_VERSIONS],
        "released_on": pd.to_datetime([d for _, d in APP_VERSIONS]),
        "notes": [RELEASE_NOTES[v] for v, _ in APP_VERSIONS],
    })


RELEASES = Table(
    name="app_releases",
    title="Quillo app releases",
    description="Every app version of 2024 and early 2025 with its release day and a one-line note: for annotating charts.",
    area="Product analytics",
    seed=6104,
    min_rows=5,
    primary_key=["version"],
    build=build_releases,
    fields=[
        Field("version", "string", "App version.", required=True, unique=True),
        Field("released_on", "date", "Day the version reached all students.", required=True),
        Field("notes", "string", "What changed, in one line.", required=True),
    ],
)

TABLES = [SUBSCRIPTIONS, PAYMENTS, SPEND_TABLE, RELEASES]
