"""Benchmark: stock sequential `nbgrader autograde` against the cohort pipeline (`make bench-grading`).

Builds a synthetic cohort (default 60 students) across every module in
`solutions/`, with a fixed mix of submissions per module: right (40 %), partly
right (first half of the questions, 30 %), blank (15 %) and broken (15 %: half
not valid JSON, half with a syntax error in an answer). Two identical copies of
the course are graded: one with `nbgrader autograde <module>` per module, one
with `python -m autograder.cohort grade` (in its OS sandbox; a third copy is graded
with `--no-sandbox` to print the sandbox's overhead per submission). Then the grades are compared cell by
cell (and the final scores), and the floor is measured: starting a kernel and
executing each module's solution notebook once.

    python -m autograder.bench_grading [--students 60] [--workers N] [--modules m00_orientation ...]
        [--engine local|dask|both] [--skip-stock]

`--engine` also measures the grading engines on their own copies of the cohort:
`local` grades in this process with one grading `Worker` and no Dask (the
floor of the pipeline), `dask` through a local Dask cluster with 1 and then 2
worker processes. It reports each one's start-up and throughput, the Dask
path's per-submission overhead against the local one (target: under 10 %),
and, from the measured per-submission cost and 2-worker efficiency, a
projection of wall time for 6,000 submissions on 8, 32 and 128 cores.

The last line is:
submissions=N nbgrader_s=A pipeline_s=B speedup=A/B grades_identical=true|false
(with --skip-stock: submissions=N engines=... grades_identical=true|false)
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from autograder import stock_nbgrader as nbcourse
from autograder.cohort.grade import default_workers
from pmcourse.notebook import grading_structure, module_notebooks

MIX = [("right", 40), ("partial", 30), ("blank", 15), ("broken", 15)]


def _answered(kind: str, questions: list[str]) -> set[str]:
    return {"right": set(questions), "partial": set(questions[: (len(questions) + 1) // 2]),
            "blank": set(), "broken": set(questions)}[kind]


def _write_submission(notebook, target: Path, kind: str, last_question: str, rng: random.Random) -> None:
    """Write one notebook; a "broken" one is either cut short (not JSON) or has a syntax error in its last answer."""
    if kind == "broken" and rng.random() < 0.5:
        target.write_text(nbformat.writes(notebook)[: -300], encoding="utf-8")
        return
    if kind == "broken":
        for cell in notebook.cells:
            if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == last_question:
                cell.source = "def broken(:\n    pass\n"
    nbformat.write(notebook, str(target))


def build(folder: Path, modules: list[str], students: int, seed: int = 7) -> list[str]:
    from autograder.cohort.__main__ import main as cohort

    nbcourse.new_course(folder, modules)
    ids = [f"student{i:03d}" for i in range(students)]
    roster = folder / "roster.csv"
    roster.write_text("id,first_name,last_name,email\n" + "".join(
        f"{s},First{i},Last{i},{s}@example.org\n" for i, s in enumerate(ids)), encoding="utf-8")
    cohort(["setup", "--course", str(folder), "--roster", str(roster)])
    rng = random.Random(seed)
    kinds = [kind for kind, share in MIX for _ in range(share)]
    for module in modules:
        released = folder / "modules" / module
        for student in ids:
            kind = rng.choice(kinds)
            target = folder / "submitted" / student / module
            shutil.copytree(released, target)
            for path in module_notebooks(folder / "solutions" / module):
                questions = [q.grade_id for q in grading_structure(path).questions]
                notebook = nbcourse.submission_from(released / path.name, path, _answered(kind, questions))
                _write_submission(notebook, target / path.name, kind, questions[-1], rng)
    return ids


def children_cpu_seconds() -> float:
    """CPU time (user + system) of every finished child process and of their children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def stock(folder: Path, modules: list[str]) -> float:
    started = time.monotonic()
    for module in modules:
        nbcourse.autograde(folder, module, check=False)  # exits 1 on broken files: expected
    return time.monotonic() - started


def pipeline(folder: Path, workers: int, sandbox: bool = True) -> float:
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "autograder.cohort", "grade", "--course", str(folder), "--quiet",
                    "--workers", str(workers)] + ([] if sandbox else ["--no-sandbox"]),
                   check=False, capture_output=True, text=True)
    return time.monotonic() - started


def sandbox_overhead(folder: Path, workers: int, sandboxed_s: float, sandboxed_cpu: float, submissions: int) -> None:
    """Grade the same cohort again without the sandbox; print what the sandbox costs per submission."""
    before = children_cpu_seconds()
    plain_s = pipeline(folder, workers, sandbox=False)
    plain_cpu = children_cpu_seconds() - before
    print(f"pipeline without the sandbox (--no-sandbox): {plain_s:.1f} s, CPU {plain_cpu:.1f} s; sandbox overhead "
          f"per submission {(sandboxed_s - plain_s) * workers / submissions:+.2f} s per worker, "
          f"(compare wall-clock: the CPU of sandboxed kernels is reaped inside bubblewrap and not all counted here, "
          f"{(sandboxed_cpu - plain_cpu) / submissions:+.2f} s)", flush=True)


