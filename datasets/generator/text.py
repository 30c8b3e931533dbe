"""Sentence pools and noise for synthetic English feedback text.

Pools are keyed by theme and polarity. Sentences contain real negation
("doesn't sync anymore", "not bad at all"); sarcastic lines say positive words
about a negative experience; typos and casing noise are added afterwards.
"""

from __future__ import annotations

import re

import numpy as np

POOLS: dict[tuple[str, str], list[str]] = {
    ("sync", "neg"): [
        "Since the last update my Google Calendar doesn't sync anymore.",
        "Calendar sync is broken, half my deadlines are missing.",
        "It duplicates every event when it syncs with Outlook.",
        "Sync with my iPhone calendar stopped working after {version}.",
        "My exams show up on the wrong day after syncing, not great when you rely on it.",
        "Sync takes forever and then fails with an error.",
        "Deadlines I add on my laptop never show up on my phone.",
        "I missed a deadline because the sync silently failed.",
        "Why does it sync my lectures twice??",
        "Calendar sync is not working at all since {version}.",
        "Sync between web and phone is a mess, nothing matches.",
        "Every time it syncs my recurring lectures disappear.",
        "Reinstalled twice, the calendar still won't sync.",
    ],
    ("sync", "pos"): [
        "Sync with Google Calendar works flawlessly.",
        "Love that everything syncs between my phone and laptop.",
        "Calendar sync has never failed me.",
        "Changes on the web show up on my phone instantly.",
    ],
    ("bugs", "neg"): [
        "The app crashes every time I open the timetable.",
        "It crashes when I try to add a recurring lecture.",
        "The widget is blank half the time.",
        "Lost all my notes after it froze.",
        "It logs me out randomly, super annoying.",
        "Buttons don't respond on the exam countdown screen.",
        "The app is so slow to open, and it drains my battery.",
        "Keeps freezing on the loading screen.",
    ],
    ("bugs", "pos"): [
        "Haven't had a single crash in months.",
        "Runs smoothly, no bugs so far.",
        "Fast and stable, even on my old phone.",
    ],
    ("pricing", "neg"): [
        "Way too expensive for a student app.",
        "Everything useful is behind the paywall now.",
        "$4.99 a month is not worth it for what you get.",
        "They moved group rooms to Plus, not cool.",
        "I was charged twice and nobody answered my email.",
        "The free version is pretty useless tbh.",
        "The price went up and the app didn't get any better.",
        "Cancelling Plus was way harder than it should be.",
    ],
    ("pricing", "pos"): [
        "Plus is worth every cent during exam season.",
        "The free plan is generous, not many apps do that.",
        "Got it free through my uni, which is nice.",
        "Cheaper than a coffee a month, no regrets.",
    ],
    ("onboarding", "neg"): [
        "Setup was confusing, I couldn't figure out how to import my timetable.",
        "Too many questions before you can even use it.",
        "Took me ages to find where to add a course.",
        "The tutorial skips the important parts.",
        "I signed up and had no idea what to do next.",
    ],
    ("onboarding", "pos"): [
        "Set up my whole semester in five minutes.",
        "Importing my timetable from the uni portal was super easy.",
        "Onboarding is quick and not annoying.",
    ],
    ("notifications", "neg"): [
        "Way too many notifications, I turned them all off.",
        "Reminders come at 3am for some reason.",
        "Reminders don't go off when the app is closed.",
        "I get the same reminder five times.",
    ],
    ("notifications", "pos"): [
        "The study reminders actually keep me on track.",
        "Reminders are well timed and not spammy.",
        "The exam countdown reminders are a lifesaver.",
    ],
    ("design", "neg"): [
        "The new design is cluttered and hard to read.",
        "Dark mode is still missing, my eyes hurt.",
        "Text is tiny on my tablet.",
        "Too many taps to do anything simple.",
    ],
    ("design", "pos"): [
        "Clean design, easy on the eyes.",
        "Beautiful interface and very intuitive.",
        "Not bad at all, the layout is clear.",
        "The weekly view is exactly what I needed.",
    ],
    ("request", "neu"): [
        "Please add offline mode, the library wifi is terrible.",
        "Would love a grade calculator.",
        "It needs a way to plan around my work shifts.",
        "Please let me export my plan to PDF.",
        "Can you add Canvas integration?",
        "Any chance of a dark mode?",
        "I wish I could share my plan with my study group.",
    ],
    ("praise", "pos"): [
        "Best study planner I have tried.",
        "This app saved my semester.",
        "My exam prep is so much more organised now.",
        "Honestly can't imagine uni without it.",
        "Helps me stay on top of everything.",
        "I recommend it to all my friends.",
        "Does exactly what it says, nothing more, nothing less.",
    ],
}

