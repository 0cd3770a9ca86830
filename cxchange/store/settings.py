"""Stored settings, the workspace kind and saved import mappings."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlite_utils import Database

from cxchange.settings import DEFAULTS


def settings(db: Database) -> dict[str, Any]:
    """Every declared setting: the stored value where there is one, else its default."""
    stored = {row["name"]: json.loads(row["value"]) for row in db.query("SELECT name, value FROM settings")}
    return {name: stored.get(name, default) for name, default in DEFAULTS.items()}


def save_settings(db: Database, values: Mapping[str, Any]) -> None:
    """Store checked settings (name -> value), in the caller's transaction."""
    db["settings"].upsert_all(({"name": name, "value": json.dumps(value)} for name, value in values.items()), pk="name")


def workspace_kind(db: Database) -> str:
    """ "demo" while the demo organisation is loaded, "own" for a workspace of the user's own."""
    row = db.execute("SELECT value FROM settings WHERE name = 'workspace'").fetchone()
    return json.loads(row[0]) if row else "own"


def set_workspace_kind(db: Database, kind: str) -> None:
    """Record whether the workspace holds the demo organisation."""
    db["settings"].upsert({"name": "workspace", "value": json.dumps(kind)}, pk="name")


def saved_mappings(db: Database) -> dict[str, str]:
    """Import mappings the users saved by name: name -> mapping JSON."""
    rows = db.execute("SELECT name, value FROM settings WHERE name LIKE 'mapping:%' ORDER BY name")
    return {name.removeprefix("mapping:"): json.loads(value) for name, value in rows}


def save_mapping(db: Database, name: str, mapping_json: str) -> None:
    """Keep an import mapping under a name for the next file from the same survey."""
    db["settings"].upsert({"name": f"mapping:{name}", "value": json.dumps(mapping_json)}, pk="name")


def team_headers(db: Database) -> list[str]:
    """The team columns of earlier imports, as their files headed them, so the next file is recognised."""
    row = db.execute("SELECT value FROM settings WHERE name = 'team_headers'").fetchone()
    return json.loads(row[0]) if row else []


def add_team_header(db: Database, header: str) -> None:
    """Remember a file's team column header (once), in the caller's transaction."""
    known = team_headers(db)
    if header not in known:
        db["settings"].upsert({"name": "team_headers", "value": json.dumps([*known, header])}, pk="name")
