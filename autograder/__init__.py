"""Instructor-side tooling: release, grading checks and wrong-answer proofs.

- `pmcourse.notebook`: the graded structure of a notebook (questions, tests, points).
- `autograder.repo`: where the repository keeps solutions/, modules/ and datasets/.
- `autograder.stock_nbgrader`: stock `nbgrader autograde` in a course folder, for tests and the benchmark.
- `autograder.solution_run`: runs a solution notebook once, in one kernel, trying
  every known wrong answer against its question's tests.
- `autograder.cohort` (`python -m autograder.cohort`): the instructor pipeline for a whole
  cohort (setup, collect, parallel resumable grading, feedback, export, report);
  `autograder.bench_grading` benchmarks it against stock nbgrader.
- `autograder.release` (`make modules`) and `autograder.fingerprints`
  (`make fingerprints`): regenerate what is generated from `solutions/`.
"""

import sys

# Before anything here imports nbformat: jsonschema, which nbformat imports, compiles rfc3987_syntax's
# IRI grammar at import (about 1.1 s of CPU in every grading process: the command, each Dask worker,
# the hub's service) for the "iri" format, which nothing here checks. The same guard as
# `pmcourse.charts.skip_iri_grammar` (a learner's kernel); a None entry makes that optional import fail,
# which jsonschema expects.
if "jsonschema" not in sys.modules:
    sys.modules.setdefault("rfc3987_syntax", None)
