"""Roles, scopes and the audit trail: every write checks who asks, and says who did it (issue 13)."""

from __future__ import annotations

import inspect
import json
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from cxchange import access, cli, services, store
from cxchange.access import Actor

ROOT = Path(__file__).resolve().parent.parent
SURVEY = ROOT / "tests" / "fixtures" / "imports" / "qualtrics_choice_text.csv"
VIEWER = Actor("vera@example.com", "viewer")
EDITOR = Actor("ed@example.com", "editor")
OTHER_EDITOR = Actor("eli@example.com", "editor")
ADMIN = Actor("ada@example.com", "admin")


def use_cases() -> dict[str, object]:
    return {
        name: item for name, item in vars(services).items() if inspect.isfunction(item) and not name.startswith("_")
    }


def every_row(db) -> dict[str, list]:
    tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    return {table: sorted(map(repr, db.execute(f"SELECT * FROM [{table}]").fetchall())) for table in tables}


def test_every_use_case_that_writes_declares_the_role_it_needs():
    # A write without a declared role would run for anyone the app lets in.
    for name, use_case in use_cases().items():
        source = inspect.getsource(inspect.unwrap(use_case))
        writes = "_writing(" in source or "store.restore(" in source
        takes_actor = "actor" in inspect.signature(use_case).parameters
        if writes or takes_actor:
            assert getattr(use_case, "needs_role", None) in access.ROLES, name
            assert takes_actor, f"{name} writes but cannot be told who asks"


def test_a_viewer_can_write_nothing_whatever_calls_the_service(demo_db):
    # The role is checked before anything is read, so the arguments do not matter: placeholders will do.
    before = every_row(demo_db)
    refused = []
    for name, use_case in use_cases().items():
        role = getattr(use_case, "needs_role", None)
        if role is None or role == "viewer":
            continue
        parameters = list(inspect.signature(use_case).parameters.values())[1:]
        positional = [None for p in parameters if p.default is p.empty and p.kind is p.POSITIONAL_OR_KEYWORD]
        keywords = {p.name: None for p in parameters if p.default is p.empty and p.kind is p.KEYWORD_ONLY}
        with pytest.raises(access.Refused, match=f"needs the {role} role; vera@example.com is a viewer"):
            use_case(demo_db, *positional, **keywords, actor=VIEWER)
        refused.append(name)
    assert {"import_survey", "save_settings", "add_action", "undo_batch", "save_user", "restore_backup"} <= set(refused)
    assert every_row(demo_db) == before


def test_an_editor_imports_and_enters_but_settings_are_for_admins(db):
    result = services.import_survey(db, SURVEY.read_bytes(), SURVEY.name, "Wave 1", actor=EDITOR)
    assert result.batch_id is not None
    history = store.responses.batches(db)
    assert history.loc[0, "imported_by"] == "ed@example.com"  # not the server's OS user

    with pytest.raises(access.Refused, match="Save settings needs the admin role; ed@example.com is an editor"):
        services.save_settings(db, {"min_group_size": 3}, actor=EDITOR)
    assert store.settings.settings(db)["min_group_size"] == 5


def test_an_editor_undoes_their_own_import_and_an_admin_anyones(db):
    mine = services.import_survey(db, SURVEY.read_bytes(), SURVEY.name, "Wave 1", actor=EDITOR).batch_id

    with pytest.raises(access.Refused, match=f"Batch {mine} was imported by ed@example.com"):
        services.undo_batch(db, mine, actor=OTHER_EDITOR)
    assert store.count(db, "responses") == 8
    assert services.undo_batch(db, mine, actor=EDITOR) == 8

    again = services.import_survey(db, SURVEY.read_bytes(), SURVEY.name, "Wave 1", actor=EDITOR).batch_id
    assert services.undo_batch(db, again, actor=ADMIN) == 8


def test_every_write_is_in_the_audit_trail_with_who_and_what(db):
    services.import_survey(db, SURVEY.read_bytes(), SURVEY.name, "Wave 1", actor=EDITOR)
    services.save_settings(db, {"min_group_size": 3}, actor=ADMIN)
    services.save_user(db, "Vera@Example.com", "viewer", "Stores North", actor=ADMIN)

    trail = services.audit_trail(db, actor=ADMIN)
    assert list(trail["action"]) == ["role given", "settings saved", "survey imported"]  # newest first
    assert list(trail["actor"]) == ["ada@example.com", "ada@example.com", "ed@example.com"]
    assert list(trail["target"]) == ["vera@example.com", "min_group_size", SURVEY.name]
    given = json.loads(trail.loc[0, "detail"])
    assert given == {"before": None, "after": {"role": "viewer", "team": "Stores North"}}
    with pytest.raises(access.Refused, match="Audit trail needs the admin role"):
        services.audit_trail(db, actor=EDITOR)


