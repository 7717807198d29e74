"""The development loop, measured honestly (issue 10): `nox -s bench -- hmr`.

Frontend: a real Chromium (Debian's, through Playwright) on `next dev`. The host takes its
timestamp just before writing app/page.tsx; an in-page MutationObserver reports the title's
change through an exposed binding, with the page's own epoch clock (the same machine's clock,
so the binding's delivery delay is not counted). No polling wait times anything. A nonce on
`window` catches full reloads; the counter, clicked to 5 first, must still read 5 after each
edit. 3 warm-up edits, then 20 measured.

Backend: from saving a .java file that changes a response (the 400 problem's title) to the
first request answering with it, polled every 100 ms (that is the resolution), 10 edits.

Targets: HMR p95 <= 1 s (seed 3 s), 0 full reloads, 20/20 state kept; backend p95 <= 5 s.
The test asserts the seed's bounds; the figures go to extra_info and docs/performance.md.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from benchmarks.conftest import ROOT, new_stack
from paws_stack import Stack

PAGE = ROOT / "apps" / "frontend" / "app" / "page.tsx"
HANDLER = ROOT / "apps/backend/src/main/java/dev/paws/backend/system/ApiExceptionHandler.java"
TITLE = '<h1 data-testid="title">paws notes</h1>'
BACKEND_TITLE = 'problem.setTitle("Invalid request");'
WARM_UP, MEASURED, BACKEND_EDITS, CLICKS = 3, 20, 10, 5
SEED_HMR_BOUND_S, BACKEND_BOUND_S = 3.0, 30.0
CHROMIUM = os.environ.get("PAWS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run"]
CHROMIUM_ARGS += ["--disable-background-networking", "--disable-component-update"]
OBSERVER = """
() => {
  const report = () => {
    const title = document.querySelector('[data-testid=title]');
    if (title) window.pawsTitle(title.innerText, performance.timeOrigin + performance.now());
  };
  new MutationObserver(report).observe(document, {subtree: true, childList: true,
                                                  characterData: true});
}
"""


@pytest.fixture(scope="module")
def dev() -> Iterator[Stack]:
    """The lite test stack with `paws-stack dev` running (the apps are what is measured)."""
    stack = new_stack("lite")
    stack.up(timeout=600, assume_yes=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "paws_stack.cli", "dev", "--profile", "lite"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []

    def read() -> None:
        assert process.stdout
        lines.extend(line.rstrip() for line in process.stdout)

    threading.Thread(target=read, daemon=True).start()
    try:
        deadline = time.monotonic() + 900
        while not any("dev mode:" in line for line in lines):
            assert process.poll() is None and time.monotonic() < deadline, "\n".join(lines[-30:])
            time.sleep(1)
        httpx.get(f"{stack.endpoints().frontend_url}/", timeout=180)  # first compile of /
        yield stack
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGINT)
        process.wait(timeout=900)
        print("\n".join(["[bench dev]", *lines[-40:]]))


def _percentiles(values: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(values, n=20, method="inclusive")
    return {"p50": statistics.median(values), "p95": cuts[18], "max": max(values)}


def _record(benchmark: Any, name: str, latencies: list[float], *, digits: int) -> dict[str, float]:
    """Record the measured latencies (timed by hand, so the benchmark's own timer runs once)."""
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)
    figures = _percentiles(latencies)
    benchmark.extra_info.update(
        {
            f"{name}_s": {k: round(v, digits) for k, v in figures.items()},
            f"{name}_samples_s": [round(v, digits) for v in latencies],
            "load_average": os.getloadavg(),
        }
    )
    return figures


class TitleSeen:
    """The titles the page reported, each with the page's epoch time of the mutation."""

    def __init__(self) -> None:
        self.seen: dict[str, float] = {}

    def __call__(self, source: Any, text: str, epoch_ms: float) -> None:
        self.seen.setdefault(text, epoch_ms / 1000)

    def wait(self, page: Any, text: str, timeout: float) -> float | None:
        deadline = time.monotonic() + timeout
        while text not in self.seen and time.monotonic() < deadline:
            page.wait_for_timeout(5)  # lets Playwright deliver the binding's calls
        return self.seen.get(text)


def _edit_page(original: str, title: str) -> float:
    saved = time.time()
    PAGE.write_text(original.replace(TITLE, TITLE.replace("paws notes", title)), "utf-8")
    return saved


def test_hmr(benchmark: Any, dev: Stack) -> None:
    """Save -> DOM updated, in Chromium: 3 warm-up and 20 measured page.tsx edits."""
    from playwright.sync_api import sync_playwright

    original = PAGE.read_text(encoding="utf-8")
    latencies: list[float] = []
    reloads = kept = 0
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            seen = TitleSeen()
            page.expose_binding("pawsTitle", seen)
            page.add_init_script(f"({OBSERVER})()")
            page.goto(str(dev.endpoints().frontend_url), wait_until="networkidle")
            page.evaluate("() => { window.__pawsNonce = 'bench'; }")
            # The page as a developer sees it in dev mode (docs/dev-loop.md uses this one).
            page.screenshot(path=str(ROOT / ".benchmarks" / "dev-mode.png"))
            for _ in range(CLICKS):
                page.get_by_test_id("counter").click()
            for edit in range(WARM_UP + MEASURED):
                title = f"paws notes {edit} {time.time_ns()}"
                saved = _edit_page(original, title)
                shown = seen.wait(page, title, 10)
                assert shown is not None, f"edit {edit}: the title never changed"
                page.wait_for_timeout(300)  # let the dev server settle between edits
                nonce = page.evaluate("() => window.__pawsNonce ?? null")
                state = page.get_by_test_id("counter").inner_text() == f"count: {CLICKS}"
                if edit < WARM_UP:
                    continue
                latencies.append(shown - saved)
                reloads += nonce != "bench"
                kept += state
            browser.close()
    finally:
        PAGE.write_text(original, encoding="utf-8")
    figures = _record(benchmark, "hmr", latencies, digits=3)
    benchmark.extra_info.update({"full_reloads": reloads, "state_kept": f"{kept} of {MEASURED}"})
    print(f"\n[bench] hmr: {benchmark.extra_info}")
    assert len(latencies) == MEASURED
    assert figures["max"] <= SEED_HMR_BOUND_S
    assert reloads == 0 and kept == MEASURED


def test_backend_change_live(benchmark: Any, dev: Stack) -> None:
    """Save a .java change -> the first request that answers with it, 10 edits."""
    original = HANDLER.read_text(encoding="utf-8")
    backend = dev.endpoints().backend_url
    latencies: list[float] = []

    def title() -> str | None:
        try:
            response = httpx.post(f"{backend}/api/notes", json={"text": " "}, timeout=5)
            return str(response.json().get("title"))
        except (httpx.HTTPError, ValueError):
            return None  # restarting: the context is down for a moment

    try:
        for edit in range(BACKEND_EDITS):
            marker = f"Invalid request {edit}-{time.time_ns()}"
            saved = time.monotonic()
            HANDLER.write_text(original.replace(BACKEND_TITLE, f'problem.setTitle("{marker}");'))
            while title() != marker:
                assert time.monotonic() - saved < BACKEND_BOUND_S, f"edit {edit} not live"
                time.sleep(0.1)
            latencies.append(time.monotonic() - saved)
    finally:
        HANDLER.write_text(original, encoding="utf-8")
    figures = _record(benchmark, "backend_live", latencies, digits=2)
    print(f"\n[bench] backend: {benchmark.extra_info}")
    assert figures["max"] <= BACKEND_BOUND_S
