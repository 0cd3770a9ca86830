"""An editor scoped to a team writes for that team and the teams below it, and is refused anything else, whatever
calls the service (issue 13): the refusal names the team, and nothing is written."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest
from test_access import every_row

from cxchange import access, services, store
from cxchange.access import Actor

TODAY = date(2027, 1, 15)
REFUSED = "outside the teams you look after"


@pytest.fixture
def ids(demo_db) -> dict[str, int]:
    return store.org.team_ids(demo_db)


@pytest.fixture
def stores(ids) -> Actor:
    """An editor who looks after Stores and the teams below it (North, South, West)."""
    return Actor("sam@example.com", "editor", ids["Stores"])


def action_id(db, title_start: str) -> int:
    found = [row for row in db.execute("SELECT id, title FROM actions") if row[1].startswith(title_start)]
    return int(found[0][0])


def results(team_ids, mean: float = 3.5, n: int = 12) -> pd.DataFrame:
    """entry.check_grid's rows: a team's five element means."""
    elements = ("awareness", "desire", "knowledge", "ability", "reinforcement")
    return pd.DataFrame(
        [
            {"team_id": team, "element": element, "mean": mean, "n": n, "sd": None}
            for team in team_ids
            for element in elements
        ]
    )


def stored_results(db, wave: int) -> dict[int, float]:
    found = store.responses.team_results(db, wave)
    return dict(zip(found["team_id"].astype(int), found["mean"].astype(float), strict=False))


def survey_csv(db, teams: list[str]) -> bytes:
    """A plain survey export: a team column and the question bank's statements, five respondents a team."""
    items = store.bank.items(db)
    texts = [text for text, element in zip(items["text"], items["element"], strict=True) if element != "outcome"]
    header = ",".join(["Team", *(f'"{text}"' for text in texts)])
    lines = [header]
    for number, team in enumerate(teams):
        for person in range(5):
            lines.append(",".join([team, *(str((number + person + column) % 5 + 1) for column in range(len(texts)))]))
    return ("\n".join(lines) + "\n").encode()


def test_the_refusal_names_the_teams_outside_and_the_programme(demo_db, ids, stores):
    teams = store.org.teams(demo_db)
    assert access.outside_scope(stores, teams, [ids["Stores North"], ids["Stores"]], "Saving") is None
    assert access.outside_scope(Actor("ada", "admin"), teams, [ids["Contact Centre"], None], "Saving") is None
    sentence = access.outside_scope(stores, teams, [ids["Stores West"], ids["Contact Centre"], None], "Saving")
    assert sentence == (
        "Saving: Contact Centre and the programme as a whole (no team) are outside the teams you look after "
        "(Stores and the teams below it), so nothing was written. Ask your cxchange admin."
    )


def test_team_level_results_replace_only_the_editors_teams_of_the_wave(own_db, ids, stores):
    wave = int(store.org.waves(own_db)["id"].iloc[-1])
    north, west, centre = ids["Stores North"], ids["Stores West"], ids["Contact Centre"]
    services.save_team_results(own_db, wave, results([west, centre], mean=2.0))  # the admin's whole-wave grid

    services.save_team_results(own_db, wave, results([north], mean=4.0), actor=stores)
    # their grid held North only: West (theirs) is taken out, Contact Centre (not theirs) stays as it was
    assert stored_results(own_db, wave) == {north: 4.0, centre: 2.0}

    before = every_row(own_db)
    with pytest.raises(access.Refused, match=f"Saving team-level results: Contact Centre is {REFUSED}"):
        services.save_team_results(own_db, wave, results([north, centre], mean=5.0), actor=stores)
    assert every_row(own_db) == before


