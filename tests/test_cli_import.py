"""`python -m cxchange import` as automation runs it: the fixture exports, the readiness after.

The commands run in-process through cli.main (the `cli` fixture); test_cli.py shows a real process does the same.

Expected figures come from tests/fixtures/imports/expected.json, computed by hand (see its README).
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import mark_own
from test_importing import expected_teams

from cxchange import services, store

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "imports"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
FILES = sorted(EXPECTED["files"])
WAVE = "2027 Q1"
ELEMENTS = ("awareness", "desire", "knowledge", "ability", "reinforcement")
NUMERIC_TEAMS = {"1": "Stores North", "2": "Contact Centre", "3": "Click & Collect"}
TABLES = ("responses", "teams", "waves", "initiatives", "import_batches")
# What the report says of each row that is not simply imported (README: "Decisions the importer should follow").
REASONS = {
    "skipped_blank": "skipped: blank row",
    "incomplete": "kept out of the scores",
    "skipped_duplicate": "skipped: the same response as an earlier row",
    "unfinished": "left out: an unfinished response",
}


def expected_outcomes(name: str) -> dict[int, str]:
    """expected.json's rows under issue 11's rules: Qualtrics' R7 (Finished False) is left out as unfinished;
    without a response id identical rows are different people, so R10 (= R2) is imported."""
    expected = EXPECTED["files"][name]
    outcomes = {}
    for row in expected["row_outcomes"]:
        outcome = row["outcome"]
        if outcome == "incomplete" and expected["format"].startswith("qualtrics"):
            outcome = "unfinished"
        if outcome == "skipped_duplicate" and expected["source_id_column"] is None:
            outcome = "imported_complete"
        outcomes[row["row"]] = outcome
    return outcomes


ROW_LINE = re.compile(r"^\s*Row (\d+): (.*)$")
GOOGLE_TEAM_HEADER = "Which team do you work in?"


Cli = Callable[..., subprocess.CompletedProcess]


def import_file(cli: Cli, path: Path, db_path: Path, *options: str) -> subprocess.CompletedProcess:
    return cli("import", str(path), "--db", str(db_path), "--wave", WAVE, *options)


def readiness(cli: Cli, db_path: Path, *options: str) -> dict[str, dict]:
    """The readiness document of WAVE, teams by name."""
    result = cli("readiness", "--db", str(db_path), "--wave", WAVE, "--json", *options)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["wave"] == WAVE
    return {team["team"]: team for team in document["teams"]}


def stored(db_path: Path) -> dict[str, int]:
    """Rows per table that an import writes to."""
    database = store.open_db(db_path)
    try:
        return {table: store.count(database, table) for table in TABLES}
    finally:
        database.close()


def write_json(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def options_for(name: str, tmp_path: Path) -> list[str]:
    """qualtrics_numeric.csv carries team codes, which only a mapping turns into names."""
    if name != "qualtrics_numeric.csv":
        return []
    return ["--mapping", str(write_json(tmp_path / "teams.json", {"teams": NUMERIC_TEAMS}))]


def team_names(name: str) -> dict[str, str]:
    """expected.json's team keys of a file, to the name the database gives each."""
    codes = EXPECTED["files"][name]["teams"]
    return {code: NUMERIC_TEAMS.get(code, code) if name == "qualtrics_numeric.csv" else code for code in codes}


def googleforms(tmp_path: Path, file_name: str, change) -> Path:
    """googleforms.csv rewritten row by row (the blank line stays blank), saved under tmp_path."""
    text = (FIXTURES / "googleforms.csv").read_text(encoding="utf-8")
    rows = [change(number, row) for number, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1)]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path = tmp_path / file_name
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def with_unknown_label(tmp_path: Path) -> Path:
    """googleforms.csv with R1's first "4 - Agree" (row 2, AW2) typed as "Kinda agree"."""
    text = (FIXTURES / "googleforms.csv").read_text(encoding="utf-8")
    assert ",4 - Agree," in text
    path = tmp_path / "googleforms-kinda.csv"
    path.write_text(text.replace(",4 - Agree,", ",Kinda agree,", 1), encoding="utf-8")
    return path


def without_team_column(tmp_path: Path) -> Path:
    with (FIXTURES / "googleforms.csv").open(encoding="utf-8", newline="") as file:
        column = next(csv.reader(file)).index(GOOGLE_TEAM_HEADER)
    return googleforms(tmp_path, "no-team.csv", lambda _, row: row[:column] + row[column + 1 :])


