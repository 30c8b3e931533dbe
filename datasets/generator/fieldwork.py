"""Research fieldwork: a draft survey to review, an in-app survey's respondents, and
interviews coded by two coders (m02/05 Running the research)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .company import SEGMENTS
from .core import Field, Table

FLAWS = ["leading", "double-barrelled", "loaded", "none"]

# (section, question text, answer format, flaw as the research lead labelled it)
DRAFT_ITEMS = [
    ("Usage", "In the last 7 days, on how many days did you open Quillo?", "number 0-7", "none"),
    ("Sync", "How much do you love the new calendar sync?", "1-5 scale", "leading"),
    ("Sync", "How satisfied are you with the speed and reliability of calendar sync?", "1-5 scale", "double-barrelled"),
    ("Planning", "How often do you miss deadlines because you do not plan ahead?", "never to very often", "loaded"),
    ("Pricing", "Don't you agree that Quillo Plus is great value for students?", "yes / no", "leading"),
    ("Groups", "Why did you stop using group study rooms?", "free text", "loaded"),
    ("Sync", "Which calendar app do you use, if any?", "single choice", "none"),
    ("Onboarding", "Was setting up your account quick and easy?", "yes / no", "double-barrelled"),
    ("Planning", "Most students say the weekly planner saves them time. How much time does it save you?", "minutes per week", "leading"),
    ("Pricing", "What annoys you most about the paywall?", "free text", "loaded"),
    ("Notifications", "How would you rate our reminders and widgets?", "1-5 scale", "double-barrelled"),
    ("Onboarding", "How easy or difficult was it to set up your account?", "1-7 scale", "none"),
    ("Notifications", "How helpful were our new exam reminders?", "1-5 scale", "leading"),
    ("Planning", "Why do you re-type your timetable every week instead of importing it?", "free text", "loaded"),
    ("Usage", "Do you use Quillo to plan your study week and to track your deadlines?", "yes / no", "double-barrelled"),
    ("Notifications", "What, if anything, would you change about reminders?", "free text", "none"),
    ("Planning", "When did you last miss a deadline, if ever?", "single choice", "none"),
    ("Work", "Since you struggle to fit study around your job, how could Quillo help?", "free text", "loaded"),
]


def build_draft(rng: np.random.Generator, ctx) -> pd.DataFrame:
    rows = [{"item_id": f"D{i + 1:02d}", "section": s, "question_text": q, "answer_format": a, "flaw": f}
            for i, (s, q, a, f) in enumerate(DRAFT_ITEMS)]
    return pd.DataFrame(rows)


DRAFT = Table(
    name="survey_draft_items",
    title="A draft user survey, reviewed by the research lead",
    description=(
        "The 18 questions of a draft satisfaction survey that a product manager wrote for Quillo "
        "(February 2025), in the draft's order, each with the flaw the research lead found in it: "
        "a leading question (suggests the answer), a double-barrelled one (asks two things at once), "
        "a loaded one (assumes something about the respondent that may not be true) or none."
    ),
    area="User research",
    seed=4101,
    min_rows=15,
    primary_key=["item_id"],
    build=build_draft,
    fields=[
        Field("item_id", "string", "Item identifier, D01 to D18, in the draft's order.", required=True, unique=True),
        Field("section", "string", "Section of the draft survey.", required=True),
        Field("question_text", "string", "The question as drafted.", required=True),
        Field("answer_format", "string", "How the question is answered.", required=True),
        Field("flaw", "string", "The flaw the research lead found.", required=True, enum=FLAWS),
    ],
)

# ---------------------------------------------------------------- in-app survey
ACTIVITY = ["light", "medium", "heavy"]
# share of users, response rate, mean satisfaction (1-5) per activity band
ACTIVITY_MODEL = {"light": (0.55, 0.025, 2.9), "medium": (0.30, 0.08, 3.6), "heavy": (0.15, 0.22, 4.3)}
SESSIONS = {"light": (1, 4), "medium": (4, 12), "heavy": (12, 41)}


def build_in_app(rng: np.random.Generator, ctx) -> pd.DataFrame:
    users = ctx.table("product_users")
    n = len(users)
    shares = np.array([ACTIVITY_MODEL[a][0] for a in ACTIVITY])
    band = np.array(ACTIVITY)[rng.choice(3, size=n, p=shares)]
    seg = users["segment"].astype(str).to_numpy()
    sessions = np.array([int(rng.integers(*SESSIONS[b])) for b in band])
    rate = np.array([ACTIVITY_MODEL[b][1] for b in band])
    rate = np.where(seg == "Working student", rate * 0.6, rate)  # busy: fewer of them answer
    responded = rng.random(n) < rate
    mean = np.array([ACTIVITY_MODEL[b][2] for b in band])
    latent = mean + rng.normal(0, 0.8, n)
    sat = np.clip(np.rint(latent), 1, 5).astype(int)
    out = pd.DataFrame({
        "user_id": users["user_id"].to_numpy(),
        "sessions_last_30d": sessions,
        "activity": band,
        "responded": responded,
        "satisfaction": pd.array(np.where(responded, sat, 0), dtype="Int64"),
    })
    out.loc[~out["responded"], "satisfaction"] = pd.NA
    return out


IN_APP = Table(
    name="in_app_survey",
    title="Who answered the in-app satisfaction survey",
    description=(
        "Every Quillo user of product_users with the outcome of the in-app satisfaction prompt of "
        "February 2025: how active the user was in the 30 days before, whether they answered, and "
        "their answer. The prompt appeared in the app for every user; only those who answered have "
        "a satisfaction score."
    ),
    area="User research",
    seed=4102,
    min_rows=10000,
    primary_key=["user_id"],
    foreign_keys=[{"fields": ["user_id"], "reference": {"resource": "product_users", "fields": ["user_id"]}}],
    build=build_in_app,
    fields=[
        Field("user_id", "string", "User (see product_users).", required=True, unique=True),
        Field("sessions_last_30d", "integer", "Sessions in the 30 days before the prompt.", unit="sessions",
              required=True, minimum=1, maximum=40),
        Field("activity", "string", "Activity band: light 1-3 sessions, medium 4-11, heavy 12 or more.",
              required=True, enum=ACTIVITY),
        Field("responded", "boolean", "Answered the survey.", required=True),
        Field("satisfaction", "integer", "\"Overall, how satisfied are you with Quillo?\" (empty if no answer).",
              unit="1-5 scale", minimum=1, maximum=5),
    ],
)

# ---------------------------------------------------------------- interviews
CODES = ["sync", "bugs", "pricing", "notifications", "onboarding", "shift_work"]

OPENERS = [
    "Tell me about the last time you planned your study week.",
    "Walk me through how you used Quillo yesterday.",
    "What happened the last time Quillo let you down?",
    "Tell me about a week when planning went badly.",
    "How did you keep track of your deadlines this term?",
]
TALK = {
    "sync": [
        "After the update my lectures showed up twice in Google Calendar, so I stopped trusting it.",
        "I added an exam on my laptop and it never appeared on my phone, I only found out the night before.",
        "Sync is the whole point for me. When it broke I went back to the calendar on my phone.",
        "Every Monday I check both calendars by hand because I am not sure Quillo synced.",
        "My recurring seminars vanished after syncing with Outlook and I had to add them again.",
    ],
    "bugs": [
        "It crashed twice while I was adding a recurring lecture, and I lost what I typed.",
        "The exam countdown froze on the loading screen, I had to reinstall it.",
        "It logs me out at random, then I need the password I never remember.",
        "The widget is blank most mornings, so I just open the app.",
    ],
    "pricing": [
        "I would pay for Plus in exam season but not every month, it is a lot on a student budget.",
        "They moved group rooms behind the paywall and my friends will not pay for it.",
        "I cancelled Plus because I could not see what I was getting that the free plan lacks.",
        "Honestly the price is fine, I just wish there was a term plan instead of monthly.",
    ],
    "notifications": [
        "I get so many reminders that I swipe them away without reading.",
        "The reminder came at 3 in the morning, after that I turned them all off.",
        "I wanted one reminder the day before an exam, not five.",
    ],
    "onboarding": [
        "The first time I opened it I had no idea where to add my courses.",
        "Importing my timetable took me an hour, the tutorial skipped that part.",
        "It asked so many questions at sign-up that I almost gave up.",
    ],
    "shift_work": [
        "I work at a café and my shifts change every week, so the study plan I make on Sunday is wrong by Tuesday.",
        "My manager posts the rota on Thursday, and then I have to move every study block by hand.",
        "When I pick up an extra shift, nothing in Quillo moves, so I just miss the study session.",
        "I plan around my shifts in my head, Quillo only knows about lectures.",
        "On weeks with late shifts I need short study blocks in the morning, but the planner gives me evenings.",
    ],
}
CLOSERS = [
    "That is when I stopped relying on it.",
    "It is not a big thing, but it adds up.",
    "I still use it, just less than before.",
    "I mentioned it to my friends too.",
    "",
]
# primary code of each of the 30 interviews (shuffled), and the participant's segment
PLAN_CODES = (["sync"] * 8 + ["shift_work"] * 6 + ["pricing"] * 5 + ["bugs"] * 4
              + ["onboarding"] * 4 + ["notifications"] * 3)
CODEBOOK_V1 = [c for c in CODES if c != "shift_work"]  # the code book coder B used


def _interviews():
    """The 30 interviews (own fixed stream, shared by both interview tables)."""
    rng = np.random.default_rng(4190)
    codes = list(rng.permutation(PLAN_CODES))
    out = []
    for i, code in enumerate(codes):
        if code == "shift_work":
            seg = "Working student" if rng.random() < 0.85 else SEGMENTS[int(rng.choice([1, 3]))]
        else:
            seg = SEGMENTS[int(rng.choice(5, p=[0.25, 0.3, 0.15, 0.17, 0.13]))]
        lines = list(rng.choice(TALK[code], size=2, replace=False))
        second = None
        if code == "shift_work":
            second = "sync"  # they talk about their calendar too
            lines.append(str(rng.choice(["I keep my shifts in my phone's calendar, but Quillo does not read them.",
                                         "The calendar sync works, it just does not know when I am at work."])))
        elif rng.random() < 0.3:
            second = str(rng.choice([c for c in CODES if c not in (code, "shift_work")]))
            lines.append(str(rng.choice(TALK[second])))
        text = " ".join([f"Q: {OPENERS[int(rng.integers(len(OPENERS)))]} A:", *lines,
                         str(CLOSERS[int(rng.integers(len(CLOSERS)))])]).strip()
        out.append({"interview_id": f"I{i + 1:02d}", "segment": seg, "transcript": text,
                    "code": code, "second": second})
    return out


def build_transcripts(rng: np.random.Generator, ctx) -> pd.DataFrame:
    rows = []
    for k, iv in enumerate(_interviews()):
        rows.append({"interview_id": iv["interview_id"], "date": pd.Timestamp("2025-02-03") + pd.Timedelta(days=k // 3),
                     "segment": iv["segment"], "minutes": int(rng.integers(20, 46)), "transcript": iv["transcript"]})
    return pd.DataFrame(rows)


TRANSCRIPTS = Table(
    name="interview_transcripts",
    title="Thirty short user interviews",
    description=(
        "Excerpts of 30 user interviews held in February 2025 (the part after the opening question), "
        "one row per interview. \"Q:\" is the interviewer, \"A:\" the participant."
    ),
    area="User research",
    seed=4103,
    min_rows=25,
    primary_key=["interview_id"],
    build=build_transcripts,
    fields=[
        Field("interview_id", "string", "Interview identifier, I01 to I30.", required=True, unique=True),
        Field("date", "date", "Day of the interview.", required=True),
        Field("segment", "string", "Participant's student segment.", required=True, enum=SEGMENTS),
        Field("minutes", "integer", "Length of the whole interview.", unit="minutes", required=True,
              minimum=10, maximum=90),
        Field("transcript", "string", "The excerpt: the opening question and the participant's answer.", required=True),
    ],
)


def build_codes(rng: np.random.Generator, ctx) -> pd.DataFrame:
    ivs = _interviews()
    rows_a, rows_b, rows_lead = [], [], []
    slips_a = set(rng.choice(len(ivs), size=2, replace=False).tolist())
    non_shift = [i for i, iv in enumerate(ivs) if iv["code"] != "shift_work" and i not in slips_a]
    slips_b = set(rng.choice(non_shift, size=3, replace=False).tolist())
    for i, iv in enumerate(ivs):
        code = iv["code"]
        a = code
        if i in slips_a:  # A codes the secondary topic, or a neighbour
            a = iv["second"] or str(rng.choice([c for c in CODEBOOK_V1 if c != code]))
        if code == "shift_work":  # B's code book has no shift_work: calendar talk becomes sync
            b = "sync" if rng.random() < 0.8 else "notifications"
        elif i in slips_b:
            b = iv["second"] or str(rng.choice([c for c in CODEBOOK_V1 if c != code]))
        else:
            b = code
        rows_a.append({"interview_id": iv["interview_id"], "coder": "A", "code": a})
        rows_b.append({"interview_id": iv["interview_id"], "coder": "B", "code": b})
        if a != b:
            rows_lead.append({"interview_id": iv["interview_id"], "coder": "lead", "code": code})
    # coder B's sheet came back sorted by code, not by interview
    rows_b = sorted(rows_b, key=lambda r: (r["code"], r["interview_id"]))
    return pd.DataFrame(rows_a + rows_b + rows_lead)


CODES_TABLE = Table(
    name="interview_codes",
    title="Codes given to the interviews by two coders and the research lead",
    description=(
        "The primary code (one theme of the code book) that each of two coders, A and B, gave to each "
        "of the 30 interviews, coding independently; then the research lead's code for each interview "
        "on which A and B disagreed. Coder B's rows are in the order B's sheet came back in."
    ),
    area="User research",
    seed=4104,
    min_rows=60,
    primary_key=["interview_id", "coder"],
    foreign_keys=[{"fields": ["interview_id"], "reference": {"resource": "interview_transcripts",
                                                            "fields": ["interview_id"]}}],
    build=build_codes,
    fields=[
        Field("interview_id", "string", "Interview (see interview_transcripts).", required=True),
        Field("coder", "string", "Who coded: coder A, coder B or the research lead (disagreements only).",
              required=True, enum=["A", "B", "lead"]),
        Field("code", "string", "The interview's primary code.", required=True, enum=CODES),
    ],
)

TABLES = [DRAFT, IN_APP, TRANSCRIPTS, CODES_TABLE]
