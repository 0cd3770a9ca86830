"""The real app in a real browser: the server as a subprocess, Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

pytestmark = pytest.mark.browser


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(demo_path: Path) -> Iterator[str]:
    """The app served on a free port from a private copy of the demo; always stopped afterwards."""
    port = free_port()
    env = os.environ | {"CXCHANGE_DB": str(demo_path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.headless", "true"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the app did not start:\n{process.stdout.read().decode()}") from None
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def page() -> Iterator[Page]:
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: `make test` installs it"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(viewport={"width": 1440, "height": 2600})
        finally:
            browser.close()


def test_overview_heatmap_renders_without_errors(server: str, page: Page):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.goto(server)
    expect(page.get_by_role("heading", name="Overview")).to_be_visible(timeout=60_000)
    charts = page.locator("[data-testid='stVegaLiteChart']")
    expect(charts).to_have_count(2, timeout=60_000)
    heatmap = charts.first.locator("canvas, svg").first
    expect(heatmap).to_be_visible()
    box = heatmap.bounding_box()
    assert box["width"] > 500
    assert box["height"] > 500  # one row per team: 17 rows of 40 px
    expect(page.get_by_text("Demo data")).to_be_visible()
    expect(page.get_by_test_id("stMetricValue").first).to_have_text("67")
    heatmap_text = charts.first.inner_text() + " ".join(charts.first.locator("svg text").all_text_contents())
    for words in ("Awareness", "Reinforcement", "n=1061", "fewer than 5", "hidden"):
        assert words in heatmap_text, words
    page.wait_for_timeout(1000)  # let Vega finish drawing before the picture
    page.screenshot(path=ARTIFACTS / "overview.png", full_page=True)
    assert page.locator("[data-testid='stException']").count() == 0


def test_a_deep_link_opens_the_page_inside_the_app(server: str, page: Page):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{server}/settings")
    expect(page.get_by_role("heading", name="Settings")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Demo data")).to_be_visible()
    expect(page.get_by_role("link", name="Overview")).to_be_visible()
    expect(page.get_by_role("spinbutton", name="Minimum group size for scores")).to_have_value("5")
    expect(page.get_by_role("button", name="Start an empty workspace")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "settings.png", full_page=True)
    assert page.locator("[data-testid='stException']").count() == 0


def heatmap_rows(chart) -> dict[str, list[str]]:
    """The heatmap's cell texts per team label, matched by height on the page (labels and cells are apart)."""
    # A two-line cell is one <text> with a <tspan> per line: lines are joined with a space.
    texts = chart.locator("svg text").evaluate_all(
        "nodes => nodes.map(n => { const b = n.getBoundingClientRect();"
        " const spans = [...n.querySelectorAll('tspan')].map(t => t.textContent).filter(t => t.trim());"
        " return [spans.length ? spans.join(' ') : n.textContent, b.left, b.top + b.height / 2]; })"
    )
    left = chart.bounding_box()["x"]
    labels = [(text, y) for text, x, y in texts if x < left + 200 and text.strip()]
    return {
        label.replace("\u2800", "").replace("·", "").strip(): [
            text for text, x, other_y in texts if abs(other_y - y) < 8 and text != label
        ]
        for label, y in labels
    }


