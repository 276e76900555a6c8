"""Settings from the environment (`PTSP_*`), overridable by a test mapping."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any


class ConfigError(RuntimeError):
    """The settings cannot run safely; the message says what to set."""


# Modes that may run with a throw-away or short secret; any other PTSP_ENV counts as production.
TRIAL_MODES = ("development", "testing")
MIN_SECRET_BYTES = 32
# Secrets that have been printed in this project's examples and docs: anyone could forge sessions with them.
EXAMPLE_SECRETS = frozenset({
    "change-me", "changeme", "secret", "ptsp", "REPLACE-ME-with-the-output-of-secrets.token_urlsafe-48-see-docs",
})
GENERATE_HINT = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"


def check_secret(secret: str) -> None:
    """Refuse, in production, a secret key copied from an example or shorter than 32 bytes."""
    if secret.strip() in EXAMPLE_SECRETS or secret.strip().upper().startswith("REPLACE-ME"):
        raise ConfigError(
            "PTSP_SECRET_KEY is an example value from the documentation: anyone who read it could forge a "
            f"staff login. Generate one of your own, e.g. `{GENERATE_HINT}`, and put it in the environment "
            "file of every server."
        )
    if len(secret.encode()) < MIN_SECRET_BYTES:
        raise ConfigError(
            f"PTSP_SECRET_KEY is {len(secret.encode())} bytes; production needs at least {MIN_SECRET_BYTES} "
            f"random bytes. Generate one, e.g. `{GENERATE_HINT}`."
        )


def _privacy_settings(env: Any) -> dict[str, int]:
    """Residents' privacy (docs/security.md): how many days after its service day a ticket's page (the QR
    code) still opens, and how many days complaints' text is kept before `ptsp retention purge` drops it."""
    return {"STATUS_DAYS": int(env.get("PTSP_STATUS_DAYS", 7)),
            "COMPLAINT_TEXT_DAYS": int(env.get("PTSP_COMPLAINT_TEXT_DAYS", 365)),
            # days a jemput bola request's name, contact, place and reason outlive its end (docs/outreach.md)
            "OUTREACH_DAYS": int(env.get("PTSP_OUTREACH_DAYS", 14))}


def _resident_alert_settings(env: Any) -> dict[str, Any]:
    """Phone tickets and alerts to residents (docs/alerts.md, docs/residents.md)."""
    return {
        # Taking a ticket from a phone (/ambil/<office>): per client address (a whole office's Wi-Fi may share
        # one) and per phone (its device cookie).
        "RATELIMIT_PHONE_ADDRESS": env.get("PTSP_RATELIMIT_PHONE_ADDRESS", "30 per 10 minutes"),
        "RATELIMIT_PHONE_DEVICE": env.get("PTSP_RATELIMIT_PHONE_DEVICE", "5 per 10 minutes"),
        # Web Push: the VAPID key file (default `vapid_private.pem` in the instance folder, made on first use),
        # the contact push services see, and how long a push may take.
        "VAPID_PRIVATE_KEY": env.get("PTSP_VAPID_PRIVATE_KEY") or None,
        "VAPID_SUBJECT": env.get("PTSP_VAPID_SUBJECT") or None,
        "PUSH_TIMEOUT": float(env.get("PTSP_PUSH_TIMEOUT", 5)),
        "PUSH_ALLOW_LOCAL": env.get("PTSP_PUSH_ALLOW_LOCAL", "") in ("1", "true", "yes"),
        "ALERT_WEBHOOK_TIMEOUT": float(env.get("PTSP_ALERT_WEBHOOK_TIMEOUT", 5)),
        # The `booking_near` reminder goes out this many minutes before a booked slot (0: none).
        "BOOKING_ALERT_MINUTES": int(env.get("PTSP_BOOKING_ALERT_MINUTES", 60)),
    }


