"""Market research tables: survey, market-size inputs, trends, competitors."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .company import REGIONS, SEGMENTS
from .core import Field, Table

LIKERT_IMPORTANCE = "1 not at all important .. 5 extremely important"
LIKERT_SATISFACTION = "1 very dissatisfied .. 5 very satisfied"

# need key -> (label, mean importance by segment, mean satisfaction by segment)
# Segments in SEGMENTS order. Working students: unmet need "work_schedule".
NEEDS = {
    "deadlines": ("Keep track of deadlines", [4.4, 4.2, 4.3, 4.0, 4.1], [3.4, 3.6, 3.3, 3.7, 3.5]),
    "exam_prep": ("Prepare for exams in time", [4.5, 4.3, 3.9, 3.4, 3.8], [2.9, 3.2, 3.0, 3.4, 3.1]),
    "group_work": ("Coordinate group projects", [3.4, 3.9, 2.9, 3.1, 2.4], [2.8, 2.9, 2.7, 3.0, 2.9]),
    "focus": ("Stay focused while studying", [4.0, 3.7, 3.6, 3.5, 4.1], [2.9, 3.0, 2.9, 3.1, 2.8]),
    "work_schedule": ("Fit study around work shifts", [2.1, 2.6, 4.6, 3.0, 3.4], [3.1, 3.0, 1.8, 2.9, 2.8]),
    "calendar_sync": ("See study plans in my own calendar", [3.5, 3.8, 4.2, 4.0, 3.7], [3.0, 3.1, 2.8, 3.2, 3.1]),
}

SEGMENT_SHARE = [0.26, 0.30, 0.17, 0.15, 0.12]
SEGMENT_WTP = [3.5, 4.2, 7.5, 5.5, 4.8]  # median monthly willingness to pay, USD
SEGMENT_AGE = [(18.6, 0.9), (21.2, 1.5), (24.5, 4.0), (27.0, 3.5), (29.0, 7.0)]

FIELD_SPELLINGS = {
    "Computer Science": ["Computer Science", "computer science", "CS", "Comp Sci", "Computer science "],
    "Business": ["Business", "business", "Business Admin", "BBA"],
    "Engineering": ["Engineering", "engineering", "Mech. Engineering", "Engineering "],
    "Medicine & Health": ["Medicine", "Nursing", "medicine", "Health Sciences"],
    "Law": ["Law", "law", "LLB"],
    "Humanities": ["History", "English Lit", "Philosophy", "humanities"],
    "Natural Sciences": ["Biology", "Chemistry", "Physics", "biology"],
    "Social Sciences": ["Psychology", "Economics", "psychology", "Sociology", "Econ"],
    "Arts & Design": ["Design", "Fine Arts", "Music"],
}
FIELD_SHARE = [0.17, 0.15, 0.13, 0.11, 0.05, 0.08, 0.11, 0.15, 0.05]

TOOL_SPELLINGS = {
    "Google Calendar": ["Google Calendar", "google calendar", "GCal", "Google Cal"],
    "Notion": ["Notion", "notion", "NOTION", "Notion "],
    "Paper planner": ["Paper planner", "paper planner", "paper diary", "Paper Planner"],
    "Todoist": ["Todoist", "todoist", "ToDoist"],
    "Outlook": ["Outlook", "outlook", "MS Outlook"],
    "Apple Reminders": ["Apple Reminders", "Reminders app", "apple reminders"],
    "Quillo": ["Quillo", "quillo", "Quilo"],
    "Excel": ["Excel", "excel", "spreadsheet"],
    "Nothing": ["none", "nothing", "no tool"],
}
TOOL_P = [0.45, 0.30, 0.28, 0.10, 0.12, 0.10, 0.14, 0.08]

GENDERS = ["Woman", "Man", "Non-binary", "Prefer not to say"]
STUDY_LEVELS = ["Bachelor's", "Master's", "Doctorate", "Non-degree"]


def _pick_spelling(rng, options):
    # the canonical spelling is most frequent
    p = np.array([4.0] + [1.0] * (len(options) - 1))
    return options[rng.choice(len(options), p=p / p.sum())]


def _round_price(rng, x):
    x = max(x, 0.0)
    r = rng.random()
    if r < 0.55:
        return float(np.round(x))
    if r < 0.85:
        return float(np.round(x * 2) / 2)
    return float(max(np.ceil(x) - 0.01, 0.49))  # 4.99-style answers


def build_survey(rng: np.random.Generator, ctx) -> pd.DataFrame:
    n = 1200
    seg_idx = rng.choice(len(SEGMENTS), size=n, p=SEGMENT_SHARE)
    panel_ids = rng.choice(np.arange(10000, 100000), size=n, replace=False)
    rows = []
    start = pd.Timestamp("2024-03-04T08:00:00")
    for i in range(n):
        s = seg_idx[i]
        seg = SEGMENTS[s]
        age_mu, age_sd = SEGMENT_AGE[s]
        age = int(np.clip(np.round(rng.normal(age_mu, age_sd)), 17, 58))
        if s in (0, 1):
            level = "Bachelor's"
        elif s == 2:
            level = rng.choice(STUDY_LEVELS, p=[0.7, 0.22, 0.0, 0.08])
        elif s == 3:
            level = rng.choice(STUDY_LEVELS, p=[0.0, 0.7, 0.3, 0.0])
        else:
            level = rng.choice(STUDY_LEVELS, p=[0.45, 0.2, 0.0, 0.35])
        age = max(age, {"Master's": 22, "Doctorate": 24}.get(str(level), 17))
        fld = list(FIELD_SPELLINGS)[rng.choice(len(FIELD_SPELLINGS), p=FIELD_SHARE)]
        n_tools = 0
        tools = []
        for t, p in zip(list(TOOL_SPELLINGS)[:-1], TOOL_P):
            if rng.random() < p:
                tools.append(_pick_spelling(rng, TOOL_SPELLINGS[t]))
                n_tools += 1
        if not tools:
            tools = [_pick_spelling(rng, TOOL_SPELLINGS["Nothing"])]
        sep = ";" if rng.random() < 0.8 else "; "
        row = {
            "response_id": f"R{i + 1:04d}",
            "panel_member_id": f"PM{int(panel_ids[i])}",
            "submitted_at": start + pd.Timedelta(seconds=int(rng.integers(0, 20 * 86400))),
            "segment": seg,
            "region": REGIONS[rng.choice(len(REGIONS), p=[0.3, 0.25, 0.1, 0.12, 0.1, 0.13])],
            "age": age,
            "gender": rng.choice(GENDERS, p=[0.52, 0.42, 0.03, 0.03]),
            "study_level": level,
            "field_of_study": _pick_spelling(rng, FIELD_SPELLINGS[fld]),
            "works_part_time": bool(rng.random() < (0.92 if s == 2 else 0.22)),
            "study_hours_per_week": int(np.clip(np.round(rng.normal([22, 20, 13, 25, 10][s], 6)), 1, 60)),
            "current_tools": sep.join(tools),
        }
        latent = rng.normal(0, 0.5)  # some people answer high across the board
        for key, (_, imp, sat) in NEEDS.items():
            row[f"importance_{key}"] = int(np.clip(np.round(rng.normal(imp[s] + latent, 0.8)), 1, 5))
            row[f"satisfaction_{key}"] = int(np.clip(np.round(rng.normal(sat[s], 0.9)), 1, 5))
        # willingness to pay: lognormal around the segment median; higher for
        # people whose most important need is badly served.
        wtp = SEGMENT_WTP[s] * np.exp(rng.normal(0, 0.45))
        row["wtp_monthly_usd"] = _round_price(rng, wtp)
        # Van Westendorp ladder around the person's own WTP
        base = wtp * np.exp(rng.normal(0, 0.15))
        tc = base * rng.uniform(0.15, 0.4)
        ch = base * rng.uniform(0.45, 0.8)
        ex = base * rng.uniform(1.2, 1.7)
        te = ex * rng.uniform(1.25, 1.9)
        vw = [_round_price(rng, v) for v in (tc, ch, ex, te)]
        vw = list(np.maximum.accumulate(vw))  # consistent by default
        r = rng.random()
        if r < 0.035:  # swapped cheap / expensive
            vw[1], vw[2] = vw[2], vw[1]
        elif r < 0.06:  # answered in reverse
            vw = vw[::-1]
        elif r < 0.075:  # too cheap above cheap
            vw[0] = vw[1] + 1.0
        row.update(dict(zip(["vw_too_cheap", "vw_cheap", "vw_expensive", "vw_too_expensive"], vw)))
        rows.append(row)
    df = pd.DataFrame(rows)
    # item non-response
    for c in [c for c in df.columns if c.startswith(("importance_", "satisfaction_"))]:
        df.loc[rng.random(n) < 0.02, c] = np.nan
    df.loc[rng.random(n) < 0.04, "age"] = np.nan
    df.loc[rng.random(n) < 0.05, "wtp_monthly_usd"] = np.nan
    vw_missing = rng.random(n) < 0.04
    df.loc[vw_missing, ["vw_too_cheap", "vw_cheap", "vw_expensive", "vw_too_expensive"]] = np.nan
    # duplicate submissions: the same panel member submits again minutes later
    dup_src = rng.choice(n, size=36, replace=False)
    dups = df.iloc[np.sort(dup_src)].copy()
    dups["submitted_at"] = dups["submitted_at"] + pd.to_timedelta(rng.integers(40, 900, len(dups)), unit="s")
    df = pd.concat([df, dups], ignore_index=True).sort_values("submitted_at", kind="stable")
    df["response_id"] = [f"R{i + 1:04d}" for i in range(len(df))]
    df = df.reset_index(drop=True)
    # a few people name the same tool twice in two spellings ("Google Calendar;GCal"): a tool
    # counts once per respondent. Chosen by position, without the random generator, so that
    # nothing else in the table moves.
    for only, again, every in [("Google Calendar", "GCal", 20), ("Notion", "notion", 12)]:
        rows = df.index[df["current_tools"] == only][::every]
        df.loc[rows, "current_tools"] = only + ";" + again
    return df


survey_fields = [
    Field("response_id", "string", "Survey response identifier (one per submission).", required=True,
          unique=True, allowed="R0001 .."),
    Field("panel_member_id", "string",
          "Identifier of the person in the research panel. A person who submitted twice appears twice.",
          required=True),
    Field("submitted_at", "datetime", "When the response was submitted.", required=True),
    Field("segment", "string", "Self-reported student segment.", required=True, enum=SEGMENTS),
    Field("region", "string", "World region the respondent studies in.", required=True, enum=REGIONS),
    Field("age", "integer", "Age in years.", unit="years", minimum=16, maximum=70),
    Field("gender", "string", "Gender.", required=True, enum=GENDERS),
    Field("study_level", "string", "Degree level currently studied for.", required=True, enum=STUDY_LEVELS),
    Field("field_of_study", "string", "Field of study, typed freely by the respondent (inconsistent spellings).",
          required=True, allowed="free text"),
    Field("works_part_time", "boolean", "Has a paid job during term.", required=True),
    Field("study_hours_per_week", "integer", "Self-reported hours of study per week outside class.",
          unit="hours per week", required=True, minimum=0, maximum=80),
    Field("current_tools", "string",
          "Tools currently used to plan study, typed freely, separated by ';' (inconsistent spellings).",
          required=True, allowed="free text, ';'-separated"),
]
for _key, (_label, _, _) in NEEDS.items():
    survey_fields.append(Field(f"importance_{_key}", "integer", f"How important: \"{_label}\".",
                               unit="Likert 1-5", minimum=1, maximum=5, allowed=LIKERT_IMPORTANCE))
    survey_fields.append(Field(f"satisfaction_{_key}", "integer",
                               f"How satisfied with current tools for: \"{_label}\".",
                               unit="Likert 1-5", minimum=1, maximum=5, allowed=LIKERT_SATISFACTION))
survey_fields += [
    Field("wtp_monthly_usd", "number", "Most the respondent would pay per month for a study planner.",
          unit="USD per month", minimum=0),
    Field("vw_too_cheap", "number", "Van Westendorp: price so low you would doubt the quality.",
          unit="USD per month", minimum=0),
    Field("vw_cheap", "number", "Van Westendorp: price that is a bargain.", unit="USD per month", minimum=0),
    Field("vw_expensive", "number", "Van Westendorp: price that starts to feel expensive.",
          unit="USD per month", minimum=0),
    Field("vw_too_expensive", "number", "Van Westendorp: price too expensive to consider.",
          unit="USD per month", minimum=0),
]

SURVEY = Table(
    name="market_survey",
    title="Market survey of university students",
    description=(
        "Online survey of students recruited through a research panel in March 2024: segment, "
        "demographics, current planning tools, importance and satisfaction of six needs, "
        "willingness to pay and the four Van Westendorp price questions. Some people submitted "
        "twice; some price answers are not in order."
    ),
    area="Market research",
    seed=2001,
    min_rows=1200,
    primary_key=["response_id"],
    build=build_survey,
    fields=survey_fields,
)

# --------------------------------------------------------------------------
# market-size inputs
# region: students (millions, 2023), annual growth, reachable share, adoption 2023,
# adoption growth per year (points), annual price USD, consumer edtech spend per student USD
SIZE_BASE = {
    "North America": (19.4, 0.005, 0.62, 0.060, 0.006, 47.88, 165.0),
    "Western Europe": (17.9, 0.004, 0.55, 0.045, 0.005, 41.88, 120.0),
    "Eastern Europe": (8.1, -0.006, 0.40, 0.025, 0.003, 19.99, 42.0),
    "Latin America": (29.6, 0.021, 0.35, 0.018, 0.003, 17.99, 28.0),
    "South Asia": (44.8, 0.038, 0.22, 0.008, 0.0035, 9.99, 11.0),
    "East Asia & Pacific": (61.5, 0.012, 0.30, 0.030, 0.004, 24.99, 55.0),
}
STUDY_TOOLS_SHARE = 0.085  # share of consumer edtech spend going to study tools of every kind (not only planners)


def build_size(rng: np.random.Generator, ctx) -> pd.DataFrame:
    rows = []
    for region in REGIONS:
        pop, g, reach, adopt, dadopt, price, spend = SIZE_BASE[region]
        for k, year in enumerate(range(2023, 2029)):
            students = pop * 1e6 * (1 + g) ** k * np.exp(rng.normal(0, 0.004))
            rows.append({
                "region": region,
                "year": year,
                "is_forecast": year >= 2025,
                "student_population": int(round(students, -3)),
                "reachable_share": min(reach + 0.015 * k + rng.normal(0, 0.004), 0.95),
                "adoption_rate": adopt + dadopt * k + rng.normal(0, 0.0008),
                "annual_price_usd": round(price * (1.03 ** k), 2),
                "edtech_spend_per_student_usd": spend * (1.06 ** k) * np.exp(rng.normal(0, 0.01)),
                "study_tools_share": STUDY_TOOLS_SHARE + 0.002 * k,
            })
    return pd.DataFrame(rows)


SIZE = Table(
    name="market_size_inputs",
    title="Market-size inputs by region and year",
    description=(
        "Inputs for top-down and bottom-up market sizing, by world region and year. 2023 and "
        "2024 are estimates from public statistics; 2025 to 2028 are the strategy team's forecast. "
        "Top-down: students x consumer edtech spend per student x share spent on study tools. "
        "Bottom-up: students x reachable share x adoption rate x annual price."
    ),
    area="Market research",
    seed=2002,
    min_rows=30,
    primary_key=["region", "year"],
    build=build_size,
    fields=[
        Field("region", "string", "World region.", required=True, enum=REGIONS),
        Field("year", "integer", "Calendar year.", required=True, minimum=2023, maximum=2028),
        Field("is_forecast", "boolean", "true for forecast years (2025 onwards).", required=True),
        Field("student_population", "integer", "Students enrolled in tertiary education.",
              unit="persons", required=True, minimum=0),
        Field("reachable_share", "number",
              "Share of students Quillo can reach (app-store presence, language, campus partners).",
              unit="fraction 0-1", required=True, minimum=0, maximum=1, fmt="{:.4f}"),
        Field("adoption_rate", "number", "Share of reachable students who pay for a study-planning app.",
              unit="fraction 0-1", required=True, minimum=0, maximum=1, fmt="{:.4f}"),
        Field("annual_price_usd", "number", "Average price of a yearly paid plan in the region.",
              unit="USD per user per year", required=True, minimum=0),
        Field("edtech_spend_per_student_usd", "number",
              "Average consumer spend on education technology per student.",
              unit="USD per student per year", required=True, minimum=0),
        Field("study_tools_share", "number",
              "Share of consumer edtech spend that goes to study tools of every kind (planners, note-taking, "
              "flashcards, exam prep), from an industry report that does not split out planners.",
              unit="fraction 0-1", required=True, minimum=0, maximum=1, fmt="{:.4f}"),
    ],
)

# --------------------------------------------------------------------------
# market trends
# per segment: base downloads (thousands/month in Jan 2019), annual growth, covid bump
TREND = {
    "First-year undergrad": (210.0, 0.04, 0.10),
    "Upper-year undergrad": (260.0, 0.05, 0.08),
    "Working student": (70.0, 0.19, 0.05),
    "Postgraduate": (90.0, 0.06, 0.06),
    "Online learner": (110.0, 0.02, 0.75),
}
# academic-year seasonality: peaks at term start (Sep, Jan) and exams, dip in summer
SEASON = np.array([1.18, 1.05, 0.98, 1.02, 1.06, 0.88, 0.72, 0.80, 1.30, 1.12, 0.98, 0.91])
MISSING_MONTH = "2022-07-01"  # data outage at the vendor: rows absent


def build_trends(rng: np.random.Generator, ctx) -> pd.DataFrame:
    months = pd.date_range("2019-01-01", "2024-12-01", freq="MS")
    rows = []
    for seg, (base, growth, covid) in TREND.items():
        for m in months:
            t = (m.year - 2019) + (m.month - 1) / 12
            bump = 1.0
            if pd.Timestamp("2020-04-01") <= m <= pd.Timestamp("2021-09-01"):
                bump = 1 + covid
            elif pd.Timestamp("2021-10-01") <= m <= pd.Timestamp("2022-06-01"):
                bump = 1 + covid * 0.4
            dl = base * (1 + growth) ** t * SEASON[m.month - 1] * bump * np.exp(rng.normal(0, 0.035))
            rows.append({
                "month": m,
                "segment": seg,
                "category_downloads_k": dl,
                "search_index": dl,
                "avg_price_paid_usd": 3.2 + 0.25 * t + (1.8 if seg == "Working student" else 0.0)
                + rng.normal(0, 0.08),
            })
    df = pd.DataFrame(rows)
    peak = df["search_index"].max()
    df["search_index"] = np.clip(np.round(100 * df["search_index"] / peak * np.exp(rng.normal(0, 0.05, len(df)))), 0, 100)
    df.loc[rng.random(len(df)) < 0.015, "search_index"] = np.nan
    df = df[df["month"] != pd.Timestamp(MISSING_MONTH)]
    df["seg_order"] = df["segment"].map(SEGMENTS.index)
    df = df.sort_values(["month", "seg_order"], kind="stable").drop(columns="seg_order")
    return df.reset_index(drop=True)


TRENDS = Table(
    name="market_trends",
    title="Monthly market trends by segment",
    description=(
        "Monthly indicators of the study-planning app market from January 2019 to December 2024, by "
        "student segment: category downloads (from an app-intelligence vendor), a web search-interest "
        "index and the average price paid. The vendor had an outage in July 2022: that month is missing."
    ),
    area="Market research",
    seed=2003,
    min_rows=300,
    primary_key=["month", "segment"],
    build=build_trends,
    fields=[
        Field("month", "date", "First day of the month.", required=True),
        Field("segment", "string", "Student segment.", required=True, enum=SEGMENTS),
        Field("category_downloads_k", "number", "Downloads of study-planning apps in the month.",
              unit="thousands of downloads", required=True, minimum=0, fmt="{:.1f}"),
        Field("search_index", "integer",
              "Web search interest for study planners, 100 = highest month of any segment.",
              unit="index 0-100", minimum=0, maximum=100),
        Field("avg_price_paid_usd", "number", "Average monthly price paid by subscribers of the category.",
              unit="USD per month", required=True, minimum=0),
    ],
)

# --------------------------------------------------------------------------
# competitors
FEATURES = [
    ("calendar_sync", "Two-way sync with Google/Apple/Outlook calendars"),
    ("spaced_repetition", "Spaced-repetition study reminders"),
    ("group_rooms", "Shared group study rooms"),
    ("ai_planner", "AI-generated study plan"),
    ("offline_mode", "Works offline"),
    ("grade_tracker", "Grade calculator and tracker"),
    ("focus_timer", "Focus / Pomodoro timer"),
    ("lms_integration", "Imports deadlines from the university LMS (Canvas, Moodle)"),
    ("shift_planner", "Plans study around work shifts"),
]
# name, is_us, founded, hq, target segments, free tier, monthly, annual, campus, ios, android, features
COMPETITORS = [
    ("Quillo", True, 2019, "Western Europe", "First-year undergrad;Upper-year undergrad;Postgraduate", True, 4.99, 39.99, True, 4.5, 4.1, "110101110"),
    ("Cramwell", False, 2016, "North America", "First-year undergrad;Upper-year undergrad", True, 6.99, 49.99, False, 4.6, 4.4, "111011100"),
    ("TaskOwl", False, 2014, "North America", "Upper-year undergrad;Working student;Postgraduate", True, 3.99, 35.99, False, 4.3, 4.2, "100010100"),
    ("Syllabuzz", False, 2020, "North America", "First-year undergrad;Upper-year undergrad", False, 7.99, 59.99, True, 4.4, 4.0, "101101010"),
    ("Examly", False, 2018, "East Asia & Pacific", "First-year undergrad;Online learner", True, 2.99, 24.99, False, 4.7, 4.6, "010100100"),
    ("FocusFern", False, 2017, "Western Europe", "Upper-year undergrad;Postgraduate;Online learner", True, 4.49, 29.99, False, 4.8, 4.7, "000010100"),
    ("UniDo", False, 2015, "Western Europe", "First-year undergrad;Upper-year undergrad", True, None, None, True, 3.9, 3.6, "101001010"),
    ("Pomodeck", False, 2021, "Latin America", "Online learner;Working student", True, 1.99, 14.99, False, 4.2, 4.3, "010010101"),
    ("Scholarly Planner", False, 2012, "North America", "Postgraduate", False, 9.99, 79.99, False, 4.1, 3.8, "100111000"),
    ("StudyStack Pro", False, 2019, "South Asia", "First-year undergrad;Online learner", True, 1.49, 9.99, False, 4.4, 4.5, "011100100"),
]


def build_competitors(rng: np.random.Generator, ctx) -> pd.DataFrame:
    rows = []
    for i, (name, us, founded, hq, segs, free, m, a, campus, ios, andr, feats) in enumerate(COMPETITORS):
        row = {
            "competitor_id": f"C{i + 1:02d}",
            "name": name,
            "is_us": us,
            "founded_year": founded,
            "hq_region": hq,
            "target_segments": segs,
            "has_free_tier": free,
            "price_monthly_usd": m,
            "price_annual_usd": a,
            "has_campus_licence": campus,
            "rating_ios": ios,
            "rating_android": andr,
            "ratings_count": int(round(float(np.exp(rng.normal(10.5, 1.0))), -1)),
            "monthly_active_users_k": float(np.round(np.exp(rng.normal(5.5, 0.9)))),
        }
        for (key, _), flag in zip(FEATURES, feats):
            row[f"feat_{key}"] = flag == "1"
        rows.append(row)
    return pd.DataFrame(rows)


COMPETITORS_TABLE = Table(
    name="competitors",
    title="Competitor landscape",
    description=(
        "Quillo and nine competing study-planning apps (early 2025): price tiers, app-store ratings, "
        "target segments and a feature matrix (one boolean column per feature)."
    ),
    area="Market research",
    seed=2004,
    min_rows=8,
    primary_key=["competitor_id"],
    build=build_competitors,
    fields=[
        Field("competitor_id", "string", "Identifier, C01 to C10.", required=True, unique=True),
        Field("name", "string", "Product name.", required=True, unique=True),
        Field("is_us", "boolean", "true for Quillo itself.", required=True),
        Field("founded_year", "integer", "Year the product launched.", required=True, minimum=2000, maximum=2025),
        Field("hq_region", "string", "Region of the company's headquarters.", required=True, enum=REGIONS),
        Field("target_segments", "string", "Student segments the product markets to, ';'-separated.",
              required=True, allowed="';'-separated segment names"),
        Field("has_free_tier", "boolean", "A free plan exists.", required=True),
        Field("price_monthly_usd", "number", "Price of the main paid plan billed monthly. Empty: no monthly plan.",
              unit="USD per month", minimum=0),
        Field("price_annual_usd", "number", "Price of the main paid plan billed yearly. Empty: no yearly plan.",
              unit="USD per year", minimum=0),
        Field("has_campus_licence", "boolean", "Sells licences to universities.", required=True),
        Field("rating_ios", "number", "Average App Store rating.", unit="stars 1-5", required=True,
              minimum=1, maximum=5, fmt="{:.1f}"),
        Field("rating_android", "number", "Average Google Play rating.", unit="stars 1-5", required=True,
              minimum=1, maximum=5, fmt="{:.1f}"),
        Field("ratings_count", "integer", "Number of ratings across both stores.", unit="ratings",
              required=True, minimum=0),
        Field("monthly_active_users_k", "number", "Estimated monthly active users.",
              unit="thousands of users", required=True, minimum=0, fmt="{:.0f}"),
    ] + [Field(f"feat_{k}", "boolean", f"Has the feature: {d}.", required=True) for k, d in FEATURES],
)

TABLES = [SURVEY, SIZE, TRENDS, COMPETITORS_TABLE]