def test_a_survey_import_with_an_unknown_label_reaches_the_overview(server: str, page: Page, tmp_path: Path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    export = ROOT / "tests" / "fixtures" / "imports" / "qualtrics_choice_text.csv"
    data = export.read_bytes()
    assert b",Agree," in data
    upload = tmp_path / export.name
    upload.write_bytes(data.replace(b",Agree,", b",Mostly agree,", 1))  # R1's AW2, row 4

    page.goto(server)
    expect(page.get_by_role("heading", name="Overview")).to_be_visible(timeout=60_000)
    page.get_by_role("link", name="Import & entry").click()
    wave = page.get_by_role("combobox", name="Wave")
    expect(wave).to_be_visible(timeout=30_000)
    wave.click()
    page.get_by_role("option", name="New wave…").click()
    new_wave = page.get_by_role("textbox", name="New wave name")
    new_wave.fill("2027 Q1")
    new_wave.press("Enter")
    page.locator("input[type='file']").set_input_files(upload)

    expect(page.get_by_text("Some answers are not on the 1–5 agreement scale")).to_be_visible(timeout=30_000)
    meaning = page.get_by_role("combobox", name="“Mostly agree” means")
    expect(meaning).to_be_visible()
    meaning.click()
    page.get_by_role("option", name="Agree (4)").click()
    page.get_by_role("button", name="Use these values").click()

    complete = page.get_by_test_id("stMetric").filter(has_text="Complete responses")
    expect(complete.get_by_test_id("stMetricValue")).to_have_text("8", timeout=30_000)
    expect(page.get_by_text("Read as a Qualtrics export")).to_be_visible()
    expect(page.get_by_text("Created team Click & Collect.")).to_be_visible()
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
    page.wait_for_timeout(1000)  # let the data grids draw before the picture
    page.screenshot(path=ARTIFACTS / "import-preview.png", full_page=True)
    assert page.locator("[data-testid='stException']").count() == 0

    page.get_by_role("button", name="Import", exact=True).click()
    success = page.get_by_test_id("stAlertContentSuccess")
    expect(success).to_contain_text("into wave 2027 Q1 of Customer First", timeout=30_000)
    expect(success).to_contain_text("8 complete responses, 1 incomplete")

    page.get_by_role("link", name="Overview").click()
    expect(page.get_by_role("heading", name="Overview")).to_be_visible(timeout=30_000)
    overview_wave = page.get_by_role("combobox", name="Wave")
    overview_wave.click()
    page.get_by_role("option", name="2027 Q1", exact=True).click()
    charts = page.locator("[data-testid='stVegaLiteChart']")
    heatmap = charts.first
    expect(heatmap.locator("svg text").filter(has_text="2027 Q1")).to_have_count(1, timeout=30_000)
    expect(page.get_by_test_id("stMetric").filter(has_text="Complete responses (n)")).to_contain_text("8")
    rows = heatmap_rows(heatmap)
    assert rows["All teams"][:5] == ["4.17 n=8", "3.69 n=8", "2.75 n=8", "2.56 n=8", "2.50 n=8"], rows
    assert rows["Click & Collect"] == ["fewer than 5"] * 5, rows
    assert rows["Contact Centre"] == ["fewer than 5"] * 5, rows
    # Stores North (n=5) would give away the other 3 respondents (8 - 5), so it is withheld too.
    assert rows["Stores North"] == ["hidden"] * 5, rows
    assert "n=5" not in " ".join(heatmap.locator("svg text").all_text_contents())
    page.wait_for_timeout(1000)  # let Vega finish drawing before the picture
    page.screenshot(path=ARTIFACTS / "import-overview.png", full_page=True)
    assert page.locator("[data-testid='stException']").count() == 0


def test_readiness_filter_then_click_a_team_to_open_its_detail(server: str, page: Page):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{server}/readiness")
    expect(page.get_by_role("heading", name="Readiness")).to_be_visible(timeout=60_000)
    heatmap = page.locator("[data-testid='stVegaLiteChart']").first
    # The clickable cells are the layer holding the click selection, the only one Altair names
    # view_<number> (the number counts charts made in the server): one path per shown team and element.
    cells = heatmap.locator("svg g.mark-rect[class*='view_'] path")
    expect(cells).to_have_count(15 * 5, timeout=60_000)  # 17 teams, 2 of them hidden
    rows = heatmap_rows(heatmap)  # also holds the title's lines, which sit left too
    assert {"All teams", "Stores North", "Distribution Centre", "Logistics Planning"} <= set(rows), rows
    assert rows["Customer Insight"][:5] == ["fewer than 5"] * 5, rows
    assert rows["Complaints Resolution"][:5] == ["hidden"] * 5, rows
    assert rows["Distribution Centre"] == ["2.65 n=78", "2.55 n=78", "2.45 n=78", "2.30 n=78", "2.25 n=78", "36"], rows
    expect(page.get_by_text("Click a team on any chart of teams to open its detail.")).to_be_visible()
    page.wait_for_timeout(1000)  # let Vega finish drawing before the picture
    page.screenshot(path=ARTIFACTS / "readiness.png", full_page=True)
    assert page.locator("[data-testid='stException']").count() == 0

    page.get_by_role("combobox", name="Team (and the teams below it)").click()
    page.get_by_role("option", name="Supply Chain", exact=True).click()
    expect(cells).to_have_count(3 * 5, timeout=30_000)
    rows = heatmap_rows(heatmap)
    teams = [label for label, cells in rows.items() if len(cells) == 6]  # five elements and the index
    assert teams == ["Supply Chain (all)", "Distribution Centre", "Logistics Planning"], rows
    assert not {"All teams", "Customer Insight", "Stores North"} & set(rows), rows
    assert rows["Logistics Planning"][0] == "3.00 n=17", rows
    expect(page.get_by_role("link", name="Open Supply Chain in Team detail")).to_be_visible()
    page.wait_for_timeout(1000)
    page.screenshot(path=ARTIFACTS / "readiness-filtered.png", full_page=True)
    assert page.locator("[data-testid='stException']").count() == 0

    # Vega labels each mark with its tooltip's fields.
    cell = cells.and_(page.locator("[aria-label*='element: Awareness;'][aria-label*='Distribution Centre']"))
    expect(cell).to_have_count(1)
    # Off the cell's centre, where its text sits on top: the click must land on the cell itself.
    cell.click(position={"x": 12, "y": 10})
    expect(page).to_have_url(re.compile(r"/team_detail\?team=Distribution\+Centre$"), timeout=30_000)
    expect(page.get_by_role("heading", name="Distribution Centre")).to_be_visible(timeout=30_000)
    barrier = page.get_by_test_id("stMetric").filter(has_text="Barrier point now")
    expect(barrier.get_by_test_id("stMetricValue")).to_have_text("Awareness")
    expect(page.get_by_text("What helps with Awareness:")).to_be_visible()
    expect(page.get_by_role("combobox", name="Team", exact=True)).to_have_value(re.compile(r"Distribution Centre$"))
    expect(page.get_by_test_id("stDataFrame")).to_have_count(
        5
    )  # barrier history, roll-up, champions, actions, comments
    page.wait_for_timeout(2000)  # let the data grids draw before the picture
    page.screenshot(path=ARTIFACTS / "team-detail.png", full_page=True)
    assert page.locator("[data-testid='stException']").count() == 0
