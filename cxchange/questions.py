"""The question bank as Settings edits it: an item's code, its wording checked, retiring and bringing back.

Pure: the stored items come in as a DataFrame (code, element, text, active, retired_on, batch_id).
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from cxchange.model import DEFAULT_ITEMS, ELEMENT_LABELS
from cxchange.text import blank, name_key

PREFIXES: dict[str, str] = {
    "awareness": "AW",
    "desire": "DE",
    "knowledge": "KN",
    "ability": "AB",
    "reinforcement": "RE",
    "outcome": "OC",
}
"""The code prefix of each element's items (AW1, DE2, …): the default bank's."""

DEFAULT_CODES = frozenset(item.code for item in DEFAULT_ITEMS)
TEXT_LENGTH = 400
CODE_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,19}$")


def next_code(items: pd.DataFrame, element: str) -> str:
    """The element's prefix and the number after the highest one in use (retired items count): AW4."""
    prefix = PREFIXES[element]
    numbers = [
        int(match.group(1))
        for code in items["code"]
        if (match := re.fullmatch(rf"{prefix}(\d+)", str(code), flags=re.IGNORECASE))
    ]
    return f"{prefix}{max(numbers, default=0) + 1}"


def check_item(items: pd.DataFrame, element: Any, text: Any, code: Any = None) -> dict[str, str]:
    """A new item's code, element and wording, checked; ValueError with one sentence naming the value.

    The wording may not repeat another item's (ignoring case and spaces); the code, where given, must be
    free and a letter followed by letters, digits or underscores; where not given it is next_code's.
    """
    if element not in PREFIXES:
        raise ValueError(f"Element: {element!r} is not one of {', '.join(ELEMENT_LABELS.values())}.")
    wording = " ".join(str(text).split()) if not blank(text) else ""
    if not wording:
        raise ValueError("Give the statement's wording.")
    if len(wording) > TEXT_LENGTH:
        raise ValueError(f"Wording: {wording[:40]!r}… has {len(wording)} characters; keep it to {TEXT_LENGTH}.")
    same = items[items["text"].map(name_key) == name_key(wording)]
    if not same.empty:
        raise ValueError(f"Wording: {same['code'].iloc[0]} already says {same['text'].iloc[0]!r}.")
    chosen = next_code(items, element) if blank(code) else str(code).strip().upper()
    if not CODE_PATTERN.match(chosen):
        raise ValueError(f"Code: {chosen!r} is not a code: a letter, then letters, digits or underscores (e.g. AW4).")
    if chosen in {str(c).upper() for c in items["code"]}:
        raise ValueError(f"Code: {chosen} is already used: leave it empty for the next free one.")
    return {"code": chosen, "element": element, "text": wording}


def bank_table(items: pd.DataFrame) -> pd.DataFrame:
    """The question bank as Settings lists it: code, element, wording, active, where it came from."""
    return pd.DataFrame(
        {
            "Code": items["code"].to_numpy(),
            "Element": items["element"].map(ELEMENT_LABELS).to_numpy(),
            "Wording": items["text"].to_numpy(),
            "Active": items["active"].astype(bool).to_numpy(),
            "Retired on": [None if blank(day) else str(day) for day in items["retired_on"]],
            "Came from": [
                f"a company's wording (import {int(batch)})"
                if not blank(batch)
                else ("default bank" if code in DEFAULT_CODES else "added in Settings")
                for code, batch in zip(items["code"], items["batch_id"], strict=True)
            ],
        }
    )
