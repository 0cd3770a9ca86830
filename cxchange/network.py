"""Who can open the app: the address the server listens on, said in one sentence for the sidebar.

Pure: the address comes in as text (Streamlit's `server.address`), the sentence goes out.
"""

from __future__ import annotations

import ipaddress

LOCAL_TEXT = "Local: only this computer can open it"


def is_loopback(address: str | None) -> bool:
    """Whether a server bound to `address` answers this computer only (127.0.0.0/8, ::1, localhost).

    No address means every interface (Streamlit's default), which is not local.
    """
    text = (address or "").strip().strip("[]")
    if not text:
        return False
    if text.casefold() == "localhost":
        return True
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:  # a host name: it may resolve to any interface
        return False


def reach_text(address: str | None) -> str:
    """The sidebar's sentence on who can open the app bound to `address`."""
    if is_loopback(address):
        return LOCAL_TEXT
    where = f"address {address.strip()}" if address and address.strip() else "every network address of this computer"
    return f"Shared: anyone who can reach this server ({where}) can open it"
