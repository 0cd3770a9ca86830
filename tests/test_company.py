"""Harbour Mutual, a made-up insurer, set up from nothing the way an HR partner would through the CLI:
its organisation from an org file, its waves with their dates, its surveys in its own wording from
four tools and a hand-kept sheet. Every team's n and means are held to expected.json, which
tests/fixtures/company/make_company.py computes from the answers it wrote, without cxchange.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cxchange import cli, services, store

HERE = Path(__file__).resolve().parent / "fixtures" / "company"
EXPECTED = json.loads((HERE / "expected.json").read_text(encoding="utf-8"))
ELEMENTS = ("awareness", "desire", "knowledge", "ability", "reinforcement")
LATEST = {
    "qualtrics": "qualtrics_2026q1.csv",
    "surveymonkey": "surveymonkey_2026q1.xlsx",
    "msforms": "msforms_2026q1.xlsx",
    "googleforms": "googleforms_2026q1.csv",
}


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main([str(arg) for arg in args])
    out, err = capsys.readouterr()
    return code, out, err


def readiness(capsys, db: Path, wave: str | None = None) -> dict:
    code, out, err = run(capsys, "readiness", "--db", db, "--json", *(["--wave", wave] if wave else []))
    assert code == 0, err
    return json.loads(out)


def set_up(capsys, db: Path) -> None:
    """The organisation from its org file, then both waves with their dates, before any survey arrives."""
    code, out, err = run(capsys, "teams", "import", HERE / "org.csv", "--db", db)
    assert code == 0, err
    for wave, opens in EXPECTED["waves"].items():
        code, out, err = run(
            capsys, "waves", "add", wave, "--db", db, "--initiative", "Service programme", "--opens", opens
        )
        assert code == 0, err


def survey(capsys, db: Path, file_name: str, mapping: str, wave: str) -> str:
    code, out, err = run(
        capsys,
        "import",
        HERE / file_name,
        "--db",
        db,
        "--wave",
        wave,
        "--initiative",
        "Service programme",
        "--mapping",
        HERE / f"mapping_{mapping}.json",
    )
    assert code == 0, err
    return out


def assert_figures(document: dict, wave: str) -> None:
    """Every shown team's n, means and response rate as computed by hand; hidden teams give nothing away."""
    expected = EXPECTED[wave]
    shown = 0
    for team in document["teams"]:
        name = team["team"]
        subtree = expected["subtree"][name]
        assert team["parent"] == EXPECTED["parent"][name]
        if team["suppressed"]:
            assert team["n"] is None
            assert team["response_rate"] is None
            assert team["awareness"] is None
            continue
        shown += 1
        assert team["n"] == subtree["complete"], name
        for element in ELEMENTS:
            assert team[element] == pytest.approx(subtree[element], abs=0.005), (name, element)
        headcount = sum(
            size for other, size in EXPECTED["headcount"].items() if _within(other, name) and other in expected["own"]
        )
        # published to 2 decimals: 0.525 may print as 0.53
        assert team["response_rate"] == pytest.approx(subtree["complete"] / headcount, abs=0.0051), name
    assert shown >= 8


def _within(team: str, ancestor: str) -> bool:
    while team is not None:
        if team == ancestor:
            return True
        team = EXPECTED["parent"][team]
    return False


def test_an_insurer_sets_itself_up_and_reads_both_waves_in_date_order(tmp_path, capsys):
    db = tmp_path / "harbour.db"
    set_up(capsys, db)
    teams = store.org.teams(store.open_db(db))
    assert len(teams) == 18
    assert dict(zip(teams["name"], teams["headcount"], strict=True)) == EXPECTED["headcount"]

    report = survey(capsys, db, "qualtrics_2026q1.csv", "qualtrics", "2026 Q1")
    assert "preview" in report.lower()
    assert_figures(readiness(capsys, db), "2026 Q1")

    # The earlier wave arrives afterwards: the latest wave is still the latest by date.
    report = survey(capsys, db, "excel_2025q3.csv", "excel", "2025 Q3")
    latest = readiness(capsys, db)
    assert latest["wave"] == "2026 Q1"
    earlier = readiness(capsys, db, "2025 Q3")
    assert_figures(earlier, "2025 Q3")
    by_team = {team["team"]: team for team in earlier["teams"]}
    assert by_team["Learning"]["n"] == EXPECTED["straight_agree"]  # six identical rows are six people
    assert by_team["Comptabilité"]["n"] == EXPECTED["2025 Q3"]["own"]["Comptabilité"]["complete"]  # both spellings
    assert "Comptabilite" not in by_team
    assert "COMPTABILITÉ" not in by_team


@pytest.mark.parametrize("tool", ["surveymonkey", "msforms", "googleforms"])
def test_the_same_survey_from_every_tool_gives_the_same_figures(tool, tmp_path, capsys):
    db = tmp_path / f"{tool}.db"
    set_up(capsys, db)
    survey(capsys, db, LATEST[tool], tool, "2026 Q1")
    assert_figures(readiness(capsys, db), "2026 Q1")


def test_importing_the_same_file_again_or_a_copy_renamed_adds_nobody(tmp_path, capsys):
    db = tmp_path / "again.db"
    set_up(capsys, db)
    survey(capsys, db, "excel_2025q3.csv", "excel", "2025 Q3")
    before = store.count(store.open_db(db), "responses")
    copy = tmp_path / "copy of excel_2025q3.csv"
    shutil.copy(HERE / "excel_2025q3.csv", copy)
    for path in (HERE / "excel_2025q3.csv", copy):
        code, out, err = run(
            capsys, "import", path, "--db", db, "--wave", "2025 Q3", "--initiative", "Service programme",
            "--mapping", HERE / "mapping_excel.json",
        )  # fmt: skip
        assert code == 0, err
        assert "nothing changed" in out
    assert store.count(store.open_db(db), "responses") == before


def test_a_file_naming_an_archived_team_is_refused_in_one_sentence_and_writes_nothing(tmp_path, capsys):
    db = tmp_path / "archived.db"
    set_up(capsys, db)
    database = store.open_db(db)
    teams = store.org.teams(database)
    learning = int(teams.loc[teams["name"] == "Learning", "id"].iloc[0])
    services.save_teams(database, [{"id": learning, "name": "Learning", "archived": True}])
    code, out, err = run(
        capsys, "import", HERE / "excel_2025q3.csv", "--db", db, "--wave", "2025 Q3",
        "--initiative", "Service programme", "--mapping", HERE / "mapping_excel.json",
    )  # fmt: skip
    assert code == 2
    assert "Learning is an archived team: bring it back under Settings → Organisation" in err
    assert "Traceback" not in err
    assert store.count(store.open_db(db), "responses") == 0
    assert store.count(store.open_db(db), "teams") == 18


def test_the_team_column_chosen_for_one_file_is_recognised_in_the_next(tmp_path, capsys):
    db = tmp_path / "learnt.db"
    set_up(capsys, db)
    survey(capsys, db, "qualtrics_2026q1.csv", "qualtrics", "2026 Q1")  # its mapping names "Équipe / Service"
    code, out, err = run(
        capsys,
        "import",
        HERE / "googleforms_2026q1.csv",
        "--db",
        db,
        "--wave",
        "2025 Q3",
        "--initiative",
        "Service programme",
        "--dry-run",
        "--allow-other-wave",
    )  # fmt: skip: no mapping and no --team-column
    assert "team from 'Équipe / Service'" in out, err
