"""A content hash of a submission folder (used by `collect` and the grading journal)."""

from __future__ import annotations

import hashlib
from pathlib import Path

MISSING = "missing"


def submission_digest(folder: Path) -> str:
    """A hash of every file of a submission (names and bytes, timestamp.txt included); "missing" if no folder."""
    digest = hashlib.sha256()
    if not folder.is_dir():
        return MISSING
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()