def with_team_header(tmp_path: Path, header: str) -> Path:
    return googleforms(
        tmp_path, "renamed-team.csv", lambda n, row: [header if n == 1 and c == GOOGLE_TEAM_HEADER else c for c in row]
    )


@pytest.mark.parametrize("name", FILES)
def test_import_reports_every_row_and_readiness_reflects_the_file(cli, tmp_path, name):
    expected = EXPECTED["files"][name]
    db_path = tmp_path / "cxchange.db"
    result = import_file(cli, FIXTURES / name, db_path, *options_for(name, tmp_path))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stdout.splitlines()

    # One "Row N: reason" line per row that is not simply imported, and none for the others.
    reported = {int(m.group(1)): m.group(2) for m in map(ROW_LINE.match, lines) if m}
    not_imported = {row: outcome for row, outcome in expected_outcomes(name).items() if outcome != "imported_complete"}
    assert set(reported) == set(not_imported), result.stdout
    for row, outcome in not_imported.items():
        assert REASONS[outcome] in reported[row], (row, reported[row])
    duplicate = next((r for r in expected["row_outcomes"] if r["outcome"] == "skipped_duplicate"), None)
    if duplicate["row"] in not_imported:
        assert f"(row {duplicate['duplicate_of_row']})" in reported[duplicate["row"]]
    assert [line.strip() for line in lines].count("Every other row: imported as a complete response.") == 1
    assert "Created team Click & Collect." in [line.strip() for line in lines]
    # Off-scale and non-answers are reported with their row, not silently dropped.
    for problem in expected["out_of_scale"] + expected["not_applicable"]:
        assert any(
            line.strip().startswith(f"Row {problem['row']}, column") and repr(problem["value"]) in line
            for line in lines
        ), problem
    outcomes = list(expected_outcomes(name).values())
    complete, incomplete = outcomes.count("imported_complete"), outcomes.count("incomplete")
    assert f"{complete} complete responses, {incomplete} incomplete" in result.stdout
    assert stored(db_path)["responses"] == complete + incomplete

    # Default minimum group of 5: the small teams are "fewer than 5"; Stores North (n=5) is hidden too,
    # since the organisation's n=8 minus its 5 would give away the other 3 (complementary suppression).
    names = team_names(name)
    teams = readiness(cli, db_path)
    assert set(teams) == set(names.values())
    for code in expected_teams(name):
        team = teams[names[code]]
        assert team["suppressed"] is True, code
        # n too: with the organisation's 8 it would give the others away (DESIGN: null where suppressed)
        assert all(team[key] is None for key in ("n", *ELEMENTS, "readiness_index", "barrier_point")), code

    # At 3 the remainder (3) may be shown, so Stores North's figures come out: they must be the hand-computed ones.
    database = store.open_db(db_path)
    services.save_settings(database, {"min_group_size": 3})
    database.close()
    teams = readiness(cli, db_path)
    for code, figures in expected_teams(name).items():
        team = teams[names[code]]
        assert team["suppressed"] is figures["suppressed_at_min_group_5"], code
        if team["suppressed"]:
            assert team["awareness"] is None
            continue
        assert team["n"] == figures["n"] == 5
        for element in (*ELEMENTS, "readiness_index"):
            assert team[element] == pytest.approx(figures[element], abs=0.005), (code, element)
        assert team["barrier_point"] == figures["barrier_point"]


def test_dry_run_says_so_and_writes_nothing(cli, db_path):
    result = import_file(cli, FIXTURES / "qualtrics_choice_text.csv", db_path, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].strip() == "Dry run: nothing was written."
    assert "Would import qualtrics_choice_text.csv" in result.stdout
    assert "Every other row: would be imported as a complete response." in result.stdout
    assert stored(db_path) == dict.fromkeys(TABLES, 0)


def test_reimporting_the_same_file_changes_nothing(cli, db_path):
    first = import_file(cli, FIXTURES / "surveymonkey.xlsx", db_path)
    assert first.returncode == 0, first.stderr
    before = stored(db_path)
    assert before["responses"] == 9
    again = import_file(cli, FIXTURES / "surveymonkey.xlsx", db_path)
    assert again.returncode == 0, again.stderr
    assert "already imported" in again.stdout
    assert "nothing changed" in again.stdout
    assert stored(db_path) == before


def pdf(tmp_path: Path) -> list[str]:
    path = tmp_path / "results.csv"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n%%EOF\n")
    return [str(path)]


def empty(tmp_path: Path) -> list[str]:
    path = tmp_path / "responses.csv"
    path.write_bytes(b"")
    return [str(path)]


