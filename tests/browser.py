"""Headless Chromium for tests that look at a page as a person would: a screenshot of it.

scripts/setup installs Debian's `chromium` when it can; without it a test that needs it fails
(not skips), saying how to install it.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

CHROMIUM_COMMANDS = ("chromium", "chromium-browser", "google-chrome")
SCREENSHOT_TIMEOUT_SECONDS = 120


def chromium() -> str:
    for command in CHROMIUM_COMMANDS:
        if path := shutil.which(command):
            return path
    pytest.fail(
        "headless Chromium is not installed, so the page cannot be looked at: run scripts/setup as root, "
        "or `apt-get install -y --no-install-recommends chromium`",
        pytrace=False,
    )


def _run_chromium(page: Path | str, options: list[str], what: str) -> subprocess.CompletedProcess:
    """Headless Chromium (a fresh profile, no network chatter) on a file or URL with `options`."""
    target = page.resolve().as_uri() if isinstance(page, Path) else page
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        command = [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            *options,
            target,
        ]
        try:
            return subprocess.run(command, capture_output=True, text=True, timeout=SCREENSHOT_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            pytest.fail(f"headless Chromium took over {SCREENSHOT_TIMEOUT_SECONDS}s to {what} {target}")


def screenshot(
    page: Path | str, png: Path, window: tuple[int, int] = (1600, 1100), virtual_time_budget_ms: int | None = None
) -> Path:
    """Save a PNG of the window showing a file (a Path) or a URL (a str). With a virtual time budget,
    Chromium lets the page's scripts run (and fetch) for that long before it takes the picture."""
    png.parent.mkdir(parents=True, exist_ok=True)
    budget = [f"--virtual-time-budget={virtual_time_budget_ms}"] if virtual_time_budget_ms else []
    options = ["--hide-scrollbars", f"--window-size={window[0]},{window[1]}", *budget, f"--screenshot={png}"]
    done = _run_chromium(page, options, "screenshot")
    if done.returncode != 0 or not png.exists():
        pytest.fail(f"headless Chromium did not write {png} (exit {done.returncode}):\n{done.stderr[-2000:]}")
    return png


def rendered_dom(page: Path | str, virtual_time_budget_ms: int = 10_000) -> str:
    """The page's DOM as HTML after its scripts have run for the budget (Chromium's --dump-dom): what
    a script-built page (dbt's docs, GX's index tables) shows, which its HTML source does not hold."""
    done = _run_chromium(page, [f"--virtual-time-budget={virtual_time_budget_ms}", "--dump-dom"], "load")
    if done.returncode != 0 or not done.stdout.strip():
        pytest.fail(f"headless Chromium did not render {page} (exit {done.returncode}):\n{done.stderr[-2000:]}")
    return done.stdout


def colours(png: Path) -> int:
    """How many distinct colours the screenshot has (1 for a blank page; a rendered page has hundreds)."""
    from PIL import Image

    with Image.open(png) as image:
        return len(set(image.convert("RGB").getdata()))
