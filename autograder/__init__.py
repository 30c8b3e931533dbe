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