def test_a_results_file_of_another_team_is_refused_even_as_a_preview(own_workspace, stores):
    db = store.open_db(own_workspace)
    header = "team,n,awareness,desire,knowledge,ability,reinforcement\n"
    mine = (header + "Stores North,12,3.1,3.2,3.3,3.4,3.5\n").encode()
    theirs = (header + "Stores North,12,3.1,3.2,3.3,3.4,3.5\nContact Centre,9,4,4,4,4,4\n").encode()
    wave = "2026 Q4"
    try:
        done = services.enter_team_results(db, mine, "north.csv", wave, actor=stores)
        assert done.batch_id is not None
        before = every_row(db)
        for dry_run in (True, False):
            with pytest.raises(
                access.Refused, match=f"Nothing was entered from theirs.csv: Contact Centre is {REFUSED}"
            ):
                services.enter_team_results(db, theirs, "theirs.csv", wave, dry_run=dry_run, actor=stores)
        assert every_row(db) == before
        assert services.undo_batch(db, done.batch_id, actor=stores) == 1
    finally:
        db.close()


def test_cx_outcomes_of_the_editors_teams_only_and_a_replaced_period_keeps_the_others(own_db, ids, stores):
    north, centre = ids["Stores North"], ids["Contact Centre"]
    mine = [ids["Stores"], north, ids["Stores South"], ids["Stores West"]]

    def figures_of(period: str, inside: bool) -> list[tuple]:
        found = store.outcomes.cx_outcomes(own_db)
        found = found[(found["period"] == period) & (found["team_id"].isin(mine) == inside)]
        return sorted(zip(found["team_id"], found["metric"], found["value"], strict=True))

    period = str(store.outcomes.cx_outcomes(own_db)["period"].iloc[-1])
    others = figures_of(period, inside=False)
    assert others
    assert figures_of(period, inside=True)
    rows = pd.DataFrame([{"team_id": north, "period": period, "metric": "nps", "value": 41.0}])

    services.save_cx_outcomes(own_db, rows, replace_period=period, actor=stores)
    assert figures_of(period, inside=True) == [(north, "nps", 41.0)]  # their period's grid held this one only
    assert figures_of(period, inside=False) == others  # the other teams' figures of the period stay

    before = every_row(own_db)
    theirs = pd.concat([rows, rows.assign(team_id=centre)])
    with pytest.raises(access.Refused, match=f"Saving CX outcomes: Contact Centre is {REFUSED}"):
        services.save_cx_outcomes(own_db, theirs, actor=stores)
    with pytest.raises(access.Refused, match=f"Nothing was imported from nps.csv: Contact Centre is {REFUSED}"):
        services.import_outcomes(own_db, b"team,period,nps\nContact Centre,2027-01,30\n", "nps.csv", actor=stores)
    assert every_row(own_db) == before
    done = services.import_outcomes(own_db, b"team,period,nps\nStores South,2027-01,30\n", "nps.csv", actor=stores)
    assert done.written


def test_actions_of_the_editors_teams_only_and_never_a_programme_wide_one(demo_db, ids, stores):
    huddles = action_id(demo_db, "Weekly 'customer moment' huddles")  # Stores North
    wall = action_id(demo_db, "Recognition wall")  # Contact Centre
    note = action_id(demo_db, "Publish a monthly")  # no team: the programme's

    changed = services.update_actions(demo_db, [{"id": huddles, "owner": "Sam"}], today=TODAY, actor=stores)
    assert [(change["field"], change["after"]) for change in changed] == [("owner", "Sam")]
    services.update_actions(demo_db, [{"id": huddles, "team_id": ids["Stores West"]}], today=TODAY, actor=stores)
    services.set_votes(demo_db, {huddles: 3}, actor=stores)

    before = every_row(demo_db)
    for edit, team in (
        ({"id": wall, "owner": "Sam"}, "Contact Centre"),  # another team's action
        ({"id": huddles, "team_id": ids["Contact Centre"]}, "Contact Centre"),  # given away to another team
        ({"id": note, "status": "done"}, r"the programme as a whole \(no team\)"),
        ({"id": huddles, "team_id": None}, r"the programme as a whole \(no team\)"),  # made programme-wide
    ):
        with pytest.raises(access.Refused, match=f"Editing actions: {team} is {REFUSED}"):
            services.update_actions(demo_db, [edit], today=TODAY, actor=stores)
    with pytest.raises(access.Refused, match=f"Setting workshop votes: Contact Centre is {REFUSED}"):
        services.set_votes(demo_db, {huddles: 1, wall: 2}, actor=stores)
    initiative = int(store.org.initiatives(demo_db)["id"].iloc[0])
    with pytest.raises(access.Refused, match=f"Adding an action: Contact Centre is {REFUSED}"):
        services.add_action(demo_db, initiative, "Huddle", team_id=ids["Contact Centre"], today=TODAY, actor=stores)
    assert every_row(demo_db) == before


