"""The schema, as numbered migrations applied at every start; applying them twice changes nothing."""

from __future__ import annotations

import json
from itertools import groupby

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from cxchange.model import DEFAULT_ITEMS

migrations = Migrations("cxchange")


@migrations()
def m001_initial(db: Database) -> None:
    """Every table of DESIGN.md's Data section, and the default question bank."""
    db.executescript(
        """
        CREATE TABLE teams (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            parent_id INTEGER REFERENCES teams(id) ON DELETE RESTRICT,
            headcount INTEGER CHECK (headcount IS NULL OR headcount >= 0)
        );
        CREATE INDEX teams_parent ON teams(parent_id);

        CREATE TABLE initiatives (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            description TEXT,
            owner TEXT,
            started_on TEXT
        );

        CREATE TABLE waves (
            id INTEGER PRIMARY KEY,
            initiative_id INTEGER NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            opened_on TEXT NOT NULL,
            UNIQUE (initiative_id, name)
        );

        CREATE TABLE items (
            code TEXT PRIMARY KEY,
            element TEXT NOT NULL CHECK (element IN
                ('awareness', 'desire', 'knowledge', 'ability', 'reinforcement', 'outcome')),
            text TEXT NOT NULL,
            position INTEGER NOT NULL,
            active INTEGER NOT NULL DEFAULT 1
        );

        CREATE TABLE import_batches (
            id INTEGER PRIMARY KEY,
            file_name TEXT NOT NULL,
            file_hash TEXT NOT NULL,
            wave_id INTEGER REFERENCES waves(id) ON DELETE CASCADE,
            kind TEXT NOT NULL DEFAULT 'responses',
            imported_by TEXT,
            imported_at TEXT NOT NULL,
            row_outcomes TEXT NOT NULL DEFAULT '[]'
        );

        -- One row per respondent: the element scores are derived from the answers at write time, so
        -- every aggregate is one GROUP BY; the answers themselves are one JSON object per respondent
        -- (item code -> 1..5), so an import writes one row per response, not one per answer.
        -- source_hash is unique within a wave: imports check it under the write lock (BEGIN
        -- IMMEDIATE), which spares a random-order unique index on every insert.
        CREATE TABLE responses (
            id INTEGER PRIMARY KEY,
            wave_id INTEGER NOT NULL REFERENCES waves(id) ON DELETE CASCADE,
            team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE RESTRICT,
            batch_id INTEGER REFERENCES import_batches(id) ON DELETE CASCADE,
            source_hash TEXT NOT NULL,
            is_champion INTEGER NOT NULL DEFAULT 0,
            submitted_on TEXT,
            comment TEXT,
            answers TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(answers)),
            complete INTEGER NOT NULL,
            awareness REAL,
            desire REAL,
            knowledge REAL,
            ability REAL,
            reinforcement REAL,
            outcome REAL,
            readiness REAL
        );
        -- no index on (wave_id, team_id): every aggregate scans the table anyway, and inserts stay cheap

        -- The answers one per row, for item-level views (Likert distributions).
        CREATE VIEW answers AS
            SELECT responses.id AS response_id, answer.key AS item_code, answer.value AS value
            FROM responses, json_each(responses.answers) AS answer;

        CREATE TABLE team_results (
            id INTEGER PRIMARY KEY,
            team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE RESTRICT,
            wave_id INTEGER NOT NULL REFERENCES waves(id) ON DELETE CASCADE,
            element TEXT NOT NULL CHECK (element IN
                ('awareness', 'desire', 'knowledge', 'ability', 'reinforcement', 'outcome')),
            mean REAL NOT NULL CHECK (mean BETWEEN 1 AND 5),
            n INTEGER NOT NULL CHECK (n > 0),
            sd REAL CHECK (sd IS NULL OR sd >= 0),
            batch_id INTEGER REFERENCES import_batches(id) ON DELETE CASCADE,
            UNIQUE (team_id, wave_id, element)
        );

        CREATE TABLE champions (
            id INTEGER PRIMARY KEY,
            alias TEXT NOT NULL,
            team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE RESTRICT,
            started_on TEXT NOT NULL,
            ended_on TEXT
        );

        CREATE TABLE champion_activities (
            id INTEGER PRIMARY KEY,
            champion_id INTEGER NOT NULL REFERENCES champions(id) ON DELETE CASCADE,
            happened_on TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN
                ('huddle', 'workshop', 'feedback session', 'recognition', 'escalation')),
            people_reached INTEGER NOT NULL DEFAULT 0 CHECK (people_reached >= 0),
            note TEXT
        );

        CREATE TABLE kotter_steps (
            initiative_id INTEGER NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
            step INTEGER NOT NULL CHECK (step BETWEEN 1 AND 8),
            status TEXT NOT NULL DEFAULT 'not started' CHECK (status IN
                ('not started', 'in progress', 'done', 'at risk')),
            owner TEXT,
            evidence TEXT,
            started_on TEXT,
            due_on TEXT,
            health INTEGER CHECK (health IS NULL OR health BETWEEN 1 AND 5),
            updated_on TEXT,
            PRIMARY KEY (initiative_id, step)
        );

        -- Every change to a step, so the board's timeline can show how each step moved.
        CREATE TABLE kotter_step_history (
            id INTEGER PRIMARY KEY,
            initiative_id INTEGER NOT NULL,
            step INTEGER NOT NULL,
            changed_on TEXT NOT NULL,
            status TEXT NOT NULL,
            owner TEXT,
            evidence TEXT,
            health INTEGER,
            FOREIGN KEY (initiative_id, step) REFERENCES kotter_steps(initiative_id, step)
                ON DELETE CASCADE
        );

        CREATE TABLE sponsor_activities (
            id INTEGER PRIMARY KEY,
            initiative_id INTEGER NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
            sponsor TEXT NOT NULL,
            team_id INTEGER REFERENCES teams(id) ON DELETE SET NULL,
            happened_on TEXT NOT NULL,
            kind TEXT NOT NULL,
            note TEXT
        );

        CREATE TABLE cx_outcomes (
            team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
            period TEXT NOT NULL,
            metric TEXT NOT NULL CHECK (metric IN ('nps', 'csat', 'complaint_rate')),
            value REAL NOT NULL,
            PRIMARY KEY (team_id, period, metric)
        );

        CREATE TABLE actions (
            id INTEGER PRIMARY KEY,
            initiative_id INTEGER REFERENCES initiatives(id) ON DELETE CASCADE,
            team_id INTEGER REFERENCES teams(id) ON DELETE SET NULL,
            title TEXT NOT NULL,
            owner TEXT,
            element TEXT CHECK (element IS NULL OR element IN
                ('awareness', 'desire', 'knowledge', 'ability', 'reinforcement')),
            kotter_step INTEGER CHECK (kotter_step IS NULL OR kotter_step BETWEEN 1 AND 8),
            due_on TEXT,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in progress', 'done', 'dropped')),
            source TEXT,
            created_on TEXT NOT NULL,
            closed_on TEXT,
            votes INTEGER NOT NULL DEFAULT 0
        );

        CREATE TABLE settings (
            name TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """
    )
    db["items"].insert_all(
        (
            {"code": item.code, "element": item.element, "text": item.text, "position": position}
            for position, item in enumerate(DEFAULT_ITEMS, start=1)
        ),
        pk="code",
    )


