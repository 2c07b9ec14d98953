"""The UI in a real browser: Debian's chromium, driven by Playwright, against `streamlit run
ui/app.py` (a subprocess) against a live API (real model, real index). One question, typed
and submitted as a person would; the figure, a citation and the chart must show.

Without /usr/bin/chromium the test is skipped, except under CI (`CI=true`), where it fails:
`.ci/run` installs chromium with apt first. Never `playwright install` (no downloads)."""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from service.answering.engine import Engine
from service.settings import Settings
from tests.servers import free_port, live_api
from tests.test_ui_app import QUESTION, UI_APP

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} is missing (Debian: apt-get install chromium)"
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"{message}; under CI the browser test must run, not skip")
    pytest.skip(message)


@pytest.fixture(scope="module")
def api(corpus_data, embedder) -> Iterator[str]:
    require_chromium()  # before starting anything
    engine = Engine.load(corpus_data.data_dir, embedder)
    try:
        with live_api(Settings(data_dir=corpus_data.data_dir, api_token=None), engine) as url:
            yield url
    finally:
        engine.store.close()


@pytest.fixture
def ui(api, tmp_path) -> Iterator[str]:
    """`streamlit run ui/app.py` on a free port, from another directory, pointed at the API."""
    port = free_port()
    env = {**os.environ, "CITEQA_API_URL": api, "CITEQA_API_TOKEN": ""}
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(UI_APP),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    log = (tmp_path / "streamlit.log").open("wb")
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (tmp_path / "streamlit.log").read_text()
            assert time.monotonic() < deadline, "streamlit did not start within 60 s"
            try:
                if httpx.get(f"{url}/_stcore/health", timeout=2).text.strip() == "ok":
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.25)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", head[16:24])


def test_question_in_a_real_browser(ui, tmp_path):
    require_chromium()
    from playwright.sync_api import expect, sync_playwright

    shot = tmp_path / "ask.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1600})
            page.goto(ui)
            box = page.get_by_label("Question")
            expect(box).to_be_visible(timeout=60_000)
            box.fill(QUESTION)
            page.get_by_role("button", name="Ask", exact=True).click()

            figure = page.locator('[data-testid="stMetricValue"]').first
            expect(figure).to_have_text("22.52 per 100 people", timeout=60_000)
            expect(page.get_by_text(re.compile(r"^Citations \(\d+\)$"))).to_be_visible()
            citation = page.locator('[data-testid="stExpander"]').filter(has_text="Table 6 · 2019").first
            expect(citation).to_be_visible()
            chart = page.locator(".vega-embed canvas, .vega-embed svg").first
            expect(chart).to_be_visible(timeout=30_000)
            assert chart.bounding_box()["height"] > 100
            expect(page.locator('[data-testid="stException"]')).to_have_count(0)

            page.evaluate("document.fonts.ready")
            page.wait_for_timeout(500)  # the chart's transition
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()

    assert shot.is_file() and shot.stat().st_size > 30_000
    width, height = png_size(shot)
    assert width >= 1280 and height >= 1600
