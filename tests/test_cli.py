"""The command line as automation uses it: the JSON contract of DESIGN.md.

The commands run in-process through cli.main (the `cli` fixture); the last tests start real processes to show
that `python -m cxchange` prints and exits as cli.main says.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import mark_own

from cxchange import store

ROOT = Path(__file__).resolve().parent.parent
TEAM_KEYS = {
    "team", "parent", "n", "suppressed", "awareness", "desire", "knowledge", "ability", "reinforcement",
    "readiness_index", "barrier_point", "headcount", "response_rate",
}  # fmt: skip
FIGURES = {"n", "awareness", "desire", "knowledge", "ability", "reinforcement", "readiness_index", "barrier_point"}


def process(*args: str) -> subprocess.CompletedProcess:
    """`python -m cxchange ARGS` as a real process."""
    return subprocess.run(
        [sys.executable, "-m", "cxchange", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def demo_cli_db(tmp_path_factory, cli) -> Path:
    path = tmp_path_factory.mktemp("cli") / "demo.db"
    result = cli("demo", "--db", str(path))
    assert result.returncode == 0, result.stderr
    assert "Northwind Retail" in result.stdout
    return path


def test_readiness_json_follows_the_contract(cli, demo_cli_db):
    result = cli("readiness", "--db", str(demo_cli_db), "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert set(document) == {"wave", "min_group_size", "teams"}
    assert document["wave"] == "2026 Q4"
    assert document["min_group_size"] == 5
    names = [team["team"] for team in document["teams"]]
    assert "Stores North" in names
    assert "Stores" not in names  # a roll-up with no responses of its own has no entry
    for team in document["teams"]:
        assert set(team) == TEAM_KEYS
        if team["suppressed"]:
            # n, the figures and the rate (with the headcount it gives the n back) stay hidden
            assert all(team[key] is None for key in FIGURES | {"response_rate"})
        else:
            assert isinstance(team["n"], int)
            assert team["response_rate"] == round(team["n"] / team["headcount"], 2)
            assert team["n"] >= 5
            assert 1 <= team["awareness"] <= 5
            mean = sum(team[e] for e in ("awareness", "desire", "knowledge", "ability", "reinforcement")) / 5
            # the index is the mean of respondents' indexes, which equals the index of the mean of means;
            # means are published to 2 decimals (±0.005 each), which moves the index by up to 0.125
            assert team["readiness_index"] == pytest.approx((mean - 1) / 4 * 100, abs=0.13)
            assert all(round(team[key], 2) == team[key] for key in ("awareness", "readiness_index"))
            assert team["barrier_point"] in (None, "awareness", "desire", "knowledge", "ability", "reinforcement")
    insight = next(team for team in document["teams"] if team["team"] == "Customer Insight")
    assert insight["suppressed"] is True
    assert insight["n"] is None
    assert insight["parent"] == "Customer Operations"
    assert insight["headcount"] == 7


def test_readiness_json_lists_teams_by_tree_with_parent_headcount_and_rate(cli, demo_cli_db):
    teams = json.loads(cli("readiness", "--db", str(demo_cli_db), "--json").stdout)["teams"]
    # by tree: top-level teams by name, each followed by its own teams by name
    assert [(team["parent"], team["team"]) for team in teams[:4]] == [
        ("Customer Operations", "Complaints Resolution"),
        ("Customer Operations", "Contact Centre"),
        ("Customer Operations", "Customer Insight"),
        ("Digital", "Digital Marketing"),
    ]
    hr = next(team for team in teams if team["team"] == "HR & People")
    assert hr["parent"] is None
    contact = next(team for team in teams if team["team"] == "Contact Centre")
    assert (contact["n"], contact["headcount"]) == (173, 240)
    assert contact["response_rate"] == 0.72  # 173 / 240, to 2 decimals like every published figure


def test_the_latest_wave_is_the_latest_by_date_not_by_import(cli, tmp_path, demo_cli_db):
    path = store.backup(store.open_db(demo_cli_db), tmp_path / "later.db")
    database = store.open_db(path)
    # A wave added last (highest id) but opened before the others is not the latest.
    database.execute("INSERT INTO waves (initiative_id, name, opened_on) VALUES (1, '2024 Q1', '2024-01-15')")
    database.close()
    document = json.loads(cli("readiness", "--db", str(path), "--json").stdout)
    assert document["wave"] == "2026 Q4"


def test_readiness_for_a_named_wave(cli, demo_cli_db):
    document = json.loads(cli("readiness", "--db", str(demo_cli_db), "--wave", "2025 Q3", "--json").stdout)
    assert document["wave"] == "2025 Q3"
    stores_north = next(team for team in document["teams"] if team["team"] == "Stores North")
    assert stores_north["barrier_point"] == "knowledge"


def test_unknown_wave_is_refused_with_the_waves_there_are(cli, demo_cli_db):
    result = cli("readiness", "--db", str(demo_cli_db), "--wave", "Spring", "--json")
    assert result.returncode != 0
    assert "no wave called 'Spring'" in result.stderr
    assert "2026 Q4" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_database_is_refused(cli, tmp_path):
    result = cli("readiness", "--db", str(tmp_path / "nowhere.db"), "--json")
    assert result.returncode != 0
    assert "no database" in result.stderr
    assert not (tmp_path / "nowhere.db").exists()


def test_demo_does_not_overwrite_a_workspace_of_ones_own(cli, db_path):
    database = store.open_db(db_path)
    store.insert_rows(database, "teams", [{"id": 1, "name": "Our team", "parent_id": None, "headcount": 12}])
    refused = cli("demo", "--db", str(db_path))
    assert refused.returncode != 0
    assert "--replace" in refused.stderr
    assert store.org.teams(database)["name"].tolist() == ["Our team"]
    replaced = cli("demo", "--db", str(db_path), "--replace")
    assert replaced.returncode == 0, replaced.stderr
    assert "backup" in replaced.stdout
    assert len(store.backups(db_path)) == 1
    assert "Our team" not in store.org.teams(database)["name"].tolist()
    kept = store.open_db(store.backups(db_path)[0])
    assert store.org.teams(kept)["name"].tolist() == ["Our team"]


def test_demo_seed_changes_the_answers_but_not_the_organisation(cli, tmp_path, demo_cli_db):
    other = tmp_path / "other.db"
    assert cli("demo", "--db", str(other), "--seed", "3").returncode == 0
    a = json.loads(cli("readiness", "--db", str(demo_cli_db), "--json").stdout)
    b = json.loads(cli("readiness", "--db", str(other), "--json").stdout)
    assert [t["team"] for t in a["teams"]] == [t["team"] for t in b["teams"]]
    assert [t["n"] for t in a["teams"]] != [t["n"] for t in b["teams"]]


# Real processes: `python -m cxchange` prints and exits as cli.main does -------------------------

IMPORTS = ROOT / "tests" / "fixtures" / "imports"


def test_a_process_prints_the_readiness_json_that_cli_main_prints(cli, demo_cli_db):
    arguments = ("readiness", "--db", str(demo_cli_db), "--json")
    result = process(*arguments)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == cli(*arguments).stdout
    assert json.loads(result.stdout)["wave"] == "2026 Q4"


def test_a_process_exits_with_the_refusal_of_cli_main(cli, demo_cli_db):
    arguments = ("readiness", "--db", str(demo_cli_db), "--wave", "Spring", "--json")
    result, expected = process(*arguments), cli(*arguments)
    assert result.returncode == expected.returncode == 2
    assert result.stderr == expected.stderr
    assert result.stderr.startswith("error: There is no wave called 'Spring'")
    assert result.stdout == ""


def test_a_process_imports_a_survey_export_as_cli_main_does(cli, tmp_path):
    def arguments(name: str) -> tuple[str, ...]:
        return ("import", str(IMPORTS / "googleforms.csv"), "--db", str(tmp_path / name), "--wave", "2027 Q1")

    result = process(*arguments("cxchange.db"))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "9 complete responses, 1 incomplete" in result.stdout  # no response ids: R10 (= R2) is a person
    (tmp_path / "in-process").mkdir()
    assert result.stdout == cli(*arguments("in-process/cxchange.db")).stdout


# enter: team-level results from a file -----------------------------------------------------------

RESULTS = "team,n,awareness,desire,knowledge,ability,reinforcement\nHR & People,12,4,3.5,3,2,3\n"


def test_enter_prints_what_it_entered_and_readiness_counts_it(cli, tmp_path, demo_cli_db):
    path = mark_own(store.backup(store.open_db(demo_cli_db), tmp_path / "enter.db"))
    results = tmp_path / "results.csv"
    results.write_text(RESULTS, encoding="utf-8")
    dry = cli("enter", str(results), "--db", str(path), "--wave", "2026 Q4", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines()[-1] == "Dry run: nothing was written."
    done = cli("enter", str(results), "--db", str(path), "--wave", "2026 Q4", "--initiative", "Customer First")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[:2] == [
        "Entered team-level results of 1 team from results.csv into 2026 Q4 (Customer First), batch 1.",
        "  HR & People: n = 12; Awareness 4.00, Desire 3.50, Knowledge 3.00, Ability 2.00, Reinforcement 3.00",
    ]
    teams = json.loads(cli("readiness", "--db", str(path), "--json").stdout)["teams"]
    hr = next(team for team in teams if team["team"] == "HR & People")
    assert hr["n"] == 18 + 12  # its survey responses and the 12 entered
    assert hr["response_rate"] == 1.0  # 30 of its 30 people


@pytest.mark.parametrize(
    ("content", "wave", "message"),
    [
        (RESULTS.replace(",4,3.5", ",34,3.5"), "2026 Q4", "Row 2, awareness: 34 is outside 1–5."),
        (RESULTS.replace("HR & People", "Narnia"), "2026 Q4", "Row 2, team: 'Narnia' is not a team of this workspace"),
        (RESULTS.replace(",12,", ",-3,"), "2026 Q4", "Row 2, n: -3 must be a whole number of respondents, at least 1."),
        (RESULTS.replace(",reinforcement", "").replace(",3\n", "\n"), "2026 Q4", "has no column for Reinforcement"),
        (RESULTS, "Spring", "no wave called 'Spring'; its waves are: 2025 Q3, 2025 Q4"),
    ],
)
def test_enter_refuses_a_bad_file_in_one_message_and_writes_nothing(cli, tmp_path, demo_cli_db, content, wave, message):
    results = tmp_path / "results.csv"
    results.write_text(content, encoding="utf-8")
    own = mark_own(store.backup(store.open_db(demo_cli_db), tmp_path / "own.db"))
    result = cli("enter", str(results), "--db", str(own), "--wave", wave)
    assert result.returncode == 2
    assert result.stderr.startswith("error: ")
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert store.count(store.open_db(demo_cli_db), "team_results") == 0
