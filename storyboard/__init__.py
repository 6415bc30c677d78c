"""Storyboard: staff nominate colleagues, HR curates, and the best stories become folklore."""
from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

from flask import Flask, abort, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings, extensions, blueprints, error pages and CLI commands."""
    instance_path = os.environ.get("STORYBOARD_INSTANCE_PATH", str(PROJECT_ROOT / "instance"))
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    load_config(app, test_config)
    app.url_map.converters["int"] = DatabaseId
    from storyboard.assets import register_fingerprints
    from storyboard.compression import register_compression

    register_compression(app)  # the app's first after-request function, so the last to run
    register_fingerprints(app)  # static files named by their content's hash, cached a year
    if app.config["PROXY_FIX_X_FOR"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"], x_proto=1, x_host=1)
    register_extensions(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_security_headers(app)
    clean_request_text(app)
    from storyboard.cli import register_commands
    from storyboard.errors import register_error_handlers

    register_error_handlers(app)
    register_commands(app)
    return app


class DatabaseId(IntegerConverter):
    """`<int:...>` in routes: ids beyond what the database stores are simply not found (404)."""

    def __init__(self, url_map, *args, **kwargs):
        from storyboard.db_helpers import MAX_ID

        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def load_config(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Defaults, then instance/config.py, then STORYBOARD_* variables, then the test mapping."""
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_object("storyboard.config")
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("STORYBOARD")
    if test_config:
        app.config.from_mapping(test_config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            f"sqlite:///{Path(app.instance_path) / 'storyboard.db'}"
        )
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))
    if not app.config.get("OUTBOX_DIR"):
        app.config["OUTBOX_DIR"] = str(Path(app.instance_path) / "outbox")
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    if app.config.get("REDIS_URL") and app.config["RATELIMIT_STORAGE_URI"] == "memory://":
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]


def _instance_secret_key(instance: Path) -> str:
    """Read the instance's secret key, creating it (readable by the owner only) on first start."""
    path = instance / "secret_key"
    if not path.exists():
        # Written whole to a private temporary file, then linked into place: a worker starting
        # at the same moment sees either no key or the complete one, never an empty file.
        fd, temporary = tempfile.mkstemp(dir=instance, prefix=".secret_key-")
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another worker won the race; use its key
        finally:
            os.unlink(temporary)
    key = path.read_text().strip()
    if len(key) < 32:
        raise RuntimeError(f"{path} holds no usable secret key; delete it to generate a new one.")
    return key


def register_extensions(app: Flask) -> None:
    from storyboard.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)

    from storyboard.auth.sessions import load_person

    login_manager.user_loader(load_person)
    from storyboard import fragments  # the card cache, and cheaper links in templates

    fragments.init_app(app)


