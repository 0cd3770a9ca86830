"""Programme health: per initiative, the checklist of why CX programmes fail, each light with its reason."""

import pandas as pd
import streamlit as st

from cxchange import charts, health, services, ui
from cxchange.text import date_text, markdown_text

# Each colour's icon (a different shape for each, not only a different colour) and Streamlit text colour.
LIGHTS = {
    health.GREEN: (":material/check_circle:", "green"),
    health.AMBER: (":material/error:", "orange"),
    health.RED: (":material/cancel:", "red"),
    health.GREY: (":material/help:", "gray"),
}

st.title("Programme health")
st.caption(
    "Why CX programmes fail, checked for one initiative. Each light is green, amber or red from the data where "
    "the data can tell, and from a facilitator's tick with a note where it cannot; each says why it has its colour."
)
ui.say_kept("health_message")

initiative_id = ui.initiative_picker(key="health_initiative")
if initiative_id is None:
    st.info(
        "No initiatives yet. Importing a survey under Import & entry creates one; or load the demo organisation "
        "under Settings → Workspace to see how this page looks."
    )
    st.stop()

today = ui.today()
data = ui.health_data(initiative_id)
lights = ui.computed(health.assess, data, today)
trend = ui.computed(health.health_trend, data, health.trend_dates(data, today))
counts = health.counts(lights)
score = health.overall(lights)


def save(message: str, service, *args, **kwargs) -> None:
    """Run a services write; on a refusal show why (nothing was written), else clear the caches and show `message`."""
    try:
        ui.call(service, *args, **kwargs)
    except ValueError as problem:
        ui.say("error", problem)
        return
    ui.keep("health_message", message)
    st.rerun()


score_col, green_col, amber_col, red_col, grey_col = st.columns(5)
month_ago = health.month_before(today)
started = health.trend_dates(data, today)[0]
earlier = health.overall(ui.computed(health.assess, data, month_ago)) if started <= month_ago else None
change = None if earlier is None else score - earlier
score_col.metric(
    "Health score (0–100)",
    score,
    delta=change,
    delta_description=None if earlier is None else f"since {date_text(month_ago)}",
    delta_color="normal" if change else "off",
    delta_arrow="auto" if change else "off",
    help="Green 100, amber 50, red 0, averaged over the checks assessed (not-assessed checks count neither way).",
)
green_col.metric("Green", counts[health.GREEN])
amber_col.metric("Amber", counts[health.AMBER])
red_col.metric("Red", counts[health.RED])
grey_col.metric("Not assessed", counts[health.GREY])

st.subheader("Checklist")
for light in lights:
    icon, colour = LIGHTS[light.colour]
    with st.container(border=True):
        left, right = st.columns([1, 5], vertical_alignment="center")
        left.markdown(f":{colour}[{icon} **{health.COLOUR_WORDS[light.colour]}**]")
        right.markdown(f"**{light.check.label}** — {markdown_text(light.reason)}", help=light.check.rule)
        if light.check.name == "owner" and light.colour == health.RED:
            with right.form("health_owner", border=False):
                owner = st.text_input(
                    "Owner",
                    placeholder="Name and role, e.g. Hannah Reed, Chief Customer Officer",
                    key="health_owner_name",
                )
                if st.form_submit_button("Name the owner"):
                    save(
                        f"Named {' '.join(owner.split())} as the owner.",
                        services.set_initiative_owner,
                        initiative_id,
                        owner,
                    )
        if light.check.tickable:
            current = data.ticks[data.ticks["check_name"] == light.check.name]
            with right.expander("Facilitator's tick"):
                if light.source == "data" and light.colour == health.GREEN:
                    st.caption("The data shows this check green; a tick counts only where the data cannot tell.")
                with st.form(f"health_tick_{initiative_id}_{light.check.name}", border=False):
                    in_place = st.checkbox(
                        "In place",
                        value=bool(current["ticked"].iloc[-1]) if not current.empty else False,
                        key=f"health_ticked_{initiative_id}_{light.check.name}",  # a box per initiative
                        help="Saved cleared, it records that this is not in place (red).",
                    )
                    note = st.text_area(
                        "Note",
                        placeholder="What shows it is (or is not) in place? Needed for a tick.",
                        key=f"health_note_{initiative_id}_{light.check.name}",
                    )
                    if st.form_submit_button("Save"):
                        save(
                            f"{'Ticked' if in_place else 'Unticked'} \u201c{light.check.label}\u201d.",
                            services.tick_check,
                            initiative_id,
                            light.check.name,
                            in_place,
                            note,
                            today,
                        )
                if len(current) > 1:
                    st.caption(f"{len(current)} ticks so far; the latest counts, the earlier ones shape the trend.")

st.subheader("Health over time")
if len(trend) < 2:
    st.info("The trend starts at the first month-end after the initiative began.")
else:
    ui.chart(charts.health_trend, trend, title="Programme health score, month by month")
    st.caption(
        "Each month-end is judged with what was logged and ticked by then. The owner has no history, so "
        "today's owner counts throughout; CX outcome figures count from their wave's date."
    )

st.subheader("Sponsor activity")
sponsors = data.sponsor_activities
st.caption(
    "Town halls, update messages, visits: log what the programme's sponsors do, so the sponsor check sees "
    "whether they stay active after launch."
)
form_col, log_col = st.columns([2, 3])
with form_col, st.form("health_sponsor"):
    latest_sponsor = "" if sponsors.empty else str(sponsors["sponsor"].iloc[0])
    known = sorted(set(sponsors["sponsor"].dropna()))
    sponsor = st.text_input(
        "Sponsor",
        value=latest_sponsor,
        help="Sponsors so far: " + ", ".join(known) if known else None,
        key="health_sponsor_name",
    )
    happened_on = st.date_input("Date", value=today, max_value=today, key="health_sponsor_date")
    kind = st.selectbox("Kind", health.SPONSOR_KINDS, key="health_sponsor_kind")
    teams = ui.teams()
    team_names = dict(zip(teams["id"].astype(int), teams["name"], strict=True))
    team_id = st.selectbox(
        "Team (optional)",
        [None, *sorted(team_names, key=team_names.get)],
        format_func=lambda team: "The whole programme" if team is None else team_names[team],
        key="health_sponsor_team",
    )
    note = st.text_input("Note (optional)", key="health_sponsor_note")
    if st.form_submit_button("Log activity", type="primary"):
        save(
            f"Logged a {kind} by {' '.join(sponsor.split())} on {date_text(happened_on)}.",
            services.add_sponsor_activity,
            initiative_id,
            sponsor,
            happened_on,
            kind,
            note,
            team_id,
            today=today,
        )
with log_col:
    if sponsors.empty:
        st.info("No sponsor activity logged for this initiative yet.")
    else:
        ui.table(
            pd.DataFrame(
                {
                    "Date": sponsors["happened_on"],
                    "Sponsor": sponsors["sponsor"],
                    "Kind": sponsors["kind"],
                    "Team": sponsors["team"].astype(object).where(sponsors["team"].notna(), "whole programme"),
                    "Note": sponsors["note"].astype(object).where(sponsors["note"].notna(), ""),
                }
            ),
            hide_index=True,
            width="stretch",
            height=320,
            name="programme health checks",
        )
