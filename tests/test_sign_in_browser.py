"""Sign-in end to end in a real browser against a real OIDC provider on 127.0.0.1 (oidc-provider-mock)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from test_browser import RUN_TIMEOUT_MS, free_port, serving, settled, stop

from cxchange import services, store

pytestmark = pytest.mark.browser
PEOPLE = [
    {"sub": "ada", "email": "ada@example.com", "name": "Ada Admin"},
    {"sub": "vera", "email": "vera@example.com", "name": "Vera Viewer"},
    {"sub": "sam", "email": "sam@example.com", "name": "Sam Stranger"},
]


@pytest.fixture
def provider(tmp_path: Path) -> Iterator[str]:
    """oidc-provider-mock on a free port of 127.0.0.1, knowing PEOPLE; its issuer URL."""
    claims = [argument for person in PEOPLE for argument in ("--user-claims", json.dumps(person))]
    port = free_port()
    log = (tmp_path / "oidc.log").open("wb")
    command = [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port), *claims]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    issuer = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration", timeout=1).close()
                break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError((tmp_path / "oidc.log").read_text()) from None
                subprocess.run(["sleep", "0.1"], check=True)  # polling the provider's start, not a test's wait
        yield issuer
    finally:
        stop(process)
        log.close()


@pytest.fixture
def app_with_sign_in(provider: str, demo_path: Path, tmp_path: Path) -> Iterator[str]:
    database = store.open_db(demo_path)
    services.save_user(database, "vera@example.com", "viewer", "Stores")
    database.close()

    def secrets(url: str) -> str:
        return f"""
[auth]
redirect_uri = "{url}/oauth2callback"
cookie_secret = "a-cookie-secret-for-this-test-only"
client_id = "cxchange"
client_secret = "any"
server_metadata_url = "{provider}/.well-known/openid-configuration"
"""

    env = {"CXCHANGE_ADMINS": "ada@example.com"}
    with serving(demo_path, tmp_path / "streamlit.log", secrets=secrets, env=env) as url:
        yield url


def as_shown(text: str) -> re.Pattern:
    """A line quoting an e-mail as the page writes it: an invisible word joiner after the "@" keeps Streamlit's
    markdown from making the address a link (text.markdown_text); a person reads the same line."""
    return re.compile(re.escape(text).replace("@", "@\u2060?"))


def sign_in(page: Page, url: str, who: str, path: str = "") -> None:
    page.goto(f"{url}/{path}", timeout=RUN_TIMEOUT_MS)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_placeholder("sub").fill(who)  # the provider's own authorize page
    page.get_by_role("button", name="Authorize", exact=True).click()
    page.wait_for_url(f"{url}/**", timeout=RUN_TIMEOUT_MS)


def test_sign_in_end_to_end_for_each_kind_of_person(app_with_sign_in: str, browser) -> None:
    url = app_with_sign_in
    for path in ("settings", "team_detail?team=Stores"):  # deep links; every page: test_sign_in.py (AppTest)
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{url}/{path}", timeout=RUN_TIMEOUT_MS)
        expect(page.get_by_role("button", name="Sign in")).to_be_visible()
        settled(page)
        assert "Northwind" not in page.content()
        expect(page.get_by_test_id("stMetric")).to_have_count(0)
        context.close()

    admin = browser.new_context().new_page()
    sign_in(admin, url, "ada")
    signed_in = admin.get_by_text(as_shown("Signed in as ada@example.com: admin for the whole organisation."))
    expect(signed_in).to_be_visible()
    expect(admin.get_by_role("link", name="Settings")).to_be_visible()
    expect(admin.get_by_test_id("stMetric").first).to_be_visible()
    settled(admin)
    admin.screenshot(path=str(Path(__file__).parent / "artifacts" / "signed-in-admin.png"))

    viewer = browser.new_context().new_page()
    sign_in(viewer, url, "vera")
    expect(
        viewer.get_by_text(as_shown("Signed in as vera@example.com: viewer for Stores and the teams below it."))
    ).to_be_visible()
    settled(viewer)
    expect(viewer.get_by_role("link", name="Overview")).to_be_visible()
    expect(viewer.get_by_role("link", name="Settings")).to_have_count(0)
    expect(viewer.get_by_role("link", name="Import & entry")).to_have_count(0)
    expect(viewer.get_by_role("link", name="Programme health")).to_have_count(0)  # a roll-up above Stores
    expect(viewer.get_by_test_id("stMetric").first).to_be_visible()
    expect(viewer.get_by_text("Stores North").first).to_be_attached()  # the heatmap's labels, once drawn
    settled(viewer)
    assert "Contact Centre" not in viewer.content()
    viewer.screenshot(path=str(Path(__file__).parent / "artifacts" / "signed-in-viewer-stores.png"))

    stranger = browser.new_context().new_page()
    sign_in(stranger, url, "sam")
    expect(stranger.get_by_text("Ask your cxchange admin for access.")).to_be_visible()
    expect(stranger.get_by_test_id("stMetric")).to_have_count(0)
    settled(stranger)
    stranger.screenshot(path=str(Path(__file__).parent / "artifacts" / "signed-in-no-role.png"))
