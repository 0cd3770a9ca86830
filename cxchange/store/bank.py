"""The question bank: items (the default ones and those a company's own wording added) and their aliases."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
from sqlite_utils import Database

from cxchange.store.base import frame


def items(db: Database) -> pd.DataFrame:
    """Every item, retired ones too, in survey order: code, element, text, position, active, retired_on, batch_id."""
    return frame(
        db, "SELECT code, element, text, position, active, retired_on, batch_id FROM items ORDER BY position, code"
    )


def aliases(db: Database) -> pd.DataFrame:
    """Other wordings that mean an item (a company's own statement mapped to it): text, item_code, batch_id."""
    return frame(db, "SELECT text, item_code, batch_id FROM item_aliases ORDER BY item_code, text")


def add_items(db: Database, rows: Iterable[Mapping[str, Any]], batch_id: int | None = None) -> None:
    """Add items (code, element, text) after the last one, in the caller's transaction."""
    position = db.execute("SELECT COALESCE(MAX(position), 0) FROM items").fetchone()[0]
    db.conn.executemany(
        "INSERT INTO items (code, element, text, position, active, batch_id) VALUES (?, ?, ?, ?, 1, ?)",
        [
            (row["code"], row["element"], row["text"], position + offset, batch_id)
            for offset, row in enumerate(rows, start=1)
        ],
    )


def add_aliases(db: Database, rows: Mapping[str, str], batch_id: int | None = None) -> None:
    """Record wordings (text -> item code) as meaning those items; a wording already recorded keeps its item."""
    db.conn.executemany(
        "INSERT OR IGNORE INTO item_aliases (text, item_code, batch_id) VALUES (?, ?, ?)",
        [(text, code, batch_id) for text, code in rows.items()],
    )


def set_item_active(db: Database, code: str, active: bool, on: str | None) -> None:
    """Retire an item (kept for the waves that asked it, offered no more) or bring it back."""
    db.execute(
        "UPDATE items SET active = :active, retired_on = :on WHERE code = :code",
        {"active": int(active), "on": None if active else on, "code": code},
    )


def remove_batch_items(db: Database, batch: int) -> list[str]:
    """Delete the items a batch added that no response of another batch answers; returns their codes.

    An item another batch still answers passes to the earliest such batch, so undoing that one later takes
    it away (its batch_id would otherwise be cleared with this batch, and the item stay for good).
    """
    codes = [row[0] for row in db.execute("SELECT code FROM items WHERE batch_id = :batch", {"batch": batch})]
    removed = []
    for code in codes:
        heir = db.execute(
            """
            SELECT MIN(responses.batch_id) FROM responses, json_each(responses.answers) AS answer
            WHERE answer.key = :code AND responses.batch_id IS NOT :batch
            """,
            {"code": code, "batch": batch},
        ).fetchone()[0]
        if heir is None:
            db.execute("DELETE FROM items WHERE code = :code", {"code": code})
            removed.append(code)
        else:
            db.execute("UPDATE items SET batch_id = :heir WHERE code = :code", {"heir": heir, "code": code})
    return removed
