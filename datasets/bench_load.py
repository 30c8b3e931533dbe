"""Benchmark: seconds to load each table with `pmcourse.load` (`make bench-datasets`).

The target is under one second a table on a 2-core machine. This prints the
figures and asserts nothing, so a busy machine cannot make a test flake.
"""

import time

from pmcourse import dataset_names, load

BUDGET_S = 1.0

if __name__ == "__main__":
    slowest = ("", 0.0)
    for name in dataset_names():
        started = time.perf_counter()
        rows = len(load(name))
        seconds = time.perf_counter() - started
        slowest = max(slowest, (name, seconds), key=lambda pair: pair[1])
        print(f"{name:26} {rows:>8} rows {seconds:6.2f} s")
    print(f"slowest={slowest[0]} seconds={slowest[1]:.2f} within_budget={str(slowest[1] < BUDGET_S).lower()}")
