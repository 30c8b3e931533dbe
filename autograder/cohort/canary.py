"""Test cells that ran as written: per-run secret canaries around every test cell.

Stock nbgrader trusts the kernel: a submission that registers an IPython input
transformer turning every later cell into `pass` gets full points for every
test, because a test cell with no error output scores its points. Here the
grader puts canary cells into the notebook it executes (never into the files
the learner or the instructor see):

- one before every cell, before any of the learner's code has run, which
  records how the kernel executes code (IPython's input and AST transformers,
  `sys.settrace`/`setprofile`, the shell's run and traceback methods, the
  `builtins`, where the release's imports point, and the course helpers'
  code, compiled from their files) and keeps a per-run secret;
- one just before every test cell, which must raise an error that carries the
  secret and says whether that machinery is as recorded.

A kernel whose cells are rewritten, whose errors are swallowed or whose
machinery was changed cannot produce that error, so the grader (outside the
kernel) sees it. The test cells after the first failed canary get an error
output instead of their points (nbgrader then scores them 0, as it scores any
failing test) and the pair gets a `TAMPERED` outcome for the instructor. The
canaries are removed and the execution counts renumbered before nbgrader
scores the notebook, so an honest notebook is graded exactly as stock nbgrader
grades it.

Limit: the learner's code runs in the same process as the tests. Code written
against this very grader (reading each canary's source in its own transformer
and imitating its error) can still fake it; only generic tampering is caught.
"""

from __future__ import annotations

import ast
import functools
import secrets
from dataclasses import dataclass, field

from nbformat.v4 import new_code_cell, new_output

CANARY_META = "pmcourse_canary"
TAMPERED_ENAME = "GradingTampered"

# Runs first, before any learner code: records the machinery and keeps the check function.
SETUP_SOURCE = r'''
def __pmcourse_grader_setup(secret, key, imports):
    import builtins, importlib.util, os, sys, threading, types
    shell = get_ipython()
    methods = ("run_cell", "run_cell_async", "run_ast_nodes", "run_code", "showtraceback",
               "_showtraceback", "transform_cell", "transform_ast", "should_run_async", "get_exception_only")

    def ident(value):
        return id(getattr(value, "__func__", value))

    def machinery():
        state = {
            "IPython input_transformers_cleanup": [ident(f) for f in shell.input_transformers_cleanup],
            "IPython input_transformers_post": [ident(f) for f in shell.input_transformers_post],
            "IPython ast_transformers": [ident(f) for f in shell.ast_transformers],
            "sys.settrace": ident(sys.gettrace()),
            "sys.setprofile": ident(sys.getprofile()),
            "threading.settrace": ident(threading.gettrace()),
            "IPython set_custom_exc": repr(shell.custom_exceptions),
            "__builtins__": id(shell.user_ns.get("__builtins__", builtins)),
        }
        for name in methods:
            state["IPython " + name] = (ident(getattr(type(shell), name, None)), name in vars(shell))
        for name, value in vars(builtins).items():
            if callable(value) and name not in ("_", "__", "___"):
                state["builtins." + name] = ident(value)
        return state

    def helper_sources():
        spec = importlib.util.find_spec("pmcourse")
        found = {}
        for folder in (spec.submodule_search_locations or []) if spec else []:
            for name in sorted(os.listdir(folder)):
                if name.endswith(".py"):
                    module = "pmcourse" if name == "__init__.py" else "pmcourse." + name[:-3]
                    path = os.path.join(folder, name)
                    with open(path, encoding="utf-8") as handle:
                        found[module] = compile(handle.read(), path, "exec", dont_inherit=True)
        return found

    def changed_helpers():
        bad = []
        for module_name, code in helpers.items():
            module = sys.modules.get(module_name)
            if module is None:
                continue
            defined = {}
            for const in code.co_consts:
                if isinstance(const, types.CodeType) and not const.co_name.startswith("<"):
                    defined.setdefault(const.co_name, []).append(const)
            for name, codes in defined.items():
                live = vars(module).get(name)
                if isinstance(live, type):
                    continue
                live = getattr(live, "__wrapped__", live)
                if getattr(live, "__code__", None) not in codes:
                    bad.append(module_name + "." + name)
        return bad

    def changed_imports():
        bad = []
        for name, (module_name, attribute) in imports.items():
            module = sys.modules.get(module_name)
            if name not in shell.user_ns or module is None:
                continue
            expected = module if attribute is None else getattr(module, attribute, None)
            if shell.user_ns[name] is not expected:
                bad.append(name)
        return bad

    def shadowed_builtins():
        return [name for name, value in shell.user_ns.items()
                if name in baseline_builtins and callable(value) and value is not baseline_builtins[name]
                and value is not baseline_names.get(name)]

    class GraderCheck(AssertionError):
        """The canaries' error, shown as one line: IPython's traceback formatting would cost ~10 ms a canary."""

        def _render_traceback_(self):
            return [type(self).__name__ + ": " + str(self)]

    baseline = machinery()
    baseline_builtins = {k: v for k, v in vars(builtins).items() if callable(v)}
    baseline_names = {k: v for k, v in shell.user_ns.items() if k in baseline_builtins}
    helpers = helper_sources()

    def check():
        now = machinery()
        bad = sorted(k for k in baseline if now.get(k) != baseline[k])
        bad += ["course helper " + name for name in changed_helpers()]
        bad += ["name " + name + " rebound" for name in changed_imports()]
        bad += ["builtin " + name + " shadowed" for name in shadowed_builtins()]
        raise GraderCheck(secret + (" tampered: " + "; ".join(bad) if bad else " ok"))

    setattr(sys, key, check)
    raise GraderCheck(secret + " ok")
'''