def grades(folder: Path, modules: list[str]):
    from autograder.cohort.export import final_scores
    from autograder.cohort.layout import Course

    cells = {m: nbcourse.auto_scores(folder, m) for m in modules}
    _, _, scores, _ = final_scores(Course(folder))
    return cells, scores


def floor_seconds(modules: list[str]) -> dict[str, float]:
    """Kernel start plus one run of the module's solution notebooks (nbclient, no nbgrader)."""
    from nbclient import NotebookClient

    os.environ["PMCOURSE_DATASETS"] = str(nbcourse.DATASETS)
    out = {}
    for module in modules:
        total = 0.0
        for path in module_notebooks(nbcourse.SOLUTIONS / module):
            notebook = nbformat.read(str(path), as_version=4)
            started = time.monotonic()
            NotebookClient(notebook, timeout=120, kernel_name="python3", allow_errors=True,
                           resources={"metadata": {"path": str(path.parent)}}).execute()
            total += time.monotonic() - started
        out[module] = total
    return out


PROJECTED_SUBMISSIONS = 6000
PROJECTED_CORES = (8, 32, 128)


def _pairs(course) -> list[tuple[str, str]]:
    from autograder.cohort.grade import plan, released_modules, students_of

    todo, _ = plan(course, released_modules(course), students_of(course), force=True)
    return [(s, m) for kind, s, m, _ in todo if kind == "grade"]


def timed_local(folder: Path) -> tuple[float, float, int]:
    """Grade every pair in this process with one `Worker` (no Dask), through the same hand-over: (start-up s, grading s, pairs)."""
    from autograder.cohort.handover import CourseSettings, ModuleData, PairInput, commit
    from autograder.cohort.layout import Course
    from autograder.cohort.worker import Worker, grade_safely

    course = Course(folder)
    pairs = _pairs(course)
    here = os.getcwd()
    started = time.monotonic()
    worker = Worker(CourseSettings.of(course))
    ready = time.monotonic()
    modules = {}
    try:
        for student, module in pairs:
            data = modules.setdefault(module, ModuleData.of(course, module))
            commit(course, grade_safely(worker, PairInput.of(course, student, module), data))
    finally:
        worker.close()
        os.chdir(here)
    return ready - started, time.monotonic() - ready, len(pairs)


def timed_dask(folder: Path, workers: int) -> tuple[float, float, int]:
    """Grade every pair on a local Dask cluster of `workers` processes: (start-up s, grading s, pairs)."""
    from autograder.cohort import engine
    from autograder.cohort.handover import commit
    from autograder.cohort.layout import Course
    from autograder.cohort.workspace import DEFAULT_MEMORY_MB

    course = Course(folder)
    pairs = _pairs(course)
    started = time.monotonic()
    with engine.cluster(course, None, workers, DEFAULT_MEMORY_MB) as cluster:
        ready = time.monotonic()
        for output in cluster.grade(pairs):
            commit(course, output)
        done = time.monotonic()
    return ready - started, done - ready, len(pairs)


def projection(per_core_s: float, efficiency: float) -> str:
    """Wall time for PROJECTED_SUBMISSIONS on each core count, from the measured cost per submission per core."""
    parts = []
    for cores in PROJECTED_CORES:
        seconds = PROJECTED_SUBMISSIONS * per_core_s / (cores * efficiency)
        parts.append(f"{cores} cores {seconds / 60:.0f} min")
    return ", ".join(parts)


