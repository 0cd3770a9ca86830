"""The real app in a real browser: the server as a subprocess, Debian's Chromium driven by Playwright.

Each test has its own server on a free port and its own copy of the demo; the session has one Chromium, each
test a fresh context. Streamlit draws a page while its script runs and keeps the elements of the run before
until the new run has replaced them, so a test waits for what an action shows and then for the run to finish
(`settled`) before it acts again: acting earlier can hit a stale copy that is about to go.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from cxchange import sample_data

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
# No file watcher (nothing edits the app during a test) and no usage statistics (no calls out of the machine).
STREAMLIT = [
    sys.executable, "-m", "streamlit", "run", "server.py",
    "--server.headless", "true",
    "--server.fileWatcherType", "none",
    "--browser.gatherUsageStats", "false",
]  # fmt: skip
START_TIMEOUT_S = 60
RUN_TIMEOUT_MS = 60_000  # a page's script run, on a loaded 2-core machine

# Each xdist worker has one Chromium for its share of these tests, each test a context of its own.
pytestmark = pytest.mark.browser
expect.set_options(timeout=30_000)  # waits, not limits: the machine is shared and may be busy


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def healthy(process: subprocess.Popen, url: str) -> bool:
    """Wait for /_stcore/health to answer; False if the server exited first (its port was taken)."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            if process.poll() is not None:
                return False
            time.sleep(0.2)  # polling the server's start, not a wait in a test
    raise RuntimeError(f"the app did not answer on {url} within {START_TIMEOUT_S} s")


@contextlib.contextmanager
def serving(
    db_path: Path,
    log: Path,
    script: Path | None = None,
    prefix: list[str] | None = None,
    env: Mapping[str, str] | None = None,
    secrets: Callable[[str], str] | None = None,
) -> Iterator[str]:
    """The app served on a free port from the SQLite file `db_path` (which may not exist yet); always stopped
    afterwards. Its output goes to the file `log`: a pipe nobody reads stalls the server once full.

    `script` serves another script than server.py (the app and the pulse form, as `make run`), with the
    project's .streamlit/config.toml all the same;
    `prefix` runs the server through another command (as another user); `env` adds to its environment;
    `secrets(url)` gives the text of a secrets.toml for the app at `url` (e.g. an [auth] section)."""
    env = os.environ | {"CXCHANGE_DB": str(db_path)} | dict(env or {})
    process = None
    try:
        for _ in range(3):  # another process may bind the free port before Streamlit does
            port = free_port()
            options = []
            if secrets is not None:
                path = log.with_name("secrets.toml")
                path.write_text(secrets(f"http://127.0.0.1:{port}"), encoding="utf-8")
                options = ["--secrets.files", str(path)]
            with log.open("ab") as output:
                process = subprocess.Popen(
                    [
                        *(prefix or []),
                        *STREAMLIT[:4],
                        str(script or "server.py"),
                        *STREAMLIT[5:],
                        "--server.port",
                        f"{port}",
                        *options,
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                )
            url = f"http://127.0.0.1:{port}"
            if healthy(process, url):
                break
        else:
            raise RuntimeError(f"the app did not start:\n{log.read_text(errors='replace')}")
        yield url
    finally:
        if process is not None:
            stop(process)


@pytest.fixture
def server(demo_path: Path, tmp_path: Path) -> Iterator[str]:
    """The app served on a free port from this test's own copy of the demo."""
    with serving(demo_path, tmp_path / "streamlit.log") as url:
        yield url


def settled(page: Page) -> None:
    """Wait for the script run to finish, so the run's elements have replaced those of the run before.

    Call it after waiting for something the run shows: right after a click the app may not yet know a run
    has started.
    """
    expect(page.get_by_test_id("stApp")).to_have_attribute(
        "data-test-script-state", "notRunning", timeout=RUN_TIMEOUT_MS
    )


def choose(page: Page, box: Locator, name: str, *, exact: bool = False) -> None:
    """Pick the option called `name` in a select box by typing it, as a keyboard user would.

    The list draws only the options in view and scrolls to the one under the pointer: on a busy machine a
    click on an option near the list's edge lands on the list once it has scrolled, and the box stays open.
    Typing filters the list to the option; Enter picks it once it has the focus.
    """
    box.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(name)
    expect(page.get_by_role("option", name=name, exact=exact)).to_have_attribute("data-focused", "true")
    page.keyboard.press("Enter")
    expect(page.get_by_role("listbox")).to_have_count(0)


def drawn(page: Page) -> None:
    """Wait for the run to finish and every chart and grid in view to be drawn: for the picture."""
    settled(page)
    # A placeholder stands where an element of the run is still to come (a step's table after "Next →", once
    # the run seemed finished): the picture and any measure of the screen would miss the element.
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=RUN_TIMEOUT_MS)
    settled(page)
    for chart in page.get_by_test_id("stVegaLiteChart").filter(visible=True).all():
        expect(chart.locator("svg, canvas").first).to_be_visible()
    for grid in page.get_by_test_id("stDataFrame").filter(visible=True).all():
        expect(grid.locator("canvas").first).to_be_visible()
    for table in page.get_by_test_id("stTable").filter(visible=True).all():  # drawn after its frame
        expect(table.locator("td").first).to_be_visible()