def _rate_limits(env: Any) -> dict[str, Any]:
    """Flask-Limiter strings for the public and login paths (docs/security.md), each from its `PTSP_*` variable."""
    return {
        "RATELIMIT_ISSUE": env.get("PTSP_RATELIMIT_ISSUE", "120 per minute"),
        # The public booking pages (docs/appointments.md): changes (book, cancel, reschedule) and the look-ups of a
        # booking code (its page, a kiosk check-in), per client address.
        "RATELIMIT_BOOKING": env.get("PTSP_RATELIMIT_BOOKING", "20 per hour"),
        "RATELIMIT_BOOKING_LOOKUP": env.get("PTSP_RATELIMIT_BOOKING_LOOKUP", "60 per hour"),
        # The public complaint page (docs/complaints.md): complaints filed, and tracking-code look-ups, per address.
        "RATELIMIT_COMPLAINT": env.get("PTSP_RATELIMIT_COMPLAINT", "10 per hour"),
        # A ticket's "Beri tahu saya" (subscribe or forget), per ticket: each new subscription locks its office's
        # fact sequence row for a moment (docs/alerts.md), so a held QR code cannot slow the office's counters.
        "RATELIMIT_ALERTS": env.get("PTSP_RATELIMIT_ALERTS", "10 per 10 minutes"),
        "RATELIMIT_COMPLAINT_LOOKUP": env.get("PTSP_RATELIMIT_COMPLAINT_LOOKUP", "60 per hour"),
        # Login attempts per client address, shared by every login form and the API; and per account name.
        "RATELIMIT_LOGIN": env.get("PTSP_RATELIMIT_LOGIN", "10 per minute"),
        "RATELIMIT_LOGIN_ACCOUNT": env.get("PTSP_RATELIMIT_LOGIN_ACCOUNT", "10 per minute"),
        # Pairing codes an unpaired station may ask for, per client address (a station asks one per 10 minutes).
        "RATELIMIT_PAIRING_CODE": env.get("PTSP_RATELIMIT_PAIRING_CODE", "20 per hour"),
    }


