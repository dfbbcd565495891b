"""The real portal in a child process (``euprojects serve``) over the session corpus, driven by
Debian's headless Chromium through Playwright.

In CI (``CI=true``) a missing Chromium or a server that does not answer fails the run; outside
CI a missing Chromium skips these tests with the reason.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from euprojects.store import Store
from tests.conftest import ROOT

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
START_SECONDS = 60.0
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@pytest.fixture(scope="session")
def server(corpus: tuple[Store, Path]) -> Iterator[str]:
    """Base URL of ``python -m euprojects serve`` on a free loopback port, reading the corpus."""
    _, index_dir = corpus
    home = index_dir.parent
    port = _free_port()
    env = {
        **os.environ,
        "EUPROJECTS_HOME": str(home),
        "EUPROJECTS_DATABASE_URL": f"sqlite:///{home / 'store.db'}",
        "EUPROJECTS_INDEX_DIR": str(index_dir),
    }
    log_path = home / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            # --no-embed: the corpus is shared with tests/semantic, which embeds the part it needs
            [sys.executable, "-m", "euprojects", "serve", "--host", "127.0.0.1", "--port", str(port), "--no-embed"],
            cwd=home,  # no .env from the repository
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while not _answers(f"{base}/api/v1/stats"):
            if process.poll() is not None or time.monotonic() > deadline:
                output = log_path.read_text(errors="replace")
                pytest.fail(f"euprojects serve did not answer on {base} (exit {process.poll()}):\n{output}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's Chromium, launched once for the session; never a downloaded browser."""
    if not CHROMIUM.is_file():
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Watch:
    """What a page did that a user would not want: script errors and dialogs."""

    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@pytest.fixture
def watch() -> Watch:
    return Watch()


def _context(chromium: Any, server: str, watch: Watch, **options: Any) -> Any:
    context = chromium.new_context(base_url=server, accept_downloads=True, **options)
    # A guard against a hung page, not a speed check: on two cores the server shares the CPU with
    # the other test process (a full ingest, say), and a page can then take over 15 seconds.
    context.set_default_timeout(60_000)

    def on_page(page: Any) -> None:
        page.on("pageerror", lambda error: watch.errors.append(str(error)))

        def on_dialog(dialog: Any) -> None:
            watch.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)

    context.on("page", on_page)
    return context


@pytest.fixture
def page(chromium: Any, server: str, watch: Watch) -> Iterator[Any]:
    """A fresh browser context and page; fails the test if a script error or a dialog happened."""
    context = _context(chromium, server, watch)
    try:
        yield context.new_page()
        assert watch.errors == [], watch.errors
        assert watch.dialogs == [], watch.dialogs
    finally:
        context.close()


@pytest.fixture
def no_js_page(chromium: Any, server: str, watch: Watch) -> Iterator[Any]:
    """A page in a second context with JavaScript disabled."""
    context = _context(chromium, server, watch, java_script_enabled=False)
    try:
        yield context.new_page()
    finally:
        context.close()


def screenshot(page: Any, name: str) -> Path:
    """Save the whole page as test-artifacts/screenshots/NAME.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
