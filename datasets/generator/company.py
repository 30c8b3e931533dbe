"""The fictional world shared by all tables: names, segments, versions.

Only constants live here (no random draws), so importing this module never
changes a table's random stream.
"""

COMPANY = "Quillo Labs"
PRODUCT = "Quillo"
CAPSTONE_COMPANY = "Rotaly"
CAPSTONE_PRODUCT = "Rotaly"

# Student segments, in a meaningful order (entry to exit of university life).
SEGMENTS = [
    "First-year undergrad",
    "Upper-year undergrad",
    "Working student",
    "Postgraduate",
    "Online learner",
]

PLANS = ["Free", "Plus", "Campus"]  # freemium; Campus = university licence
PLATFORMS = ["ios", "android", "web"]
MOBILE_PLATFORMS = ["ios", "android"]

# App versions and their release dates (the 4.2.0 release breaks calendar sync;
# 4.2.2 fixes most of it).
APP_VERSIONS = [
    ("3.8.0", "2024-01-08"),
    ("3.9.0", "2024-02-19"),
    ("4.0.0", "2024-04-02"),
    ("4.0.1", "2024-04-16"),
    ("4.1.0", "2024-06-03"),
    ("4.2.0", "2024-08-26"),
    ("4.2.1", "2024-09-09"),
    ("4.2.2", "2024-10-07"),
    ("4.3.0", "2024-11-18"),
    ("4.4.0", "2025-01-20"),
]
SYNC_BROKEN_VERSIONS = ["4.2.0", "4.2.1"]

REGIONS = [
    "North America",
    "Western Europe",
    "Eastern Europe",
    "Latin America",
    "South Asia",
    "East Asia & Pacific",
]

TEAMS = ["Growth", "Core Planner", "Platform", "Design Systems"]

# Features asked about in the Kano survey, mapped to backlog item ids.
KANO_FEATURES = [
    ("F05", "Reliable two-way calendar sync"),
    ("F09", "Offline access to plans"),
    ("F12", "AI study-plan generator"),
    ("F16", "Shared group study rooms"),
    ("F21", "Streaks and badges"),
    ("F24", "Grade calculator"),
    ("F30", "Dark mode"),
    ("F33", "Export to PDF"),
]
