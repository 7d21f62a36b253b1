"""Bad input never answers 5xx: property-based probes of numbers, JSON bodies, dates and
webhooks, through HTTP (the Flask test client) and the command line, on a real registry.

Hypothesis draws the input: integers of any size and strings of digits of every script (what
`str.isdigit()` accepts and `int()` refuses, such as '²') in addresses and query strings; JSON
that is not an object or nests thousands deep; any calendar day (its ends included) as an
expiry in the API, the forms and the CLI; any bytes, signed or not, as a forge's webhook. Each
answer must be below 500, and where the input was wrong, a 4xx whose message names the field.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from datetime import date
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from catalogue.audit import Actor
from catalogue.cli import main
from catalogue.clock import LAST_DAY
from catalogue.core import Catalogue
from catalogue.people import add_account
from catalogue.tokens import create_token
from tests.builders import RegistryBuilder
from tests.functional.conftest import KEY
from tests.functional.signing import PASSWORD, bearer, csrf_token, sign_in
from web.security import limiter

PUBLISHER = "pat.publisher@council.example.gov.uk"
SECRET = "a webhook secret long enough to be one"
FUZZ = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
DIGITS = "0123456789²³¹٣߁৪٠-+ "
NUMBERS = st.one_of(st.integers().map(str),
                    st.integers(min_value=2**63 - 3, max_value=2**90).map(str),
                    st.text(alphabet=DIGITS, min_size=1, max_size=25))
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                    | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=12)
DEEP = st.integers(min_value=500, max_value=200_000).flatmap(
    lambda n: st.sampled_from(["[" * n + "]" * n, '{"a":' * n + "1" + "}" * n]))
BODIES = st.one_of(JSON.map(lambda v: json.dumps(v).encode()), DEEP.map(str.encode),
                   st.binary(max_size=64))
DAYS = st.one_of(st.dates().map(date.isoformat), st.text(alphabet="0123456789-", max_size=12))


@pytest.fixture
def world(app: Flask, council: RegistryBuilder, catalogue: Catalogue) -> dict:
    limiter.enabled = False  # hundreds of requests from one address, on purpose
    add_account(catalogue.engine, Actor.command_line(), PUBLISHER, "Pat",
                departments=["housing"], role="publisher", password=PASSWORD)
    token = create_token(catalogue.engine, Actor.command_line(), PUBLISHER, "fuzz", "write")[1]
    signed_in = app.test_client()
    assert sign_in(signed_in, PUBLISHER).status_code == 302
    yield {"api": bearer(app, token), "web": signed_in, "token": token}
    limiter.enabled = True


def _server_error(response) -> str:
    return f"{response.status_code}: {response.get_data(as_text=True)[:300]}"


@FUZZ
@given(number=NUMBERS)
@example(number="²")
@example(number=str(2**64))
def test_numbers_in_addresses_and_query_strings(world: dict, client: FlaskClient,
                                                number: str) -> None:
    n = quote(number, safe="")
    for path in (f"/datasets/{KEY}/versions/{n}", f"/api/v1/datasets/{KEY}/versions/{n}",
                 f"/api/v1/datasets/{KEY}/versions/{n}/files/counts.csv",
                 f"/datasets?page={n}&per_page={n}", f"/api/v1/datasets?page={n}&per_page={n}",
                 f"/search?q=rough&page={n}", f"/api/v1/search?q=rough&page={n}&per_page={n}",
                 f"/api/v1/suggest?q=ro&limit={n}", f"/open/datasets?page={n}",
                 f"/api/v1/open/datasets?page={n}", f"/open/catalog.ttl?page={n}",
                 f"/api/action/package_search?rows={n}&start={n}",
                 f"/api/v1/notifications?page={n}", f"/departments/housing?page={n}",
                 f"/datasets/{KEY}/compare?from={n}&to={n}",
                 f"/api/v1/datasets/{KEY}/compare?from={n}&to={n}",
                 f"/api/v1/datasets/{KEY}/versions/{n}/preview",
                 f"/api/v1/datasets/{KEY}/versions/{n}/profile"):
        for reader in (client, world["api"]):
            response = reader.get(path)
            assert response.status_code < 500, (path, _server_error(response))


@FUZZ
@given(body=BODIES)
@example(body=b"[" * 100_000 + b"]" * 100_000)
@example(body=b"42")
@example(body=b'"text"')
def test_json_bodies(world: dict, body: bytes) -> None:
    api = world["api"]
    paths = ["/api/v1/notifications/read", f"/api/v1/datasets/{KEY}/grants",
             f"/api/v1/datasets/{KEY}/versions/1/withdraw",
             "/api/v1/release-requests/no-such/decision", "/api/action/package_search",
             f"/api/v1/datasets/{KEY}/access-requests",
             "/api/v1/access-requests/no-such/decision", "/api/v1/grants/no-such/decision"]
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError):
        parsed = ValueError
    for path in paths:
        response = api.post(path, data=body, content_type="application/json")
        assert response.status_code < 500, (path, body[:80], _server_error(response))
        if path.startswith("/api/v1/") and body.strip() and not isinstance(parsed, dict):
            assert response.status_code == 400, (path, body[:80])
            assert response.get_json()["error"]["message"].startswith("body: ")


@FUZZ
@given(day=DAYS, version=NUMBERS)
@example(day="9999-12-31", version="1")
@example(day="0001-01-01", version="²")
def test_dates_and_versions_in_the_api_and_forms(world: dict, day: str, version: str) -> None:
    share = world["api"].post(f"/api/v1/datasets/{KEY}/grants", json={
        "grantee": "department:public-health", "expires": day, "from_version": version})
    assert share.status_code < 500, _server_error(share)
    web = world["web"]
    token_form = web.post("/account/tokens", data={
        "csrf_token": csrf_token(web, "/account/tokens"), "name": "fuzz", "scope": "read",
        "expires": day})
    assert token_form.status_code < 500, _server_error(token_form)
    for reader in (web, world["api"]):
        trail = reader.get(f"/audit?from={quote(day)}&to={quote(day)}")
        assert trail.status_code < 500, _server_error(trail)
    share_form = web.post(f"/datasets/{KEY}/sharing", data={
        "csrf_token": csrf_token(web, f"/datasets/{KEY}/sharing"),
        "grantee": "department:public-health", "expires": day, "from_version": version})
    assert share_form.status_code < 500, _server_error(share_form)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", day) and date.fromisoformat(day) > LAST_DAY:
        assert share.status_code == 400
        assert share.get_json()["error"]["message"].startswith("expires")
        assert token_form.status_code == 400 and "too far ahead" in token_form.text
        assert share_form.status_code == 400


@settings(max_examples=8, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(day=st.dates())
@example(day=date.max)
def test_dates_on_the_command_line(world: dict, settings_: dict, day: date) -> None:
    runner = CliRunner()
    for args in (["token", "create", PUBLISHER, "--expires", day.isoformat()],
                 ["share", KEY, "--with", "department:public-health", "--expires",
                  day.isoformat()]):
        result = runner.invoke(main, [*args, "--instance", settings_["instance"]],
                               env={"DATABASE_URL": settings_["database_url"]})
        assert result.exit_code in (0, 1), result.output
        assert "unexpected error" not in result.output and "Traceback" not in result.output
        if day > LAST_DAY:
            assert result.exit_code == 1 and "expires" in result.output


@pytest.fixture
def settings_(settings) -> dict:
    return {"instance": str(settings.instance), "database_url": settings.database_url}


# Webhooks


def _signed(body: bytes, secret: str = SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-GitHub-Event": "push", "X-Hub-Signature-256": f"sha256={digest}",
            "Content-Type": "application/json"}


@pytest.fixture
def hooked(council: RegistryBuilder, catalogue: Catalogue) -> str:
    from catalogue.webhooks import set_secret

    url = str(council.path)
    set_secret(catalogue, url, SECRET)
    return url


def _push(url: str, before: object, after: object) -> bytes:
    return json.dumps({"ref": "refs/heads/main", "before": before, "after": after,
                       "repository": {"clone_url": url}}).encode()


@FUZZ
@given(body=st.one_of(BODIES, st.tuples(JSON, JSON).map(lambda ba: ba)),
       sign=st.booleans())
def test_webhook_bodies(world: dict, client: FlaskClient, hooked: str, body, sign: bool) -> None:
    if isinstance(body, tuple):  # a push naming this registry, with any before and after
        body = _push(hooked, *body)
    headers = _signed(body) if sign else _signed(body, "not the registry's secret at all")
    response = client.post("/api/v1/hooks/push", data=body, headers=headers)
    assert response.status_code in (200, 400, 401, 422), _server_error(response)
    if not sign:
        assert response.status_code == 401
    elif response.status_code in (400, 422):
        assert re.match(r"^(body|before|after): ", response.get_json()["error"]["message"])


def test_a_signed_body_that_is_not_json_is_refused_naming_it(client: FlaskClient,
                                                             hooked: str) -> None:
    for body in (b"{not json", b"[" * 50_000 + b"]" * 50_000, b"[1, 2]"):
        response = client.post("/api/v1/hooks/push", data=body, headers=_signed(body))
        assert response.status_code == 400
        assert response.get_json()["error"]["message"].startswith("body: ")
        unsigned = client.post("/api/v1/hooks/push", data=body, headers=_signed(body, "x" * 20))
        assert unsigned.status_code == 401  # nothing is read before the signature holds


def test_a_push_naming_an_unknown_commit_is_refused_naming_it(client: FlaskClient,
                                                              council: RegistryBuilder,
                                                              hooked: str) -> None:
    body = _push(hooked, council.head(), "f" * 40)
    response = client.post("/api/v1/hooks/push", data=body, headers=_signed(body))
    assert response.status_code == 422
    assert response.get_json()["error"]["message"].startswith("after: ")


def test_an_unknown_before_does_not_list_every_version(client: FlaskClient,
                                                       council: RegistryBuilder,
                                                       hooked: str) -> None:
    body = _push(hooked, "e" * 40, council.head())
    response = client.post("/api/v1/hooks/push", data=body, headers=_signed(body))
    assert response.status_code == 200, response.get_json()
    tip_versions = [v for v in response.get_json()["versions"]]
    assert all(v["commit_sha"] == council.head() for v in tip_versions)
    assert len(tip_versions) <= 1


# Caching


def test_answers_to_a_reader_with_credentials_are_private(world: dict, client: FlaskClient,
                                                          app: Flask) -> None:
    api, web = world["api"], world["web"]
    for path in ("/api/v1/datasets", f"/api/v1/datasets/{KEY}",
                 f"/api/v1/datasets/{KEY}/versions/3/files/counts.csv", "/api/v1/search?q=a"):
        for reader in (api, web):
            response = reader.get(path)
            assert response.status_code == 200, path
            assert "private" in response.headers.get("Cache-Control", ""), path
            assert "public" not in response.headers.get("Cache-Control", ""), path
    anonymous = app.test_client().get("/open/catalog.ttl")
    assert "private" not in anonymous.headers.get("Cache-Control", "")