def test_champions_of_the_editors_teams_only(demo_db, ids, stores):
    roster = store.champions.champion_roster(demo_db)
    theirs = roster[roster["team_id"] == ids["Contact Centre"]].iloc[0]
    new = services.add_champion(demo_db, "Noor A.", "Stores West", "2026-09-01", actor=stores)
    services.update_champions(
        demo_db, [{"id": new, "alias": "Noor A.", "team": "Stores South", "started_on": "2026-09-01"}], actor=stores
    )
    services.add_champion_activity(demo_db, new, "huddle", "2026-10-02", 8, today=TODAY, actor=stores)
    services.retire_champion(demo_db, new, "2026-12-31", actor=stores)

    before = every_row(demo_db)
    with pytest.raises(access.Refused, match=f"Adding Rae: Contact Centre is {REFUSED}"):
        services.add_champion(demo_db, "Rae", "Contact Centre", "2026-09-01", actor=stores)
    with pytest.raises(access.Refused, match=f"Editing Noor A.: Contact Centre is {REFUSED}"):
        services.update_champions(
            demo_db, [{"id": new, "alias": "Noor A.", "team": "Contact Centre", "started_on": "2026-09-01"}],
            actor=stores,
        )  # fmt: skip
    # a champion of another team is named by number only: their name is not the editor's to see
    with pytest.raises(access.Refused, match=f"Editing champion {theirs['id']}: Contact Centre is {REFUSED}"):
        services.retire_champion(demo_db, int(theirs["id"]), "", actor=stores)
    with pytest.raises(access.Refused, match=f"Logging a session of champion {theirs['id']}: Contact Centre is"):
        services.add_champion_activity(demo_db, int(theirs["id"]), "huddle", "2026-10-02", 5, actor=stores)
    assert every_row(demo_db) == before


def test_a_roster_file_with_a_row_of_another_team_is_refused_naming_the_row(own_db, stores):
    mixed = b"name,team,start\nRae,Stores North,2026-09-01\nKim,Contact Centre,2026-09-01\nLou,Digital,2026-09-01\n"
    before = every_row(own_db)
    for dry_run in (True, False):
        with pytest.raises(
            access.Refused,
            match=r"Nothing was imported from roster.csv: row 3 \(Contact Centre\), row 4 \(Digital\) are " + REFUSED,
        ):
            services.import_roster(own_db, mixed, "roster.csv", dry_run=dry_run, actor=stores)
    assert every_row(own_db) == before

    done = services.import_roster(own_db, b"name,team,start\nRae,Stores North,2026-09-01\n", "mine.csv", actor=stores)
    assert done.batch_id is not None
    assert services.undo_champion_batch(own_db, done.batch_id, actor=stores) == {"champions": 1, "activities": 0}