SARCASM = [
    "Great, another update that deletes my deadlines. Love it.",
    "Wow, thanks for breaking sync right before finals. Amazing job.",
    "Oh perfect, now it crashes twice as fast. Brilliant.",
    "Love paying for an app that forgets my exams. Fantastic.",
    "Five stars for the most creative way to lose my timetable.",
    "Sure, who needs calendar sync anyway. Brilliant update.",
    "Best feature: the calendar that syncs whenever it feels like it.",
]
SARCASM_THEME = ["sync", "sync", "bugs", "pricing", "sync", "sync", "sync"]

OPENERS = ["", "", "", "", "Update:", "Honestly,", "Ok so", "Been using it for a year.",
           "Used to love this app.", "First review ever.", "Uni student here."]
CLOSERS_NEG = ["", "", "Please fix!", "5 stars if you fix it.", "Deleting.", "Disappointed.", ":(",
               "Fix it please!!"]
CLOSERS_POS = ["", "", "Highly recommend.", "Would recommend to any student.", "Thanks devs!", ":)",
               "Keep it up!"]

TITLES = {
    ("sync", "neg"): ["Sync broken", "Fix the sync!!", "Calendar not syncing", "Sync issues"],
    ("sync", "pos"): ["Sync works great", "Syncs fine"],
    ("bugs", "neg"): ["Crashes", "Buggy", "Keeps freezing"],
    ("bugs", "pos"): ["Stable"],
    ("pricing", "neg"): ["Too expensive", "Paywall everywhere", "Not worth it"],
    ("pricing", "pos"): ["Worth it", "Good value"],
    ("onboarding", "neg"): ["Confusing setup", "Hard to start"],
    ("onboarding", "pos"): ["Easy to set up"],
    ("notifications", "neg"): ["Notification spam", "Reminders broken"],
    ("notifications", "pos"): ["Great reminders"],
    ("design", "neg"): ["Meh design", "Cluttered"],
    ("design", "pos"): ["Beautiful app", "Love the design"],
    ("request", "neu"): ["Feature request", "Good but...", "Almost perfect"],
    ("praise", "pos"): ["Love it", "Great app", "Must have", "Life saver"],
}

TYPOS = {
    "sync": "sycn", "syncs": "sycns", "calendar": "calender", "definitely": "definately",
    "really": "realy", "because": "becuase", "notifications": "notifcations",
    "doesn't": "doesnt", "can't": "cant", "won't": "wont", "don't": "dont", "deadlines": "dealines",
    "the": "teh", "annoying": "anoying", "separate": "seperate", "timetable": "timetabel",
}


def pick(rng: np.random.Generator, items: list):
    return items[int(rng.integers(len(items)))]


def add_noise(rng: np.random.Generator, text: str, p_typo: float = 0.25, p_lower: float = 0.1) -> str:
    if rng.random() < p_typo:
        words = text.split(" ")
        for i, w in enumerate(words):
            core = re.sub(r"[^A-Za-z']", "", w).lower()
            if core in TYPOS and rng.random() < (0.15 if core == "the" else 0.6):
                words[i] = w.replace(core, TYPOS[core]).replace(core.capitalize(), TYPOS[core].capitalize())
        text = " ".join(words)
    if rng.random() < p_lower:
        text = text.lower()
    elif rng.random() < 0.05:
        text = text.replace("!", "!!!")
    return text


def sentence(rng: np.random.Generator, theme: str, pol: str, version: str = "the update") -> str:
    return pick(rng, POOLS[(theme, pol)]).replace("{version}", version)


def join(parts: list[str]) -> str:
    return " ".join(p for p in parts if p).strip()


def lower_first(s: str) -> str:
    return s[0].lower() + s[1:] if s and not s.startswith("I ") and not s.startswith("I'") else s
