"""Web hardening: security headers, CSRF on forms, signing in (failures audited and throttled),
the session cookie's flags, the session rotated at sign-in and ended at sign-out, and no open
redirect after signing in."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from flask import Flask

from catalogue import audit
from catalogue.audit import Actor
from catalogue.people import add_account, find
from catalogue.settings import Settings
from catalogue.tokens import tokens_of
from tests.functional.html import parse
from tests.functional.signing import (
    PASSWORD,
    access_app,
    csrf_token,
    session_cookie,
    sign_in,
)
from web import create_app

EMAIL = "hana.housing@council.example.gov.uk"
PAGES = ["/", "/datasets", "/departments", "/search?q=rough", "/sign-in", "/no-such-page",
         "/datasets/housing/no-such-dataset"]


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    app = access_app(settings.instance, settings.database_url)
    add_account(app.extensions["catalogue"].engine, Actor.command_line(), EMAIL, "Hana",
                departments=["housing"], password=PASSWORD)
    yield app
    app.extensions["catalogue"].close()


def signed_in(app: Flask):
    client = app.test_client()
    assert sign_in(client, EMAIL).status_code == 302
    return client


def events(app: Flask, action: str) -> list[audit.AuditEntry]:
    return audit.events(app.extensions["catalogue"].engine, action=action)[1]


def csp(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.parametrize("path", [*PAGES, "/api/v1/", "/account/tokens"])
def test_every_page_has_the_security_headers(app, path):
    client = app.test_client() if path == "/sign-in" else signed_in(app)
    response = client.get(path)
    assert response.status_code in (200, 404)
    policy = csp(response.headers["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    if response.mimetype == "text/html":
        page = parse(response.data)
        assert page.inline_scripts == [] and page.event_handlers == []


def test_a_form_posted_without_its_csrf_token_is_refused_and_changes_nothing(app):
    engine = app.extensions["catalogue"].engine
    client = signed_in(app)
    refused = client.post("/account/tokens", data={"name": "sneaky", "scope": "write"})
    assert refused.status_code == 400
    assert tokens_of(engine, find(engine, EMAIL)) == []
    wrong = client.post("/account/tokens", data={"name": "sneaky", "csrf_token": "forged"})
    assert wrong.status_code == 400
    assert tokens_of(engine, find(engine, EMAIL)) == []
    assert client.post("/sign-out").status_code == 400
    assert client.get("/account/tokens").status_code == 200  # still signed in
    made = client.post("/account/tokens", data={"name": "fine",
                                                "csrf_token": csrf_token(client, "/")})
    assert made.status_code == 200 and len(tokens_of(engine, find(engine, EMAIL))) == 1

    stranger = app.test_client()
    signins = len(events(app, "signin"))
    posted = stranger.post("/sign-in", data={"email": EMAIL, "password": PASSWORD})
    assert posted.status_code == 400 and session_cookie(stranger, app) is None
    assert stranger.get("/account/tokens").status_code == 302
    assert len(events(app, "signin")) == signins


def test_a_wrong_password_is_401_and_audited_and_the_sixth_attempt_is_throttled(app):
    client = app.test_client()
    for attempt in range(5):
        failed = sign_in(client, EMAIL, f"wrong password number {attempt}")
        assert failed.status_code == 401
        assert "The email address or password is not right" in failed.get_data(as_text=True)
    failures = events(app, "signin.failed")
    assert len(failures) == 5
    assert {(e.target, e.detail["reason"], e.source) for e in failures} == \
        {(EMAIL, "password", "127.0.0.1")}
    throttled = sign_in(client, EMAIL)  # the right password, too late
    assert throttled.status_code == 429
    assert "Too many failed sign-ins" in throttled.get_data(as_text=True)
    assert client.get("/account/tokens").status_code == 302
    assert events(app, "signin.failed")[0].detail["reason"] == "throttled"
    assert events(app, "signin") == []

    unknown = sign_in(app.test_client(), "nobody@council.example.gov.uk")
    assert unknown.status_code == 401  # told apart from a wrong password by nothing
    assert "The email address or password is not right" in unknown.get_data(as_text=True)


def test_sign_in_posts_are_rate_limited_per_address(app):
    client = app.test_client()
    token = csrf_token(client)
    statuses = [client.post("/sign-in", data={"csrf_token": token, "email": f"n{i}@x.example",
                                              "password": "whatever it is"}).status_code
                for i in range(11)]
    assert statuses == [401] * 10 + [429]


def test_the_session_cookie_is_httponly_lax_and_secure_outside_development(app, settings):
    client = app.test_client()
    cookie = sign_in(client, EMAIL).headers["Set-Cookie"]
    assert cookie.startswith("catalogue_session=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # a test app serves plain http

    production = create_app({"INSTANCE_PATH": str(settings.instance),
                             "DATABASE_URL": settings.database_url, "TESTING": False})
    try:
        assert production.config["SESSION_COOKIE_SECURE"] is True
        browser = production.test_client()
        cookie = sign_in(browser, EMAIL).headers["Set-Cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    finally:
        production.extensions["catalogue"].close()


def test_signing_in_rotates_the_session(app):
    client = app.test_client()
    before_token = csrf_token(client)
    before = session_cookie(client, app)
    assert before
    assert sign_in(client, EMAIL).status_code == 302
    after = session_cookie(client, app)
    assert after and after != before
    assert client.get("/account/tokens").status_code == 200

    fixed = app.test_client()  # someone holding the cookie from before sign-in
    fixed.set_cookie(app.config["SESSION_COOKIE_NAME"], before)
    assert fixed.get("/account/tokens").status_code == 302
    # and the CSRF token of the old session is worthless in the new one
    assert client.post("/account/tokens", data={"name": "x", "csrf_token": before_token}
                       ).status_code == 400


def test_signing_out_ends_the_session_even_for_a_copied_cookie(app):
    client = signed_in(app)
    copied = session_cookie(client, app)
    out = client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")})
    assert out.status_code == 302 and out.headers["Location"] == "/"
    assert client.get("/account/tokens").status_code == 302
    replay = app.test_client()
    replay.set_cookie(app.config["SESSION_COOKIE_NAME"], copied)
    assert replay.get("/account/tokens").status_code == 302
    assert "Sign in" in parse(replay.get("/").data).text
    assert [e.target for e in events(app, "signout")] == [EMAIL]


@pytest.mark.parametrize("target", [
    "//evil.example", "https://evil.example", "http://evil.example/sign-in",
    "/\\evil.example", "\\\\evil.example", "javascript:alert(1)", "///evil.example",
    " //evil.example", "/%2F/evil.example"])
def test_no_open_redirect_after_signing_in(app, target):
    client = app.test_client()
    response = sign_in(client, EMAIL, next_url=target)
    assert response.status_code == 302
    assert on_this_site(response.headers["Location"])
    again = client.get("/sign-in", query_string={"next": target})  # already signed in
    assert again.status_code == 302 and on_this_site(again.headers["Location"])


def on_this_site(location: str) -> bool:
    """A redirect a browser follows to this site only: a path, never `//host` or `/\\host`
    (which browsers read as another host) or anything with a scheme."""
    parts = urlsplit(location)
    return (not parts.scheme and not parts.netloc and location.startswith("/")
            and not location.startswith("//") and "\\" not in location)


def test_a_local_next_is_followed(app):
    response = sign_in(app.test_client(), EMAIL, next_url="/datasets?department=housing")
    assert response.headers["Location"] == "/datasets?department=housing"
