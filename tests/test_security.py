"""The security review's findings, tried in a real browser against the real server: who can reach it, what
a hostile team name can do, what an error shows a visitor."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from test_browser import ARTIFACTS, server, serving, settled  # noqa: F401 (server: a fixture)

pytestmark = pytest.mark.browser


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


def test_the_server_listens_on_this_computer_only_and_says_so(demo_path: Path, tmp_path: Path, page: Page):
    with serving(demo_path, tmp_path / "streamlit.log") as url:
        port = int(url.rsplit(":", 1)[1])
        assert listening(port) == ["127.0.0.1"]
        page.goto(url)
        expect(page.get_by_role("heading", name="Overview")).to_be_visible(timeout=60_000)
        sidebar = page.get_by_test_id("stSidebar")
        expect(sidebar.get_by_text("Local: only this computer can open it")).to_be_visible()
        settled(page)
        page.screenshot(path=ARTIFACTS / "local-only.png")


def test_no_page_asks_another_server_for_anything(server: str, page: Page):
    """Fonts, icons and the favicon come from the app: an intranet app holding HR data calls no CDN."""
    outside: list[str] = []
    page.on("request", lambda request: outside.append(request.url) if not local(request.url, server) else None)
    for path in ("", "/readiness", "/workshop", "/settings"):
        page.goto(f"{server}{path}")
        expect(page.get_by_test_id("stSidebar")).to_be_visible(timeout=60_000)
        settled(page)
        # Chromium fetches a favicon outside the page's requests: read where every link and source points.
        outside += [
            url
            for url in page.locator("[href], [src]").evaluate_all("nodes => nodes.map(n => n.href || n.src)")
            if url and not local(url, server)
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
