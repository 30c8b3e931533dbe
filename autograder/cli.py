"""The one command-line style of the instructor tools: argparse, so a mistyped flag or module is an error."""

from __future__ import annotations

import argparse

from autograder.repo import module_ids


def modules_parser(prog: str, description: str) -> argparse.ArgumentParser:
    """A parser taking optional module ids (default: every module)."""
    parser = argparse.ArgumentParser(prog=prog, description=description, allow_abbrev=False)
    parser.add_argument("modules", nargs="*", metavar="MODULE",
                        help="module ids to process (default: every module in solutions/)")
    return parser


def parse_modules(prog: str, description: str, argv: list[str] | None) -> list[str]:
    """The module ids given (unknown ids are an error; none given: an empty list, meaning all)."""
    parser = modules_parser(prog, description)
    modules = parser.parse_args(argv).modules
    unknown = sorted(set(modules) - set(module_ids()))
    if unknown:
        parser.error(f"no such module: {', '.join(unknown)} (modules: {', '.join(module_ids())})")
    return modules
