"""The composition root: `create_app()` reads config, binds extensions and registers blueprints."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Flask

from . import cross_site, fanout, limiter_storage, security_headers
from .config import load_config
from .context import close_request_sessions
from .cookie_session import CookieSessions
from .db import make_engine, make_read_sessionmaker, make_sessionmaker
from .extensions import limiter, login_manager, socketio
from .i18n import init_app as init_i18n
from .realtime import on_commit, register_handlers
from .services.accounts import HASH_METHOD_KEY
from .services.points import RULES_KEY, rules_from_config


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build a configured application; nothing is built at import time."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(load_config(app.instance_path, test_config))
    if app.config["DATABASE_URL"].startswith("sqlite:///"):
        import os

        os.makedirs(app.instance_path, exist_ok=True)

    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["ptsp.engine"] = engine
    app.extensions["ptsp.sessions"] = make_sessionmaker(engine, on_commit(app))
    app.extensions["ptsp.read_sessions"] = make_read_sessionmaker(engine)
    # The points rules and the password hash method reach the use cases via session.info.
    rules = {RULES_KEY: rules_from_config(app.config), HASH_METHOD_KEY: app.config["PASSWORD_HASH_METHOD"]}
    app.extensions["ptsp.sessions"].configure(info=rules)
    app.extensions["ptsp.read_sessions"].configure(info=rules)
    clock: Callable[[], datetime] = app.config["NOW"] or (lambda: datetime.now(UTC))
    app.extensions["ptsp.clock"] = clock

    _init_request_extensions(app)
    _init_socketio(app)
    with app.app_context():
        register_handlers()
        from kiosk.agent_socket import register_agent_handlers

        register_agent_handlers()
    if app.config["PROXY_HOPS"]:
        # Behind nginx: the client's address (rate limits) and scheme come from X-Forwarded-*.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    if app.config["WEB_PAGES"]:
        _register_blueprints(app)
    app.teardown_appcontext(close_request_sessions)
    return app


def _init_socketio(app: Flask) -> None:
    """Bind Socket.IO: its async mode, its message queue (Redis) or the frames fan-out (`ptsp.fanout`)."""
    options: dict[str, Any] = {
        "async_mode": app.config["ASYNC_MODE"],
        "cors_allowed_origins": cross_site.socket_origins(app.config["PUBLIC_URL"]),
        "max_http_buffer_size": app.config["MAX_CONTENT_LENGTH"],
    }
    manager = fanout.manager_for(app.config)
    socketio.server_options.pop("client_manager", None)  # a manager belongs to the app it was made for
    if manager is None:
        options.update(message_queue=app.config["REDIS_URL"], channel=app.config["REDIS_CHANNEL"])
    else:  # the frames manager carries the Redis URL and channel itself
        socketio.server_options.pop("message_queue", None)
        options["client_manager"] = manager
    socketio.init_app(app, **options)
    if manager is not None:
        fanout.install(socketio.server.eio)


def _init_request_extensions(app: Flask) -> None:
    """Languages, logins, rate limits, the cross-site checks and the security headers."""
    init_i18n(app)
    app.session_interface = CookieSessions()
    login_manager.init_app(app)
    # limiter_storage.SweptMemoryStorage: limits' memory storage without a timer thread per request.
    memory = f"{limiter_storage.SweptMemoryStorage.STORAGE_SCHEME[0]}://"
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"] or memory)
    app.config.setdefault("RATELIMIT_KEY_PREFIX", app.config["REDIS_CHANNEL"])
    limiter.init_app(app)
    cross_site.init_app(app)
    security_headers.init_app(app)


def _register_blueprints(app: Flask) -> None:
    """The API and the stations' and managers' pages (the manager pages import the planning stack)."""
    from .api import bp as api_bp
    from .live import bp as live_bp

    app.register_blueprint(live_bp)

    app.register_blueprint(api_bp)
    from counter import bp as counter_bp
    from display import bp as display_bp

    app.register_blueprint(counter_bp)
    app.register_blueprint(display_bp)
    from kiosk import bp as kiosk_bp
    from kiosk import phone_bp, status_bp

    app.register_blueprint(kiosk_bp)
    app.register_blueprint(status_bp)
    app.register_blueprint(phone_bp)
    from .manager import bp as manager_bp

    app.register_blueprint(manager_bp)
    from .feedback import bp as feedback_bp

    app.register_blueprint(feedback_bp)
    from .booking import bp as booking_bp

    app.register_blueprint(booking_bp)
    from .home import bp as home_bp

    app.register_blueprint(home_bp)
