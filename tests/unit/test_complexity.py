"""Small functions: no function in autograder/ or pmcourse/ has cyclomatic complexity above 12 (radon)."""

from __future__ import annotations

from pathlib import Path

from radon.complexity import cc_visit

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 12


def complexities() -> dict[str, int]:
    found = {}
    for package in ("autograder", "pmcourse"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for block in cc_visit(path.read_text(encoding="utf-8")):
                found[f"{path.relative_to(ROOT)}:{block.lineno} {block.fullname}"] = block.complexity
    return found


def test_no_function_is_too_complex():
    found = complexities()
    assert found, "radon found no functions: the scan is broken"
    too_complex = {name: value for name, value in found.items() if value > LIMIT}
    assert not too_complex, f"split these functions (cyclomatic complexity > {LIMIT}): {too_complex}"


def test_the_measure_sees_branches():
    (block,) = cc_visit("def f(x):\n" + "".join(f"    if x == {i}:\n        return {i}\n" for i in range(13)))
    assert block.complexity == 14