def test_overview_heatmap_renders_without_errors(demo_server: str, page: Page):
    page.goto(demo_server)
    expect(page.get_by_role("heading", name="Overview")).to_be_visible(timeout=60_000)
    charts = page.locator("[data-testid='stVegaLiteChart']")
    expect(charts).to_have_count(2, timeout=60_000)
    drawn(page)
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
    page.screenshot(path=ARTIFACTS / "overview.png", full_page=True)
    assert page.locator("[data-testid='stException']").count() == 0


def test_no_chart_is_cut_off_on_a_1280_px_laptop_screen(demo_server: str, page: Page):
    """The heatmap's readiness index sits at its right edge: a drawing wider than the page's column loses it."""
    page.set_viewport_size({"width": 1280, "height": 900})
    for address in ("overview", "readiness"):
        page.goto(f"{demo_server}/{address}")
        charts = page.get_by_test_id("stVegaLiteChart").filter(visible=True)
        expect(charts.first).to_be_visible(timeout=60_000)  # the page's run has begun drawing (a busy machine)
        drawn(page)
        for chart in charts.all():
            shown, drawing = chart.evaluate("node => [node.clientWidth, node.scrollWidth]")
            assert drawing <= shown + 1, f"{address}: a chart {drawing} px wide in a column of {shown} px"
            box = chart.locator("svg, canvas").first.bounding_box()
            assert box["x"] + box["width"] <= 1280, address  # its right edge on the screen
    page.screenshot(path=ARTIFACTS / "readiness-1280.png")


