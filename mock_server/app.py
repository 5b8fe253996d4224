"""The application factory: configuration, the World over its store, the control API and console as Flask
routes, and the provider front (``front.py``) in front of them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, current_app, g

from . import config as config_module
from . import console, control, failures, faults, integrity, journal
from .domain import World
from .front import ProviderFront
from .providers import wire


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the mock: ``DEFAULTS`` < ``MOCK_*`` environment < ``config``."""
    app = Flask(__name__)
    app.config.from_mapping(config_module.DEFAULTS)
    app.config.from_prefixed_env("MOCK")
    if config:
        app.config.update(config)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.compact = True  # type: ignore[attr-defined]
    failures.init_app(app)
    integrity.verify(str(app.config["DB"]))  # StoreError: one line naming the file and the way out
    app.extensions["rental_world"] = config_module.build_world(app.config)
    if app.config["VALIDATE"]:
        app.after_request(schema_check)
    faults.init_app(app, app.extensions["rental_world"])
    journal.init_app(app)
    if app.config["CONTROL"]:
        app.register_blueprint(control.bp)
    if app.config["CONSOLE"]:
        app.register_blueprint(console.bp)
    app.wsgi_app = collapse_slashes(ProviderFront(app))  # type: ignore[method-assign]
    return app


def collapse_slashes(wsgi_app: Any) -> Any:
    """Some clients build ``/api//rent/x.php``; route it as ``/api/rent/x.php`` instead of redirecting."""
    def middleware(environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if "//" in path:
            environ["PATH_INFO"] = re.sub("/{2,}", "/", path)
        return wsgi_app(environ, start_response)
    return middleware


def world_of(app: Flask) -> World:
    world: World = app.extensions["rental_world"]
    return world


def schema_check(response: Response) -> Response:
    """after_request hook (``VALIDATE``) of the Flask routes (the control API): check each reply against
    the schema its view named. Provider replies are checked by the front."""
    target = g.get("response_schema")
    if target is not None and response.is_json:
        message = wire.violation(target, response.get_json(), current_app.config["VALIDATE"])
        if message is not None:
            response.headers["X-Mock-Schema-Violation"] = message
    return response

