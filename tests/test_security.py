"""The security review's findings, tried in a real browser against the real server: who can reach it, what
a hostile team name can do, what an error shows a visitor."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Page, expect
from test_browser import ARTIFACTS, serving, settled

from cxchange import exports, sample_data, services, store

pytestmark = pytest.mark.browser


@pytest.fixture
def server(demo_path: Path, tmp_path: Path) -> Iterator[str]:
    """The app served on a free port from this test's own copy of the demo."""
    with serving(demo_path, tmp_path / "streamlit.log") as url:
        yield url


def listening(port: int) -> list[str]:
    """The local addresses with a socket listening on `port`, from the kernel's own tables."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            local, _, state = line.split()[1:4]
            address, hex_port = local.split(":")
            if int(hex_port, 16) == port and state == "0A":  # 0A: LISTEN
                if len(address) == 8:
                    found.append(".".join(str(int(address[i : i + 2], 16)) for i in (6, 4, 2, 0)))
                else:
                    found.append(address)
    return found


def test_the_server_listens_on_this_computer_only_says_so_and_asks_no_other_server(demo_server: str, page: Page):
    """Only this computer reaches `make run`'s server, the sidebar says so; fonts, icons and the favicon come
    from the app: an intranet app holding HR data calls no CDN."""
    assert listening(int(demo_server.rsplit(":", 1)[1])) == ["127.0.0.1"]
    outside: list[str] = []
    page.on("request", lambda request: outside.append(request.url) if not local(request.url, demo_server) else None)
    for path in ("", "/readiness", "/workshop", "/settings"):
        page.goto(f"{demo_server}{path}")
        expect(page.get_by_test_id("stSidebar")).to_be_visible(timeout=60_000)
        settled(page)
        if path == "":
            expect(page.get_by_role("heading", name="Overview")).to_be_visible()
            local_only = page.get_by_test_id("stSidebar").get_by_text("Local: only this computer can open it")
            expect(local_only).to_be_visible()
            page.screenshot(path=ARTIFACTS / "local-only.png")
        # Chromium fetches a favicon outside the page's requests: read where every link and source points.
        outside += [
            url
            for url in page.locator("[href], [src]").evaluate_all("nodes => nodes.map(n => n.href || n.src)")
            if url and not local(url, demo_server)
        ]
    page.wait_for_load_state("networkidle")
    assert outside == []


def local(url: str, server: str) -> bool:
    return url.startswith((server, "data:", "blob:", "about:"))


def test_an_error_shows_no_traceback_path_or_outside_link(tmp_path: Path, page: Page):
    """With the project's config, an exception tells the visitor something went wrong and nothing more."""
    script = tmp_path / "failing.py"
    script.write_text("import streamlit as st\nst.title('Failing')\nraise RuntimeError('secret detail')\n")
    with serving(tmp_path / "cxchange.db", tmp_path / "streamlit.log", script=script) as url:
        page.goto(url)
        error = page.get_by_test_id("stException")
        expect(error).to_be_visible(timeout=60_000)
        settled(page)
        page.screenshot(path=ARTIFACTS / "error-redacted.png")
        shown = page.get_by_test_id("stApp").inner_text()
    assert "encountered an error" in shown
    for secret in ("secret detail", "RuntimeError", str(tmp_path), "Traceback", "line 3"):
        assert secret not in shown
    hrefs = error.locator("a").evaluate_all("links => links.map(a => a.href)") if error.count() else []
    assert not [href for href in hrefs if "google" in href or "chatgpt" in href]
    assert "secret detail" in (tmp_path / "streamlit.log").read_text()  # the admin still has it


IFRAME = '<iframe srcdoc="<script>parent.alert(1)</script>">'
META = '<meta http-equiv=refresh content="0;url=https://example.com">'
LINK = "https://evil.example/"
IMAGE = "<img src=x onerror=alert(2)>"


