"""The UI in a real browser: Debian's chromium, driven by Playwright, against `streamlit run
ui/app.py` (a subprocess, the command line `citeqa ui` runs) against a live API (real model,
real index). One question, typed and submitted as a person would; the figure, a citation and
the chart must show. Also: every page at its own URL, the documents list whole at 1,280 px,
the API's /docs and /redoc with the network cut off, and Chinese drawn with real glyphs.

Without /usr/bin/chromium the test is skipped, except under CI (`CI=true`), where it fails:
`.ci/run` installs chromium with apt first. Never `playwright install` (no downloads)."""

from __future__ import annotations

import os
import re
import struct
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from service.answering.engine import Engine
from service.cli import ui_command
from service.settings import Settings
from tests.servers import free_port, live_api
from tests.test_ui_app import QUESTION

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


UPLOAD_MB = 7  # the uploader must say the API's limit, not Streamlit's 200 MB


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
    command = ui_command(api, port, "127.0.0.1", max_upload_mb=UPLOAD_MB)
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


CLIPPED_CELLS = """() => {
    const box = document.querySelector('[data-testid="stTable"]');
    const right = Math.min(box.getBoundingClientRect().right, window.innerWidth) + 1;
    const scrolled = [box, ...box.querySelectorAll('div')].filter(d => d.scrollWidth > d.clientWidth + 1);
    const cells = [...box.querySelectorAll('td, th')].filter(c =>
        c.scrollWidth > c.clientWidth + 1 || getComputedStyle(c).textOverflow === 'ellipsis'
        || c.getBoundingClientRect().right > right);
    return [...scrolled.map(d => 'scrolls: ' + d.className), ...cells.map(c => c.innerText)];
}"""


def browser_page(p, **kwargs):
    browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
    return browser, browser.new_page(viewport={"width": 1280, "height": 1000}, **kwargs)


def test_pages_at_their_urls_token_field_and_documents_whole_at_1280(ui, tmp_path):
    require_chromium()
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser, page = browser_page(p)
        try:
            page.goto(f"{ui}/ask")
            expect(page.get_by_label("Question")).to_be_visible(timeout=60_000)
            page.wait_for_timeout(500)
            expect(page.get_by_text("Page not found")).to_have_count(0)
            assert page.url.rstrip("/").endswith("/ask")
            # the toolbar for viewers: no "Deploy" button, no developer menu
            expect(page.locator('[data-testid="stAppDeployButton"]')).to_have_count(0)
            page.locator('[data-testid="stMainMenu"]').click()
            menu = page.locator('[data-testid="stMainMenuPopover"]')
            expect(menu).to_be_visible()
            expect(menu).not_to_contain_text("Clear cache")
            expect(menu).not_to_contain_text("Deploy")
            page.keyboard.press("Escape")

            page.goto(ui)  # the root opens Ask at its own URL
            expect(page.get_by_label("Question")).to_be_visible(timeout=60_000)
            page.wait_for_url(re.compile(r"/ask/?$"), timeout=30_000)

            page.goto(f"{ui}/documents")
            table = page.locator('[data-testid="stTable"] table')
            expect(table).to_be_visible(timeout=60_000)
            expect(page.get_by_text("Page not found")).to_have_count(0)
            cells = table.locator("td, th")
            assert cells.count() > 11 * 8
            # every cell whole at 1,280 px: no cell overflows, no part of the table scrolls
            # sideways, every cell ends inside the table's visible box
            clipped = page.evaluate(CLIPPED_CELLS)
            assert clipped == [], clipped
            text = table.inner_text()
            assert "Song 2024" in text or "song-2024" in text
            assert "None" not in text and "—" in text
            page.screenshot(path=str(tmp_path / "documents.png"), full_page=True)

            # the token field: typed in the sidebar, it turns the uploader on, with the API's limit
            token = page.get_by_label("API token", exact=True)
            expect(token).to_have_attribute("type", "password")
            token.fill("typed-token")
            token.press("Enter")
            uploader = page.locator('[data-testid="stFileUploader"]')
            expect(uploader).to_be_visible(timeout=30_000)
            expect(uploader).to_contain_text(f"{UPLOAD_MB}MB")
            assert "200MB" not in uploader.inner_text().replace(" ", "")
        finally:
            browser.close()


