"""Teams, initiatives, waves and the question bank."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
from sqlite_utils import Database

from cxchange.store.base import frame


def teams(db: Database, archived: bool = True) -> pd.DataFrame:
    """Teams: id, name, parent_id (None at the top), headcount (people in the team itself), code, archived_on.

    Archived teams are included unless `archived` is False: views of past waves still show the
    teams that had responses then; pickers and views of today leave them out.
    """
    result = frame(
        db,
        """
        SELECT id, name, parent_id, headcount, code, archived_on FROM teams
        WHERE :archived OR archived_on IS NULL ORDER BY id
        """,
        {"archived": int(archived)},
    )
    result["parent_id"] = result["parent_id"].astype("Int64")
    return result


def initiatives(db: Database, archived: bool = True) -> pd.DataFrame:
    """Initiatives, oldest first: id, name, description, owner, sponsor, started_on, archived_on."""
    return frame(
        db,
        """
        SELECT id, name, description, owner, sponsor, started_on, archived_on FROM initiatives
        WHERE :archived OR archived_on IS NULL ORDER BY id
        """,
        {"archived": int(archived)},
    )


def waves(db: Database, initiative_id: int | None = None) -> pd.DataFrame:
    """Survey waves, oldest first, of one initiative or all."""
    return frame(
        db,
        """
        SELECT waves.id, waves.name, waves.opened_on, waves.closes_on, waves.initiative_id,
               initiatives.name AS initiative
        FROM waves JOIN initiatives ON initiatives.id = waves.initiative_id
        WHERE :initiative_id IS NULL OR waves.initiative_id = :initiative_id
        ORDER BY waves.opened_on, waves.id
        """,
        {"initiative_id": initiative_id},
    )


def items(db: Database) -> pd.DataFrame:
    """The question bank in survey order."""
    return frame(db, "SELECT code, element, text, position, active FROM items ORDER BY position")


def initiative_id(db: Database, name: str) -> int | None:
    """The id of the initiative called `name`, or None."""
    row = db.execute("SELECT id FROM initiatives WHERE name = :name", {"name": name}).fetchone()
    return row[0] if row else None


def add_initiative(
    db: Database, name: str, started_on: str, owner: str | None = None, sponsor: str | None = None
) -> int:
    """Create an initiative; returns its id."""
    return (
        db["initiatives"].insert({"name": name, "started_on": started_on, "owner": owner, "sponsor": sponsor}).last_pk
    )


def update_initiative(db: Database, initiative: int, name: str, owner: str | None, sponsor: str | None) -> None:
    """Rename an initiative and name its owner and sponsor."""
    db.execute(
        "UPDATE initiatives SET name = :name, owner = :owner, sponsor = :sponsor WHERE id = :id",
        {"name": name, "owner": owner, "sponsor": sponsor, "id": initiative},
    )


def set_initiative_archived(db: Database, initiative: int, on: str | None) -> None:
    """Archive an initiative on a day (None: bring it back)."""
    db.execute("UPDATE initiatives SET archived_on = :on WHERE id = :id", {"on": on, "id": initiative})


def wave_id(db: Database, initiative: int, name: str) -> int | None:
    """The id of the initiative's wave called `name`, or None."""
    row = db.execute(
        "SELECT id FROM waves WHERE initiative_id = :initiative AND name = :name",
        {"initiative": initiative, "name": name},
    ).fetchone()
    return row[0] if row else None


def add_wave(db: Database, initiative: int, name: str, opened_on: str, closes_on: str | None = None) -> int:
    """Create a wave of the initiative; returns its id."""
    return (
        db["waves"]
        .insert({"initiative_id": initiative, "name": name, "opened_on": opened_on, "closes_on": closes_on})
        .last_pk
    )


def update_wave(db: Database, wave: int, name: str, opened_on: str, closes_on: str | None) -> None:
    """Rename a wave and set its dates."""
    db.execute(
        "UPDATE waves SET name = :name, opened_on = :opened_on, closes_on = :closes_on WHERE id = :id",
        {"name": name, "opened_on": opened_on, "closes_on": closes_on, "id": wave},
    )


def delete_wave(db: Database, wave: int) -> None:
    """Delete a wave (the caller has made sure nothing belongs to it)."""
    db.execute("DELETE FROM waves WHERE id = :id", {"id": wave})


