"""The command line: python -m cxchange demo | import | enter | readiness | report | teams import | waves add |
users add/list/remove | audit | backup | restore (the app and the CLI share functions; whoever runs it acts as
admin: they hold the file)."""

from __future__ import annotations

import argparse
import getpass
import importlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from cxchange import access, pulses, sample_data, services, store
from cxchange.importing import ImportMapping
from cxchange.reports.document import REPORT_FORMATS, Report, pack_teams

PULSE_URL_ENV = "CXCHANGE_PULSE_URL"
DEFAULT_PULSE_URL = "http://127.0.0.1:8501"

ACTOR = access.local(getpass.getuser(), "command line")
"""Who the audit trail names for a command: the person running it, who can open the file anyway."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the process exit code."""
    parser = argparse.ArgumentParser(prog="python -m cxchange", description="Change-readiness tracker.")
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="write the demo organisation, Northwind Retail")
    demo.add_argument("--db", required=True, type=Path, help="SQLite file to write")
    demo.add_argument("--seed", type=int, default=sample_data.DEFAULT_SEED, help="random seed (same seed, same data)")
    demo.add_argument(
        "--replace", action="store_true", help="replace a workspace that holds data of its own (a backup is kept)"
    )

    survey = commands.add_parser("import", help="import a survey export (Qualtrics, SurveyMonkey, Forms, Excel)")
    survey.add_argument("file", type=Path, help="the CSV or XLSX file the survey tool exported")
    survey.add_argument("--db", required=True, type=Path, help="SQLite file to write")
    survey.add_argument("--wave", required=True, help="wave the responses belong to (created if new)")
    survey.add_argument("--initiative", help="initiative (default: the first with survey waves; created if new)")
    survey.add_argument("--team-column", help="header of the column that names each respondent's team")
    survey.add_argument("--mapping", type=Path, help="saved mapping JSON: columns, labels, teams")
    survey.add_argument("--dry-run", action="store_true", help="say what would happen, write nothing")
    survey.add_argument(
        "--opens", type=date.fromisoformat, metavar="YYYY-MM-DD",
        help="a new wave's opening date (default: the earliest response in the file, else today)",
    )  # fmt: skip
    survey.add_argument(
        "--keep-test-responses", action="store_true",
        help="keep survey previews, tests and unfinished responses (left out by default)",
    )  # fmt: skip
    survey.add_argument(
        "--allow-other-wave", action="store_true",
        help="import responses that are already in another wave of the initiative",
    )  # fmt: skip

    enter = commands.add_parser("enter", help="enter team-level results from a file (team, n, five means, sds)")
    enter.add_argument("file", type=Path, help="CSV or XLSX: team, n, awareness … reinforcement, optional sds")
    enter.add_argument("--db", required=True, type=Path, help="SQLite file to write")
    enter.add_argument("--wave", required=True, help="wave the results belong to (it must exist)")
    enter.add_argument("--initiative", help="initiative (default: the first with survey waves)")
    enter.add_argument("--dry-run", action="store_true", help="check and say what would happen, write nothing")

    readiness = commands.add_parser("readiness", help="print readiness per team for a wave")
    readiness.add_argument("--db", required=True, type=Path, help="SQLite file to read")
    readiness.add_argument("--wave", help="wave name (default: the latest)")
    readiness.add_argument("--initiative", help="initiative name (default: the first with survey waves)")
    readiness.add_argument("--json", action="store_true", required=True, help="print JSON (the only format)")

    report = commands.add_parser("report", help="write the readiness report of a wave as HTML, PDF or PPTX")
    report.add_argument("--db", required=True, type=Path, help="SQLite file to read")
    report.add_argument("--initiative", required=True, help="initiative name")
    report.add_argument("--wave", required=True, help="wave name")
    report.add_argument("--format", required=True, choices=list(REPORT_FORMATS), help="file format")
    report.add_argument("--out", required=True, type=Path, help="file to write")
    report.add_argument("--team", help="team name: the report covers it and the teams below it (default: all teams)")
    report.add_argument(
        "--each-team",
        action="store_true",
        help="a per-team pack: --out is a folder, written with one report per team directly below --team "
        "(default: per top-level team), each scoped to its team",
    )

    teams = commands.add_parser("teams", help="the organisation's teams").add_subparsers(dest="action", required=True)
    org_file = teams.add_parser(
        "import", help="build or update the team tree from an org file (team, parent, headcount)"
    )
    org_file.add_argument("file", type=Path, help="CSV or XLSX: team, parent team, headcount, optional team code")
    org_file.add_argument("--db", required=True, type=Path, help="SQLite file to write")
    org_file.add_argument("--dry-run", action="store_true", help="say what would happen, write nothing")

    waves = commands.add_parser("waves", help="survey waves").add_subparsers(dest="action", required=True)
    wave = waves.add_parser("add", help="add a wave to an initiative before any file arrives")
    wave.add_argument("name", help="the wave's name, e.g. 2027 Q1")
    wave.add_argument("--db", required=True, type=Path, help="SQLite file to write")
    wave.add_argument("--initiative", required=True, help="initiative name (created if new)")
    wave.add_argument("--opens", required=True, help="opening date, YYYY-MM-DD (orders every view)")
    wave.add_argument("--closes", help="closing date, YYYY-MM-DD, not before the opening")

    users = commands.add_parser("users", help="who may sign in, with which role").add_subparsers(
        dest="action", required=True
    )
    add_user = users.add_parser("add", help="give a person a role (replaces the one they had)")
    add_user.add_argument("email")
    add_user.add_argument("--role", required=True, choices=access.ROLES)
    add_user.add_argument("--team", help="the team they look after, with every team below it (default: all)")
    add_user.add_argument("--db", required=True, type=Path, help="SQLite file to write")
    list_users = users.add_parser("list", help="everyone with a role")
    list_users.add_argument("--db", required=True, type=Path, help="SQLite file to read")
    list_users.add_argument("--json", action="store_true", help="print JSON instead of lines")
    remove_user = users.add_parser("remove", help="take a person's role away")
    remove_user.add_argument("email")
    remove_user.add_argument("--db", required=True, type=Path, help="SQLite file to write")

    audit = commands.add_parser("audit", help="print the audit trail, newest first")
    audit.add_argument("--db", required=True, type=Path, help="SQLite file to read")
    audit.add_argument("--since", help="only entries from this date (YYYY-MM-DD) or time on")
    audit.add_argument("--json", action="store_true", help="print JSON instead of lines")

    backup = commands.add_parser(
        "backup",
        help="write a checked copy of the whole workspace to a file (encrypted where a backup key is set: "
        "$CXCHANGE_BACKUP_KEY or [backups] key in .streamlit/secrets.toml)",
    )
    backup.add_argument("--db", required=True, type=Path, help="SQLite file to copy")
    backup.add_argument("--out", required=True, type=Path, help="the backup file to write")
    restore = commands.add_parser("restore", help="replace the workspace with a backup (keeping one of it first)")
    restore.add_argument("file", type=Path, help="a backup written by `backup` or the app")
    restore.add_argument("--db", required=True, type=Path, help="SQLite file to replace")

    pulse = commands.add_parser("pulse", help="live pulses: a short ADKAR check answered on phones").add_subparsers(
        dest="action", required=True
    )
    pulse_open = pulse.add_parser("open", help="open a pulse on a wave for a team; prints the link people answer at")
    pulse_open.add_argument("--db", required=True, type=Path, help="SQLite file to write")
    pulse_open.add_argument("--wave", required=True, help="the wave the answers belong to (it must exist)")
    pulse_open.add_argument("--team", required=True, action="append", help="a team to ask (repeat for more)")
    pulse_open.add_argument("--initiative", help="the wave's initiative, where two have a wave of that name")
    pulse_open.add_argument("--form", choices=sorted(pulses.FORMS), default="short", help="short (5) or full (15)")
    pulse_open.add_argument("--minutes", type=int, help="how long it stays open (default: the workspace's setting)")
    pulse_open.add_argument("--outcome", action="store_true", help="also ask the outcome statement (OC1)")
    pulse_open.add_argument("--comment", help="an optional free-text question")
    pulse_open.add_argument("--base-url", help=f"the address phones reach the server at (default ${PULSE_URL_ENV})")
    pulse_close = pulse.add_parser("close", help="close the open pulses of a wave (of one team), now")
    pulse_close.add_argument("--db", required=True, type=Path, help="SQLite file to write")
    pulse_close.add_argument("--wave", required=True, help="the wave whose open pulses close")
    pulse_close.add_argument("--team", help="only the pulses that ask this team")
    pulse_close.add_argument("--initiative", help="the wave's initiative, where two have a wave of that name")
    pulse_serve = pulse.add_parser(
        "serve", help="serve only the pulse form to phones on this network (the app itself stays on this computer)"
    )
    pulse_serve.add_argument("--db", required=True, type=Path, help="SQLite file the answers go to")
    pulse_serve.add_argument("--host", default="0.0.0.0", help="address to listen on (default: every interface)")
    pulse_serve.add_argument("--port", type=int, default=8614, help="port to listen on (default 8614)")

    args = parser.parse_args(argv)
    try:
        if args.command == "demo":
            return _demo(args)
        if args.command == "import":
            return _import(args)
        if args.command == "enter":
            return _enter(args)
        if args.command == "report":
            return _report(args)
        if args.command == "teams":
            return _teams_import(args)
        if args.command == "waves":
            return _waves_add(args)
        if args.command == "users":
            return _users(args)
        if args.command == "audit":
            return _audit(args)
        if args.command == "backup":
            return _backup(args)
        if args.command == "restore":
            return _restore(args)
        if args.command == "pulse":
            return _pulse(args)
        return _readiness(args)
    except (LookupError, ValueError) as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2