@pytest.fixture
def hostile(demo_path: Path) -> dict[str, object]:
    """The demo with three teams renamed to a script, a redirect and an address (as an org file could name
    them), an action titled with a script, and the ids a workshop link needs."""
    database = store.open_db(demo_path)
    try:
        ids = store.org.team_ids(database)
        renamed = {"HR & People": IFRAME, "Store Support": META, "Digital Marketing": LINK}
        services.save_teams(database, [{"row": old, "id": ids[old], "name": new} for old, new in renamed.items()])
        initiative = services.default_initiative(database)
        waves = store.org.waves(database, initiative)
        services.add_action(
            database, initiative, f"Ask {IMAGE} {LINK}", owner="Lead", due_on=sample_data.LAST_DAY,
            source="workshop",
            today=sample_data.LAST_DAY,
        )  # fmt: skip
    finally:
        database.close()
    return {"initiative": initiative, "wave": int(waves["id"].iloc[-1]), "wave_name": waves["name"].iloc[-1]}


def read(element) -> str:
    """The text as a person reads it: without the invisible word joiners that keep addresses from linking."""
    return element.inner_text().replace("\u2060", "")


def harmless(page: Page, server: str, fired: list[str]) -> None:
    """Nothing the names hold ran, loaded, redirected or became a link."""
    assert fired == []
    assert page.url.startswith(server)
    assert page.locator("iframe, meta[http-equiv], img[src='x']").count() == 0
    assert len(page.frames) == 1
    links = page.locator("a[href]").evaluate_all("links => links.map(a => a.href)")
    assert [href for href in links if not href.startswith(server)] == []  # headings' own anchors stay
    assert page.get_by_test_id("stException").count() == 0


def test_team_names_and_link_values_on_the_workshop_steps_stay_text(
    server: str, page: Page, hostile: dict[str, object]
):
    fired: list[str] = []
    page.on("dialog", lambda dialog: (fired.append(dialog.message), dialog.dismiss()))
    teams = [IFRAME, META, LINK, IMAGE]  # the last only in the link: no such team
    query = {
        "initiative": hostile["initiative"],
        "wave": hostile["wave"],
        "teams": teams,
        "steps": ["team", "champions", "actions"],
    }
    for step in [*(f"team:{team}" for team in teams), "champions", "actions"]:
        page.goto(f"{server}/workshop?{urlencode(query | {'step': step}, doseq=True)}")
        expect(page.get_by_role("button", name="Next →")).to_be_visible(timeout=60_000)
        settled(page)
        main = page.get_by_test_id("stMain")
        if step.startswith("team:"):
            team = step.removeprefix("team:")
            assert read(main.locator("h1").first) == team
            assert read(main.locator(".cx-where")).endswith(f"· {team}")
        elif step == "champions":
            for team in (IFRAME, META, LINK):
                assert team in read(main)
        else:
            assert f"Ask {IMAGE} {LINK}" in read(main)
        harmless(page, server, fired)
        page.screenshot(path=ARTIFACTS / f"hostile-{step.split(':')[0]}-{len(fired)}.png")
    for team, says in ((LINK, LINK), (f"[click]({LINK})", f"There is no team called “[click]({LINK})”")):
        page.goto(f"{server}/team_detail?{urlencode({'team': team})}")
        expect(page.get_by_role("heading", name="Champions")).to_be_visible(timeout=60_000)
        settled(page)
        assert says in read(page.get_by_test_id("stMain"))
        harmless(page, server, fired)
    page.wait_for_timeout(500)  # a meta refresh of 0 s or an alert would have fired by now; nothing to wait for
    harmless(page, server, fired)


def test_team_names_in_the_html_report_stay_text(demo_path: Path, hostile: dict[str, object], page: Page):
    database = store.open_db(demo_path)
    try:
        report = services.report_document(database, hostile["initiative"], hostile["wave"])
    finally:
        database.close()
    html = exports.report_file(report, "html").decode()
    assert IFRAME not in html
    assert META not in html
    fired: list[str] = []
    page.on("dialog", lambda dialog: (fired.append(dialog.message), dialog.dismiss()))
    page.set_content(html)
    body = page.locator("body").inner_text()
    for team in (IFRAME, META, LINK):
        assert team in body, team
    assert fired == []
    assert page.locator("iframe, meta[http-equiv]").count() == 0
    assert page.locator(f"a[href^='{LINK}']").count() == 0
    page.screenshot(path=ARTIFACTS / "hostile-report.png", full_page=True)