def test_a_survey_file_of_other_or_new_teams_is_refused_and_the_preview_says_so(own_workspace, stores):
    db = store.open_db(own_workspace)
    try:
        services.add_wave(db, "Customer First", "2027 Q1", "2027-01-04")  # an admin opens the wave
        before = every_row(db)
        mixed = survey_csv(db, ["Stores North", "Contact Centre", "Pop-up Shop"])
        preview = services.import_survey(db, mixed, "pulse.csv", "2027 Q1", dry_run=True, actor=stores)
        assert preview.blockers[-1] == (
            f"Nothing was imported from pulse.csv: Contact Centre is {REFUSED} (Stores and the teams below it), so "
            "nothing was written. It also names teams that do not exist yet (Pop-up Shop); you add responses to "
            "Stores and the teams below it only, and only an admin adds teams. Ask your cxchange admin."
        )
        with pytest.raises(access.Refused, match=f"Contact Centre is {REFUSED}"):
            services.import_survey(db, mixed, "pulse.csv", "2027 Q1", actor=stores)
        assert every_row(db) == before

        mine = services.import_survey(
            db, survey_csv(db, ["Stores North", "Stores West"]), "m.csv", "2027 Q1", actor=stores
        )
        assert mine.batch_id is not None
        assert not mine.blockers
        assert services.undo_batch(db, mine.batch_id, actor=stores) == 10

        # a new wave would be everyone's latest: only someone for the whole organisation adds one
        before = every_row(db)
        with pytest.raises(access.Refused, match="Wave 2027 Q2 is new: a wave is the whole organisation's"):
            services.import_survey(db, survey_csv(db, ["Stores North"]), "n.csv", "2027 Q2", actor=stores)
        assert every_row(db) == before
    finally:
        db.close()


def test_an_import_is_undone_by_a_scoped_editor_only_where_all_its_rows_are_theirs(own_workspace, ids):
    db = store.open_db(own_workspace)
    try:
        sam = Actor("sam@example.com", "editor")  # whole organisation when they imported it
        batch = services.import_survey(db, survey_csv(db, ["Stores North", "Contact Centre"]), "b.csv", "X", actor=sam)
        later = Actor("sam@example.com", "editor", ids["Stores"])  # since then, Stores only
        before = every_row(db)
        with pytest.raises(access.Refused, match=f"Undoing batch {batch.batch_id}: Contact Centre is {REFUSED}"):
            services.undo_batch(db, batch.batch_id, actor=later)
        assert every_row(db) == before
    finally:
        db.close()


def test_programme_wide_writes_stay_with_whole_organisation_editors(demo_db, stores):
    initiative = int(store.org.initiatives(demo_db)["id"].iloc[0])
    whole = "reaches beyond one team, so it needs the editor role for the whole organisation"
    with pytest.raises(access.Refused, match=whole):
        services.save_kotter_steps(demo_db, initiative, [{"step": 1, "status": "done"}], TODAY, actor=stores)
    with pytest.raises(access.Refused, match=whole):
        services.tick_check(demo_db, initiative, "training", True, "done", TODAY, actor=stores)
    with pytest.raises(access.Refused, match=whole):
        services.add_sponsor_activity(demo_db, initiative, "Ana", TODAY, "site visit", today=TODAY, actor=stores)
    with pytest.raises(access.Refused, match="needs the admin role"):
        services.save_settings(demo_db, {"min_group_size": 3}, actor=stores)


def test_people_who_looked_after_a_merged_team_look_after_the_kept_one_until_the_merge_is_undone(demo_db, ids):
    south, north = ids["Stores South"], ids["Stores North"]
    services.save_user(demo_db, "sol@example.com", "editor", "Stores South")
    services.save_user(demo_db, "nia@example.com", "viewer", "Stores North")
    demo_db.execute("DELETE FROM cx_outcomes WHERE team_id = :north", {"north": north})  # no clash to settle

    merged = services.merge_teams(demo_db, south, north, now=datetime(2027, 1, 20, 9, 0))
    assert merged["summary"].endswith(" sol@example.com now looks after Stores North.")
    assert services.signed_in_actor(demo_db, "sol@example.com", []).team_id == north
    assert store.org.merges(demo_db)["moved"].str.contains("sol@example.com").all()

    sentence = services.undo_merge(demo_db, merged["id"], now=datetime(2027, 1, 21))
    assert sentence.endswith(" sol@example.com now looks after Stores South.")
    assert services.signed_in_actor(demo_db, "sol@example.com", []).team_id == south
    assert services.signed_in_actor(demo_db, "nia@example.com", []).team_id == north  # never moved