def _demo(args: argparse.Namespace) -> int:
    db = store.open_db(args.db)
    own_data = store.settings.workspace_kind(db) != "demo" or not store.responses.batches(db).empty
    if store.has_data(db) and own_data:
        if not args.replace:
            print(
                f"error: {args.db} holds data of its own; add --replace to replace it with the demo "
                "(a backup is kept).",
                file=sys.stderr,
            )
            return 2
        kept = services.backup_workspace(db, "before-demo", actor=ACTOR)
        print(f"Kept a backup of the workspace in {kept}.")
    services.write_demo(db, seed=args.seed, actor=ACTOR)
    print(
        f"Wrote the demo organisation {sample_data.DEMO_NAME} to {args.db}: "
        f"{store.count(db, 'teams')} teams, {store.count(db, 'waves')} waves, "
        f"{store.count(db, 'responses')} responses."
    )
    return 0


def _import(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        raise LookupError(f"There is no file at {args.file}.")
    if args.mapping and not args.mapping.is_file():
        raise LookupError(f"There is no mapping file at {args.mapping}.")
    mapping = ImportMapping.from_json(args.mapping.read_text(encoding="utf-8")) if args.mapping else ImportMapping()
    if args.team_column:
        mapping.team_column = args.team_column
    if args.keep_test_responses:
        mapping.keep_test_responses = True
    db = store.open_db(args.db)
    result = services.import_survey(
        db,
        args.file.read_bytes(),
        args.file.name,
        args.wave,
        args.initiative,
        mapping,
        dry_run=args.dry_run,
        opens=args.opens,
        allow_other_wave=args.allow_other_wave,
        actor=ACTOR,
    )
    print("\n".join(result.report_lines()))
    if result.blockers:  # a dry run says what it would refuse; the import itself refused before printing
        print(f"error: {result.blockers[0]}", file=sys.stderr)
        return 2
    return 0


def _enter(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        raise LookupError(f"There is no file at {args.file}.")
    if not args.db.exists():
        raise LookupError(f"There is no database at {args.db}.")
    db = store.open_db(args.db)
    result = services.enter_team_results(
        db, args.file.read_bytes(), args.file.name, args.wave, args.initiative, dry_run=args.dry_run, actor=ACTOR
    )
    print("\n".join(result.report_lines()))
    return 0


def _readiness(args: argparse.Namespace) -> int:
    if not args.db.exists():
        raise LookupError(f"There is no database at {args.db}.")
    db = store.open_db(args.db)
    initiative_id = None
    if args.initiative:
        match = store.org.initiatives(db).query("name == @args.initiative")
        if match.empty:
            raise LookupError(f"There is no initiative called {args.initiative!r}.")
        initiative_id = int(match["id"].iloc[0])
    print(json.dumps(services.readiness_report(db, args.wave, initiative_id), indent=2))
    for held in services.pulses_held(db, initiative_id):  # stdout stays the contract's document
        print(held["text"], file=sys.stderr)
    return 0


def _report(args: argparse.Namespace) -> int:
    if not args.db.exists():
        raise LookupError(f"There is no database at {args.db}.")
    folder = args.out if args.each_team else args.out.parent
    if not folder.is_dir():
        raise LookupError(
            f"There is no folder {folder} to write {'the pack' if args.each_team else args.out.name} into."
        )
    db = store.open_db(args.db)
    initiative_id, wave_id, team_id = services.report_ids(db, args.initiative, args.wave, args.team)
    render = _renderer(args.format)
    if not args.each_team:
        document = services.report_document(db, initiative_id, wave_id, team_id)
        content = render(document)  # made whole before the file is touched
        args.out.write_bytes(content)
        print(f"Wrote {document.title} ({args.format.upper()}, {len(document.sections)} sections) to {args.out}.")
        return 0
    files = {}
    for team in pack_teams(store.org.teams(db, archived=False), team_id):
        document = services.report_document(db, initiative_id, wave_id, team)
        files[args.out / f"{document.file_stem}.{args.format}"] = (document, render(document))
    for path, (document, content) in files.items():  # every file made before any is written
        path.write_bytes(content)
        print(f"Wrote {document.title} ({args.format.upper()}) to {path}.")
    return 0


def _renderer(kind: str) -> Callable[[Report], bytes]:
    """The `render` of the one format module asked for (cxchange.reports.html, .pdf or .pptx)."""
    return _loaded(f"cxchange.reports.{kind}").render


def _loaded(module: str) -> Any:
    """A module that one command needs, loaded when that command runs: a report's format module (a deck
    loads neither the PDF library, Altair nor the chart renderer, a PDF not python-pptx), the pulse form's
    web server for `pulse serve` (no other command loads Starlette or uvicorn).

    This is choosing a plugin by the user's argument, not dodging an import cycle (there is none): each
    module imports its own libraries at its top. tests/test_report_imports.py holds what a command loads.
    """
    return importlib.import_module(module)


def _teams_import(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        raise LookupError(f"There is no file at {args.file}.")
    db = store.open_db(args.db)
    result = services.import_teams(db, args.file.read_bytes(), args.file.name, dry_run=args.dry_run, actor=ACTOR)
    if result.problems:
        these = "this problem" if len(result.problems) == 1 else f"these {len(result.problems)} problems"
        print(f"error: Nothing was imported from {args.file.name} because of {these}:", file=sys.stderr)
        print("\n".join(f"- {problem}" for problem in result.problems), file=sys.stderr)
        return 2
    print("\n".join(result.report_lines()))
    return 0


def _waves_add(args: argparse.Namespace) -> int:
    db = store.open_db(args.db)
    wave_id, created = services.add_wave(db, args.initiative, args.name, args.opens, args.closes, actor=ACTOR)
    waves = store.org.waves(db)
    added = waves[waves["id"] == wave_id].iloc[0]
    closing = f", closing {added['closes_on']}" if added["closes_on"] else ""
    print(
        ("Created initiative " + added["initiative"] + ". " if created else "")
        + f"Added wave {added['name']} to {added['initiative']}, opening {added['opened_on']}{closing}."
    )
    return 0


def _users(args: argparse.Namespace) -> int:
    if args.action != "add" and not args.db.exists():
        raise LookupError(f"There is no database at {args.db}.")
    db = store.open_db(args.db)
    if args.action == "add":
        given = services.save_user(db, args.email, args.role, args.team, actor=ACTOR)
        scope = given["team"] and f"{given['team']} and the teams below it" or "the whole organisation"
        print(f"{given['email']} is now {given['role']} for {scope}.")
    elif args.action == "remove":
        services.remove_user(db, args.email, actor=ACTOR)
        print(f"{access.check_email(args.email)} has no role any more.")
    else:
        people = services.users(db, actor=ACTOR)
        rows = [
            {"email": row.email, "role": row.role, "team": None if pd.isna(row.team) else str(row.team)}
            for row in people.itertuples()
        ]
        if args.json:
            print(json.dumps(rows, indent=2, ensure_ascii=False))
        elif not rows:
            print("Nobody has a role yet: add the first admin with `users add EMAIL --role admin`.")
        else:
            for row in rows:
                print(f"{row['email']}\t{row['role']}\t{row['team'] or 'whole organisation'}")
    return 0


def _audit(args: argparse.Namespace) -> int:
    if not args.db.exists():
        raise LookupError(f"There is no database at {args.db}.")
    since = args.since
    if since:
        try:
            date.fromisoformat(since[:10])
        except ValueError:
            raise ValueError(f"--since {since!r} is not a date (YYYY-MM-DD).") from None
    trail = services.audit_trail(store.open_db(args.db), since, actor=ACTOR)
    entries = [
        {**{key: row[key] for key in ("at", "actor", "role", "action", "target")}, "detail": json.loads(row["detail"])}
        for row in trail.to_dict("records")
    ]
    if args.json:
        print(json.dumps(entries, indent=2, ensure_ascii=False))
    elif not entries:
        print("The audit trail holds no entry" + (f" since {since}." if since else " yet."))
    else:
        for entry in entries:
            target = f" {entry['target']}" if entry["target"] else ""
            print(f"{entry['at']}  {entry['actor']} ({entry['role']})  {entry['action']}{target}")
    return 0


def _backup(args: argparse.Namespace) -> int:
    if not args.db.exists():
        raise LookupError(f"There is no database at {args.db}.")
    if args.out.resolve() == args.db.resolve():
        raise ValueError("--out is the workspace itself; give the backup a file of its own.")
    kept = services.export_backup(store.open_db(args.db), args.out, actor=ACTOR)
    kind = "an encrypted backup" if store.is_sealed(kept) else "a backup"
    print(f"Kept {kind} of {args.db} in {kept} ({kept.stat().st_size / 1e6:,.1f} MB).")
    return 0


def _restore(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        raise LookupError(f"There is no file at {args.file}.")
    db = store.open_db(args.db)
    problem = store.backup_problem(args.file, store.backup_key())
    if problem:  # checked before anything is copied or replaced
        raise ValueError(problem)
    kept = services.backup_workspace(db, "before-restore", actor=ACTOR)
    services.restore_backup(db, args.file, actor=ACTOR)
    print(f"Restored {args.file.name} into {args.db}; what it replaced is kept in {kept}.")
    return 0


def _pulse(args: argparse.Namespace) -> int:
    if args.action == "serve":
        print(
            f"Serving the pulse form of {args.db} on http://{args.host}:{args.port}/pulse/… — the form only; "
            "stop with Ctrl+C."
        )
        site, uvicorn = _loaded("cxchange.pulse_web"), _loaded("uvicorn")
        uvicorn.run(
            site.standalone(lambda: args.db), host=args.host, port=args.port, access_log=False,
            server_header=False, log_level="warning",
        )  # fmt: skip
        return 0
    db = store.open_db(args.db)
    if args.action == "open":
        wave_id, teams = services.pulse_ids(db, args.initiative, args.wave, args.team)
        opened = services.open_pulse(
            db, wave_id, teams, form=args.form, outcome=args.outcome, comment_question=args.comment,
            minutes=args.minutes, actor=ACTOR,
        )  # fmt: skip
        base = (args.base_url or os.environ.get(PULSE_URL_ENV) or DEFAULT_PULSE_URL).rstrip("/")
        print(f"Opened a {args.form} pulse on {args.wave} for {', '.join(teams)}, until {opened['closes_at']}.")
        print(pulses.link(base, opened["token"]))
        return 0
    wave_id, _ = services.pulse_ids(db, args.initiative, args.wave, [])
    found = services.pulse_list(db, wave_id, actor=ACTOR)
    found = found[found["state"] != "closed"]
    if args.team:
        found = found[[args.team in json.loads(names) for names in found["team_names"]]]
    if found.empty:
        print(f"No pulse of {args.wave}{' for ' + args.team if args.team else ''} is open.")
        return 0
    for row in found.itertuples():
        answers = services.close_pulse(db, int(row.id), actor=ACTOR)
        print(f"Closed the pulse for {', '.join(json.loads(row.team_names))}: {answers} answered.")
    return 0