CHECK_SOURCE = "getattr(__import__('sys'), {key!r})()"


def _is_test_cell(cell) -> bool:
    from nbgrader.utils import is_grade

    return cell.cell_type == "code" and is_grade(cell)


def _is_locked(cell) -> bool:
    from nbgrader.utils import is_locked

    return cell.cell_type == "code" and is_locked(cell)


def _bound_names(node) -> dict[str, tuple[str, str | None]]:
    """{name: (module, attribute or None)} one import statement binds."""
    if isinstance(node, ast.Import):
        return {alias.asname: (alias.name, None) for alias in node.names if alias.asname}
    if isinstance(node, ast.ImportFrom) and node.module and not node.level:
        return {alias.asname or alias.name: (node.module, alias.name) for alias in node.names if alias.name != "*"}
    return {}


def release_imports(notebook) -> dict[str, tuple[str, str | None]]:
    """{name: (module, attribute or None)} bound by `import` statements in the locked cells."""
    names: dict[str, tuple[str, str | None]] = {}
    for cell in notebook.cells:
        if not _is_locked(cell):
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:  # magics: not Python
            continue
        for node in ast.walk(tree):
            names.update(_bound_names(node))
    return names


@dataclass
class Finding:
    """A canary that did not come back as written, and the test cells it makes untrustworthy."""

    before: str  # the test cell the failed canary guarded
    what: str  # what changed, as the canary (or its absence) told
    affected: list[str] = field(default_factory=list)

    def as_detail(self) -> dict:
        return {"what": self.what, "cells": len(self.affected), "affected": ", ".join(self.affected)}


def _grade_id(cell) -> str:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") or cell.get("id", "?")


class Canaries:
    """The canaries of one execution of one notebook: insert, then verify and remove."""

    def __init__(self) -> None:
        self.secret = "canary-" + secrets.token_hex(16)
        self.key = "_pmcourse_canary_" + secrets.token_hex(8)

    def _cell(self, source: str, role: str):
        cell = new_code_cell(source)
        cell.metadata[CANARY_META] = role
        return cell

    def insert(self, notebook) -> None:
        """Put the setup canary first and a check canary before every test cell (in place)."""
        imports = release_imports(notebook)
        setup = SETUP_SOURCE + (
            f"try:\n    __pmcourse_grader_setup({self.secret!r}, {self.key!r}, {imports!r})\n"
            "finally:\n    del __pmcourse_grader_setup\n"
        )
        cells = [self._cell(setup, "setup")]
        for cell in notebook.cells:
            if _is_test_cell(cell):
                cells.append(self._cell(CHECK_SOURCE.format(key=self.key), _grade_id(cell)))
            cells.append(cell)
        notebook.cells = cells

    def _verdict(self, cell) -> str | None:
        """None if the canary raised its error with the secret and "ok"; else what went wrong."""
        for output in cell.get("outputs", []):
            if output.get("output_type") != "error":
                continue
            value = str(output.get("evalue", ""))
            if value == f"{self.secret} ok":
                return None
            if value.startswith(f"{self.secret} tampered: "):
                return value[len(self.secret) + len(" tampered: "):]
        return "the grader's check did not run as written (cells rewritten or errors hidden)"

    def verify(self, notebook) -> Finding | None:
        """Check every canary; mark the test cells after the first failed one. Canaries are removed."""
        finding, canaries_run = None, 0
        kept = []
        for cell in notebook.cells:
            role = cell.get("metadata", {}).get(CANARY_META)
            if role is not None:
                canaries_run += 1
                problem = self._verdict(cell) if finding is None else None
                if problem is not None:
                    finding = Finding(role if role != "setup" else "the first cell", problem)
                continue
            if cell.cell_type == "code" and cell.get("execution_count") is not None:
                cell.execution_count = max(1, cell.execution_count - canaries_run)
            if finding is not None and _is_test_cell(cell):
                finding.affected.append(_grade_id(cell))
                cell.outputs.insert(0, self._tamper_output(finding))
            kept.append(cell)
        notebook.cells = kept
        return finding

    @staticmethod
    def _tamper_output(finding: Finding):
        text = (f"While grading, the code before this test changed how the tests run ({finding.what}). "
                "This test cannot be trusted and gets no automatic points; your instructor will look at it.")
        return new_output("error", ename=TAMPERED_ENAME, evalue=text, traceback=[f"{TAMPERED_ENAME}: {text}"])


@functools.cache
def canary_execute_class():
    """`LimitedExecute` (the workspace's kernel) with canaries around every test cell; findings in `.findings`."""
    from autograder.cohort.workspace import LimitedExecute

    class CanaryExecute(LimitedExecute):
        """Execute with canaries: `findings` lists what the canaries saw (empty for an honest notebook)."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.findings: list[Finding] = []

        def preprocess(self, nb, resources=None, km=None):
            canaries = Canaries()
            canaries.insert(nb)
            try:
                nb, resources = super().preprocess(nb, resources, km)
            except BaseException:
                strip(nb)
                raise
            finding = canaries.verify(nb)
            if finding is not None:
                self.findings.append(finding)
            return nb, resources

    return CanaryExecute


def strip(notebook) -> None:
    """Remove canary cells (a notebook whose execution stopped half way still holds them)."""
    notebook.cells = [c for c in notebook.cells if CANARY_META not in c.get("metadata", {})]


__all__ = ["CANARY_META", "Canaries", "Finding", "TAMPERED_ENAME", "canary_execute_class", "release_imports", "strip"]
