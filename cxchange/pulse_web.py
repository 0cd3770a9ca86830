"""The live pulse's respondent page: a plain HTML form on a phone, served beside the app (server.py mounts
these routes on the Streamlit server) or alone (`python -m cxchange pulse serve`, for a laptop whose app
stays on 127.0.0.1 while phones on the room's network reach the form and nothing else).

A shell, like cli.py and ui.py: it reads the request, calls services and writes the page. No sign-in, no
script, no link to anything: the token in the address opens one pulse's form, and no other address of
these routes leads anywhere. Nothing about the person is kept: not the address, not the browser; a
device is known only by the hash of a random cookie this pulse gave it, so a second answer replaces
the first.
"""

from __future__ import annotations

import html
import secrets
import sqlite3
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from cxchange import pulses, services, store

COOKIE = "cxpulse"
MAX_BODY = 64_000
"""The largest answer a phone may post (every statement, a comment of 1,000 characters, with room to spare)."""
HEADERS = {
    # No script, no outside request, no framing: the page is the form and its own styles.
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
}
STYLE = """
*{box-sizing:border-box}
body{margin:0;font:18px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111;background:#fff}
main{max-width:40rem;margin:0 auto;padding:1rem}
h1{font-size:1.4rem;margin:.5rem 0 1rem}
p.note{color:#444;font-size:1rem}
fieldset{border:0;margin:0 0 1.25rem;padding:0}
legend{font-weight:600;margin-bottom:.5rem;padding:0}
label.choice{display:flex;align-items:center;gap:.75rem;min-height:3rem;margin:.35rem 0;padding:.5rem .75rem;
 border:2px solid #767676;border-radius:.5rem;cursor:pointer}
label.choice input{width:1.5rem;height:1.5rem;margin:0;flex:none}
label.choice:has(input:checked){border-color:#0b57d0;background:#e8f0fe}
textarea{width:100%;min-height:6rem;font:inherit;padding:.5rem;border:2px solid #767676;border-radius:.5rem}
button{width:100%;min-height:3.5rem;font:inherit;font-weight:600;color:#fff;background:#0b57d0;border:0;
 border-radius:.5rem;margin:.5rem 0 2rem}
.problem{border-left:.4rem solid #b3261e;background:#fce8e6;padding:.75rem 1rem;margin:0 0 1rem}
.done{border-left:.4rem solid #146c2e;background:#e6f4ea;padding:.75rem 1rem;margin:0 0 1rem}
"""

Workspace = Callable[[], Path]
"""Where the SQLite file is, asked per request (the app's own rule: CXCHANGE_DB, else the default)."""


def _page(title: str, body: str, status: int = 200, cookie: tuple[str, str, int, bool] | None = None) -> Response:
    text = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<meta name='robots' content='noindex'><title>{html.escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )
    response = HTMLResponse(text, status_code=status, headers=HEADERS)
    if cookie is not None:
        path, value, max_age, secure = cookie
        response.set_cookie(COOKIE, value, max_age=max_age, path=path, httponly=True, samesite="strict", secure=secure)
    return response


def _refused(message: str, status: int = 410) -> Response:
    return _page("Live pulse", f"<h1>Live pulse</h1><p class='problem'>{html.escape(message)}</p>", status)


def _form_html(form: services.PulseForm, chosen: dict[str, str], team: int | None, problem: str | None,
               answered: bool) -> str:  # fmt: skip
    """The form: the team (fixed by the link, or chosen), each statement with the five answers, the comment."""
    parts = [f"<h1>How ready are you for the change? <br><small>{html.escape(form.wave)}</small></h1>"]
    parts.append(
        "<p class='note'>Anonymous: nobody sees your own answers, only a team's total once enough people have "
        "answered. Your name, e-mail and device are not asked for or kept.</p>"
    )
    if answered:
        parts.append("<p class='done'>You have answered already. Sending again replaces your answer.</p>")
    if problem:
        parts.append(f"<p class='problem' role='alert'>{html.escape(problem)}</p>")
    parts.append("<form method='post'>")
    if team is not None and team in form.teams:
        parts.append(
            f"<input type='hidden' name='team' value='{team}'><p>Team: <strong>{html.escape(form.teams[team])}"
            "</strong></p>"
        )
    else:
        options = "".join(
            f"<label class='choice'><input type='radio' name='team' value='{team_id}'"
            f"{' checked' if chosen.get('team') == str(team_id) else ''} required>{html.escape(name)}</label>"
            for team_id, name in form.teams.items()
        )
        parts.append(f"<fieldset><legend>Your team</legend>{options}</fieldset>")
    for number, question in enumerate(form.questions, start=1):
        options = "".join(
            f"<label class='choice'><input type='radio' name='{html.escape(question.code)}' value='{value}'"
            f"{' checked' if chosen.get(question.code) == str(value) else ''} required>{html.escape(label)}</label>"
            for value, label in pulses.SCALE_LABELS
        )
        parts.append(f"<fieldset><legend>{number}. {html.escape(question.text)}</legend>{options}</fieldset>")
    if form.comment_question:
        comment = html.escape(chosen.get("comment", ""))
        parts.append(
            f"<fieldset><legend><label for='comment'>{html.escape(form.comment_question)} (optional)</label></legend>"
            f"<textarea id='comment' name='comment' maxlength='{pulses.COMMENT_LENGTH}'>{comment}</textarea></fieldset>"
        )
    parts.append("<button type='submit'>Send my answers</button></form>")
    return "".join(parts)


