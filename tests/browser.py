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


@contextmanager
def open_page(url: str) -> Iterator[Any]:
    """A loaded page at `url`; the browser is closed afterwards whatever happens."""
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), f"{CHROMIUM} missing: `apt-get install chromium` (nox -s tests does)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(PAGE_TIMEOUT_MS)
            page.goto(url, wait_until="networkidle")
            yield page
        finally:
            browser.close()