@migrations()
def m002_health_ticks_and_champion_batches(db: Database) -> None:
    """Facilitators' ticks for the programme-health checks the data cannot tell, kept with their
    history (the health trend needs what was ticked when); champions imported from a file belong
    to its import batch, so undo removes them whole."""
    db.executescript(
        """
        CREATE TABLE health_ticks (
            id INTEGER PRIMARY KEY,
            initiative_id INTEGER NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
            check_name TEXT NOT NULL,
            ticked INTEGER NOT NULL CHECK (ticked IN (0, 1)),
            note TEXT,
            ticked_on TEXT NOT NULL
        );
        CREATE INDEX health_ticks_initiative ON health_ticks(initiative_id, check_name, ticked_on);
        ALTER TABLE champions ADD COLUMN batch_id INTEGER REFERENCES import_batches(id) ON DELETE CASCADE;
        """
    )


@migrations()
def m003_repair_responses_of_older_m001(db: Database) -> None:
    """m001 was edited in place after it shipped (5c726f6, 1314525, 29a1ad2), so a file written before
    an edit records m001 as applied yet keeps an older `responses`: its answers one per row in an
    `answers` table (the first release), a UNIQUE (wave_id, source_hash) constraint, an index on
    (wave_id, team_id). Bring such a file to m001's final shape, keeping every response with its
    element scores, and its answers as the JSON object imports write (item code -> 1..5, in
    question-bank order). The first release also recorded a batch's row outcomes as a list of every
    row; they become the object the import history reads (counts, rows not simply imported,
    problems), each row's reason kept as it was recorded. A file already in that shape is left as
    it is, so running twice changes nothing; the whole repair is one transaction."""
    with db.atomic():
        old_columns = [row[1] for row in db.execute("PRAGMA table_info(responses)")]
        has_unique = any(row[3] == "u" for row in db.execute("PRAGMA index_list(responses)"))
        found = db.execute("SELECT type FROM sqlite_master WHERE name = 'answers'").fetchone()
        answers_kind = found[0] if found else None
        if "answers" not in old_columns or has_unique:
            if answers_kind == "view":
                db.execute("DROP VIEW answers")
                answers_kind = None
            # Moved aside first, so the new table is made under its own name from m001's own text (the
            # schema then reads as a new file's, to the character); an answers table follows it aside.
            db.execute("ALTER TABLE responses RENAME TO responses_before_m003")
            db.execute(
                """
        CREATE TABLE responses (
            id INTEGER PRIMARY KEY,
            wave_id INTEGER NOT NULL REFERENCES waves(id) ON DELETE CASCADE,
            team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE RESTRICT,
            batch_id INTEGER REFERENCES import_batches(id) ON DELETE CASCADE,
            source_hash TEXT NOT NULL,
            is_champion INTEGER NOT NULL DEFAULT 0,
            submitted_on TEXT,
            comment TEXT,
            answers TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(answers)),
            complete INTEGER NOT NULL,
            awareness REAL,
            desire REAL,
            knowledge REAL,
            ability REAL,
            reinforcement REAL,
            outcome REAL,
            readiness REAL
        )
                """
            )
            kept = ", ".join(row[1] for row in db.execute("PRAGMA table_info(responses)") if row[1] in old_columns)
            db.execute(f"INSERT INTO responses ({kept}) SELECT {kept} FROM responses_before_m003")
            if answers_kind == "table":
                rows = db.execute(
                    """
                    SELECT answers.response_id, answers.item_code, answers.value
                    FROM answers LEFT JOIN items ON items.code = answers.item_code
                    ORDER BY answers.response_id, items.position, answers.item_code
                    """
                )  # read as the updates go: a file with many answers is never held in memory whole
                db.conn.executemany(
                    "UPDATE responses SET answers = ? WHERE id = ?",
                    (
                        (json.dumps({code: int(value) for _, code, value in group}, separators=(",", ":")), response_id)
                        for response_id, group in groupby(rows, key=lambda row: row[0])
                    ),
                )
                db.execute("DROP TABLE answers")
                answers_kind = None
            db.execute("DROP TABLE responses_before_m003")
        db.execute("DROP INDEX IF EXISTS responses_wave_team")
        listed = db.execute("SELECT id, row_outcomes FROM import_batches WHERE row_outcomes LIKE '[%'").fetchall()
        for batch_id, recorded in listed:
            entries = json.loads(recorded)
            rows = [entry for entry in entries if entry.get("outcome") not in ("imported", "problem")]
            imported = sum(entry.get("outcome") == "imported" for entry in entries)
            counts = {}
            for entry in rows:
                counts[entry["outcome"]] = counts.get(entry["outcome"], 0) + 1
            outcomes = {
                "counts": counts | ({"imported": imported} if imported else {}),
                "rows": rows,
                "problems": [
                    {key: value for key, value in entry.items() if key != "outcome"}
                    for entry in entries
                    if entry.get("outcome") == "problem"
                ],
                "note": "every data row not listed under rows was imported as a complete response",
            }
            db.execute(
                "UPDATE import_batches SET row_outcomes = ? WHERE id = ?",
                [json.dumps(outcomes, ensure_ascii=False), batch_id],
            )
        if answers_kind != "view":
            db.execute(
                """
        CREATE VIEW answers AS
            SELECT responses.id AS response_id, answer.key AS item_code, answer.value AS value
            FROM responses, json_each(responses.answers) AS answer
                """
            )


