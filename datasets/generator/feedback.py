"""Customer feedback tables: app reviews, NPS survey, support tickets."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .company import APP_VERSIONS, PLANS, PLATFORMS, SEGMENTS, SYNC_BROKEN_VERSIONS
from .core import Field, Table
from .text import (CLOSERS_NEG, CLOSERS_POS, OPENERS, SARCASM, SARCASM_THEME, TITLES, add_noise,
                   join, lower_first, pick, sentence)

VERSION_NAMES = [v for v, _ in APP_VERSIONS]
RELEASES = pd.to_datetime([d for _, d in APP_VERSIONS])
SYNC_RELEASE = pd.Timestamp(dict(APP_VERSIONS)["4.2.0"])
SYNC_FIX = pd.Timestamp(dict(APP_VERSIONS)["4.2.2"])

THEMES = ["sync", "bugs", "pricing", "onboarding", "notifications", "design", "request", "praise"]
BASE_THEME_P = np.array([0.07, 0.14, 0.15, 0.09, 0.09, 0.10, 0.12, 0.24])
P_NEG = {"sync": 0.75, "bugs": 0.85, "pricing": 0.72, "onboarding": 0.55, "notifications": 0.6,
         "design": 0.45}


def version_at(rng: np.random.Generator, day: pd.Timestamp) -> str:
    """Version a user runs on a day: mostly the latest release, sometimes older."""
    k = int(np.searchsorted(RELEASES, day, side="right")) - 1
    back = int(rng.choice(3, p=[0.8, 0.15, 0.05]))
    return VERSION_NAMES[max(k - back, 0)]


def theme_probs(version: str) -> np.ndarray:
    p = BASE_THEME_P.copy()
    if version in SYNC_BROKEN_VERSIONS:
        p[0] = 0.45 if version == "4.2.0" else 0.36
    elif version == "4.2.2":
        p[0] = 0.12
    return p / p.sum()


def stars_for(rng, theme: str, pol: str) -> int:
    if pol == "neg":
        return int(rng.choice([1, 2, 3], p=[0.55, 0.3, 0.15]))
    if pol == "neu":
        return int(rng.choice([2, 3, 4, 5], p=[0.1, 0.35, 0.4, 0.15]))
    return int(rng.choice([3, 4, 5], p=[0.08, 0.3, 0.62]))


def review_text(rng, theme: str, pol: str, version: str) -> tuple[str, int, str]:
    """Return (text, stars, title key polarity)."""
    if pol == "neg" and rng.random() < 0.06:  # sarcasm
        i = int(rng.integers(len(SARCASM)))
        theme = SARCASM_THEME[i]
        return SARCASM[i], int(rng.choice([1, 2], p=[0.8, 0.2])), theme
    parts = [pick(rng, OPENERS) if rng.random() < 0.4 else ""]
    main = sentence(rng, theme, pol, version)
    if theme == "sync" and pol == "pos" and version in ("4.2.2", "4.3.0") and rng.random() < 0.5:
        main = "Sync is finally fixed, thank you."
    stars = stars_for(rng, theme, pol)
    r = rng.random()
    if pol == "neg" and r < 0.25:  # mixed review: praise, but problem
        other = pick(rng, ["design", "notifications", "praise", "onboarding"])
        parts += [sentence(rng, other, "pos"), "But " + lower_first(main)]
        stars = int(rng.choice([2, 3, 4], p=[0.35, 0.45, 0.2]))
    elif pol == "pos" and r < 0.3:  # praise plus a request
        parts += [main, sentence(rng, "request", "neu")]
        stars = int(rng.choice([4, 5], p=[0.6, 0.4]))
    else:
        parts.append(main)
        if rng.random() < 0.3:
            parts.append(sentence(rng, theme, pol, version))
    closers = CLOSERS_NEG if pol == "neg" else CLOSERS_POS if pol == "pos" else [""]
    parts.append(pick(rng, closers) if rng.random() < 0.5 else "")
    text = join(list(dict.fromkeys(parts)))  # drop a repeated sentence
    return text, stars, theme


def build_reviews(rng: np.random.Generator, ctx) -> pd.DataFrame:
    days = pd.date_range("2024-01-08", "2025-03-31", freq="D")
    w = np.ones(len(days))
    month = days.month.to_numpy()
    w *= np.where(np.isin(month, [7, 8]), 0.6, 1.0)
    w *= np.where(np.isin(month, [9, 10, 1]), 1.25, 1.0)
    after = (days >= SYNC_RELEASE) & (days < SYNC_FIX)
    w[after] *= 2.4  # angry users write more reviews
    n = 3150
    day_idx = np.sort(rng.choice(len(days), size=n, p=w / w.sum()))
    rows = []
    for i, d in enumerate(day_idx):
        day = days[d]
        version = version_at(rng, day)
        platform = "ios" if rng.random() < 0.46 else "android"
        theme = THEMES[rng.choice(len(THEMES), p=theme_probs(version))]
        if theme == "request":
            pol = "neu"
        elif theme == "praise":
            pol = "pos"
        else:
            pneg = P_NEG[theme]
            if theme == "sync" and version in SYNC_BROKEN_VERSIONS:
                pneg = 0.96
            pol = "neg" if rng.random() < pneg else "pos"
        text, stars, ttheme = review_text(rng, theme, pol, version)
        text = add_noise(rng, text)
        title = None
        if platform == "ios":
            key = (ttheme, pol) if (ttheme, pol) in TITLES else ("praise", "pos")
            title = pick(rng, TITLES[key]) if stars >= 3 or key[1] != "pos" else pick(rng, TITLES[(ttheme, "neg")] if (ttheme, "neg") in TITLES else ["Meh"])
        rows.append({
            "review_date": day,
            "platform": platform,
            "app_version": version,
            "author": f"{pick(rng, ['study', 'uni', 'exam', 'night', 'coffee', 'cram', 'lib', 'notes'])}"
                      f"{pick(rng, ['owl', 'fox', 'bee', 'cat', 'panda', 'mate', 'kid', 'hero'])}"
                      f"{int(rng.integers(1, 999))}",
            "stars": stars,
            "title": title,
            "review_text": text,
            "helpful_votes": int(rng.negative_binomial(1, 0.35 if stars <= 2 else 0.6)),
        })
    df = pd.DataFrame(rows)
    # duplicates: the same author posts the same review again 0-3 days later
    src = np.sort(rng.choice(n, size=75, replace=False))
    dups = df.iloc[src].copy()
    dups["review_date"] = dups["review_date"] + pd.to_timedelta(rng.integers(0, 4, len(dups)), unit="D")
    dups["helpful_votes"] = 0
    df = pd.concat([df, dups], ignore_index=True)
    df = df[df["review_date"] <= days[-1]]
    df = df.sort_values("review_date", kind="stable").reset_index(drop=True)
    df.insert(0, "review_id", [f"RV{i + 1:05d}" for i in range(len(df))])
    return df


REVIEWS = Table(
    name="app_reviews",
    title="App-store reviews of Quillo",
    description=(
        "Reviews of Quillo on the App Store (ios) and Google Play (android) from January 2024 to "
        "March 2025, as exported by the review-monitoring tool. Free English text with typos, "
        "negation and sarcasm; some reviews were posted twice. Google Play reviews have no title."
    ),
    area="Customer feedback",
    seed=3001,
    min_rows=3000,
    primary_key=["review_id"],
    build=build_reviews,
    fields=[
        Field("review_id", "string", "Review identifier.", required=True, unique=True),
        Field("review_date", "date", "Day the review was posted.", required=True),
        Field("platform", "string", "Store: ios (App Store) or android (Google Play).", required=True,
              enum=["ios", "android"]),
        Field("app_version", "string", "App version installed when the review was written.",
              required=True, enum=VERSION_NAMES),
        Field("author", "string", "Public nickname of the reviewer.", required=True),
        Field("stars", "integer", "Star rating.", unit="stars 1-5", required=True, minimum=1, maximum=5),
        Field("title", "string", "Review title (App Store only; empty for Google Play)."),
        Field("review_text", "string", "Review text as written (English, unedited).", required=True,
              allowed="free text"),
        Field("helpful_votes", "integer", "Other users who marked the review as helpful.", unit="votes",
              required=True, minimum=0),
    ],
)

# --------------------------------------------------------------------------
# NPS survey
NPS_THEMES = ["sync", "bugs", "pricing", "onboarding", "notifications", "design", "request", "praise"]
# score distribution (0..10) given the theme of the main reason
SCORE_P = {
    "sync": [4, 4, 6, 9, 10, 10, 12, 8, 4, 2, 1],
    "bugs": [2, 2, 4, 6, 8, 11, 12, 12, 7, 3, 2],
    "pricing": [1, 1, 2, 4, 5, 9, 12, 16, 14, 6, 3],
    "onboarding": [1, 1, 2, 4, 6, 9, 12, 15, 12, 6, 3],
    "notifications": [1, 1, 2, 3, 5, 8, 11, 16, 14, 8, 4],
    "design": [0.5, 0.5, 1, 1, 2, 4, 6, 12, 18, 22, 18],
    "request": [0.5, 0.5, 1, 1, 2, 3, 6, 14, 22, 26, 18],
    "praise": [0.2, 0.2, 0.3, 0.5, 1, 1, 2, 5, 12, 32, 45],
}
NPS_LEADS = ["", "", "", "Mainly because", "Honestly,", "Overall:"]


def build_nps(rng: np.random.Generator, ctx) -> pd.DataFrame:
    days = pd.date_range("2024-01-15", "2025-03-30", freq="D")
    n = 2150
    day_idx = np.sort(rng.choice(len(days), size=n))
    rows = []
    for i, d in enumerate(day_idx):
        day = days[d]
        seg = SEGMENTS[rng.choice(5, p=[0.25, 0.31, 0.14, 0.17, 0.13])]
        tenure = int(np.clip(np.round(np.exp(rng.normal(2.0, 0.9))), 0, 60))
        p_plan = [0.62, 0.25, 0.13] if tenure < 6 else [0.45, 0.38, 0.17]
        plan = PLANS[rng.choice(3, p=p_plan)]
        platform = PLATFORMS[rng.choice(3, p=[0.4, 0.38, 0.22])]
        version = version_at(rng, day)
        p = np.array([0.09, 0.08, 0.11, 0.06, 0.07, 0.1, 0.15, 0.42])
        if version in SYNC_BROKEN_VERSIONS and platform != "web":
            p[0] = 0.42
        elif version in SYNC_BROKEN_VERSIONS:
            p[0] = 0.2
        if plan == "Free":
            p[2] += 0.06
        if seg == "Working student":
            p[6] += 0.08
        p = p / p.sum()
        theme = NPS_THEMES[rng.choice(len(NPS_THEMES), p=p)]
        sp = np.array(SCORE_P[theme], dtype=float)
        if plan == "Campus":  # did not choose the app themselves
            sp = sp * np.linspace(1.3, 0.7, 11)
        score = int(rng.choice(11, p=sp / sp.sum()))
        verbatim = None
        if rng.random() < 0.68:
            if theme in ("request",):
                pol = "neu"
            elif theme == "praise":
                pol = "pos"
            else:
                pol = "neg" if score <= 7 else "pos"
            lead = pick(rng, NPS_LEADS)
            main = sentence(rng, theme, pol, version)
            verbatim = join([lead, lower_first(main) if lead.endswith(("because", ",")) else main])
            if rng.random() < 0.2:
                verbatim = join([verbatim, sentence(rng, "request", "neu")])
            verbatim = add_noise(rng, verbatim, p_typo=0.2, p_lower=0.15)
        rows.append({
            "response_id": f"N{i + 1:05d}",
            "survey_date": day,
            "score": score,
            "verbatim": verbatim,
            "plan": plan,
            "tenure_months": tenure,
            "segment": seg,
            "platform": platform,
            "app_version": version,
        })
    return pd.DataFrame(rows)


NPS = Table(
    name="nps_survey",
    title="In-app NPS survey",
    description=(
        "Answers to the in-app question \"How likely are you to recommend Quillo to a friend?\" "
        "(0-10) and the optional follow-up \"What is the main reason for your score?\", January 2024 "
        "to March 2025. About a third of respondents left the follow-up empty."
    ),
    area="Customer feedback",
    seed=3002,
    min_rows=2000,
    primary_key=["response_id"],
    build=build_nps,
    fields=[
        Field("response_id", "string", "Response identifier.", required=True, unique=True),
        Field("survey_date", "date", "Day of the answer.", required=True),
        Field("score", "integer", "Likelihood to recommend.", unit="0-10 scale", required=True,
              minimum=0, maximum=10),
        Field("verbatim", "string", "Answer to the open follow-up question (empty if skipped).",
              allowed="free text"),
        Field("plan", "string", "Plan at the time of the answer.", required=True, enum=PLANS),
        Field("tenure_months", "integer", "Months since the account was created.", unit="months",
              required=True, minimum=0),
        Field("segment", "string", "Student segment from the user's profile.", required=True, enum=SEGMENTS),
        Field("platform", "string", "Platform the survey was answered on.", required=True, enum=PLATFORMS),
        Field("app_version", "string", "App version in use.", required=True, enum=VERSION_NAMES),
    ],
)

# --------------------------------------------------------------------------
# support tickets
CATEGORY_SPELLINGS = {
    "Sync": ["Sync", "sync", "Calendar sync", "SYNC", "Sync issue"],
    "Billing": ["Billing", "billing", "Payments", "Billing "],
    "Account & login": ["Login", "Account", "login issue", "Account/Login"],
    "Bug": ["Bug", "bug", "Bug report", "Crash"],
    "How-to": ["How-to", "How to", "Question", "how-to"],
    "Feature request": ["Feature request", "Feature Request", "feature req"],
}
CAT_P = [0.16, 0.17, 0.15, 0.2, 0.2, 0.12]
SEVERITIES = ["low", "medium", "high", "critical"]
CHANNELS = ["email", "in-app chat", "app store reply"]
SEV_P = {"Sync": [0.1, 0.35, 0.4, 0.15], "Billing": [0.1, 0.45, 0.4, 0.05],
         "Account & login": [0.15, 0.45, 0.3, 0.1], "Bug": [0.15, 0.4, 0.35, 0.1],
         "How-to": [0.7, 0.28, 0.02, 0.0], "Feature request": [0.85, 0.15, 0.0, 0.0]}
TTR_MEDIAN_H = {"low": 30.0, "medium": 18.0, "high": 8.0, "critical": 3.0}


def build_tickets(rng: np.random.Generator, ctx) -> pd.DataFrame:
    start, end = pd.Timestamp("2024-01-08"), pd.Timestamp("2025-03-31")
    days = pd.date_range(start, end, freq="D")
    w = np.ones(len(days))
    w[(days >= SYNC_RELEASE) & (days < SYNC_FIX)] *= 1.8
    n = 2600
    day_idx = np.sort(rng.choice(len(days), size=n, p=w / w.sum()))
    rows = []
    for i, d in enumerate(day_idx):
        day = days[d]
        created = day + pd.Timedelta(seconds=int(rng.integers(7 * 3600, 23 * 3600)))
        cp = np.array(CAT_P)
        if SYNC_RELEASE <= day < SYNC_FIX:
            cp[0] = 0.5
        cat = list(CATEGORY_SPELLINGS)[rng.choice(6, p=cp / cp.sum())]
        sp = CATEGORY_SPELLINGS[cat]
        wsp = np.array([5.0] + [1.0] * (len(sp) - 1))
        cat_text = sp[rng.choice(len(sp), p=wsp / wsp.sum())]
        sev = SEVERITIES[rng.choice(4, p=SEV_P[cat])]
        plan = PLANS[rng.choice(3, p=[0.5, 0.35, 0.15] if cat != "Billing" else [0.1, 0.8, 0.1])]
        channel = CHANNELS[rng.choice(3, p=[0.45, 0.45, 0.1])]
        handoffs = int(min(rng.poisson(0.5 + (0.8 if cat in ("Billing", "Sync") else 0.0)), 5))
        first_resp = float(np.exp(rng.normal(np.log(2.5 if channel == "in-app chat" else 9.0), 0.8)))
        ttr = TTR_MEDIAN_H[sev] * (1 + 0.9 * handoffs) * float(np.exp(rng.normal(0, 0.7)))
        ttr = max(ttr, first_resp + 0.1)
        resolved = created + pd.Timedelta(hours=ttr)
        if resolved > end + pd.Timedelta(days=1) or rng.random() < 0.02:  # still open
            resolved, ttr = None, None
        csat = ces = None
        if resolved is not None and rng.random() < 0.45:
            base = 4.3 - 0.45 * handoffs - 0.02 * min(ttr, 72) - (0.5 if cat == "Billing" else 0.0)
            csat = int(np.clip(np.round(rng.normal(base, 0.8)), 1, 5))
            if rng.random() < 0.85:
                ces = int(np.clip(np.round(rng.normal(6.0 - 1.1 * handoffs, 0.9)), 1, 7))
        rows.append({
            "ticket_id": f"TK{i + 1:05d}",
            "created_at": created,
            "channel": channel,
            "category": cat_text,
            "severity": sev,
            "plan": plan,
            "handoffs": handoffs,
            "first_response_hours": first_resp,
            "resolved_at": resolved,
            "time_to_resolve_hours": ttr,
            "csat": csat,
            "ces": ces,
        })
    df = pd.DataFrame(rows).sort_values("created_at", kind="stable").reset_index(drop=True)
    df["ticket_id"] = [f"TK{i + 1:05d}" for i in range(len(df))]
    return df


TICKETS = Table(
    name="support_tickets",
    title="Customer-support tickets",
    description=(
        "Tickets handled by Quillo's support team from January 2024 to March 2025, with the answers "
        "to the two-question survey sent when a ticket is resolved: CSAT (1-5) and CES (1-7, "
        "\"Quillo made it easy to handle my issue\"). Agents type the category by hand, so its "
        "spelling varies. Open tickets have no resolution time; most people skip the survey."
    ),
    area="Customer feedback",
    seed=3003,
    min_rows=2000,
    primary_key=["ticket_id"],
    build=build_tickets,
    fields=[
        Field("ticket_id", "string", "Ticket identifier.", required=True, unique=True),
        Field("created_at", "datetime", "When the ticket was opened.", required=True),
        Field("channel", "string", "Where the customer contacted support.", required=True, enum=CHANNELS),
        Field("category", "string", "Category typed by the agent (inconsistent spellings).",
              required=True, allowed="free text"),
        Field("severity", "string", "Severity set by the agent.", required=True, enum=SEVERITIES),
        Field("plan", "string", "Customer's plan.", required=True, enum=PLANS),
        Field("handoffs", "integer", "Times the ticket was passed to another agent or team.",
              unit="count", required=True, minimum=0),
        Field("first_response_hours", "number", "Time to the first human reply.", unit="hours",
              required=True, minimum=0),
        Field("resolved_at", "datetime", "When the ticket was resolved (empty: still open)."),
        Field("time_to_resolve_hours", "number", "resolved_at minus created_at (empty: still open).",
              unit="hours", minimum=0),
        Field("csat", "integer", "Satisfaction with the support (empty: no answer).",
              unit="1-5 scale", minimum=1, maximum=5, allowed="1 very unsatisfied .. 5 very satisfied"),
        Field("ces", "integer", "Agreement with \"Quillo made it easy to handle my issue\" (empty: no answer).",
              unit="1-7 scale", minimum=1, maximum=7, allowed="1 strongly disagree .. 7 strongly agree"),
    ],
)

TABLES = [REVIEWS, NPS, TICKETS]
