"""A real browser for the frontend tests: Playwright driving Debian's Chromium, headless.

Playwright's own browser download cannot work without its CDN, so the tests point it at
/usr/bin/chromium (the `tests` nox session installs Debian's package when it is missing).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = Path(os.environ.get("PAWS_CHROMIUM", "/usr/bin/chromium"))
# Root in a container or CI needs --no-sandbox; the rest stops Chromium from calling home,
# which this machine's closed network refuses many times a second.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGE_TIMEOUT_MS = 30_000


# next dev's hot-reload channel: an edit saved before it is connected is never shown.
HMR_SOCKET = "/_next/webpack-hmr"


@contextmanager
def open_page(url: str, hmr: bool = False) -> Iterator[Any]:
    """A loaded page at `url`; the browser is closed afterwards whatever happens.

    With `hmr`, also wait until next dev's hot-reload socket has said something: on a loaded
    machine it connects seconds after the page has loaded, and a test that edits a file before
    then waits for an update that never comes.
    """
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), f"{CHROMIUM} missing: `apt-get install chromium` (nox -s tests does)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(PAGE_TIMEOUT_MS)
            frames: list[object] = []

            def listen(socket: Any) -> None:
                # A Python function, not a bound builtin: Playwright inspects its signature.
                if HMR_SOCKET in socket.url:
                    socket.on("framereceived", lambda payload: frames.append(payload))

            page.on("websocket", listen)
            page.goto(url, wait_until="networkidle")
            if hmr:
                _wait_for_hmr(page, frames)
            yield page
        finally:
            browser.close()


def _wait_for_hmr(page: Any, frames: list[object]) -> None:
    for _ in range(PAGE_TIMEOUT_MS // 100):
        if frames:
            return
        page.wait_for_timeout(100)  # lets Playwright deliver the socket's events
    raise AssertionError(f"{HMR_SOCKET} sent nothing within {PAGE_TIMEOUT_MS / 1000:.0f} s")