@migrations()
def m004_organisation_waves_and_bank(db: Database) -> None:
    """The organisation set up by its users: a team's code and archiving, and the import batch that
    created it (undo removes a team only its batch used); an initiative's sponsor and archiving; a
    wave's closing date (its opening date orders every view); items a company's own wording added
    to the bank (with their batch) and the other wordings that mean a bank item (aliases, so the
    next wave's file matches by text); a merge of two teams, kept with what it moved so it can be
    undone whole. Applying it twice changes nothing."""
    with db.atomic():
        columns = {
            table: {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
            for table in ("teams", "initiatives", "waves", "items")
        }
        added = {
            "teams": [
                ("code", "TEXT"),
                ("archived_on", "TEXT"),
                ("batch_id", "INTEGER REFERENCES import_batches(id) ON DELETE SET NULL"),
            ],
            "initiatives": [("sponsor", "TEXT"), ("archived_on", "TEXT")],
            "waves": [("closes_on", "TEXT")],
            "items": [
                ("retired_on", "TEXT"),
                ("batch_id", "INTEGER REFERENCES import_batches(id) ON DELETE SET NULL"),
            ],
        }
        for table, wanted in added.items():
            for name, declaration in wanted:
                if name not in columns[table]:
                    db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {declaration}")
        db.executescript(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS teams_code ON teams(code) WHERE code IS NOT NULL;
            CREATE TABLE IF NOT EXISTS item_aliases (
                text TEXT PRIMARY KEY,
                item_code TEXT NOT NULL REFERENCES items(code) ON DELETE CASCADE,
                batch_id INTEGER REFERENCES import_batches(id) ON DELETE CASCADE
            );
            CREATE TABLE IF NOT EXISTS team_merges (
                id INTEGER PRIMARY KEY,
                from_team_id INTEGER NOT NULL,
                from_name TEXT NOT NULL,
                into_team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
                merged_at TEXT NOT NULL,
                merged_by TEXT,
                moved TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(moved)),
                undone_at TEXT
            );
            """
        )


@migrations()
def m005_people_and_audit(db: Database) -> None:
    """People who may sign in, with a role and the team whose subtree they see (NULL: everything), and
    the audit trail: one row per write, who, when, what, never changed or removed (triggers refuse).
    A scope team is kept by id without a foreign key, so removing a team never widens anyone's scope:
    a scope whose team is gone gives no access (access.signed_in)."""
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS users (
            email TEXT PRIMARY KEY,
            role TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
            team_id INTEGER,
            added_at TEXT NOT NULL,
            added_by TEXT
        );
        CREATE TABLE IF NOT EXISTS audit (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            role TEXT NOT NULL,
            action TEXT NOT NULL,
            target TEXT NOT NULL DEFAULT '',
            detail TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(detail))
        );
        CREATE INDEX IF NOT EXISTS audit_at ON audit(at);
        CREATE TRIGGER IF NOT EXISTS audit_is_append_only_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
        CREATE TRIGGER IF NOT EXISTS audit_is_append_only_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
        """
    )