def engines(scratch: Path, which: str) -> tuple[list[Path], str]:
    """Time the engines on copies of the cohort; print the comparison; return the graded copies and a summary."""
    runs, graded = {}, []
    plan_runs = ([("local", 1)] if which in ("local", "both") else []) + (
        [("dask", 1), ("dask", 2)] if which in ("dask", "both") else [])
    for name, workers in plan_runs:
        folder = scratch / f"engine-{name}-{workers}"
        shutil.copytree(scratch / "pristine", folder)
        timer = timed_local if name == "local" else lambda f, w=workers: timed_dask(f, w)
        startup, grading, pairs = timer(folder)
        runs[(name, workers)] = (startup, grading, pairs)
        graded.append(folder)
        print(f"engine {name} x{workers}: start-up {startup:.1f} s; {pairs} submissions in {grading:.1f} s "
              f"({pairs / grading * 60:.1f} a minute, {grading * workers / pairs:.2f} s per submission per worker)",
              flush=True)
    summary = []
    if ("local", 1) in runs and ("dask", 1) in runs:
        local, dask1 = runs[("local", 1)], runs[("dask", 1)]
        overhead = (dask1[1] - local[1]) / local[1] * 100
        print(f"Dask overhead per submission against the local path (1 worker each): {overhead:+.1f} % "
              f"(target under 10 %); start-up {dask1[0]:.1f} s against {local[0]:.1f} s", flush=True)
        summary.append(f"dask_overhead_pct={overhead:.1f}")
    if ("dask", 1) in runs and ("dask", 2) in runs:
        one, two = runs[("dask", 1)], runs[("dask", 2)]
        efficiency = min(1.0, one[1] / two[1] / 2)
        per_core = one[1] / one[2]
        print(f"2 workers: {one[1] / two[1]:.2f}x the throughput of 1 (efficiency {efficiency:.2f} per core)", flush=True)
        print(f"projection for {PROJECTED_SUBMISSIONS} submissions at {per_core:.2f} s per submission per core and "
              f"efficiency {efficiency:.2f}: {projection(per_core, efficiency)} "
              f"(plus start-up; assumes each core has one worker and the gradebook keeps up)", flush=True)
        summary.append(f"dask_2_workers_speedup={one[1] / two[1]:.2f}")
    return graded, " ".join(summary)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("--students", type=int, default=60)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--modules", nargs="*", default=None, help="default: every module in solutions/")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark courses (printed)")
    parser.add_argument("--engine", choices=("local", "dask", "both", "none"), default="both",
                        help="also time the engines: local (one Worker, no Dask), dask (1 and 2 workers), both")
    parser.add_argument("--skip-stock", action="store_true",
                        help="skip stock nbgrader and the pipeline run (only the engines and the floor)")
    args = parser.parse_args(argv)
    modules = args.modules or nbcourse.module_ids()
    scratch = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    try:
        print(f"building {args.students} students x {len(modules)} modules ({', '.join(modules)})", flush=True)
        build(scratch / "pipeline", modules, args.students)
        shutil.copytree(scratch / "pipeline", scratch / "pristine")
        submissions = args.students * len(modules)
        floors = floor_seconds(modules)
        print("floor (kernel start + solution run), s: " + ", ".join(f"{m} {s:.2f}" for m, s in floors.items()), flush=True)
        last = f"submissions={submissions}"
        graded = []
        if not args.skip_stock:
            nbgrader_s, pipeline_s = stock_and_pipeline(scratch, modules, args.workers, sum(floors.values()) / len(floors))
            graded += [scratch / "stock", scratch / "pipeline", scratch / "unsandboxed"]
            last += f" nbgrader_s={nbgrader_s:.1f} pipeline_s={pipeline_s:.1f} speedup={nbgrader_s / pipeline_s:.2f}"
        if args.engine != "none":
            folders, summary = engines(scratch, args.engine)
            graded += folders
            last += f" {summary}" if summary else ""
        identical = same_grades(graded, modules)
        if args.keep:
            print(f"kept: {scratch}")
        print(f"{last} grades_identical={'true' if identical else 'false'}")
        return 0 if identical else 1
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)


def stock_and_pipeline(scratch: Path, modules: list[str], workers: int, floor: float) -> tuple[float, float]:
    """Stock sequential nbgrader autograde, then the pipeline's `grade` command, on copies of the cohort."""
    shutil.copytree(scratch / "pristine", scratch / "stock")
    submissions = len(modules) * sum(1 for p in (scratch / "pristine" / "submitted").iterdir() if p.is_dir())
    before_stock = children_cpu_seconds()
    nbgrader_s = stock(scratch / "stock", modules)
    before_pipeline = children_cpu_seconds()
    stock_cpu = before_pipeline - before_stock
    print(f"stock nbgrader autograde: {nbgrader_s:.1f} s ({nbgrader_s / submissions:.2f} s per submission); "
          f"CPU {stock_cpu:.1f} s", flush=True)
    pipeline_s = pipeline(scratch / "pipeline", workers)
    pipeline_cpu = children_cpu_seconds() - before_pipeline
    per = pipeline_s * workers / submissions
    print(f"pipeline ({workers} workers): {pipeline_s:.1f} s; per submission per worker {per:.2f} s, "
          f"floor {floor:.2f} s, ratio {per / floor:.2f} (target <= 1.5); CPU {pipeline_cpu:.1f} s "
          f"({stock_cpu / pipeline_cpu:.2f}x less than stock)", flush=True)
    shutil.copytree(scratch / "pristine", scratch / "unsandboxed")
    sandbox_overhead(scratch / "unsandboxed", workers, pipeline_s, pipeline_cpu, submissions)
    return nbgrader_s, pipeline_s


def same_grades(folders: list[Path], modules: list[str]) -> bool:
    """Every graded copy has the first one's grades, cell by cell and final score; prints what differs."""
    if not folders:
        return True
    reference = grades(folders[0], modules)
    identical = True
    for folder in folders[1:]:
        other = grades(folder, modules)
        if other == reference:
            continue
        identical = False
        for module in modules:
            for student in sorted(set(reference[0][module]) | set(other[0][module])):
                if reference[0][module].get(student) != other[0][module].get(student):
                    print(f"differs: {module} {student}: {folders[0].name} {reference[0][module].get(student)} "
                          f"{folder.name} {other[0][module].get(student)}")
    return identical


if __name__ == "__main__":
    sys.exit(main())