def test_api_docs_work_offline(api, tmp_path):
    """/docs and /redoc with every host but the API's blocked: Swagger UI lists the endpoints,
    ReDoc shows the operations; the app serves their scripts with the right content types.
    (Before, both were blank offline: their scripts came from a CDN.)"""
    require_chromium()
    from playwright.sync_api import expect, sync_playwright

    blocked: list[tuple[str, str]] = []
    own = api.split("://", 1)[1]

    def only_the_api(route):
        url = route.request.url
        if url.split("://", 1)[-1].split("/", 1)[0] == own:
            route.continue_()
        else:
            blocked.append((route.request.resource_type, url))
            route.abort()

    with sync_playwright() as p:
        browser, page = browser_page(p)
        try:
            page.route("**/*", only_the_api)
            page.goto(f"{api}/docs")
            ask = page.locator(".opblock").filter(has_text="/ask").first
            expect(ask).to_be_visible(timeout=30_000)
            expect(page.locator(".opblock")).not_to_have_count(0)
            page.screenshot(path=str(tmp_path / "docs.png"))

            page.goto(f"{api}/redoc")
            expect(page.get_by_text("/documents/{doc_id}/tables").first).to_be_attached(timeout=30_000)
            expect(page.locator("h1").first).to_contain_text("citeqa")
        finally:
            browser.close()
    # nothing the pages need comes from elsewhere (ReDoc's own "powered by" logo may, and is
    # then simply not shown)
    assert [b for b in blocked if b[0] != "image"] == [], blocked

    html = httpx.get(f"{api}/docs").text
    scripts = re.findall(r'(?:src|href)="(/[^"]+\.(?:js|css))"', html)
    assert len(scripts) == 2, html
    for path in scripts:
        response = httpx.get(f"{api}{path}")
        assert response.status_code == 200
        kind = "text/css" if path.endswith(".css") else "javascript"
        assert kind in response.headers["content-type"] and response.headers["x-content-type-options"] == "nosniff"


CHINESE = "中国数字经济"
MISSING = "\u0378"  # an unassigned code point: no font has it, every browser draws its box


def test_chinese_renders_as_glyphs_not_boxes(tmp_path):
    """A CJK font is installed (fonts-noto-cjk) and the browser draws each character as its own
    glyph: six different characters give six different pictures, none the missing-glyph box."""
    require_chromium()
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout.strip()
    if not fonts:
        message = "no Chinese font (Debian: apt-get install fonts-noto-cjk)"
        if os.environ.get("CI", "").strip().lower() == "true":
            pytest.fail(f"{message}; .ci/run installs it")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    chars = [*CHINESE, MISSING]
    spans = "".join(f'<span id="c{i}" style="font-size:40px">{c}</span> ' for i, c in enumerate(chars))
    with sync_playwright() as p:
        browser, page = browser_page(p)
        try:
            page.set_content(
                f'<html lang="zh"><body style="font-family: sans-serif">'
                f'<p id="line" style="font-size:40px">{CHINESE}</p><p>{spans}</p></body></html>'
            )
            page.evaluate("document.fonts.ready")
            pictures = [page.locator(f"#c{i}").screenshot() for i in range(len(chars))]
            page.screenshot(path=str(tmp_path / "chinese.png"))
            width = page.locator("#line").evaluate(
                "e => { const r = document.createRange(); r.selectNodeContents(e); return r.getBoundingClientRect().width; }"
            )
        finally:
            browser.close()
    box = pictures[-1]
    assert len(set(pictures[:-1])) == len(CHINESE), "the characters are drawn alike: boxes, not glyphs"
    assert box not in pictures[:-1]
    assert 6 * 40 * 0.9 <= width <= 6 * 40 * 1.1  # full-width glyphs, one em each


def test_verification_page_opens_a_clicked_row_beside_its_source(ui, tmp_path):
    """/verification at its own URL: the counts per verdict, the list of checked cells; a click
    on a row of the list opens that cell beside its source row."""
    require_chromium()
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser, page = browser_page(p)
        try:
            page.goto(f"{ui}/verification?doc=song-2024")
            expect(page.get_by_text(re.compile(r"agrees: \d+")).first).to_be_visible(timeout=60_000)
            expect(page.get_by_text("Page not found")).to_have_count(0)
            grid = page.locator('[data-testid="stDataFrame"]').first
            expect(grid).to_be_visible()
            expect(page.get_by_text("In the source data")).to_be_visible()
            # the second row of the list, by its row marker (the grid is a canvas)
            box = grid.bounding_box()
            page.mouse.click(box["x"] + 15, box["y"] + 35 + 35 * 1.5)
            expect(page.locator("h3").filter(has_text="Table 1 · GDP · 2008")).to_be_visible(timeout=30_000)
            expect(page.locator('[data-testid="stException"]')).to_have_count(0)
            page.screenshot(path=str(tmp_path / "verification.png"), full_page=True)
        finally:
            browser.close()
