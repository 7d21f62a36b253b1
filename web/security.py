"""Web hardening, each piece from the library made for it: CSRF tokens on every form
(Flask-WTF), security headers with a Content-Security-Policy that allows no inline script
(Flask-Talisman), and rate limits on sign-in and token endpoints (Flask-Limiter), counted in
the catalogue's database so that every worker and host counts alike (catalogue.cluster.ratelimit;
`CATALOGUE_RATELIMIT_STORAGE_URI=redis://…` counts in Redis instead).

Requests that carry an API token (`Authorization: Bearer …`) send no cookie, so they need no
CSRF token; forge webhooks prove themselves with their signature.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, has_app_context, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.engine import Engine

from catalogue.cluster.ratelimit import SCHEME as DATABASE_COUNTERS
from web.auth import bearer_request

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
CSRF_EXEMPT_BLUEPRINTS = ("hooks",  # forge webhooks, verified by their signature
                          "ckan")  # the CKAN Action API: it only reads
SIGN_IN_LIMIT = "10 per minute; 50 per hour"
TOKEN_LIMIT = "20 per hour"

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
talisman = Talisman()


def init_app(app: Flask) -> None:
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)  # checked below, after bearer requests
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # valid for the session's life
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = f"{DATABASE_COUNTERS}://"
        app.config["RATELIMIT_STORAGE_OPTIONS"] = {"engine": _engine_of(app)}
    app.config.setdefault("RATELIMIT_ENABLED", True)  # else the shared limiter keeps the last app's
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    csrf.init_app(app)
    limiter.init_app(app)
    talisman.init_app(
        app,
        force_https=False,  # TLS ends at the council's proxy; see the README's deployment
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        content_security_policy=CSP,
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        permissions_policy={"geolocation": "()", "camera": "()", "microphone": "()"},
        strict_transport_security=True,
    )

    @app.before_request
    def _csrf() -> None:
        if request.routing_exception is not None:
            return  # a 404 or 405 answers as such, not as a missing CSRF token
        if request.blueprint not in CSRF_EXEMPT_BLUEPRINTS and not bearer_request():
            csrf.protect()


def _engine_of(app: Flask) -> Callable[[], Engine]:
    """The database that counts a request's attempts: its app's catalogue's (outside a
    request, as when the limiter is reset, the app's that made the limiter's storage)."""
    made_by = app.extensions["catalogue"].engine

    def engine() -> Engine:
        return current_app.extensions["catalogue"].engine if has_app_context() else made_by

    return engine
