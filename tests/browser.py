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


def screenshot(html: Path, png: Path, window: tuple[int, int] = (1600, 1100)) -> Path:
    """Open the file in headless Chromium (a fresh profile, no network chatter) and save a PNG of the window."""
    png.parent.mkdir(parents=True, exist_ok=True)
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
            "--hide-scrollbars",
            f"--window-size={window[0]},{window[1]}",
            f"--screenshot={png}",
            html.resolve().as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=SCREENSHOT_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            pytest.fail(f"headless Chromium took over {SCREENSHOT_TIMEOUT_SECONDS}s to screenshot {html}")
    if done.returncode != 0 or not png.exists():
        pytest.fail(f"headless Chromium did not write {png} (exit {done.returncode}):\n{done.stderr[-2000:]}")
    return png
