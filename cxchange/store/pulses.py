"""Live pulses: the pulse, the teams it covers, and the devices that answered (as hashes)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
from sqlite_utils import Database

from cxchange.store.base import frame

PULSE_COLUMNS = (
    "pulses.id, pulses.token, pulses.wave_id, waves.name AS wave, waves.initiative_id, pulses.batch_id, "
    "pulses.form, pulses.outcome, pulses.comment_question, pulses.opens_at, pulses.closes_at, pulses.closed_at, "
    "pulses.opened_by"
)


def add_pulse(db: Database, pulse: Mapping[str, Any], team_ids: Iterable[int]) -> int:
    """Record a pulse and its teams, in the caller's transaction; returns its id."""
    pulse_id = db["pulses"].insert(dict(pulse)).last_pk
    db.conn.executemany(
        "INSERT INTO pulse_teams (pulse_id, team_id) VALUES (?, ?)", [(pulse_id, int(team)) for team in team_ids]
    )
    return pulse_id


def pulse_by_token(db: Database, token: str) -> dict[str, Any] | None:
    """The pulse a link's token names, with its wave; None for a token no pulse has."""
    rows = frame(
        db, f"SELECT {PULSE_COLUMNS} FROM pulses JOIN waves ON waves.id = pulses.wave_id WHERE pulses.token = :token",
        {"token": token},
    )  # fmt: skip
    return None if rows.empty else rows.iloc[0].to_dict()


def pulses(db: Database, wave_id: int | None = None) -> pd.DataFrame:
    """Every pulse (of one wave), newest first, with its answer count and its teams' ids and names as JSON
    lists (teams_json, team_names)."""
    return frame(
        db,
        f"""
        SELECT {PULSE_COLUMNS},
               (SELECT COUNT(*) FROM pulse_devices WHERE pulse_devices.pulse_id = pulses.id) AS answers,
               (SELECT json_group_array(team_id) FROM pulse_teams WHERE pulse_teams.pulse_id = pulses.id) AS teams_json,
               (SELECT json_group_array(teams.name) FROM pulse_teams JOIN teams ON teams.id = pulse_teams.team_id
                WHERE pulse_teams.pulse_id = pulses.id) AS team_names
        FROM pulses JOIN waves ON waves.id = pulses.wave_id
        WHERE :wave_id IS NULL OR pulses.wave_id = :wave_id
        ORDER BY pulses.opens_at DESC, pulses.id DESC
        """,
        {"wave_id": wave_id},
    )


def pulse_teams(db: Database, pulse_id: int) -> dict[int, str]:
    """The teams a pulse covers, id to name, in name order."""
    rows = db.execute(
        """
        SELECT teams.id, teams.name FROM pulse_teams JOIN teams ON teams.id = pulse_teams.team_id
        WHERE pulse_teams.pulse_id = :id ORDER BY teams.name COLLATE NOCASE
        """,
        {"id": pulse_id},
    ).fetchall()
    return {int(team): str(name) for team, name in rows}


def answer_counts(db: Database, pulse_id: int) -> dict[int, int]:
    """How many devices have answered a pulse, per team (complete answers: the form refuses any other)."""
    rows = db.execute(
        """
        SELECT responses.team_id, COUNT(*) FROM pulse_devices JOIN responses ON responses.id = pulse_devices.response_id
        WHERE pulse_devices.pulse_id = :id GROUP BY responses.team_id
        """,
        {"id": pulse_id},
    ).fetchall()
    return {int(team): int(count) for team, count in rows}


def device_response(db: Database, pulse_id: int, device_hash: str) -> int | None:
    """The response a device gave to a pulse; None where it has not answered."""
    row = db.execute(
        "SELECT response_id FROM pulse_devices WHERE pulse_id = :pulse AND device_hash = :device",
        {"pulse": pulse_id, "device": device_hash},
    ).fetchone()
    return None if row is None else int(row[0])


def replace_answer(db: Database, pulse_id: int, device_hash: str, old_response: int | None, new_response: int) -> None:
    """Point a device at its new response, removing the one it gave before, in the caller's transaction."""
    if old_response is not None:
        db.execute("DELETE FROM responses WHERE id = :id", {"id": old_response})  # its device row goes with it
    db.execute(
        "INSERT INTO pulse_devices (pulse_id, device_hash, response_id) VALUES (:pulse, :device, :response)",
        {"pulse": pulse_id, "device": device_hash, "response": new_response},
    )


def close_pulse(db: Database, pulse_id: int, at: str) -> None:
    """Close a pulse now (its link stops working), in the caller's transaction."""
    db.execute("UPDATE pulses SET closed_at = :at WHERE id = :id AND closed_at IS NULL", {"at": at, "id": pulse_id})
