"""The course in a real browser: JupyterLab in headless Chromium, driven by Playwright.

A learner who has answered every question of the orientation notebook opens
it, runs all cells, sees the plotly charts drawn, moves the slider and sees the
chart change, and presses nbgrader's Validate button. Screenshots go to
`artifacts/browser/` (kept by CI as test artefacts).

Needs Debian's `chromium` (`.ci/run` installs it). Outside CI, without it, the
test is skipped with a message saying how to install it; in CI it fails.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from autograder.repo import DATASETS, MODULES, REPO_ROOT, SOLUTIONS
from autograder.stock_nbgrader import submission_from

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = REPO_ROOT / "artifacts" / "browser"
MODULE = "m00_orientation"
NOTEBOOK = "01_orientation.ipynb"
# Flags that let Chromium run headless as root on a machine with no network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        pytest.fail("CI needs Debian's chromium for the browser test: .ci/run installs it", pytrace=False)
    pytest.skip("no chromium: `apt-get install chromium` to run the browser test", allow_module_level=True)

from playwright.sync_api import expect, sync_playwright  # noqa: E402


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab serving a course folder with a fully answered orientation notebook."""
    root = tmp_path_factory.mktemp("lab")
    work = root / "modules" / MODULE
    shutil.copytree(MODULES / MODULE, work)
    answered = submission_from(
        MODULES / MODULE / NOTEBOOK,
        SOLUTIONS / MODULE / NOTEBOOK,
        answered={
            nbformat_cell.metadata["nbgrader"]["grade_id"]
            for nbformat_cell in nbformat.read(str(SOLUTIONS / MODULE / NOTEBOOK), as_version=4).cells
            if nbformat_cell.metadata.get("nbgrader", {}).get("solution")
        },
    )
    for cell in answered.cells:
        if cell.cell_type == "markdown" and cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = "I am 42% through my onboarding; three tasks are overdue and done tomorrow."
    nbformat.write(answered, work / NOTEBOOK)
    port, token = free_port(), "browser-test-token"
    env = {
        **os.environ,
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        "PMCOURSE_DATASETS": str(DATASETS),
    }
    server = subprocess.Popen(
        [
            sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--allow-root",
        ],
        env=env,
        stdout=open(root / "server.log", "w"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(60):
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            time.sleep(1)
    else:
        server.terminate()
        pytest.fail(f"JupyterLab did not start: {(root / 'server.log').read_text()[-2000:]}")
    yield f"{base}/lab/tree/modules/{MODULE}/{NOTEBOOK}?token={token}"
    server.terminate()
    server.wait(timeout=20)


def plot_titles(page) -> list[str]:
    return page.locator(".js-plotly-plot .gtitle").all_text_contents()


def test_a_learner_runs_the_notebook_moves_the_slider_and_validates(lab):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(lab)
        page.wait_for_selector(".jp-Notebook", timeout=60_000)
        # Run all only once the kernel is up (the status bar says "Python 3 (ipykernel) | Idle").
        page.wait_for_function("() => document.body.innerText.includes('| Idle')", timeout=120_000)
        page.screenshot(path=ARTIFACTS / "1_opened.png")

        page.click("li.lm-MenuBar-item:has-text('Run')")
        page.click('li.lm-Menu-item[data-command="runmenu:run-all"]')
        # Done when every code cell shows an execution count ([12]), or a cell failed
        # (JupyterLab stops a run-all at the first error).
        try:
            page.wait_for_function(
                """() => {
                    const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
                    const failed = document.querySelector('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]');
                    return failed || (prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent)));
                }""",
                timeout=180_000,
            )
        finally:
            page.screenshot(path=ARTIFACTS / "2_after_run_all.png")
        expect(page.locator(".js-plotly-plot")).to_have_count(2, timeout=30_000)
        errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
        assert errors.count() == 0, f"cells failed in the browser: {errors.all_inner_texts()[:3]}"

        slider = page.locator(".widget-slider .noUi-handle").first
        slider.scroll_into_view_if_needed()
        page.screenshot(path=ARTIFACTS / "3_slider_ready.png")
        before = [t for t in plot_titles(page) if t.startswith("By day")]
        assert before and before[0].startswith("By day 5"), f"widget chart title before: {before}"
        slider.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "() => [...document.querySelectorAll('.js-plotly-plot .gtitle')]"
            ".some(t => t.textContent.startsWith('By day 6'))",
            timeout=20_000,
        )
        page.screenshot(path=ARTIFACTS / "4_slider_moved.png")

        page.click(".jp-Toolbar-item:has-text('Validate')")
        dialog = page.locator(".jp-Dialog")
        expect(dialog).to_contain_text("Success", timeout=90_000)
        page.screenshot(path=ARTIFACTS / "5_validated.png")
        browser.close()