def test_a_refused_write_a_dry_run_and_a_write_that_changes_nothing_leave_no_entry(db):
    services.import_survey(db, SURVEY.read_bytes(), SURVEY.name, "Wave 1", dry_run=True, actor=EDITOR)
    with pytest.raises(ValueError, match="There is no setting called 'colour'"):
        services.save_settings(db, {"colour": "red"}, actor=ADMIN)
    found = services.import_teams(db, b"team,parent team\nA,B\nB,A\n", "org.csv", actor=ADMIN)
    assert found.problems

    assert services.audit_trail(db, actor=ADMIN).empty


def test_the_audit_trail_cannot_be_edited_or_emptied(db):
    services.save_settings(db, {"min_group_size": 4}, actor=ADMIN)
    for statement in ("UPDATE audit SET actor = 'nobody'", "DELETE FROM audit"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute(statement)
    assert services.audit_trail(db, actor=ADMIN).loc[0, "actor"] == "ada@example.com"


def test_roles_are_checked_and_the_last_admin_stays(db):
    services.import_survey(db, SURVEY.read_bytes(), SURVEY.name, "Wave 1")
    services.save_user(db, "ada@example.com", "admin", actor=ADMIN)
    for email, role, team, message in (
        ("ada", "viewer", None, "'ada' is not an e-mail address"),
        ("x@example.com", "owner", None, "'owner' is not a role; the roles are viewer, editor, admin"),
        ("x@example.com", "viewer", "Atlantis", "There is no team called 'Atlantis'"),
    ):
        with pytest.raises(access.Refused, match=message):
            services.save_user(db, email, role, team, actor=ADMIN)
    with pytest.raises(access.Refused, match="ada@example.com is the last admin"):
        services.save_user(db, "ada@example.com", "editor", actor=ADMIN)
    with pytest.raises(access.Refused, match="ada@example.com is the last admin"):
        services.remove_user(db, "ada@example.com", actor=ADMIN)
    with pytest.raises(access.Refused, match="nobody@example.com has no role here"):
        services.remove_user(db, "nobody@example.com", actor=ADMIN)
    assert list(services.users(db, actor=ADMIN)["email"]) == ["ada@example.com"]


def test_who_a_signed_in_person_is(db):
    services.import_survey(db, SURVEY.read_bytes(), SURVEY.name, "Wave 1")
    services.save_user(db, "vera@example.com", "viewer", "Stores North")
    north = store.org.team_ids(db)["Stores North"]

    assert services.signed_in_actor(db, "Vera@Example.com", []) == Actor("vera@example.com", "viewer", north)
    assert services.signed_in_actor(db, "stranger@example.com", []) is None
    assert services.signed_in_actor(db, "boss@example.com", access.admins_from("boss@example.com, x@y.org")) == Actor(
        "boss@example.com", "admin"
    )


def test_a_scope_whose_team_is_gone_gives_no_access_rather_than_everything():
    users = pd.DataFrame({"email": ["vera@example.com"], "role": ["viewer"], "team_id": [42]})
    assert access.signed_in("vera@example.com", users, [], team_ids=[1, 2]) is None
    assert access.signed_in("vera@example.com", users, [], team_ids=[42]) == Actor("vera@example.com", "viewer", 42)


def test_users_and_audit_from_the_command_line(db_path, capsys):
    store.open_db(db_path).close()
    assert cli.main(["users", "add", "Ada@Example.com", "--role", "admin", "--db", str(db_path)]) == 0
    assert capsys.readouterr().out == "ada@example.com is now admin for the whole organisation.\n"
    assert cli.main(["users", "add", "nope", "--role", "viewer", "--db", str(db_path)]) == 2
    assert capsys.readouterr().err == "error: 'nope' is not an e-mail address.\n"
    assert cli.main(["users", "list", "--json", "--db", str(db_path)]) == 0
    assert json.loads(capsys.readouterr().out) == [{"email": "ada@example.com", "role": "admin", "team": None}]

    assert cli.main(["audit", "--json", "--db", str(db_path)]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert (entry["action"], entry["target"], entry["role"]) == ("role given", "ada@example.com", "admin")
    assert entry["actor"].endswith("(command line)")
    assert cli.main(["audit", "--since", "2999-01-01", "--db", str(db_path)]) == 0
    assert capsys.readouterr().out == "The audit trail holds no entry since 2999-01-01.\n"
    assert cli.main(["audit", "--since", "soon", "--db", str(db_path)]) == 2
    assert "is not a date" in capsys.readouterr().err