@migrations()
def m006_workshop_sessions(db: Database) -> None:
    """Workshop sessions, each with its own id: the initiative and wave it presents, when it started, who
    started it and the teams it steps through (a JSON list of names); and the session an action was
    captured in (NULL: logged elsewhere, or before sessions existed). "Actions captured" lists a
    session's own actions, so two sessions on one day stay apart and a reload the next day still shows
    them. Applying it twice changes nothing."""
    with db.atomic():
        db.execute(
            """
            CREATE TABLE IF NOT EXISTS workshop_sessions (
                id INTEGER PRIMARY KEY,
                initiative_id INTEGER NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
                wave_id INTEGER REFERENCES waves(id) ON DELETE SET NULL,
                started_at TEXT NOT NULL,
                started_by TEXT,
                teams TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(teams))
            )
            """
        )
        columns = {row[1] for row in db.execute("PRAGMA table_info(actions)")}
        if "session_id" not in columns:
            db.execute(
                "ALTER TABLE actions ADD COLUMN session_id INTEGER REFERENCES workshop_sessions(id) ON DELETE SET NULL"
            )
        db.execute("CREATE INDEX IF NOT EXISTS actions_session ON actions(session_id) WHERE session_id IS NOT NULL")


@migrations()
def m007_pulses(db: Database) -> None:
    """Live pulses: a short ADKAR check a wave's teams answer on their phones. A pulse has a random token
    (in its link; it names the pulse, never a person), the form (short: one item per element; full: the
    bank's ADKAR items), whether the outcome item is asked, an optional comment question, when it opens and
    closes, and its own import batch: its answers are responses of the wave in that batch, so undoing the
    batch removes the pulse and every answer whole. A device that answered is kept only as a hash of its
    random per-pulse cookie, beside the response it gave, so a second answer replaces the first. No
    address, browser or e-mail is stored. Applying it twice changes nothing."""
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS pulses (
            id INTEGER PRIMARY KEY,
            token TEXT NOT NULL UNIQUE,
            wave_id INTEGER NOT NULL REFERENCES waves(id) ON DELETE CASCADE,
            batch_id INTEGER NOT NULL REFERENCES import_batches(id) ON DELETE CASCADE,
            form TEXT NOT NULL CHECK (form IN ('short', 'full')),
            outcome INTEGER NOT NULL DEFAULT 0,
            comment_question TEXT,
            opens_at TEXT NOT NULL,
            closes_at TEXT NOT NULL,
            closed_at TEXT,
            opened_by TEXT
        );
        CREATE TABLE IF NOT EXISTS pulse_teams (
            pulse_id INTEGER NOT NULL REFERENCES pulses(id) ON DELETE CASCADE,
            team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
            PRIMARY KEY (pulse_id, team_id)
        );
        CREATE TABLE IF NOT EXISTS pulse_devices (
            pulse_id INTEGER NOT NULL REFERENCES pulses(id) ON DELETE CASCADE,
            device_hash TEXT NOT NULL,
            response_id INTEGER NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
            PRIMARY KEY (pulse_id, device_hash)
        );
        """
    )


@migrations()
def m008_pulse_published(db: Database) -> None:
    """What the room sees of a live pulse, per pulse and team: a published snapshot (n and the five element
    means of the pulse's answers of the team, and when) that moves only after at least the minimum group
    size of devices have sent (or replaced) an answer for the team since it last moved, so no change on
    the screen is one person's answer. `pending` lists the hashes of the devices that sent since (the same
    hashes pulse_devices keeps); the snapshot goes with its pulse. Applying it twice changes nothing."""
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS pulse_published (
            pulse_id INTEGER NOT NULL REFERENCES pulses(id) ON DELETE CASCADE,
            team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
            pending TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(pending)),
            submissions INTEGER NOT NULL DEFAULT 0,
            published_at TEXT,
            n INTEGER,
            awareness REAL,
            desire REAL,
            knowledge REAL,
            ability REAL,
            reinforcement REAL,
            PRIMARY KEY (pulse_id, team_id)
        );
        """
    )


def apply(db: Database) -> None:
    """Bring `db` to the current schema.

    The write lock is taken before pending migrations are looked up again, so processes opening a
    new file at the same moment apply them once, one after the other, instead of failing.
    """
    if not migrations.pending(db):
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        migrations.apply(db)
    except BaseException:
        db.conn.rollback()
        raise
    db.execute("COMMIT")
