"""The three places that pin packages agree: pyproject.toml, environment.yml, requirements.lock."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = {}
    for requirement in project["dependencies"]:
        name, _, version = requirement.partition("==")
        assert version, f"pyproject.toml: {requirement!r} is not pinned with =="
        pins[normalise(name)] = version
    return pins


def conda_pins() -> dict[str, str]:
    spec = yaml.safe_load((ROOT / "environment.yml").read_text())
    pins = {}
    for entry in spec["dependencies"]:
        if not isinstance(entry, str) or entry in ("pip",) or entry.startswith("python="):
            continue
        name, _, version = entry.partition("=")
        assert version, f"environment.yml: {entry!r} has no version"
        pins[normalise(name)] = version
    return pins


def lock_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[normalise(name)] = version
    return pins


def test_environment_yml_pins_the_same_packages_and_versions_as_pyproject():
    assert conda_pins() == pyproject_pins(), (
        "environment.yml and pyproject.toml disagree: give every package the same version in both"
    )


def test_environment_yml_uses_the_same_python():
    spec = yaml.safe_load((ROOT / "environment.yml").read_text())
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "python=3.11" in spec["dependencies"] and project["requires-python"] == ">=3.11,<3.12"


def test_requirements_lock_agrees_with_pyproject():
    lock = lock_pins()
    mismatched = {
        name: (version, lock.get(name)) for name, version in pyproject_pins().items() if lock.get(name) != version
    }
    assert not mismatched, f"requirements.lock disagrees with pyproject.toml (pinned, locked): {mismatched}; run `make lock`"
