"""Who can open the app: the server listens on this computer only, and the sidebar says so."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from cxchange import network

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("address", ["127.0.0.1", "127.0.1.1", "::1", "[::1]", "localhost", " LOCALHOST "])
def test_a_loopback_address_is_local(address):
    assert network.is_loopback(address)
    assert network.reach_text(address) == "Local: only this computer can open it"


@pytest.mark.parametrize("address", [None, "", "0.0.0.0", "::", "192.168.1.20", "cxchange.example.com"])
def test_any_other_address_is_said_to_be_shared(address):
    assert not network.is_loopback(address)
    assert network.reach_text(address).startswith("Shared: anyone who can reach this server")


def test_no_address_is_every_interface():
    assert "every network address of this computer" in network.reach_text(None)


def test_make_run_serves_this_computer_only():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["address"] == "127.0.0.1"
    makefile = (ROOT / "Makefile").read_text()
    run = re.search(r"^run:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE).group(1)
    assert "streamlit run" in run
    assert "server.address" not in run  # the config's address stands