def mapping_file(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "mapping.json"
    path.write_text(text, encoding="utf-8")
    return [str(FIXTURES / "googleforms.csv"), "--mapping", str(path)]


BAD_INPUTS = {
    "missing file": (lambda tmp: [str(tmp / "nowhere.csv")], "There is no file"),
    "empty file": (empty, "is empty"),
    "pdf renamed csv": (pdf, "is a PDF report"),
    "no team column": (lambda tmp: [str(without_team_column(tmp))], "No team column"),
    "unknown --team-column": (
        lambda tmp: [str(FIXTURES / "googleforms.csv"), "--team-column", "Shop floor"],
        "No team column called 'Shop floor'",
    ),
    "mapping not json": (lambda tmp: mapping_file(tmp, "teams: Stores North\n"), "not valid JSON"),
    "mapping unknown key": (
        lambda tmp: mapping_file(tmp, '{"label": {"Kinda agree": 4}}'),
        "unknown keys: label",
    ),
    "unknown answer label": (lambda tmp: [str(with_unknown_label(tmp))], '"Kinda agree"'),
    "mapping file missing": (
        lambda tmp: [str(FIXTURES / "googleforms.csv"), "--mapping", str(tmp / "nowhere.json")],
        "no mapping file at",
    ),
    "mapping label not a number": (
        lambda tmp: mapping_file(tmp, '{"labels": {"Kinda agree": "four"}}'),
        "The mapping file's label 'Kinda agree' must map to a value from 1 to 5 or null, not 'four'.",
    ),
    "mapping label off the scale": (
        lambda tmp: mapping_file(tmp, '{"labels": {"Kinda agree": 9}}'),
        "must map to a value from 1 to 5 or null, not 9",
    ),
    "mapping teams not an object": (
        lambda tmp: mapping_file(tmp, '{"teams": ["a"]}'),
        "The mapping file's teams must be an object of names",
    ),
}


@pytest.mark.parametrize(("arguments", "words"), BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_input_is_refused_in_one_line_and_writes_nothing(cli, tmp_path, db_path, arguments, words):
    result = cli("import", *arguments(tmp_path), "--db", str(db_path), "--wave", WAVE)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert words in lines[0]
    assert result.stdout == ""
    assert stored(db_path) == dict.fromkeys(TABLES, 0)


def test_an_unknown_label_imports_once_mapped(cli, tmp_path, db_path):
    path = with_unknown_label(tmp_path)
    refused = import_file(cli, path, db_path)
    assert refused.returncode != 0
    assert "Kinda agree" in refused.stderr
    mapping = write_json(tmp_path / "labels.json", {"labels": {"Kinda agree": 4}})
    result = import_file(cli, path, db_path, "--mapping", str(mapping))
    assert result.returncode == 0, result.stderr
    assert "9 complete responses, 1 incomplete" in result.stdout  # R10 (= R2, no response id) is a person
    assert "Kinda agree" not in result.stdout  # mapped, so neither a problem nor missing
    assert stored(db_path)["responses"] == 10


def test_team_column_names_a_column_that_is_not_guessed(cli, tmp_path, db_path):
    path = with_team_header(tmp_path, "Where do you sit?")
    refused = import_file(cli, path, db_path)
    assert refused.returncode != 0
    assert refused.stderr.startswith("error: No team column")
    assert stored(db_path)["responses"] == 0
    result = import_file(cli, path, db_path, "--team-column", "Where do you sit?")
    assert result.returncode == 0, result.stderr
    assert "team from 'Where do you sit?'" in result.stdout
    assert "9 complete responses, 1 incomplete" in result.stdout
    assert stored(db_path)["responses"] == 10
    # Every team is hidden (fewer than 5, or Stores North's 5 would give the other 4 away): no n is printed.
    teams = readiness(cli, db_path)
    assert {team: (row["suppressed"], row["n"]) for team, row in teams.items()} == {
        "Stores North": (True, None),
        "Contact Centre": (True, None),
        "Click & Collect": (True, None),
    }


def test_initiative_option_imports_into_that_initiative(cli, tmp_path):
    db_path = tmp_path / "demo.db"
    demo = cli("demo", "--db", str(db_path))
    assert demo.returncode == 0, demo.stderr
    refused = import_file(cli, FIXTURES / "msforms.xlsx", db_path, "--initiative", "Digital self-service")
    assert refused.returncode == 2
    assert "msforms.xlsx cannot go into the demo workspace" in refused.stderr
    mark_own(db_path)  # the demo organisation standing in for a real one
    before = stored(db_path)
    result = import_file(cli, FIXTURES / "msforms.xlsx", db_path, "--initiative", "Digital self-service")
    assert result.returncode == 0, result.stderr
    assert f"into wave {WAVE} of Digital self-service:" in result.stdout
    assert "Created initiative" not in result.stdout
    assert f"Created wave {WAVE}, opening on 2025-03-03 (the earliest response in the file's 'Start time')." in (
        result.stdout
    )
    assert "Created team Click & Collect." in result.stdout
    assert "Created team Stores North." not in result.stdout  # the demo's own team
    after = stored(db_path)
    assert after["responses"] == before["responses"] + 9
    assert after["initiatives"] == before["initiatives"]

    teams = readiness(cli, db_path, "--initiative", "Digital self-service")
    assert {team: (row["suppressed"], row["n"]) for team, row in teams.items()} == {
        "Stores North": (True, None),
        "Contact Centre": (True, None),
        "Click & Collect": (True, None),
    }
    # The wave belongs to Digital self-service only: the default initiative (Customer First) has none of it.
    other = cli("readiness", "--db", str(db_path), "--wave", WAVE, "--json")
    assert other.returncode != 0
    assert f"no wave called '{WAVE}'" in other.stderr


def test_the_same_file_into_a_second_wave_is_refused_unless_allowed(cli, db_path):
    assert import_file(cli, FIXTURES / "msforms.xlsx", db_path).returncode == 0
    before = stored(db_path)
    refused = cli("import", str(FIXTURES / "msforms.xlsx"), "--db", str(db_path), "--wave", "2027 Q2")
    assert refused.returncode == 2
    (line,) = refused.stderr.splitlines()
    assert line.startswith("error: This file's responses are already in another wave of the initiative: ")
    assert "9 responses in wave 2027 Q1" in line
    assert line.endswith("(Import anyway; command line: --allow-other-wave).")
    assert stored(db_path) == before
    allowed = cli(
        "import", str(FIXTURES / "msforms.xlsx"), "--db", str(db_path), "--wave", "2027 Q2", "--allow-other-wave"
    )
    assert allowed.returncode == 0, allowed.stderr
    assert stored(db_path)["responses"] == 18


def test_test_responses_are_kept_only_when_asked_and_a_new_wave_opens_when_told(cli, db_path, tmp_path):
    rows = list(csv.reader(io.StringIO((FIXTURES / "qualtrics_choice_text.csv").read_text("utf-8-sig"), newline="")))
    rows[3][rows[0].index("Status")] = "Survey Test"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path = tmp_path / "with-test.csv"
    path.write_bytes(("\ufeff" + buffer.getvalue()).encode())
    dry = import_file(cli, path, db_path, "--dry-run")
    assert "Row 4: left out: a survey preview/test response" in dry.stdout
    assert "Row 11: left out: an unfinished response (Finished is False)" in dry.stdout
    kept = import_file(cli, path, db_path, "--keep-test-responses", "--opens", "2025-02-24")
    assert kept.returncode == 0, kept.stderr
    assert "8 complete responses, 1 incomplete" in kept.stdout
    assert f"Created wave {WAVE}, opening on 2025-02-24 (as given)." in kept.stdout
    database = store.open_db(db_path)
    assert store.org.waves(database)["opened_on"].tolist() == ["2025-02-24"]


def test_a_survey_missing_an_element_is_refused_naming_it(cli, db_path, tmp_path):
    knowledge = {
        "I know what I need to do differently for our customers.",
        "I have had the training I need for the new way of working.",
        "I know where to find help when I am unsure what to do.",
    }
    path = googleforms(
        tmp_path,
        "no-knowledge.csv",
        lambda n, row: row if n > 1 else [f"Q{i}" if any(k in c for k in knowledge) else c for i, c in enumerate(row)],
    )
    result = import_file(cli, path, db_path)
    assert result.returncode == 2
    assert result.stderr == (
        "error: No column measures Knowledge: map one of the file's columns to a Knowledge item or mark it as a new "
        "Knowledge item.\n"
    )
    assert stored(db_path) == dict.fromkeys(TABLES, 0)
    mapping = write_json(tmp_path / "map.json", {"columns": {"Q8": "KN1", "Q9": "KN2", "Q10": "knowledge"}})
    mapped = import_file(cli, path, db_path, "--mapping", str(mapping))
    assert mapped.returncode == 0, mapped.stderr
    assert "Created item KN4 (knowledge): 'Q10'." in mapped.stdout
    assert "Recorded 'Q8' as a wording of KN1." in mapped.stdout
