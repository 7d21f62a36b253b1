"""Single sign-on against a real OpenID Connect provider on localhost (oidc-provider-mock, an
Authlib authorization server in a thread): the catalogue discovers it, sends the browser there,
exchanges the code over HTTP and checks the signed ID token. Nothing in between is mocked: the
browser is the Flask test client on the catalogue's side and `requests` on the provider's."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from oidc_provider_mock import run_server_in_thread

from catalogue.audit import Actor, events
from catalogue.people import add_account, disable, find
from catalogue.settings import Settings
from catalogue.signin import departments_from_claim
from tests.functional.conftest import DERIVED, KEY
from tests.functional.html import parse
from web import create_app
from web.auth import TEST_PRINCIPALS

CALLBACK = "http://localhost/sign-in/oidc/callback"  # the test client's address


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """The identity provider's issuer URL; it insists on a nonce and on registered clients."""
    with run_server_in_thread(require_nonce=True, require_client_registration=True) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def registered(provider: str) -> dict:
    """The catalogue, registered with the provider as a confidential client (RFC 7591)."""
    response = requests.post(f"{provider}/oauth2/clients", json={"redirect_uris": [CALLBACK]},
                             timeout=10)
    assert response.status_code == 201, response.text
    return response.json()


def oidc_app(settings: Settings, provider: str, registered: dict, **extra) -> Flask:
    return create_app({
        "INSTANCE_PATH": str(settings.instance),
        "DATABASE_URL": settings.database_url,
        "TESTING": True,
        TEST_PRINCIPALS: None,  # reading depends on who signed in, and on nothing else
        "OIDC_ISSUER": provider,
        "OIDC_CLIENT_ID": registered["client_id"],
        "OIDC_CLIENT_SECRET": registered["client_secret"],
        "OIDC_NAME": "Northshire staff account",
        **extra,
    })


@pytest.fixture
def app(settings: Settings, provider: str, registered: dict) -> Iterator[Flask]:
    app = oidc_app(settings, provider, registered)
    yield app
    app.extensions["catalogue"].close()


def person_at_provider(provider: str, **claims) -> str:
    """A person the provider knows, with these claims (its HTTP API); their subject."""
    sub = f"user-{uuid.uuid4().hex[:8]}"
    response = requests.put(f"{provider}/users/{sub}", json=claims, timeout=10)
    assert response.status_code == 204, response.text
    return sub


