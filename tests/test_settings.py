"""Settings: declared once with their defaults, stored and read back, and a bad value stores nothing."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from cxchange import access, services, store
from cxchange.access import Actor
from cxchange.importing import ImportRejected
from cxchange.settings import DEFAULTS, SETTINGS, SETTINGS_BY_NAME

ROOT = Path(__file__).resolve().parent.parent
SURVEY = ROOT / "tests" / "fixtures" / "imports" / "qualtrics_choice_text.csv"


def mentions(message: str, value: object) -> bool:
    """Whether `message` quotes `value` as a whole (0 must not be found inside 10 or 0.5)."""
    return re.search(rf"(?<![\w.]){re.escape(repr(value))}(?!\w|\.\d)", message) is not None


def test_declared_defaults():
    assert DEFAULTS["min_group_size"] == 5
    assert DEFAULTS["min_comment_group_size"] == 10
    assert DEFAULTS["barrier_threshold"] == 3.0
    assert DEFAULTS["champion_ratio"] == 25
    assert DEFAULTS["kotter_labels"] == "current"


def test_every_setting_has_a_label_and_help():
    for setting in SETTINGS:
        assert setting.label, setting.name
        assert setting.help, setting.name
        assert SETTINGS_BY_NAME[setting.name] is setting


def test_every_number_setting_has_bounds_its_default_keeps():
    # the Settings page draws a number input between the bounds, so each needs both
    for setting in SETTINGS:
        if setting.choices is None:
            assert setting.minimum is not None, setting.name
            assert setting.maximum is not None, setting.name
            assert setting.minimum <= setting.default <= setting.maximum, setting.name
            assert setting.check(setting.default) == setting.default


def test_the_thresholds_of_the_health_lights_are_settings():
    assert {name: DEFAULTS[name] for name in DEFAULTS if name.startswith("health_")} == {
        "health_sponsor_active_days": 30,
        "health_sponsor_lapsed_days": 60,
        "health_launch_days": 31,
        "health_feedback_green": 50,
        "health_feedback_amber": 25,
        "health_waves_green": 4,
        "health_waves_amber": 2,
        "health_champions_green": 80,
        "health_champions_amber": 50,
        "health_cross_team_green": 3,
        "health_cross_team_amber": 2,
        "health_recognition_days": 60,
    }
    assert (DEFAULTS["champion_quiet_days"], DEFAULTS["outcome_min_points"]) == (30, 4)


def test_an_empty_workspace_reads_the_defaults(db):
    assert store.settings.settings(db) == DEFAULTS
    assert store.settings.settings(db)["min_group_size"] == 5
    assert store.settings.settings(db)["kotter_labels"] == "current"


def test_saved_values_read_back(db, db_path):
    values = {
        "min_group_size": 7,
        "min_comment_group_size": 12,
        "barrier_threshold": 2.5,
        "champion_ratio": 40,
        "kotter_labels": "1996",
        "stale_weeks": 8,
        "champion_quiet_days": 45,
        "outcome_min_points": 6,
        "health_feedback_green": 60,
    }

    returned = services.save_settings(db, values)

    # the values saved read back; every other setting keeps its default
    assert returned == DEFAULTS | values
    assert store.settings.settings(db) == DEFAULTS | values
    # from another connection too: they are in the file, not in memory
    other = store.open_db(db_path)
    assert store.settings.settings(other) == DEFAULTS | values
    other.close()


def test_saving_some_settings_keeps_the_others(db):
    services.save_settings(db, {"min_group_size": 8})
    services.save_settings(db, {"barrier_threshold": 3.5})

    assert store.settings.settings(db) == DEFAULTS | {"min_group_size": 8, "barrier_threshold": 3.5}


def test_values_are_converted_to_the_settings_type(db):
    # form widgets hand over text and floats; stored they are the setting's type
    result = services.save_settings(db, {"min_group_size": "6", "champion_ratio": 30.0, "barrier_threshold": 3})

    assert result["min_group_size"] == 6
    assert isinstance(result["min_group_size"], int)
    assert isinstance(result["champion_ratio"], int)
    assert isinstance(result["barrier_threshold"], float)


def test_workspace_kind_is_not_a_setting(db):
    store.settings.set_workspace_kind(db, "demo")

    assert "workspace" not in store.settings.settings(db)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("min_group_size", 0),  # below the minimum of 3
        ("min_group_size", "abc"),
        ("min_group_size", 2.5),  # not a whole number
        ("min_comment_group_size", 1000),  # above the maximum of 100
        ("champion_ratio", None),
        ("barrier_threshold", "abc"),
        ("barrier_threshold", 0.5),  # below the scale
        ("barrier_threshold", 6.0),  # above the scale
        ("barrier_threshold", math.nan),
        ("stale_weeks", 1.5),
        ("kotter_labels", "2020"),  # no such label set
        ("kotter_labels", "Current"),
    ],
)
def test_a_bad_value_is_refused_naming_setting_and_value_and_stores_nothing(db, name, value):
    previous = {"min_group_size": 7, "barrier_threshold": 2.5, "kotter_labels": "2014"}
    services.save_settings(db, previous)
    before = store.settings.settings(db)

    # a good value saved beside the bad one must not be stored either
    good = {"stale_weeks": 9} if name != "stale_weeks" else {"champion_ratio": 50}

    with pytest.raises(ValueError, match=re.escape(SETTINGS_BY_NAME[name].label)) as error:
        services.save_settings(db, good | {name: value})

    assert mentions(str(error.value), value), str(error.value)
    assert store.settings.settings(db) == before


def test_an_unknown_setting_is_refused_by_name_and_stores_nothing(db):
    services.save_settings(db, {"min_group_size": 7})
    before = store.settings.settings(db)

    with pytest.raises(ValueError, match="minimum_group") as error:
        services.save_settings(db, {"min_group_size": 9, "minimum_group": 4})

    assert mentions(str(error.value), "minimum_group")
    assert store.settings.settings(db) == before
    assert db.execute("SELECT COUNT(*) FROM settings WHERE name = 'minimum_group'").fetchone()[0] == 0


@pytest.mark.parametrize("value", [3, 50])
def test_the_bounds_themselves_are_allowed(db, value):
    assert services.save_settings(db, {"min_group_size": value})["min_group_size"] == value


@pytest.mark.parametrize("label_set", ["current", "2014", "1996"])
def test_every_kotter_label_set_can_be_chosen(db, label_set):
    assert services.save_settings(db, {"kotter_labels": label_set})["kotter_labels"] == label_set


def test_the_upload_limits_are_settings_with_todays_defaults():
    assert {name: DEFAULTS[name] for name in DEFAULTS if name.startswith("upload_")} == {
        "upload_max_rows": 1_000_000,
        "upload_max_columns": 16_384,
        "upload_max_unpacked_mb": 200,
    }
    assert {SETTINGS_BY_NAME[name].section for name in DEFAULTS if name.startswith("upload_")} == {"Uploads"}


def test_only_an_admin_changes_an_upload_limit(db):
    editor = Actor("ed@example.com", "editor")
    with pytest.raises(access.Refused):
        services.save_settings(db, {"upload_max_rows": 10}, actor=editor)
    assert store.settings.settings(db)["upload_max_rows"] == 1_000_000


def test_an_admin_lowers_the_row_limit_on_the_settings_page_and_an_import_obeys_it(own_workspace, monkeypatch):
    monkeypatch.setenv("CXCHANGE_DB", str(own_workspace))
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).switch_page("app_pages/settings.py").run()
    assert "**Uploads**" in [str(element.value) for element in at.markdown]
    rows = next(box for box in at.number_input if box.label == "Most rows in an uploaded file")
    assert rows.value == 1_000_000
    rows.set_value(5)
    next(button for button in at.button if button.label == "Save settings").click().run()
    assert not at.exception
    database = store.open_db(own_workspace)
    try:
        assert store.settings.settings(database)["upload_max_rows"] == 5
        with pytest.raises(ImportRejected, match=r"has more than 5 rows .*Settings → Thresholds, Uploads\)\.$"):
            services.import_survey(database, SURVEY.read_bytes(), SURVEY.name, "2027 Q1", dry_run=True)
    finally:
        database.close()
