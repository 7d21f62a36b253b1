"""Who is asking: a signed-in browser (Flask-Login over the catalogue's sign-in sessions), a
script with an API token (`Authorization: Bearer …`), or nobody (the public). Every view gets
its reader from `current_reader()` and nowhere else.

Cookies: the session cookie is HttpOnly, SameSite=Lax, and Secure unless the app runs in
development (`CATALOGUE_DEVELOPMENT=1`, the demo) or tests. It carries the sign-in session's
token, which is rotated at every sign-in and worthless once signed out.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, g, make_response, redirect, request, url_for
from flask_login import LoginManager, UserMixin, current_user
from werkzeug.exceptions import Forbidden

from catalogue.access import Reader
from catalogue.audit import Actor
from catalogue.people import Person
from catalogue.signin import session_person
from catalogue.tokens import token_person
from web.errors import error_response
from web.extensions import catalogue, session

TEST_PRINCIPALS = "TESTING_READER_PRINCIPALS"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
READ_ONLY_BLUEPRINTS = {"ckan"}
"""Blueprints that change nothing whatever the method: CKAN's clients POST their reads."""


class SignedIn(UserMixin):
    """The person behind a request, and how they proved it (`session` or `token`)."""

    def __init__(self, person: Person, credential: str, via: str, scope: str = "write"):
        self.person, self.credential, self.via, self.scope = person, credential, via, scope

    def get_id(self) -> str:
        return self.credential  # Flask-Login keeps this in the cookie: the session's token


login_manager = LoginManager()
login_manager.login_view = "account.sign_in"
login_manager.login_message = "Sign in to see this page."
login_manager.login_message_category = "info"
login_manager.session_protection = None  # the token is rotated at sign-in and ended at sign-out


@login_manager.unauthorized_handler
def _unauthorized():
    """The JSON API answers 401; a page sends the browser to sign in and back."""
    if request.path.startswith("/api/"):
        return error_response(401, "Sign in, or send an API token as "
                                   "`Authorization: Bearer <token>`")
    return redirect(url_for("account.sign_in_page", next=request.full_path.rstrip("?")))


@login_manager.user_loader
def _from_session(token: str) -> SignedIn | None:
    person = session_person(catalogue().engine, token)
    return SignedIn(person, token, "session") if person else None


@login_manager.request_loader
def _from_bearer(req) -> SignedIn | None:
    header = req.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    found = token_person(catalogue().engine, token.strip())
    if found is None:
        return None
    person, scope = found
    return SignedIn(person, token.strip(), "token", scope)


def init_app(app: Flask) -> None:
    development = bool(app.config.get("DEVELOPMENT")) or app.testing or app.debug
    # Not `setdefault`: Flask's own defaults (SECURE False, SAMESITE None, NAME "session") are
    # always there, so it kept them; a value the configuration chose is kept.
    for key, value in (("SESSION_COOKIE_HTTPONLY", True), ("SESSION_COOKIE_SAMESITE", "Lax"),
                       ("SESSION_COOKIE_SECURE", not development),
                       ("SESSION_COOKIE_NAME", "catalogue_session")):
        if app.config.get(key) == Flask.default_config.get(key):
            app.config[key] = value
    login_manager.init_app(app)
    app.before_request(_check_token)
    app.after_request(_private_when_signed_in)


def _private_when_signed_in(response: Response) -> Response:
    """An answer to someone signed in or sending a token is theirs alone: no shared cache
    (a proxy's, a CDN's) may keep it for the next reader, whatever else it says of caching."""
    if bearer_request() or current_person() is not None:
        response.cache_control.public = False
        response.cache_control.private = True
    return response


def _check_token() -> Response | None:
    """A token that is not valid (revoked, expired, its account disabled, or never made) is
    told so with a 401, rather than read as nobody; a read-scoped token cannot change
    anything."""
    if not bearer_request():
        return None
    user = current_user
    if not user.is_authenticated:
        response, status = error_response(
            401, "This API token is not valid: it was revoked, it has expired, its account is "
                 "disabled, or it was never made. Make a new one on your API tokens page.")
        response = make_response(response, status)
        response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        return response
    if request.method not in SAFE_METHODS and user.scope != "write" \
            and request.blueprint not in READ_ONLY_BLUEPRINTS:
        raise Forbidden("This API token can only read: make one with the write scope")
    return None


def bearer_request() -> bool:
    """Whether the request carries credentials of its own (no cookie, so no CSRF risk)."""
    return request.headers.get("Authorization", "").lower().startswith("bearer ")


def current_person() -> Person | None:
    user = current_user
    return user.person if user and user.is_authenticated else None


def current_reader() -> Reader:
    """What the request's person may read, worked out once per request (grants included,
    expiry checked now).

    Test-only: an app made with TESTING=True and `TESTING_READER_PRINCIPALS` (a list such as
    `["department:housing"]`, or `["*"]` for everything) reads as those principals instead,
    unless someone signed in.
    """
    if "reader" in g:
        return g.reader
    person = current_person()
    if person is not None:
        with session() as s:
            g.reader = person.reader(s)
    elif current_app.testing and current_app.config.get(TEST_PRINCIPALS) is not None:
        g.reader = Reader.of(*current_app.config[TEST_PRINCIPALS])
    else:
        g.reader = Reader.anonymous()
    return g.reader


def actor() -> Actor:
    """The audit trail's who and from where, for this request."""
    person = current_person()
    return Actor(person.email if person else None, request.remote_addr)
