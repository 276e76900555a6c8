"""Languages: gettext catalogues through Flask-Babel, one language switch for every page.

Bahasa Indonesia is the source language: every msgid is the Indonesian text, so the `id` locale
needs no catalogue. Each other language is a folder `ptsp/translations/<code>/LC_MESSAGES/` with
`messages.po` and its compiled `messages.mo` (`python -m scripts.i18n` extracts, updates and
compiles). Adding a language means adding that folder: `available()` finds it.

Which language a request gets, first match wins:
1. `?lang=<code>` on the URL (a page link, a test);
2. the `ptsp_lang` cookie that the language switch sets (pages, and sockets opened from them);
3. for the JSON API only, the client's `Accept-Language`;
4. `DEFAULT_LANGUAGE` (config `PTSP_DEFAULT_LANGUAGE`, default `id`). Pages ignore the browser's
   language on purpose: a kiosk PC set up in English must still greet residents in Indonesian.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from babel import Locale
from flask import Blueprint, Flask, current_app, has_request_context, redirect, request, url_for
from flask_babel import Babel, force_locale, get_locale, gettext
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup
from werkzeug.wrappers import Response

SOURCE_LANGUAGE = "id"
COOKIE = "ptsp_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"

babel = Babel()
bp = Blueprint("i18n", __name__, url_prefix="/lang")


def N_(text: str) -> str:
    """Mark `text` for extraction into the catalogues; it is translated where it is shown."""
    return text


def available() -> tuple[str, ...]:
    """The source language, then every language with a compiled catalogue in the app's folder."""
    return _languages_in(current_app.config["BABEL_TRANSLATION_DIRECTORIES"])


@functools.cache
def _languages_in(folder: str) -> tuple[str, ...]:
    found = sorted(p.parent.parent.name for p in Path(folder).glob("*/LC_MESSAGES/messages.mo"))
    return (SOURCE_LANGUAGE, *[code for code in found if code != SOURCE_LANGUAGE])


def select_locale() -> str:
    """Flask-Babel's locale selector (see the module docstring for the order)."""
    languages = available()
    default: str = current_app.config.get("DEFAULT_LANGUAGE", SOURCE_LANGUAGE)
    if not has_request_context():  # a CLI command, a background task
        return default if default in languages else SOURCE_LANGUAGE
    asked = request.args.get("lang") or request.cookies.get(COOKIE)
    if asked in languages:
        return asked
    if request.path.startswith("/api/"):
        best = request.accept_languages.best_match(languages)
        if best:
            return best
    return default if default in languages else SOURCE_LANGUAGE


def gettext_in(language: str, text: str, **params: Any) -> str:
    """`text` from the catalogue of `language`, whatever the request's language (a ticket, a device's setting)."""
    with force_locale(language):
        return gettext(text, **params) if params else gettext(text)


def catalogue_in(language: str, texts: Mapping[str, str]) -> dict[str, str]:
    """Each of `texts`' msgids from the catalogue of `language` (a printed ticket's words), looked up once per
    process and catalogue folder: the compiled catalogues are read once, as `available()` reads their folder."""
    return dict(_catalogue_in(current_app.config["BABEL_TRANSLATION_DIRECTORIES"], language, tuple(texts.items())))


@functools.lru_cache(maxsize=64)
def _catalogue_in(folder: str, language: str, texts: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    with force_locale(language):
        return tuple((key, gettext(text)) for key, text in texts)


def current_language() -> str:
    return str(get_locale() or SOURCE_LANGUAGE)


def language_choices() -> list[dict[str, str]]:
    """Each language the switch offers: its code, its short label and its name in itself."""
    return [
        {"code": code, "label": code.upper(), "name": Locale.parse(code).get_display_name(code) or code}
        for code in available()
    ]


def safe_next(target: str | None) -> str:
    """Only a path on this site: never a scheme, a host, `//host` or `/\\host` (browsers read both as a host)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return "/"
    return target


@bp.get("/<code>")
def set_language(code: str) -> Response:
    """The language switch: remember `code` in a cookie and go back to the page (`next`)."""
    if code not in available():
        code = SOURCE_LANGUAGE
    response = redirect(safe_next(request.args.get("next")), code=303)
    response.set_cookie(COOKIE, code, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True)
    return response


def here() -> str:
    """This page's path and query for the switch's `next`, less any `?lang` (it would outrank the choice)
    and any `?token` (a secret that no page takes in its address any more: links must not spread it)."""
    query = [(key, value) for key, value in request.args.items(multi=True) if key not in ("lang", "token")]
    return request.path + (f"?{urlencode(query)}" if query else "")


def switch_url(code: str) -> str:
    """The language switch's link to `code` that comes back to this page (its query kept)."""
    return url_for("i18n.set_language", code=code, next=here())


def page_text(strings: Mapping[str, Any]) -> Markup:
    """A page's own translated strings for its scripts, read by `ptsp/static/i18n.js` (`PTSPText.t`)."""
    data = htmlsafe_json_dumps({"lang": current_language(), "text": dict(strings)})
    return Markup('<script id="ptsp-text" type="application/json">') + data + Markup("</script>")


def init_app(app: Flask) -> None:
    app.config.setdefault("DEFAULT_LANGUAGE", SOURCE_LANGUAGE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", SOURCE_LANGUAGE)
    babel.init_app(app, locale_selector=select_locale)
    app.register_blueprint(bp)
    app.jinja_env.globals.update(
        current_language=current_language, language_choices=language_choices, page_text=page_text,
        switch_url=switch_url
    )