@event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection, connection_record) -> None:
    """Foreign keys on, WAL and a busy timeout so several workers can share one SQLite file."""
    import sqlite3

    from storyboard.db_helpers import SQLITE_BUSY_TIMEOUT_MS

    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    # Freed pages are zeroed, so redacted or erased text does not linger in the file (or in a
    # backup copied page by page) until SQLite happens to reuse the page.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def register_blueprints(app: Flask) -> None:
    from storyboard.admin.views import bp as admin_bp
    from storyboard.api.views import bp as api_bp
    from storyboard.auth.views import bp as auth_bp
    from storyboard.auth.views import shortcuts as shortcuts_bp  # /login and /logout
    from storyboard.breakroom.views import bp as breakroom_bp
    from storyboard.canon import manage  # noqa: F401  the curators' routes, on the canon blueprint
    from storyboard.canon.views import bp as canon_bp
    from storyboard.chat.views import bp as chat_bp
    from storyboard.curation.views import bp as curation_bp
    from storyboard.digest.views import bp as digest_bp
    from storyboard.feeds.views import bp as feeds_bp
    from storyboard.health import bp as health_bp
    from storyboard.insights.views import bp as insights_bp
    from storyboard.notifications.views import bp as notifications_bp
    from storyboard.people.views import bp as people_bp
    from storyboard.photos.views import bp as photos_bp
    from storyboard.preferences.views import bp as preferences_bp
    from storyboard.privacy.views import bp as privacy_bp
    from storyboard.scim.views import bp as scim_bp
    from storyboard.stories.views import bp as stories_bp

    for blueprint in (
        auth_bp, health_bp, people_bp, stories_bp, curation_bp, notifications_bp, preferences_bp, digest_bp,
    ):
        app.register_blueprint(blueprint)
    app.register_blueprint(shortcuts_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(canon_bp)
    app.register_blueprint(insights_bp)
    app.register_blueprint(photos_bp)
    app.register_blueprint(breakroom_bp)  # the printable story of the week
    # Integrations (README "Integrations"): each authenticates its own way (a bearer token, a
    # feed token, a signature) and is exempt from CSRF only where it takes no session cookie.
    for blueprint in (api_bp, scim_bp, chat_bp, feeds_bp):
        app.register_blueprint(blueprint)
    # Notifications listen to what stories and curation announce, and curation to who leaves
    # (storyboard/signals.py).
    from storyboard.curation import listeners as curation_listeners
    from storyboard.notifications import listeners

    listeners.connect()
    curation_listeners.connect()
    from storyboard.chat import listeners as chat_listeners  # webhooks: stories published, digest day

    chat_listeners.connect()


def register_template_helpers(app: Flask) -> None:
    from storyboard.markdown import render, stored
    from storyboard.models import StoryStatus
    from storyboard.text import excerpt, html_datetime
    from storyboard.ui import ICON_SPRITE, icon_markup, initials

    app.jinja_env.filters["stored_html"] = stored
    # Short Markdown kept as typed (a collection's introduction), sanitised when shown.
    app.jinja_env.filters["markdown"] = render
    app.jinja_env.filters["status_label"] = lambda status: StoryStatus(status).label
    # <time datetime="..."> and card excerpts (storyboard/text.py).
    app.jinja_env.filters["html_datetime"] = html_datetime
    app.jinja_env.filters["excerpt"] = excerpt
    app.jinja_env.filters["initials"] = initials
    static_url = app.jinja_env.globals["static_url"]  # storyboard/assets.py
    app.jinja_env.globals["icon"] = lambda name, label=None, class_="": icon_markup(
        static_url(ICON_SPRITE), name, label, class_
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def company() -> dict[str, Any]:
        return {"company_name": app.config["COMPANY_NAME"]}

    @app.context_processor
    def unread_notifications() -> dict[str, Any]:
        from flask_login import current_user

        from storyboard.notifications.service import unread_count

        # The sign-in loader reads the count with the person; otherwise it is asked for lazily.
        if not getattr(current_user, "is_authenticated", False):  # None outside a request
            return {"unread_notifications": lambda: 0}
        known = getattr(current_user, "unread_notifications", None)
        if known is not None:
            return {"unread_notifications": lambda: known}
        return {"unread_notifications": lambda: unread_count(current_user)}


def clean_request_text(app: Flask) -> None:
    """Take what people type only as form text, and clean it once, before any view sees it.

    Pages post HTML forms: a JSON body or an uploaded file would reach the forms as numbers,
    lists or file objects (Flask-WTF reads JSON when there is no form), past the cleaning below,
    so both are refused (files everywhere but a story's photo upload, storyboard/photos/).
    PostgreSQL cannot store NUL, so it is refused with a clear message.
    Other control characters (pasted from elsewhere, never typed) are removed and line breaks
    become \\n, so that no form and no view can store them.
    """
    from werkzeug.datastructures import ImmutableMultiDict

    from storyboard.photos.views import UPLOAD_ENDPOINT
    from storyboard.text import without_controls

    nul_message = "The request contains a NUL character, which Storyboard cannot store."

    @app.before_request
    def clean_text():
        if "\x00" in request.path:
            abort(400, nul_message)
        if request.path.startswith(("/api/", "/scim/")):
            return  # an API takes JSON and checks it itself
        if request.is_json:
            abort(415, "Send this as a form: Storyboard's pages take no JSON.")
        if request.files and request.endpoint not in (UPLOAD_ENDPOINT, "people.upload_people"):  # photos, CSV
            abort(400, "Storyboard's pages take no file uploads.")
        for name in ("args", "form"):
            items = list(getattr(request, name).items(multi=True))
            if any(key is None for key, _ in items):  # a multipart part named only "\\n"
                abort(400, "A form field has no name.")
            if any("\x00" in key or "\x00" in value for key, value in items):
                abort(400, nul_message)
            cleaned = [(key, without_controls(value)) for key, value in items]
            request.__dict__[name] = ImmutableMultiDict(cleaned)


def register_security_headers(app: Flask) -> None:
    # No inline script or style anywhere, so a strict policy holds.
    policy = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    )

    @app.after_request
    def secure(response):
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.endpoint != "static":
            # Pages name people and show unpublished stories: a shared computer's back button or
            # a proxy must not keep them. Static files are the same for everyone.
            response.headers.setdefault("Cache-Control", "no-store")
        if request.is_secure and app.config["HSTS_SECONDS"]:
            response.headers.setdefault(
                "Strict-Transport-Security", f"max-age={app.config['HSTS_SECONDS']}; includeSubDomains"
            )
        return response
