"""Landing the next role and growing in this one (module m05, notebook 05).

Eight small tables: the intern's self-assessment and four PM role profiles,
target companies, one job description's requirements, the intern's resume
bullets, the contact log of last winter's applications (built from
internship_applications), a STAR story bank drafted from the work log, and the
intern's conversations (1:1s, mentor chats, coffee chats) with any feedback.
Planted findings: datasets/INSTRUCTOR-NOTES.md, F21.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .core import Field, Table

KINDS = ["skill", "interest", "value"]
ROLES = ["Product analytics", "Growth", "Platform", "Design-heavy"]

# criterion_id, criterion, kind, the intern's score 1-5, where it showed,
# importance 0-3 for Product analytics, Growth, Platform, Design-heavy
CRITERIA = [
    ("K1", "SQL and data analysis", "skill", 5, "SQL course; saved queries; funnel dashboard", (3, 2, 1, 1)),
    ("K2", "Designing and reading experiments", "skill", 3, "Course work; one experiment read-out", (2, 3, 0, 1)),
    ("K3", "Technical depth (APIs, systems, pipelines)", "skill", 2, "Tracking plan with engineering", (1, 1, 3, 0)),
    ("K4", "UX, prototyping and visual design", "skill", 2, "One design review", (0, 1, 0, 3)),
    ("K5", "Writing and storytelling", "skill", 4, "Monthly voice-of-the-customer reports", (2, 1, 2, 2)),
    ("K6", "Stakeholder management", "skill", 3, "Roadmap workshop; launch checklist", (2, 2, 3, 2)),
    ("K7", "Market and business analysis", "skill", 4, "Market-sizing model; pricing slide", (1, 2, 0, 0)),
    ("I1", "Working with product data", "interest", 5, "The analyses I enjoyed most", (3, 2, 1, 0)),
    ("I2", "Talking to users", "interest", 4, "Student interviews", (1, 2, 0, 3)),
    ("I3", "Infrastructure and developer tools", "interest", 1, "Found the sync internals dry", (0, 0, 3, 0)),
    ("I4", "Visual and interaction design", "interest", 3, "Liked the design reviews", (0, 1, 0, 3)),
    ("I5", "Fast experiments and metrics", "interest", 5, "Growth team's weekly metrics review", (2, 3, 0, 1)),
    ("V1", "Impact I can measure", "value", 5, "Untagged tickets 120 to 18", (2, 3, 1, 1)),
    ("V2", "Craft and polish", "value", 2, "", (1, 0, 2, 3)),
    ("V3", "Learning from senior PMs", "value", 5, "Mentor chats; 1:1s", (2, 2, 2, 2)),
    ("V4", "A fast pace", "value", 5, "Ad-hoc requests were fun", (1, 3, 0, 1)),
    ("V5", "Deep technical problems", "value", 1, "", (1, 0, 3, 0)),
]


def build_self_assessment(rng: np.random.Generator, ctx) -> pd.DataFrame:
    rows = [{"criterion_id": cid, "criterion": name, "kind": kind, "score": score, "evidence": evidence or None}
            for cid, name, kind, score, evidence, _ in CRITERIA]
    return pd.DataFrame(rows)


def build_role_profiles(rng: np.random.Generator, ctx) -> pd.DataFrame:
    rows = [{"role": role, "criterion_id": cid, "importance": importance[k]}
            for k, role in enumerate(ROLES) for cid, *_, importance in CRITERIA]
    return pd.DataFrame(rows)


SELF_ASSESSMENT_TABLE = Table(
    name="self_assessment",
    title="The intern's self-assessment: skills, interests and values",
    description=(
        "A short self-assessment the intern filled in at the end of week 9, before the full-time search: "
        "one row per criterion (a skill, an interest or a value), a score from 1 (weak or unimportant to "
        "me) to 5 (strong or very important to me), and where it showed during the internship."
    ),
    area="Internship",
    seed=8201,
    min_rows=10,
    primary_key=["criterion_id"],
    build=build_self_assessment,
    fields=[
        Field("criterion_id", "string", "Criterion identifier: K skills, I interests, V values.",
              required=True, unique=True),
        Field("criterion", "string", "The skill, interest or value.", required=True),
        Field("kind", "string", "Kind of criterion.", required=True, enum=KINDS),
        Field("score", "integer", "The intern's own score: 1 weak or unimportant, 5 strong or very important.",
              unit="points (1-5)", required=True, minimum=1, maximum=5),
        Field("evidence", "string", "Where it showed during the internship (empty: nothing to point to)."),
    ],
)

ROLE_PROFILES_TABLE = Table(
    name="role_profiles",
    title="What four kinds of PM role ask for",
    description=(
        "How much each of four kinds of product-management role relies on each criterion of the "
        "self-assessment, from Priya's notes and the job descriptions the intern collected: one row per role "
        "and criterion, importance 0 (irrelevant) to 3 (essential)."
    ),
    area="Internship",
    seed=8202,
    min_rows=40,
    primary_key=["role", "criterion_id"],
    foreign_keys=[{"fields": "criterion_id", "reference": {"resource": "self_assessment", "fields": "criterion_id"}}],
    build=build_role_profiles,
    fields=[
        Field("role", "string", "Kind of PM role.", required=True, enum=ROLES),
        Field("criterion_id", "string", "Criterion of the self-assessment.", required=True),
        Field("importance", "integer", "How much the role relies on the criterion: 0 irrelevant, 1 helpful, "
              "2 important, 3 essential.", unit="points (0-3)", required=True, minimum=0, maximum=3),
    ],
)

# ------------------------------------------------------------------ target companies

STAGES = ["Seed", "Series A", "Series B", "Series C+", "Public"]
# company, sector, stage, business model, product, employees, PM team, open PM roles, role focus,
# headcount growth % (None: not disclosed), launches in the last 6 months, latest launch, APM programme
COMPANIES = [
    ("Lanternly", "Education", "Series B", "B2C", "Language-learning app with live tutors", 180, 9, 3, "Growth",
     38, 4, "Feb 2025: streak repair that brings lapsed learners back", True),
    ("Cartwise", "Marketplace", "Series B", "B2C", "Grocery price comparison and lists", 150, 6, 2, "Growth",
     22, 3, "Jan 2025: shared family shopping lists", True),
    ("Fintrail", "Fintech", "Series C+", "B2C", "Budgeting app for students and graduates", 420, 14, 2,
     "Product analytics", 22, 2, "Dec 2024: spending insights by category", True),
    ("Stackbay", "Developer tools", "Series B", "B2B", "Build pipelines for mobile app teams", 210, 8, 3,
     "Platform", 45, 5, "Feb 2025: build caching for Android", False),
    ("Harbor Analytics", "Analytics", "Series A", "B2B", "Product analytics for online retailers", 60, 3, 1,
     "Product analytics", 60, 2, "Jan 2025: cohort explorer", False),
    ("Moodboard", "Design tools", "Series C+", "B2B", "Collaborative whiteboard for design teams", 520, 20, 2,
     "Design-heavy", 15, 6, "Mar 2025: AI layout suggestions", True),
    ("Sprout Bank", "Fintech", "Public", "B2C", "Mobile bank for young adults", 2400, 45, 1, "Growth",
     None, 3, "Feb 2025: round-up savings goals", True),
    ("Tutorly", "Education", "Seed", "B2C", "Homework help chat for high-school students", 18, 1, 1, "Growth",
     120, 3, "Feb 2025: exam-week study plans", False),
    ("Paperfox", "Productivity", "Series A", "B2B", "E-signature for small businesses", 70, None, 1,
     "Product analytics", 35, 1, "Nov 2024: bulk sending", False),
    ("Lumio Health", "Health", "Series B", "B2C", "Sleep-coaching app", 140, 5, 0, None,
     -5, 1, "Oct 2024: bedtime routines", False),
    ("Orbit Travel", "Travel", "Series C+", "B2C", "Trip planner for groups", 600, 18, 1, "Product analytics",
     8, 2, "Jan 2025: split costs between travellers", True),
    ("Greenplate", "Food", "Series A", "B2C", "Meal-kit subscription", 90, 4, 1, "Growth",
     12, 2, "Dec 2024: pause-a-week", False),
    ("Waypoint Maps", "Mapping", "Public", "B2B", "Map and routing APIs", 3100, 60, 2, "Platform",
     5, 4, "Feb 2025: offline map tiles", True),
    ("Nestable", "Property", "Series A", "B2C", "Rental search for students", 45, 2, 1, "Growth",
     40, 1, "Jan 2025: verified landlords", False),
    ("Lingo Labs", "Education", "Series B", "B2C", "Flashcard app", 130, 5, 1, "Design-heavy",
     25, 3, "Feb 2025: redesigned review screen", True),
    ("Zestful", "Health", "Series B", "B2C", "Live fitness classes", 200, 7, 1, "Growth",
     None, 2, "Dec 2024: class packs", True),
    ("Clearcart", "E-commerce", "Series C+", "B2B", "Checkout for online shops", 380, 12, 0, None,
     10, 3, "Feb 2025: one-click returns", True),
    ("Riverbed Media", "Media", "Public", "B2C", "Podcast app", 1500, 25, 1, "Product analytics",
     2, 1, "Nov 2024: yearly listening recap", True),
    ("Ploom", "Smart home", "Series A", "B2C", "Smart-plug energy tracker", 55, 3, 1, "Platform",
     30, 1, "Jan 2025: tariff sync", False),
    ("Dovetail Home", "Property", "Seed", "B2C", "Home-repair booking", 25, 1, 0, None,
     15, 2, "Feb 2025: instant quotes", False),
]


def build_companies(rng: np.random.Generator, ctx) -> pd.DataFrame:
    cols = ["company", "sector", "stage", "business_model", "product", "employees", "pm_team_size",
            "open_pm_roles", "role_focus", "headcount_growth_pct", "launches_6m", "latest_launch",
            "apm_programme"]
    return pd.DataFrame(COMPANIES, columns=cols)


COMPANIES_TABLE = Table(
    name="target_companies",
    title="Companies the intern might apply to for a full-time role",
    description=(
        "The intern's research sheet for the full-time search (March 2025): one row per company, its "
        "sector, funding stage and business model, what it makes, its size and PM team, the open associate "
        "or junior PM roles and the kind of PM role they are, hiring signals (headcount growth over 12 "
        "months, launches in the last six months) and whether it runs a structured programme for new PMs. "
        "Some companies do not disclose every number."
    ),
    area="Internship",
    seed=8203,
    min_rows=15,
    primary_key=["company"],
    build=build_companies,
    fields=[
        Field("company", "string", "Company name.", required=True, unique=True),
        Field("sector", "string", "Industry.", required=True),
        Field("stage", "string", "Funding stage.", required=True, enum=STAGES),
        Field("business_model", "string", "Who pays: consumers or businesses.", required=True, enum=["B2C", "B2B"]),
        Field("product", "string", "What the company makes.", required=True),
        Field("employees", "integer", "Employees.", unit="people", required=True, minimum=1),
        Field("pm_team_size", "integer", "Product managers at the company (empty: not known).", unit="people",
              minimum=1),
        Field("open_pm_roles", "integer", "Open associate or junior PM roles.", unit="roles", required=True,
              minimum=0),
        Field("role_focus", "string", "Kind of PM role the open roles are (empty: no open role).", enum=ROLES),
        Field("headcount_growth_pct", "number", "Change in employees over the last 12 months (empty: not "
              "disclosed).", unit="%", fmt="{:g}"),
        Field("launches_6m", "integer", "Product launches announced in the last six months.", unit="launches",
              required=True, minimum=0),
        Field("latest_launch", "string", "The latest launch, as announced.", required=True),
        Field("apm_programme", "boolean", "Runs a structured programme (mentoring, rotations) for new PMs.",
              required=True),
    ],
)

# ------------------------------------------------------------ job description, resume

JOB = ("Lanternly", "Associate Product Manager, Growth")
REQUIREMENTS = [
    ("R1", "must", "Analyse product data with SQL to answer questions from the team"),
    ("R2", "must", "Design and read A/B experiments on onboarding and activation"),
    ("R3", "must", "Build dashboards that track funnel and retention metrics"),
    ("R4", "must", "Talk to users every week and turn interviews into product decisions"),
    ("R5", "must", "Work with engineering and design to prioritise the roadmap"),
    ("R6", "must", "Present findings to leadership with a clear recommendation"),
    ("R7", "nice", "Size markets and build simple business cases"),
    ("R8", "nice", "Write clear launch documents for stakeholders"),
    ("R9", "nice", "Experience with pricing or monetisation"),
]


def build_requirements(rng: np.random.Generator, ctx) -> pd.DataFrame:
    rows = [{"company": JOB[0], "role": JOB[1], "req_id": rid, "priority": prio, "requirement": text}
            for rid, prio, text in REQUIREMENTS]
    return pd.DataFrame(rows)


REQUIREMENTS_TABLE = Table(
    name="job_requirements",
    title="The requirements of one job description",
    description=(
        "The requirements listed in the job description of the role the intern wants most: Lanternly's "
        "Associate Product Manager, Growth (March 2025). One row per requirement, as written, and whether "
        "the description calls it a must-have or a nice-to-have."
    ),
    area="Internship",
    seed=8204,
    min_rows=6,
    primary_key=["req_id"],
    build=build_requirements,
    fields=[
        Field("company", "string", "Company of the job description.", required=True),
        Field("role", "string", "Job title.", required=True),
        Field("req_id", "string", "Requirement identifier, in the order of the description.", required=True,
              unique=True),
        Field("priority", "string", "must: a must-have; nice: a nice-to-have.", required=True,
              enum=["must", "nice"]),
        Field("requirement", "string", "The requirement as written.", required=True),
    ],
)

# bullet_id, section, text, work-log entry it describes (activity in intern_worklog; None: not from the log)
BULLETS = [
    ("B1", "Quillo Labs", "Wrote saved SQL queries that answer the five product data questions the team asks most",
     "Saved queries for the five most asked data questions"),
    ("B2", "Quillo Labs", "Built a funnel and retention dashboard with the metrics of the calendar-sync rebuild",
     "Funnel dashboard: first version"),
    ("B3", "Quillo Labs", "Built a top-down and bottom-up market-sizing model covering 6 regions for the strategy review",
     "Bottom-up sizing and the model review"),
    ("B4", "Quillo Labs", "Set up keyword rules with support and engineering that tag calendar-sync tickets automatically",
     "Keyword rules for sync tickets, tested with support"),
    ("B5", "Quillo Labs", "Ran weekly user interviews with students and turned them into product decisions with design",
     "Student interview: upper-year undergrad"),
    ("B6", "Quillo Labs", "Presented survey findings to leadership with a recommendation on the focus segment",
     "Presented the survey segment analysis"),
    ("B7", "Quillo Labs", "Ran the Q2 roadmap prioritisation workshop with design and engineering",
     "Ran the Q2 roadmap prioritisation workshop"),
    ("B8", "Quillo Labs", "Wrote the monthly voice-of-the-customer report for support and design",
     "Wrote and sent the February voice-of-the-customer report"),
    ("B9", "University", "Led a 4-person student team that built a study-group app prototype", None),
    ("B10", "University", "Tutored first-year students in statistics", None),
]


def build_bullets(rng: np.random.Generator, ctx) -> pd.DataFrame:
    log = ctx.table("intern_worklog")
    first_entry = log.drop_duplicates("activity").set_index("activity")["entry_id"]
    rows = [{"bullet_id": bid, "section": section, "text": text,
             "entry_id": None if activity is None else first_entry[activity]}
            for bid, section, text, activity in BULLETS]
    return pd.DataFrame(rows)


BULLETS_TABLE = Table(
    name="resume_bullets",
    title="The intern's resume bullets",
    description=(
        "The bullets of the intern's resume at the end of week 9 of the internship, before tailoring: one row "
        "per bullet, the section it sits in, the text, and the entry of the work log (intern_worklog) it "
        "describes (empty for bullets from before the internship)."
    ),
    area="Internship",
    seed=8205,
    min_rows=8,
    primary_key=["bullet_id"],
    foreign_keys=[{"fields": "entry_id", "reference": {"resource": "intern_worklog", "fields": "entry_id"}}],
    build=build_bullets,
    fields=[
        Field("bullet_id", "string", "Bullet identifier, in resume order.", required=True, unique=True),
        Field("section", "string", "Resume section.", required=True, enum=["Quillo Labs", "University"]),
        Field("text", "string", "The bullet as written.", required=True),
        Field("entry_id", "string", "Work-log entry the bullet describes (empty: not from the internship)."),
    ],
)

# ------------------------------------------------------------------ application contacts

CONTACT_KINDS = ["applied", "follow-up", "screen", "interview", "final round", "thank-you note", "offer",
                 "rejection", "withdrawn"]
STAGE_KINDS = [("screen_date", "screen"), ("interview_date", "interview"), ("final_round_date", "final round"),
               ("offer_date", "offer")]


def build_contacts(rng: np.random.Generator, ctx) -> pd.DataFrame:
    apps = ctx.table("internship_applications")
    rows = []
    for app in apps.itertuples(index=False):
        events = [(pd.Timestamp(app.applied_date), "applied", "me")]
        for column, kind in STAGE_KINDS:
            day = getattr(app, column)
            if pd.notna(day):
                events.append((pd.Timestamp(day), kind, "them"))
                if kind in ("interview", "final round"):
                    events.append((pd.Timestamp(day) + pd.Timedelta(days=int(rng.integers(0, 2))),
                                   "thank-you note", "me"))
        last = max(day for day, _, _ in events)
        if app.outcome == "rejected":
            events.append((last + pd.Timedelta(days=int(rng.integers(3, 15))), "rejection", "them"))
        elif app.outcome == "withdrawn":
            events.append((last + pd.Timedelta(days=int(rng.integers(2, 11))), "withdrawn", "me"))
        elif app.outcome in ("no response", "pending") and rng.random() < 0.8:
            first = last + pd.Timedelta(days=int(rng.integers(7, 17)))
            events.append((first, "follow-up", "me"))
            if rng.random() < 0.7:
                events.append((first + pd.Timedelta(days=int(rng.integers(7, 15))), "follow-up", "me"))
        for day, kind, by in sorted(events, key=lambda e: (e[0], CONTACT_KINDS.index(e[1]))):
            rows.append({"application_id": app.application_id, "date": day, "kind": kind, "by": by})
    df = pd.DataFrame(rows).sort_values(["date", "application_id"], kind="stable").reset_index(drop=True)
    df.insert(0, "contact_id", [f"C{i + 1:03d}" for i in range(len(df))])
    return df


CONTACTS_TABLE = Table(
    name="application_contacts",
    title="Every contact with the companies of the internship search",
    description=(
        "The contact log the intern kept next to the application tracker (internship_applications) during "
        "last winter's search: one row per contact, in date order: the application sent, follow-up emails, "
        "each recruiter screen and interview, thank-you notes, offers, rejections and withdrawals. Some "
        "emails were sent at weekends."
    ),
    area="Internship",
    seed=8206,
    min_rows=100,
    primary_key=["contact_id"],
    foreign_keys=[{"fields": "application_id",
                   "reference": {"resource": "internship_applications", "fields": "application_id"}}],
    build=build_contacts,
    fields=[
        Field("contact_id", "string", "Row identifier, in date order.", required=True, unique=True),
        Field("application_id", "string", "Application of the tracker.", required=True),
        Field("date", "date", "Day of the contact.", required=True),
        Field("kind", "string", "What happened.", required=True, enum=CONTACT_KINDS),
        Field("by", "string", "Who made the contact: me (the intern) or them (the company).", required=True,
              enum=["me", "them"]),
    ],
)

# ------------------------------------------------------------------ STAR story bank

STORY_THEMES = ["conflict", "failure", "influence without authority", "data-driven decision", "learning"]
# story_id, work-log activity, themes as typed, situation, task, action, result
STORIES = [
    ("S1", "Bottom-up sizing and the model review", "data-driven decision",
     "The strategy team had to decide whether to push harder on the student-planner market.",
     "Size the market by region in my first three weeks.",
     "Built top-down and bottom-up models and traced the tenfold gap between them to one assumption.",
     "Sized all 6 regions by week 3; the review kept working students as the focus."),
    ("S2", "Presented the survey segment analysis", "influence without authority; data-driven decision",
     "Strategy and leadership disagreed on which student segment to target first.",
     "Present the survey's segment analysis so the decision could be made in one meeting.",
     "Led with the unmet-need chart and one recommendation, and sent the numbers a day ahead.",
     "Leadership chose working students as the focus segment."),
    ("S3", "Keyword rules for sync tickets, tested with support", "Influence without authority; Data-driven decision",
     "Support tagged calendar-sync tickets by hand and the untagged queue kept growing.",
     "Cut the untagged queue without asking for more support staff.",
     "Read 200 tickets, drafted keyword rules and persuaded the support lead to trial them for a week.",
     "The untagged queue fell from 120 to 45 tickets in two weeks."),
    ("S4", "Student interview: upper-year undergrad", "failure",
     "One of my goals was to interview 12 students by week 10.",
     "Run at least one student interview a week next to my other work.",
     "Fitted interviews around ad-hoc requests, which always won; in week 6 I started booking fixed slots.",
     "By week 9 I had run 5 of the 12, and I now protect a weekly slot for research."),
    ("S5", "Ran the Q2 roadmap prioritisation workshop", "conflict; influence without authority",
     "Design and engineering disagreed on whether the calendar-sync rebuild should come before new features.",
     "Run the Q2 prioritisation workshop so that both sides accepted the ranking.",
     "Scored the backlog with RICE in advance and let each side challenge one estimate in the room.",
     "Both teams agreed the Q2 roadmap and the rebuild went first."),
    ("S6", "Ad-hoc request: pricing slide for the board deck", "data-driven decision",
     "Priya needed a pricing slide for the board deck within two days.",
     "Compare our price with competitors' and suggest where Plus should sit.",
     "Built a price-tier table from the competitor data and checked it with finance.",
     None),
    ("S7", "Finished the SQL course", "learning",
     "I arrived with spreadsheet skills only.",
     "Learn enough SQL to answer the team's questions myself.",
     "Took the company's SQL course in two-hour blocks each week.",
     "Finished the course in 5 weeks and wrote 5 saved queries the team reuses."),
]


def build_stories(rng: np.random.Generator, ctx) -> pd.DataFrame:
    log = ctx.table("intern_worklog")
    first_entry = log.drop_duplicates("activity").set_index("activity")["entry_id"]
    rows = [{"story_id": sid, "entry_id": first_entry[activity], "themes": themes, "situation": situation,
             "task": task, "action": action, "result": result}
            for sid, activity, themes, situation, task, action, result in STORIES]
    return pd.DataFrame(rows)


STORIES_TABLE = Table(
    name="star_stories",
    title="The intern's STAR story bank, first drafts",
    description=(
        "Stories for behavioural interview questions that the intern drafted from the work log at the end of "
        "week 9: one row per story, the log entry it comes from, the question themes it can answer (typed by "
        "hand, separated by '; '), and its four STAR parts: situation, task, action and result. A part not "
        "written yet is empty."
    ),
    area="Internship",
    seed=8207,
    min_rows=5,
    primary_key=["story_id"],
    foreign_keys=[{"fields": "entry_id", "reference": {"resource": "intern_worklog", "fields": "entry_id"}}],
    build=build_stories,
    fields=[
        Field("story_id", "string", "Story identifier.", required=True, unique=True),
        Field("entry_id", "string", "Work-log entry the story comes from.", required=True),
        Field("themes", "string", "Question themes the story answers, as typed, separated by '; '.",
              required=True, allowed="'; '-separated, free text"),
        Field("situation", "string", "S: the context."),
        Field("task", "string", "T: what the intern had to achieve."),
        Field("action", "string", "A: what the intern did."),
        Field("result", "string", "R: what came of it."),
    ],
)

# ------------------------------------------------------------------ conversations

START = pd.Timestamp("2025-01-06")  # Monday of week 1 (as in intern_worklog)
# person, title, team, relationship
PEOPLE = {
    "Priya": ("Senior Product Manager", "Product", "manager"),
    "Noor": ("Group Product Manager, Payments", "Product", "mentor"),
    "Sam": ("Product intern, Growth", "Growth", "buddy"),
    "Ines": ("Data analyst", "Data", "peer"),
    "Tom": ("Engineering lead, Core Planner", "Engineering", "partner"),
    "Maya": ("Design lead", "Design", "partner"),
    "Leo": ("Support lead", "Support", "partner"),
}
RELATIONSHIPS = ["manager", "mentor", "buddy", "peer", "partner"]
CONVERSATION_KINDS = ["1:1", "mentor chat", "coffee chat", "review", "feedback chat"]
# (person, week, kind): (the intern asked for feedback, the feedback)
FEEDBACK = {
    ("Priya", 2, "1:1"): (False, "Lead your summaries with the recommendation, not the method."),
    ("Priya", 4, "1:1"): (True, "The survey presentation landed; next time walk the strategy lead through it first."),
    ("Priya", 6, "review"): (False, "Strong analysis; the student interviews are behind: protect time for them."),
    ("Priya", 8, "1:1"): (True, "Good call closing the ticket backlog with support; now say no to more ad-hoc requests."),
    ("Noor", 3, "mentor chat"): (True, "Keep a list of your wins every week and ask Priya what a return offer needs."),
    ("Maya", 7, "feedback chat"): (True, "The workshop worked; send the pre-read a day earlier so people can prepare."),
    ("Leo", 6, "feedback chat"): (True, "The keyword rules save my team hours; write them up for the support wiki."),
    ("Ines", 9, "coffee chat"): (False, "Your saved queries should use the shared date table, or the weeks will not match."),
}
# person: [(week, weekday, kind)]; Priya's Friday 1:1s are added below
MEETINGS = {
    "Priya": [(6, 2, "review")],
    "Noor": [(1, 1, "mentor chat"), (3, 1, "mentor chat")],
    "Sam": [(1, 2, "coffee chat"), (2, 3, "coffee chat"), (4, 2, "coffee chat"), (6, 2, "coffee chat"),
            (7, 3, "coffee chat")],
    "Ines": [(2, 1, "coffee chat"), (6, 1, "coffee chat"), (9, 3, "coffee chat")],
    "Tom": [(5, 3, "coffee chat"), (8, 3, "1:1")],
    "Maya": [(4, 3, "coffee chat"), (7, 3, "feedback chat")],
    "Leo": [(5, 1, "coffee chat"), (6, 3, "feedback chat")],
}
LAST_WEEK = 12


def build_conversations(rng: np.random.Generator, ctx) -> pd.DataFrame:
    meetings = {person: list(items) for person, items in MEETINGS.items()}
    meetings["Priya"] += [(week, 4, "1:1") for week in range(1, LAST_WEEK + 1)]
    rows = []
    for person, items in meetings.items():
        title, team, relationship = PEOPLE[person]
        for week, weekday, kind in items:
            asked, feedback = FEEDBACK.get((person, week, kind), (False, None))
            rows.append({"date": START + pd.Timedelta(days=7 * (week - 1) + weekday), "week": week,
                         "person": person, "title": title, "team": team, "relationship": relationship,
                         "kind": kind, "asked_for_feedback": asked, "feedback": feedback})
    df = pd.DataFrame(rows).sort_values(["date", "person"], kind="stable").reset_index(drop=True)
    df.insert(0, "conversation_id", [f"M{i + 1:02d}" for i in range(len(df))])
    return df


CONVERSATIONS_TABLE = Table(
    name="intern_conversations",
    title="The intern's conversations: 1:1s, mentor and coffee chats, feedback",
    description=(
        "The intern's calendar of conversations during the internship, with notes: one row per conversation "
        "(1:1, mentor chat, coffee chat, review or feedback chat) with the person, their title, team (as the "
        "work log names teams) and relationship to the intern, whether the intern asked for feedback, and the "
        "feedback given, if any. Rows after Friday 7 March 2025 (end of week 9) are meetings already in the "
        "calendar, not yet held."
    ),
    area="Internship",
    seed=8208,
    min_rows=20,
    primary_key=["conversation_id"],
    build=build_conversations,
    fields=[
        Field("conversation_id", "string", "Row identifier, in date order.", required=True, unique=True),
        Field("date", "date", "Day of the conversation.", required=True),
        Field("week", "integer", "Internship week (week 1 starts on Monday 6 January 2025).",
              unit="week of internship", required=True, minimum=1, maximum=12),
        Field("person", "string", "First name of the person.", required=True),
        Field("title", "string", "Their job title.", required=True),
        Field("team", "string", "Their team, named as in intern_worklog's stakeholders.", required=True),
        Field("relationship", "string", "Who they are to the intern.", required=True, enum=RELATIONSHIPS),
        Field("kind", "string", "Kind of conversation.", required=True, enum=CONVERSATION_KINDS),
        Field("asked_for_feedback", "boolean", "The intern asked for feedback in this conversation.",
              required=True),
        Field("feedback", "string", "Feedback given, in short (empty: none)."),
    ],
)

TABLES = [SELF_ASSESSMENT_TABLE, ROLE_PROFILES_TABLE, COMPANIES_TABLE, REQUIREMENTS_TABLE, BULLETS_TABLE,
          CONTACTS_TABLE, STORIES_TABLE, CONVERSATIONS_TABLE]