def _team(request: Request) -> int | None:
    value = request.query_params.get("team", "")
    return int(value) if value.isdigit() else None


class PulseSite:
    """The respondent page's routes over one workspace, with the rate limit they share in this process."""

    def __init__(self, workspace: Workspace):
        self.workspace = workspace
        self.limits: dict[int, pulses.RateLimit] = {}
        self.writing = threading.Lock()
        """One answer written at a time by this server's threads: SQLite takes one writer at a time anyway,
        and threads that wait for its file lock back off by sleeping (a room's burst then waited seconds for
        a free moment); waiting here hands the lock on as soon as the answer before is stored."""

    def routes(self) -> list[Route]:
        return [Route("/pulse/{token}", self.pulse, methods=["GET", "POST"])]

    def _limit(self, db: Any) -> pulses.RateLimit:
        per_minute = int(store.settings.settings(db)["pulse_answers_per_minute"])
        limit = self.limits.get(per_minute)
        if limit is None:
            limit = self.limits[per_minute] = pulses.RateLimit(per_minute)
        return limit

    async def pulse(self, request: Request) -> Response:
        """GET: the form (and a cookie for this device); POST: store the answer, then the thank-you page."""
        fields: dict[str, str] | None = None
        if request.method == "POST":
            # Read no more than the limit: a phone on the room's network could send any length.
            body = bytearray()
            async for chunk in request.stream():
                body += chunk
                if len(body) > MAX_BODY:
                    return _refused("That answer is too long to send.", 413)
            fields = dict(parse_qsl(bytes(body).decode("utf-8", errors="replace"), keep_blank_values=True))
        return await run_in_threadpool(self._handle, request, fields)

    def _handle(self, request: Request, fields: dict[str, str] | None) -> Response:
        token = request.path_params["token"]
        workspace = Path(self.workspace())
        if not workspace.is_file():  # no workspace yet, so no pulse: and a phone's visit must not create the file
            return _refused("This link does not open a pulse. Ask the facilitator for the current link.")
        try:
            db = store.connect(workspace)
        except (OSError, sqlite3.Error):
            return _refused("The pulse cannot be reached just now. Please try again in a moment.", 503)
        try:
            return self._show(request, db, token) if fields is None else self._answer(request, db, token, fields)
        except pulses.PulseRefused as refusal:
            return _refused(str(refusal))
        except sqlite3.OperationalError:
            return _refused("Many answers are arriving at once. Please send yours again in a moment.", 503)
        finally:
            db.close()

    def _show(self, request: Request, db: Any, token: str) -> Response:
        form = services.pulse_form(db, token)
        if request.query_params.get("sent") == "1":
            return _page(
                "Thank you",
                "<h1>Thank you</h1><p class='done'>Your answers are in. You can close this page.</p>"
                "<p class='note'>The room sees the team's results as a whole, once enough people have answered; "
                "nobody sees yours.</p>",
            )
        cookie = request.cookies.get(COOKIE)
        device = pulses.device_hash(token, cookie) if cookie else None
        answered = device is not None and store.pulses.device_response(db, form.pulse_id, device) is not None
        closes = datetime.fromisoformat(form.closes_at)
        max_age = max(60, int((closes - datetime.now(closes.tzinfo)).total_seconds()) + 86_400)
        return _page(
            "Live pulse",
            _form_html(form, {}, _team(request), None, answered),
            cookie=(f"/pulse/{token}", cookie or secrets.token_urlsafe(24), max_age, request.url.scheme == "https"),
        )

    def _answer(self, request: Request, db: Any, token: str, fields: dict[str, str]) -> Response:
        form = services.pulse_form(db, token)  # a closed or unknown pulse is refused before anything else
        cookie = request.cookies.get(COOKIE)
        team = _team(request)
        if not cookie:
            problem = (
                "Your browser did not keep this page's cookie, so the answer could not be counted once. "
                "Allow cookies for this page, open the link again and send."
            )
            return _page("Live pulse", _form_html(form, fields, team, problem, False), 400)
        device = pulses.device_hash(token, cookie)
        try:
            # A form sent back to be completed is no answer: it takes no turn of the rate limits, so the
            # person who completes it at once is not told that their answer "just arrived".
            services.read_pulse_answer(db, form.pulse_id, form.questions, form.comment_question is not None, fields)
            limit = self._limit(db)
            refusal = limit.refusal(token, device)
            if refusal is not None:
                return _page("Live pulse", _form_html(form, fields, team, refusal, False), 429)
            try:
                with self.writing:
                    services.answer_pulse(db, token, device, fields)
            except sqlite3.OperationalError:
                # The file stayed busy past its timeout: nothing was stored, so the turn is given back and
                # the form comes back filled in, to send again as the sentence says.
                limit.give_back(token, device)
                busy = "Many answers are arriving at once. Please send yours again in a moment."
                return _page("Live pulse", _form_html(form, fields, team, busy, False), 503)
        except pulses.AnswerRefused as problem:
            return _page("Live pulse", _form_html(form, fields, team, str(problem), False), 400)
        return RedirectResponse(f"/pulse/{token}?sent=1", status_code=303, headers=HEADERS)


def standalone(workspace: Workspace) -> Starlette:
    """The respondent page alone: for `pulse serve`, which phones reach while the app stays on this computer.
    Every other address answers 404 with nothing of the app."""

    async def nothing(request: Request, problem: Exception) -> Response:
        return _refused("This address opens nothing. Ask the facilitator for the pulse's link.", 404)

    return Starlette(routes=PulseSite(workspace).routes(), exception_handlers={404: nothing, 405: nothing})
