"""The sandbox console: the providers' rental page for the mock, served at ``/``.

The server only renders the page shell and its words; every figure the page shows and every action
it offers goes through the documented provider routes and the control API (``static/console/console.js``
calls them with ``fetch``), so anything done in the browser can be done by a client, and the page never
shows a state the API would not report. ``serve --no-console`` (config ``CONSOLE`` False) leaves it out.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from . import console_i18n

bp = Blueprint("console", __name__, template_folder="templates", static_folder="static/console",
               static_url_path="/_console/static")


@bp.get("/")
def page() -> str:
    """The console in the language asked for (``?lang=``), else the browser's, else English."""
    lang = console_i18n.choose(request.args.get("lang"), request.accept_languages.values())
    return render_template(
        "console/index.html", lang=lang, rtl=lang in console_i18n.RTL, t=console_i18n.strings(lang),
        languages=console_i18n.LANGUAGES, control=bool(current_app.config.get("CONTROL")))