def wave_contents(db: Database, wave: int) -> dict[str, int]:
    """What belongs to a wave: responses, entered results and import batches, counted."""
    row = db.execute(
        """
        SELECT (SELECT COUNT(*) FROM responses WHERE wave_id = :wave),
               (SELECT COUNT(*) FROM team_results WHERE wave_id = :wave),
               (SELECT COUNT(*) FROM import_batches WHERE wave_id = :wave)
        """,
        {"wave": wave},
    ).fetchone()
    return {"responses": row[0], "team_results": row[1], "import_batches": row[2]}


def add_teams(db: Database, names: Iterable[str], batch_id: int | None = None) -> dict[str, int]:
    """Create top-level teams (no headcount yet), in the caller's transaction, recording the import batch
    that brought them (undo removes them where nothing else uses them); returns name -> id."""
    names = list(names)
    db.conn.executemany(
        "INSERT INTO teams (name, parent_id, batch_id) VALUES (?, NULL, ?)", [(name, batch_id) for name in names]
    )
    placeholders = {"names": json.dumps(names)}
    rows = db.execute("SELECT name, id FROM teams WHERE name IN (SELECT value FROM json_each(:names))", placeholders)
    return dict(rows.fetchall())


def team_ids(db: Database) -> dict[str, int]:
    """Team name -> id for every name a file may use: each active team's, and a merged-away team's name for
    the team it went into (through later merges, to the team that holds its rows now). Archived teams that
    were not merged have none."""
    found = {name: int(team_id) for team_id, name in db.execute("SELECT id, name FROM teams WHERE archived_on IS NULL")}
    merged = dict(
        db.execute(
            """
            SELECT team_merges.from_team_id, team_merges.into_team_id FROM team_merges
            JOIN teams ON teams.id = team_merges.from_team_id
            WHERE team_merges.undone_at IS NULL AND teams.archived_on IS NOT NULL
            """
        ).fetchall()
    )
    names = dict(db.execute("SELECT id, name FROM teams").fetchall())
    active = set(found.values())
    for from_id in merged:
        into, seen = merged[from_id], {from_id}
        while into in merged and into not in seen:
            seen.add(into)
            into = merged[into]
        if into in active:
            found.setdefault(names[from_id], int(into))
    return found