def authorize(client: FlaskClient, sub: str, next_: str | None = None) -> str:
    """Start at the catalogue, sign in at the provider as `sub`: the callback URL it sends the
    browser back to (path and query)."""
    start = client.get("/sign-in/oidc", query_string={"next": next_} if next_ else None)
    assert start.status_code == 302
    to_provider = start.headers["Location"]
    answer = requests.post(to_provider, data={"sub": sub}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == CALLBACK
    return f"{back.path}?{back.query}"


def signed_in(client: FlaskClient) -> bool:
    return client.get("/account/tokens").status_code == 200


def test_the_flow_signs_in_with_pkce_and_makes_an_account_with_the_claimed_departments(
        council, app, client, provider):
    sub = person_at_provider(provider, email="Priya.Shah@council.example.gov.uk",
                             name="Priya Shah", departments=["housing", "Public Health"])
    assert client.get(f"/datasets/{DERIVED}").status_code == 404  # department-only
    assert not signed_in(client)
    page = parse(client.get("/sign-in").data)
    assert page.link_to("Sign in with Northshire staff account").startswith("/sign-in/oidc")

    start = client.get("/sign-in/oidc", query_string={"next": f"/datasets/{DERIVED}"})
    assert start.status_code == 302
    to_provider = urlsplit(start.headers["Location"])
    assert f"{to_provider.scheme}://{to_provider.netloc}" == provider
    asked = parse_qs(to_provider.query)
    assert asked["code_challenge_method"] == ["S256"] and asked["code_challenge"]
    assert asked["state"] and asked["nonce"] and asked["redirect_uri"] == [CALLBACK]
    assert asked["scope"] == ["openid email profile"] and asked["response_type"] == ["code"]

    answer = requests.post(start.headers["Location"], data={"sub": sub},
                           allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    back = urlsplit(answer.headers["Location"])
    assert "code" in parse_qs(back.query)
    done = client.get(f"{back.path}?{back.query}")
    assert done.status_code == 302
    assert done.headers["Location"] == f"/datasets/{DERIVED}"

    assert client.get(f"/datasets/{DERIVED}").status_code == 200
    assert client.get(f"/datasets/{KEY}").status_code == 200
    assert signed_in(client)
    person = find(app.extensions["catalogue"].engine, "priya.shah@council.example.gov.uk")
    assert person.name == "Priya Shah" and person.role == "staff"
    assert person.departments == ("housing", "public-health")
    _, trail = events(app.extensions["catalogue"].engine, action="account.added")
    assert [e.detail["method"] for e in trail] == ["sso"]

    # signing out ends it; signing in again links the same account by its subject
    client.post("/sign-out", data={"csrf_token": _csrf(client)})
    assert client.get(f"/datasets/{DERIVED}").status_code == 404
    client.get(authorize(client, sub))
    assert signed_in(client)
    assert len(events(app.extensions["catalogue"].engine, action="account.added")[1]) == 1


def _csrf(client: FlaskClient) -> str:
    """The CSRF token of the signed-in session's forms."""
    html = client.get("/account/tokens").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_departments_as_a_separated_string_and_only_slugs(council, app, client, provider):
    sub = person_at_provider(provider, email="ben@council.example.gov.uk", name="Ben",
                             departments="Housing cn=Staff,ou=Groups")
    response = client.get(authorize(client, sub))
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert signed_in(client)
    assert client.get(f"/datasets/{KEY}").status_code == 200
    assert client.get(f"/datasets/{DERIVED}").status_code == 404  # public-health's only
    person = find(app.extensions["catalogue"].engine, "ben@council.example.gov.uk")
    assert person.departments == ("housing",)


def test_the_departments_claim_name_is_configurable(settings, provider, registered):
    app = oidc_app(settings, provider, registered, OIDC_DEPARTMENTS_CLAIM="groups")
    try:
        client = app.test_client()
        sub = person_at_provider(provider, email="cara@council.example.gov.uk",
                                 groups="public-health", departments=["housing"])
        assert client.get(authorize(client, sub)).status_code == 302
        person = find(app.extensions["catalogue"].engine, "cara@council.example.gov.uk")
        assert person.departments == ("public-health",)
    finally:
        app.extensions["catalogue"].close()


def test_a_wrong_state_is_refused_and_signs_no_one_in(app, client, provider):
    sub = person_at_provider(provider, email="dan@council.example.gov.uk",
                             departments=["housing"])
    callback = authorize(client, sub)
    query = parse_qs(urlsplit(callback).query)
    forged = client.get("/sign-in/oidc/callback",
                        query_string={"code": query["code"][0], "state": "forged"})
    assert forged.status_code == 400
    assert "This sign-in was not started here" in parse(forged.data).text
    assert not signed_in(client)
    with pytest.raises(Exception, match="no account"):
        find(app.extensions["catalogue"].engine, "dan@council.example.gov.uk")

    # a callback with no sign-in started in this browser at all
    other = app.test_client()
    assert other.get(callback).status_code == 400
    assert not signed_in(other)
    _, failures = events(app.extensions["catalogue"].engine, action="signin.failed")
    assert [e.detail["reason"] for e in failures] == ["state mismatch", "state mismatch"]


def test_a_person_with_no_departments_is_refused_with_a_clear_message(
        app, client, provider):
    sub = person_at_provider(provider, email="eve@council.example.gov.uk", name="Eve")
    response = client.get(authorize(client, sub))
    assert response.status_code == 401
    text = parse(response.data).text
    assert "Your identity provider gave no department for you" in text
    assert "Traceback" not in text
    assert not signed_in(client)
    with pytest.raises(Exception, match="no account"):
        find(app.extensions["catalogue"].engine, "eve@council.example.gov.uk")
    _, failures = events(app.extensions["catalogue"].engine, action="signin.failed")
    assert [(e.target, e.detail["reason"]) for e in failures] == [
        ("eve@council.example.gov.uk", "no departments")]


def test_a_person_with_no_email_is_refused(app, client, provider):
    sub = person_at_provider(provider, name="Nobody", departments=["housing"])
    response = client.get(authorize(client, sub))
    assert response.status_code == 401
    assert "gave no email address" in parse(response.data).text
    assert not signed_in(client)


def test_a_disabled_account_is_refused(app, client, provider):
    engine = app.extensions["catalogue"].engine
    add_account(engine, Actor.command_line(), "fay@council.example.gov.uk", "Fay",
                departments=["housing"])
    disable(engine, Actor.command_line(), "fay@council.example.gov.uk")
    sub = person_at_provider(provider, email="fay@council.example.gov.uk",
                             departments=["housing"])
    response = client.get(authorize(client, sub))
    assert response.status_code == 401
    assert "Your account is disabled" in parse(response.data).text
    assert not signed_in(client)


def test_the_provider_refusing_is_shown_not_raised(app, client, provider):
    start = client.get("/sign-in/oidc")
    denied = requests.post(start.headers["Location"], data={"action": "deny"},
                           allow_redirects=False, timeout=10)
    back = urlsplit(denied.headers["Location"])
    assert parse_qs(back.query)["error"] == ["access_denied"]
    response = client.get(f"{back.path}?{back.query}")
    assert response.status_code == 401
    assert "You did not allow the catalogue to sign you in" in parse(response.data).text
    assert not signed_in(client)


def test_an_open_redirect_after_sign_in_lands_on_the_home_page(app, client, provider):
    sub = person_at_provider(provider, email="gus@council.example.gov.uk",
                             departments=["housing"])
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.get(authorize(client, sub, next_=evil))
        assert response.status_code == 302
        assert response.headers["Location"] == "/", evil
        assert signed_in(client)
        client.post("/sign-out", data={"csrf_token": _csrf(client)})
        assert not signed_in(client)


def test_without_an_issuer_the_routes_are_404_and_there_is_no_button(settings):
    app = create_app({"INSTANCE_PATH": str(settings.instance),
                      "DATABASE_URL": settings.database_url, "TESTING": True})
    try:
        client = app.test_client()
        assert client.get("/sign-in/oidc").status_code == 404
        assert client.get("/sign-in/oidc/callback?code=x&state=y").status_code == 404
        assert "/sign-in/oidc" not in client.get("/sign-in").get_data(as_text=True)
    finally:
        app.extensions["catalogue"].close()


@pytest.mark.parametrize(("claim", "departments"), [
    (["housing", "Public Health", "adult_social_care"],
     ["adult-social-care", "housing", "public-health"]),
    ("housing public-health", ["housing", "public-health"]),
    ("housing,public-health, waste", ["housing", "public-health", "waste"]),
    ("CN=Housing,OU=Groups", []),
    ("", []),
    (None, []),
    (42, []),
    (["housing", 7, None], ["housing"]),
])
def test_departments_from_the_claim(claim, departments):
    assert departments_from_claim(claim) == departments