def load_config(instance_path: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the app's config from `PTSP_*` variables, then `overrides`."""
    env = os.environ
    mode = env.get("PTSP_ENV", "production")
    config: dict[str, Any] = {
        "PTSP_ENV": mode,
        "DATABASE_URL": database_url(instance_path, demo=bool((overrides or {}).get("DEMO"))),
        "REDIS_URL": env.get("PTSP_REDIS_URL") or None,
        # Processes that serve the same offices share one channel; another deployment on the same
        # Redis (or a parallel test run) picks its own so their facts never mix.
        "REDIS_CHANNEL": env.get("PTSP_REDIS_CHANNEL") or "ptsp",
        "SECRET_KEY": env.get("PTSP_SECRET_KEY"),
        "ASYNC_MODE": env.get("PTSP_ASYNC_MODE", "threading"),
        # Under gevent, a room's fact is framed once and written to each socket (ptsp/fanout.py); "plain" is
        # python-socketio's own per-socket path (for comparison, docs/benchmarks.md).
        "FANOUT": env.get("PTSP_FANOUT", "frames"),
        "PUBLIC_URL": env.get("PTSP_PUBLIC_URL") or None,
        # How many reverse proxies (nginx) stand in front and set X-Forwarded-*; 0 trusts none.
        "PROXY_HOPS": int(env.get("PTSP_PROXY_HOPS", "0")),
        **_rate_limits(env),
        # One line per request on stderr (the server's own access log); off by default, as it costs time under load.
        "ACCESS_LOG": env.get("PTSP_ACCESS_LOG", "") in ("1", "true", "yes"),
        "MAX_CONTENT_LENGTH": int(env.get("PTSP_MAX_BODY_BYTES", 64 * 1024)),
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        "NOW": None,
        # The pages' language until someone picks another (`ptsp/translations/<code>` must exist).
        "DEFAULT_LANGUAGE": env.get("PTSP_DEFAULT_LANGUAGE", "id"),
        # The API and the pages. Commands that only touch the database (`ptsp setup load`, `device add`, …)
        # leave them out: the manager pages import scipy, numpy and ciw, most of a second of start-up.
        "WEB_PAGES": True,
        # `ptsp demo` sets it: the demo's own database (database_url) and nothing else.
        "DEMO": False,
        # Werkzeug's method for new password hashes; only the test suite picks a cheaper one.
        "PASSWORD_HASH_METHOD": env.get("PTSP_PASSWORD_HASH_METHOD") or "scrypt",
        **_points_settings(env),
        **_privacy_settings(env),
        "LEADERBOARD_MIN_TRANSACTIONS": int(env.get("PTSP_LEADERBOARD_MIN_TRANSACTIONS", 10)),
        **_webhook_settings(env),
        **_resident_alert_settings(env),
    }
    config.update(overrides or {})
    config["SECRET_KEY"] = _secret_key(config)
    config["SESSION_COOKIE_SECURE"] = config["PTSP_ENV"] == "production" and bool(
        (config["PUBLIC_URL"] or "").startswith("https://")
    )
    return config


DATABASE_FILE = "ptsp.db"  # a real office's embedded database (`ptsp init`, `ptsp run`)
DEMO_DATABASE_FILE = "ptsp-demo.db"  # the demo's, apart, so a real office never shares it with the demo's logins


def database_url(instance_path: str, demo: bool = False) -> str:
    """Where the data lives: `PTSP_DATABASE_URL`, else a SQLite file in the instance folder.

    The demo (`ptsp demo`) reads `PTSP_DEMO_DATABASE_URL` first, and without either variable uses its own file,
    `ptsp-demo.db`, never a real office's `ptsp.db`: its logins and passwords are printed in the README.
    """
    env = os.environ
    chosen = (env.get("PTSP_DEMO_DATABASE_URL") if demo else None) or env.get("PTSP_DATABASE_URL")
    return chosen or f"sqlite:///{Path(instance_path) / (DEMO_DATABASE_FILE if demo else DATABASE_FILE)}"


def _webhook_settings(env: Any) -> dict[str, Any]:
    """Violation notices to an outside receiver (e-mail or chat gateway), ptsp/discipline_webhook.py; off when empty."""
    return {
        "DISCIPLINE_WEBHOOK_URL": env.get("PTSP_DISCIPLINE_WEBHOOK_URL") or None,
        "DISCIPLINE_WEBHOOK_SECRET": env.get("PTSP_DISCIPLINE_WEBHOOK_SECRET") or None,
        "DISCIPLINE_WEBHOOK_SECONDS": float(env.get("PTSP_DISCIPLINE_WEBHOOK_SECONDS", 60)),
        "DISCIPLINE_WEBHOOK_TIMEOUT": float(env.get("PTSP_DISCIPLINE_WEBHOOK_TIMEOUT", 5)),
    }


def _points_settings(env: Any) -> dict[str, Any]:
    """The settings of the points rules (docs/points.md; rules 7-11 resist gaming)."""
    return {
        "POINTS_SHORT_FRACTION": float(env.get("PTSP_POINTS_SHORT_FRACTION", 0.25)),
        "POINTS_GOOD_RATING": int(env.get("PTSP_POINTS_GOOD_RATING", 4)),
        "POINTS_RATING_BONUS": float(env.get("PTSP_POINTS_RATING_BONUS", 1.0)),
        "POINTS_TIME_FACTOR": float(env.get("PTSP_POINTS_TIME_FACTOR", 1.0)),
        "POINTS_PARTIAL_WEIGHT": float(env.get("PTSP_POINTS_PARTIAL_WEIGHT", 0.5)),
        "POINTS_STAFF_ISSUE_SHARE": float(env.get("PTSP_POINTS_STAFF_ISSUE_SHARE", 0.2)),
        "POINTS_STAFF_ISSUE_FREE": int(env.get("PTSP_POINTS_STAFF_ISSUE_FREE", 5)),
        "POINTS_RATING_MIN_COUNT": int(env.get("PTSP_POINTS_RATING_MIN_COUNT", 5)),
        "POINTS_RATING_ALPHA": float(env.get("PTSP_POINTS_RATING_ALPHA", 0.01)),
    }


def _secret_key(config: dict[str, Any]) -> str:
    """The configured secret, checked in production; a throw-away one in a trial mode when none is set."""
    production = config["PTSP_ENV"] not in TRIAL_MODES and not config.get("TESTING")
    if not config["SECRET_KEY"]:
        if production:
            raise ConfigError(
                "PTSP_SECRET_KEY is not set. In production every server needs the same long random "
                f"secret, e.g. `export PTSP_SECRET_KEY=$({GENERATE_HINT})`. "
                "For a local trial set PTSP_ENV=development or run `ptsp demo`."
            )
        return secrets.token_hex(32)
    if production:
        check_secret(str(config["SECRET_KEY"]))
    return str(config["SECRET_KEY"])