def save_teams(db: Database, rows: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Create and update teams (id None: new; name, parent by name, headcount, code, archived_on).

    New teams are inserted first, then every row's parent is set by name, so a row may report to a
    team another row creates. Returns name -> id of the rows' teams.
    """
    rows = list(rows)
    ids = {}
    for row in rows:
        values = {key: row[key] for key in ("name", "headcount", "code", "archived_on")}
        if row["id"] is None:
            ids[row["name"]] = db["teams"].insert({**values, "parent_id": None}).last_pk
        else:
            db.execute(
                """
                UPDATE teams SET name = :name, headcount = :headcount, code = :code, archived_on = :archived_on
                WHERE id = :id
                """,
                {**values, "id": row["id"]},
            )
            ids[row["name"]] = int(row["id"])
    by_name = dict(db.execute("SELECT name, id FROM teams").fetchall())
    db.conn.executemany(
        "UPDATE teams SET parent_id = ? WHERE id = ?",
        [(by_name[row["parent"]] if row["parent"] else None, ids[row["name"]]) for row in rows],
    )
    return ids


# Merges -----------------------------------------------------------------------------------------


def team_rows(db: Database, team: int) -> dict[str, list]:
    """Everything that belongs to a team: ids of its responses, entered results, champions, actions, sponsor
    activities and the teams below it, and the (period, metric) keys of its CX figures."""
    params = {"team": team}
    found = {kind: [row[0] for row in db.execute(statement, params)] for kind, statement in _OWNED.items()}
    found["cx_outcomes"] = [
        list(row)
        for row in db.execute(
            "SELECT period, metric FROM cx_outcomes WHERE team_id = :team ORDER BY period, metric", params
        )
    ]
    return {kind: found[kind] for kind in _MOVES}


_OWNED = {
    "responses": "SELECT id FROM responses WHERE team_id = :team ORDER BY id",
    "team_results": "SELECT id FROM team_results WHERE team_id = :team ORDER BY id",
    "champions": "SELECT id FROM champions WHERE team_id = :team ORDER BY id",
    "actions": "SELECT id FROM actions WHERE team_id = :team ORDER BY id",
    "sponsor_activities": "SELECT id FROM sponsor_activities WHERE team_id = :team ORDER BY id",
    "children": "SELECT id FROM teams WHERE parent_id = :team ORDER BY id",
}


def shared_keys(db: Database, first: int, second: int) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Keys both teams hold where one team may hold one row: (wave, element) of entered results, (period,
    metric) of CX figures."""
    params = {"first": first, "second": second}
    results = db.execute(
        """
        SELECT waves.name, one.element FROM team_results AS one
        JOIN team_results AS other ON other.wave_id = one.wave_id AND other.element = one.element
        JOIN waves ON waves.id = one.wave_id
        WHERE one.team_id = :first AND other.team_id = :second ORDER BY waves.opened_on, one.element
        """,
        params,
    ).fetchall()
    outcomes = db.execute(
        """
        SELECT one.period, one.metric FROM cx_outcomes AS one
        JOIN cx_outcomes AS other ON other.period = one.period AND other.metric = one.metric
        WHERE one.team_id = :first AND other.team_id = :second ORDER BY one.period, one.metric
        """,
        params,
    ).fetchall()
    return [tuple(row) for row in results], [tuple(row) for row in outcomes]


_IN_IDS = " AND id IN (SELECT value FROM json_each(:ids))"
_MOVES = {
    "responses": "UPDATE responses SET team_id = :to WHERE team_id = :from" + _IN_IDS,
    "team_results": "UPDATE team_results SET team_id = :to WHERE team_id = :from" + _IN_IDS,
    "champions": "UPDATE champions SET team_id = :to WHERE team_id = :from" + _IN_IDS,
    "actions": "UPDATE actions SET team_id = :to WHERE team_id = :from" + _IN_IDS,
    "sponsor_activities": "UPDATE sponsor_activities SET team_id = :to WHERE team_id = :from" + _IN_IDS,
    "children": "UPDATE teams SET parent_id = :to WHERE parent_id = :from" + _IN_IDS,
    "cx_outcomes": """
        UPDATE cx_outcomes SET team_id = :to WHERE team_id = :from AND EXISTS (
            SELECT 1 FROM json_each(:ids) AS key
            WHERE json_extract(key.value, '$[0]') = cx_outcomes.period
              AND json_extract(key.value, '$[1]') = cx_outcomes.metric)
    """,
}
"""How a merge moves each kind of row of one team to another, and undo moves it back (only the listed rows)."""


def move_team_rows(db: Database, moved: Mapping[str, list], from_team: int, to_team: int) -> None:
    """Move the listed rows (team_rows' lists) of `from_team` to `to_team`; rows no longer the team's stay."""
    for kind, statement in _MOVES.items():
        if moved.get(kind):
            db.execute(statement, {"to": to_team, "from": from_team, "ids": json.dumps(moved[kind])})


def set_team_state(db: Database, team: int, headcount: int | None, archived_on: str | None) -> None:
    """Set a team's headcount and archiving day (None: active)."""
    db.execute(
        "UPDATE teams SET headcount = :headcount, archived_on = :archived_on WHERE id = :id",
        {"headcount": headcount, "archived_on": archived_on, "id": team},
    )


def add_merge(db: Database, row: Mapping[str, Any]) -> int:
    """Record a merge (from_team_id, from_name, into_team_id, merged_at, merged_by, moved JSON); returns its id."""
    return db["team_merges"].insert(dict(row)).last_pk


def set_merge_undone(db: Database, merge: int, at: str) -> None:
    """Record that a merge was undone."""
    db.execute("UPDATE team_merges SET undone_at = :at WHERE id = :id", {"at": at, "id": merge})


def merges(db: Database) -> pd.DataFrame:
    """Every merge, newest first: id, from_team_id, from_name, into_team_id, into_name, merged_at, merged_by,
    moved (JSON), undone_at."""
    return frame(
        db,
        """
        SELECT team_merges.id, team_merges.from_team_id, team_merges.from_name, team_merges.into_team_id,
               teams.name AS into_name, team_merges.merged_at, team_merges.merged_by, team_merges.moved,
               team_merges.undone_at
        FROM team_merges JOIN teams ON teams.id = team_merges.into_team_id
        ORDER BY team_merges.id DESC
        """,
    )


def initiative_name(db: Database, initiative_id: Any) -> str | None:
    """The initiative's name, or None where there is no initiative with that id."""
    row = db.execute("SELECT name FROM initiatives WHERE id = :id", {"id": initiative_id}).fetchone()
    return row[0] if row else None