def test_a_deep_link_opens_the_page_inside_the_app(demo_server: str, page: Page):
    page.goto(f"{demo_server}/settings")
    expect(page.get_by_role("heading", name="Settings")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Demo data")).to_be_visible()
    expect(page.get_by_role("link", name="Overview")).to_be_visible()
    expect(page.get_by_role("button", name="Save teams")).to_be_visible()  # the first tab: Organisation
    drawn(page)
    page.screenshot(path=ARTIFACTS / "settings.png", full_page=True)
    page.get_by_role("tab", name="Thresholds").click()
    expect(page.get_by_role("spinbutton", name="Minimum group size for scores")).to_have_value("5")
    page.get_by_role("tab", name="Workspace").click()
    expect(page.get_by_role("button", name="Start an empty workspace")).to_be_visible()
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


def test_a_survey_import_with_an_unknown_label_reaches_the_overview(
    own_workspace, server: str, page: Page, tmp_path: Path
):
    export = ROOT / "tests" / "fixtures" / "imports" / "qualtrics_choice_text.csv"
    data = export.read_bytes()
    assert b",Agree," in data
    upload = tmp_path / export.name
    upload.write_bytes(data.replace(b",Agree,", b",Mostly agree,", 1))  # R1's AW2, row 4

    page.goto(server)
    expect(page.get_by_role("heading", name="Overview")).to_be_visible(timeout=60_000)
    settled(page)
    page.get_by_role("link", name="Import & entry").click()
    # Until the run ends the Overview's own Wave box may still be on the page, beside the importer's.
    expect(page.get_by_role("heading", name="Import & entry")).to_be_visible()
    settled(page)
    wave = page.get_by_role("combobox", name="Wave")
    expect(wave).to_be_visible(timeout=30_000)
    choose(page, wave, "New wave…")
    new_wave = page.get_by_role("textbox", name="New wave name")
    expect(new_wave).to_be_visible()
    settled(page)
    new_wave.fill("2027 Q1")
    new_wave.press("Enter")
    # The Team-level results tab has an uploader of its own: take the survey export's.
    page.get_by_label("Survey export", exact=True).get_by_test_id("stFileUploaderDropzoneInput").set_input_files(upload)

    expect(page.get_by_text("Some answers are not on the 1–5 agreement scale")).to_be_visible(timeout=30_000)
    settled(page)
    meaning = page.get_by_role("combobox", name="“Mostly agree” means")
    expect(meaning).to_be_visible()
    choose(page, meaning, "Agree (4)")
    page.get_by_role("button", name="Use these values").click()

    complete = page.get_by_test_id("stMetric").filter(has_text="Complete responses")
    expect(complete.get_by_test_id("stMetricValue")).to_have_text("8", timeout=30_000)
    expect(page.get_by_text("Read as a Qualtrics export")).to_be_visible()
    expect(page.get_by_text("Will create team Click & Collect.")).to_be_visible()
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
    drawn(page)
    page.screenshot(path=ARTIFACTS / "import-preview.png", full_page=True)
    assert page.locator("[data-testid='stException']").count() == 0

    page.get_by_role("button", name="Import", exact=True).click()
    success = page.get_by_test_id("stAlertContentSuccess")
    expect(success).to_contain_text("into wave 2027 Q1 of Customer First", timeout=30_000)
    expect(success).to_contain_text("8 complete responses, 0 incomplete")  # R7 (Finished False) is left out
    settled(page)

    page.get_by_role("link", name="Overview").click()
    expect(page.get_by_role("heading", name="Overview")).to_be_visible(timeout=30_000)
    settled(page)  # the importer's Wave box goes with the end of the run
    overview_wave = page.get_by_role("combobox", name="Wave")
    choose(page, overview_wave, "2027 Q1", exact=True)
    charts = page.locator("[data-testid='stVegaLiteChart']")
    heatmap = charts.first
    expect(heatmap.locator("svg text").filter(has_text="2027 Q1")).to_have_count(1, timeout=30_000)
    expect(page.get_by_test_id("stMetric").filter(has_text="Complete responses (n)")).to_contain_text("8")
    drawn(page)
    rows = heatmap_rows(heatmap)
    assert rows["All teams"][:5] == ["4.17 n=8", "3.69 n=8", "2.75 n=8", "2.56 n=8", "2.50 n=8"], rows
    assert rows["Click & Collect"] == ["fewer than 5"] * 5, rows
    assert rows["Contact Centre"] == ["fewer than 5"] * 5, rows
    # Stores North (n=5) would give away the other 3 respondents (8 - 5), so it is withheld too.
    assert rows["Stores North"] == ["hidden"] * 5, rows
    assert "n=5" not in " ".join(heatmap.locator("svg text").all_text_contents())
    page.screenshot(path=ARTIFACTS / "import-overview.png", full_page=True)
    assert page.locator("[data-testid='stException']").count() == 0


def test_readiness_filter_then_click_a_team_to_open_its_detail(demo_server: str, page: Page):
    page.goto(f"{demo_server}/readiness")
    expect(page.get_by_role("heading", name="Readiness")).to_be_visible(timeout=60_000)
    heatmap = page.locator("[data-testid='stVegaLiteChart']").first
    # The clickable cells are the layer holding the click selection, the only one Altair names
    # view_<number> (the number counts charts made in the demo_server): one path per shown team and element.
    cells = heatmap.locator("svg g.mark-rect[class*='view_'] path")
    expect(cells).to_have_count(15 * 5, timeout=60_000)  # 17 teams, 2 of them hidden
    drawn(page)
    rows = heatmap_rows(heatmap)  # also holds the title's lines, which sit left too
    assert {"All teams", "Stores North", "Distribution Centre", "Logistics Planning"} <= set(rows), rows
    assert rows["Customer Insight"][:5] == ["fewer than 5"] * 5, rows
    assert rows["Complaints Resolution"][:5] == ["hidden"] * 5, rows
    assert rows["Distribution Centre"] == ["2.65 n=78", "2.55 n=78", "2.45 n=78", "2.30 n=78", "2.25 n=78", "36"], rows
    expect(page.get_by_text("Click a team on any chart of teams to open its detail.")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "readiness.png", full_page=True)
    assert page.locator("[data-testid='stException']").count() == 0

    team = page.get_by_role("combobox", name="Team (and the teams below it)")
    choose(page, team, "Supply Chain", exact=True)
    expect(cells).to_have_count(3 * 5, timeout=30_000)
    drawn(page)
    rows = heatmap_rows(heatmap)
    teams = [label for label, cells in rows.items() if len(cells) == 6]  # five elements and the index
    assert teams == ["Supply Chain (all)", "Distribution Centre", "Logistics Planning"], rows
    assert not {"All teams", "Customer Insight", "Stores North"} & set(rows), rows
    assert rows["Logistics Planning"][0] == "3.00 n=17", rows
    expect(page.get_by_role("link", name="Open Supply Chain in Team detail")).to_be_visible()
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
    drawn(page)
    page.screenshot(path=ARTIFACTS / "team-detail.png", full_page=True)
    assert page.locator("[data-testid='stException']").count() == 0


# Programme health -----------------------------------------------------------------------------


def test_programme_health_lights_trend_and_a_tick(server: str, page: Page):
    page.goto(f"{server}/programme_health")
    expect(page.get_by_role("heading", name="Programme health")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Owner: Hannah Reed, Chief Customer Officer.")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("8 actions raised, 3 done (38%).")).to_be_visible()
    chart = page.locator("[data-testid='stVegaLiteChart']").first.locator("canvas, svg").first
    expect(chart).to_be_visible(timeout=60_000)
    drawn(page)
    assert chart.bounding_box()["width"] > 500
    page.screenshot(path=ARTIFACTS / "programme-health.png", full_page=True)
    assert page.locator("[data-testid='stException']").count() == 0

    initiative = page.get_by_role("combobox", name="Initiative")
    choose(page, initiative, "Digital self-service")
    expect(page.get_by_text("Not assessed: no CX outcome figures")).to_be_visible(timeout=30_000)
    # Until the run ends, Customer First's stale checklist may stand beside (or in place of) this one's.
    settled(page)
    goals_tick = page.get_by_test_id("stExpander").first
    goals_tick.locator("summary").click()
    in_place = goals_tick.get_by_text("In place")
    expect(in_place).to_be_visible(timeout=30_000)
    in_place.click()
    goals_tick.get_by_role("textbox", name="Note").fill("Self-service targets agreed with the board")
    goals_tick.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text(
        "Ticked “Goals tied to business outcomes”.", timeout=30_000
    )
    expect(page.get_by_text("Self-service targets agreed with the board")).to_be_visible()
    drawn(page)
    page.screenshot(path=ARTIFACTS / "programme-health-ticked.png", full_page=True)
    assert page.locator("[data-testid='stException']").count() == 0


# Kotter board ---------------------------------------------------------------------------------

KOTTER_ROW_HEIGHT = 35  # Streamlit's grid: the header and every row are 35 px high
KOTTER_STEP_WIDTH = 250  # the board's Step column (app_pages/kotter_board.py); Status comes next


def test_kotter_board_marks_a_step_done_out_of_order_and_warns(server: str, page: Page):
    page.goto(f"{server}/kotter_board")
    expect(page.get_by_role("heading", name="Kotter board")).to_be_visible(timeout=60_000)
    board = page.get_by_test_id("stDataFrame").first
    # The grid draws on a canvas; its accessible mirror names each cell glide-cell-<column>-<row>.
    step_8_status = board.locator("#glide-cell-1-7")
    expect(step_8_status).to_have_text("not started", timeout=30_000)
    settled(page)  # the clicks below land by position: nothing may still be drawing above the board
    out_of_order = page.get_by_text(
        "Step 8 'Institute change' is done, but step 7 'Sustain acceleration' has not started"
    )
    expect(out_of_order).to_have_count(0)

    # Double-click step 8's Status cell on the canvas, pick "done" in its select, press Enter.
    box = board.bounding_box()
    page.mouse.dblclick(box["x"] + KOTTER_STEP_WIDTH + 40, box["y"] + KOTTER_ROW_HEIGHT * 8 + KOTTER_ROW_HEIGHT / 2)
    choice = page.locator(".glide-select input[role='combobox']")
    expect(choice).to_be_focused(timeout=10_000)
    page.keyboard.type("done")
    page.keyboard.press("Enter")
    expect(step_8_status).to_have_text("done")
    page.get_by_role("button", name="Save changes").click()

    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text(
        "Step 8 'Institute change': status not started → done.", timeout=30_000
    )
    expect(out_of_order).to_be_visible()
    expect(
        page.get_by_text("Step 8 'Institute change' is done, but no short-term win (step 6) is done yet.")
    ).to_be_visible()
    expect(board.locator("#glide-cell-1-7")).to_have_text("done")
    expect(page.get_by_text("Work and readiness disagree.")).to_be_visible()
    timeline = page.locator("[data-testid='stVegaLiteChart']")
    expect(timeline.locator("svg text").filter(has_text="8. Institute change")).to_have_count(1)
    drawn(page)
    page.screenshot(path=ARTIFACTS / "kotter-warning.png", full_page=True)
    assert page.locator("[data-testid='stException']").count() == 0


# Reports & export -----------------------------------------------------------------------------


def test_reports_page_downloads_an_html_report_that_opens_offline(demo_server: str, page: Page, tmp_path: Path):
    page.goto(f"{demo_server}/reports")
    expect(page.get_by_role("heading", name="Reports & export")).to_be_visible(timeout=60_000)
    button = page.get_by_role("button", name="HTML report")
    expect(button).to_be_visible(timeout=60_000)
    expect(page.get_by_role("heading", name="Readiness report: Customer First, 2026 Q4")).to_be_visible()
    expect(page.locator("[data-testid='stVegaLiteChart']")).to_have_count(4, timeout=60_000)
    drawn(page)
    page.screenshot(path=ARTIFACTS / "reports.png", full_page=True)
    assert page.locator("[data-testid='stException']").count() == 0

    with page.expect_download(timeout=180_000) as download:
        button.click()  # the file is made on the click
    assert download.value.suggested_filename == "readiness-customer-first-2026-q4.html"
    report = tmp_path / download.value.suggested_filename
    download.value.save_as(report)
    html = report.read_text(encoding="utf-8")
    assert html.count("<svg") == 2  # the barriers and the trend; the heatmap and the changes are tables
    assert html.count('<table class="grid">') == 2
    assert "<script" not in html

    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(report.as_uri())
    expect(page.get_by_role("heading", name="Readiness report: Customer First, 2026 Q4")).to_be_visible()
    expect(page.locator("figure svg")).to_have_count(2)
    expect(page.locator("table.grid")).to_have_count(2)
    expect(page.locator("tr.hidden")).to_have_count(4)  # two hidden teams, in the team table and the heatmap
    assert page.locator("figure svg").first.bounding_box()["width"] > 600
    page.screenshot(path=ARTIFACTS / "report-html.png", full_page=True)
    assert [url for url in fetched if not url.startswith("file://")] == []


# Champion network ------------------------------------------------------------------------------


def test_logging_a_champion_session_turns_a_quiet_team_active(server: str, page: Page):
    page.goto(f"{server}/champions")
    expect(page.get_by_role("heading", name="Champions")).to_be_visible(timeout=60_000)
    quiet = page.get_by_test_id("stMetric").filter(has_text="Quiet teams").get_by_test_id("stMetricValue")
    expect(quiet).to_be_visible(timeout=30_000)
    settled(page)
    quiet_before = int(quiet.inner_text())
    chart = page.locator("[data-testid='stVegaLiteChart']").first
    # Vega labels each bar with its tooltip's fields: the team and its status.
    bar = chart.locator("g.mark-rect path[aria-label*='Team: Distribution Centre;']")
    expect(bar).to_have_count(1, timeout=60_000)
    assert "Status: quiet;" in bar.get_attribute("aria-label")
    expect(page.get_by_text("Quiet for more than 30 days:")).to_be_visible()

    page.get_by_role("tab", name="Activity log").click()
    champion = page.get_by_role("combobox", name="Champion")
    choose(page, champion, "Maya Ch. · Distribution Centre")
    page.get_by_role("spinbutton", name="People reached").fill("14")
    page.get_by_role("button", name="Log session").click()
    success = page.get_by_test_id("stAlertContentSuccess")
    expect(success).to_contain_text("Logged a huddle by Maya Ch. · Distribution Centre", timeout=30_000)
    expect(success).to_contain_text("Distribution Centre is now active (was quiet)")
    settled(page)

    page.get_by_role("tab", name="Coverage").click()
    expect(quiet).to_have_text(str(quiet_before - 1), timeout=30_000)
    expect(bar).to_have_attribute("aria-label", re.compile(r"Status: active;"), timeout=30_000)
    drawn(page)
    page.screenshot(path=ARTIFACTS / "champions-coverage.png", full_page=True)
    assert page.locator("[data-testid='stException']").count() == 0


# Actions log -----------------------------------------------------------------------------------


def test_closing_an_action_in_the_log_moves_it_to_you_said_we_did(server: str, page: Page):
    today = sample_data.LAST_DAY.isoformat()  # the demo closes actions on its own day
    page.goto(f"{server}/actions")
    expect(page.get_by_role("heading", name="Actions")).to_be_visible(timeout=60_000)
    expect(page.get_by_role("button", name="Save changes")).to_be_visible(timeout=60_000)
    log = page.get_by_test_id("stDataFrame").first
    # The grid draws on a canvas; its accessible mirror names each cell glide-cell-<column>-<row>
    # (Overdue 0, Action 1, Status 2, Due 3). The first row is the longest overdue.
    status, due = log.locator("#glide-cell-2-0"), log.locator("#glide-cell-3-0")
    expect(log.locator("#glide-cell-1-0")).to_have_text("Supply chain director to brief all shifts on the programme")
    expect(status).to_have_text("open")
    # The clicks land by position: the page's column widths (Overdue 160 px, Action 360, Status 110,
    # Due 110) and Streamlit's 35 px rows. The run must be over, so that nothing moves the grid or its focus.
    settled(page)
    grid = log.bounding_box()
    row = grid["y"] + 35 + 17
    page.mouse.dblclick(grid["x"] + 160 + 360 + 110 + 55, row)
    page.get_by_test_id("date-picker-cell").fill("2027-01-15")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("date-picker-cell")).to_have_count(0)
    expect(due).to_have_text("2027-01-15")
    settled(page)  # the edit reruns the page, which redraws the grid
    done = page.get_by_role("option", name="done", exact=True)
    for _ in range(3):  # a rerun that starts just after settled() redraws the grid under the click: click again
        page.mouse.click(grid["x"] + 160 + 360 + 55, row)
        page.keyboard.press("Enter")  # opens the status list
        try:
            expect(done).to_be_visible(timeout=10_000)
            break
        except AssertionError:
            settled(page)
    done.click()
    expect(page.get_by_role("option")).to_have_count(0)  # the grid holds both edits until Save
    expect(status).to_have_text("done")
    page.get_by_role("button", name="Save changes").click()
    success = page.get_by_test_id("stAlertContentSuccess")
    expect(success).to_contain_text("Saved changes to 1 action", timeout=30_000)
    expect(success).to_contain_text(
        "“Supply chain director to brief all shifts on the programme”: due 2026-06-30 → 2027-01-15; "
        f"status open → done; closed on {today}"
    )
    settled(page)
    page.get_by_role("tab", name="You said, we did").click()
    expect(page.get_by_role("heading", name="Supply Chain")).to_be_visible(timeout=30_000)
    expect(page.get_by_text(f"Waiting for the next wave: closed on {today}, after 2026 Q4 opened.")).to_be_visible()
    drawn(page)
    page.screenshot(path=ARTIFACTS / "actions-you-said-we-did.png", full_page=True)
    assert page.locator("[data-testid='stException']").count() == 0
