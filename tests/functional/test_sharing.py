"""Grants, their expiry and revocation, for pages, search and downloads; API tokens revoked,
expired or of a disabled account; the audit trail and its append-only table.

Expiry is enforced when someone reads, so the tests move a grant's or token's expiry into the
past in the database and read again at once: no sleeps, no scheduled job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text, update
from sqlalchemy.exc import DBAPIError

from catalogue.audit import Actor
from catalogue.core import Catalogue
from catalogue.models import ApiToken, Grant
from catalogue.people import AccountError, add_account, disable, find
from catalogue.settings import Settings
from catalogue.tokens import create_token, tokens_of
from tests.builders import RegistryBuilder, sh
from tests.functional.signing import (
    PASSWORD,
    access_app,
    bearer,
    csrf_token,
    session_cookie,
    sign_in,
)
from web.commands import main

KEY = "childrens-services/foster-placements"
TITLE = "Wexcombe foster placements register"
FILE = "placements.csv"
DATA = [b"placement_ref,wexcombe_band\nP1,A\n", b"placement_ref,wexcombe_band\nP1,A\nP2,B\n"]
OPEN_KEY = "housing/waiting-list"
HOUSING = "hana.housing@council.example.gov.uk"
PARTNER = "pat.partner@nhs-trust.example.org"
OWNER = "olu.owner@council.example.gov.uk"
GOVERNANCE = "gita.governance@council.example.gov.uk"
CLI = Actor.command_line()
CELL = '<td class="govuk-table__cell">{}</td>'  # an audit entry's column
NEW_TOKEN = re.compile(r'<code class="app-token" id="new-token">([^<]+)</code>')


@pytest.fixture(scope="module")
def sharing_registry(tmp_path_factory: pytest.TempPathFactory) -> RegistryBuilder:
    """A department-only dataset with two versions, and an internal one."""
    r = RegistryBuilder(tmp_path_factory.mktemp("sharing") / "registry",
                        {"housing": "Housing", "childrens-services": "Children's Services"},
                        partners={"nhs-trust": "Northshire NHS Trust"})
    r.metadata(KEY, title=TITLE, visibility="department", owners=[OWNER],
               description="Placements made through the Wexcombe fostering hub.")
    r.metadata(OPEN_KEY, title="Housing waiting list", visibility="internal")
    r.write(f"{KEY}/{FILE}", DATA[0])
    r.write(f"{OPEN_KEY}/list.csv", "band,households\nA,3\n")
    sh(["dvc", "add", "-q", f"{KEY}/{FILE}", f"{OPEN_KEY}/list.csv"], r.path)
    r.commit("First placements", "asha")
    r.dvc_add(KEY, {FILE: DATA[1]})
    r.commit("Second placements", "ben")
    sh(["dvc", "push", "-q", "--all-commits"], r.path)
    return r


@dataclass
class Env:
    app: Flask
    settings: Settings

    @property
    def catalogue(self) -> Catalogue:
        return self.app.extensions["catalogue"]

    def token(self, email: str, scope: str = "read", **kwargs) -> str:
        return create_token(self.catalogue.engine, CLI, email, "test", scope, **kwargs)[1]

    def client(self, email: str) -> FlaskClient:
        return bearer(self.app, self.token(email))

    def signed_in(self, email: str) -> FlaskClient:
        client = self.app.test_client()
        assert sign_in(client, email).status_code == 302
        return client

    def share(self, grantee: str, **options) -> None:
        self.catalogue.sharing.share(None, CLI, KEY, grantee, **options)

    def cli(self, *args: str):
        return CliRunner().invoke(main, [*args, "--instance", str(self.settings.instance)],
                                  env={"DATABASE_URL": self.settings.database_url,
                                       "CATALOGUE_INSTANCE": str(self.settings.instance)})


@pytest.fixture
def env(sharing_registry: RegistryBuilder, settings: Settings) -> Env:
    app = access_app(settings.instance, settings.database_url)
    cat = app.extensions["catalogue"]
    cat.indexer.index(str(sharing_registry.path))
    for email, name, where, role in [
            (HOUSING, "Hana", {"departments": ["housing"]}, "staff"),
            (PARTNER, "Pat", {"partner": "nhs-trust"}, "staff"),
            (OWNER, "Olu", {"departments": ["childrens-services"]}, "staff"),
            (GOVERNANCE, "Gita", {"departments": ["housing"]}, "governance")]:
        add_account(cat.engine, CLI, email, name, role=role, password=PASSWORD, **where)
    yield Env(app, settings)
    cat.close()


def seen(client: FlaskClient) -> dict[str, object]:
    """Where KEY shows for this client: page, API, versions, search, suggestions, downloads."""
    versions = client.get(f"/api/v1/datasets/{KEY}/versions")
    return {
        "page": client.get(f"/datasets/{KEY}").status_code,
        "api": client.get(f"/api/v1/datasets/{KEY}").status_code,
        "versions": [v["number"] for v in versions.get_json()["results"]]
        if versions.status_code == 200 else versions.status_code,
        "list": KEY in {d["id"] for d in client.get("/api/v1/datasets").get_json()["results"]},
        "search": KEY in {r["id"] for r in client.get(
            "/api/v1/search", query_string={"q": "wexcombe placements"}).get_json()["results"]},
        "search page": TITLE in client.get("/search?q=wexcombe").get_data(as_text=True),
        "suggest": KEY in {s["id"] for s in client.get(
            "/api/v1/suggest", query_string={"q": "wexcom"}).get_json()["suggestions"]},
        "download v1": client.get(f"/datasets/{KEY}/versions/1/files/{FILE}").status_code,
        "download v2": _download(client, f"/api/v1/datasets/{KEY}/versions/2/files/{FILE}"),
    }


def _download(client: FlaskClient, url: str) -> int | bytes:
    response = client.get(url)
    return response.data if response.status_code == 200 else response.status_code


HIDDEN = {"page": 404, "api": 404, "versions": 404, "list": False, "search": False,
          "search page": False, "suggest": False, "download v1": 404, "download v2": 404}
VISIBLE = {"page": 200, "api": 200, "versions": [2, 1], "list": True, "search": True,
           "search page": True, "suggest": True, "download v1": 200, "download v2": DATA[1]}


@pytest.mark.parametrize(("grantee", "email", "via"), [
    ("department:housing", HOUSING, "token"), ("partner:nhs-trust", PARTNER, "session")])
def test_a_grant_shows_the_dataset_everywhere_until_it_expires_or_is_revoked(
        env, grantee, email, via):
    client = env.client(email) if via == "token" else env.signed_in(email)
    assert seen(client) == HIDDEN

    env.share(grantee, expires_on=date.today() + timedelta(days=30))
    assert seen(client) == VISIBLE

    with env.catalogue.engine.begin() as conn:  # the grant's end passes: nothing to re-index
        conn.execute(update(Grant).values(expires_at=datetime.now(UTC) - timedelta(minutes=1)))
    assert seen(client) == HIDDEN

    env.share(grantee)  # shared again, for good
    assert seen(client) == VISIBLE
    env.catalogue.sharing.unshare(None, CLI, KEY, grantee)
    assert seen(client) == HIDDEN
    assert seen(env.client(OWNER)) == VISIBLE  # its own department still reads it


def test_a_grant_from_a_version_shows_that_version_and_later_only(env):
    client = env.client(HOUSING)
    env.share("department:housing", from_version=2)
    assert seen(client) == {**VISIBLE, "versions": [2], "download v1": 404}
    assert client.get(f"/datasets/{KEY}/versions/1").status_code == 404
    assert client.get(f"/api/v1/datasets/{KEY}/versions/1").status_code == 404
    assert client.get(f"/datasets/{KEY}/versions/2").status_code == 200
    assert "First placements" not in client.get(f"/datasets/{KEY}").get_data(as_text=True)
    env.share("department:housing", from_version=1)  # widened
    assert seen(client) == VISIBLE


def test_share_unshare_and_shares_on_the_command_line(env):
    client = env.client(HOUSING)
    done = env.cli("share", KEY, "--with", "department:housing", "--expires", "2099-12-31")
    assert done.exit_code == 0, done.output
    assert done.output.strip() == (f"Shared {KEY} with Housing (department:housing): all "
                                   "versions until the end of 2099-12-31")
    assert seen(client) == VISIBLE  # search too: the command updated the index on disk
    listed = env.cli("shares", KEY)
    assert listed.exit_code == 0
    assert listed.output.strip() == ("department:housing  Housing: all versions, until the end "
                                     "of 2099-12-31")

    for args, message in [
            (["share", KEY, "--with", "department:nowhere"], "no department 'nowhere'"),
            (["share", KEY, "--with", "partner:nobody"], "no partner 'nobody'"),
            (["share", KEY, "--with", "everyone"], "write department:SLUG or partner:SLUG"),
            (["share", "childrens-services/nothing", "--with", "department:housing"],
             "No dataset childrens-services/nothing"),
            (["share", KEY, "--with", "department:housing", "--from-version", "3"],
             "has no version 3"),
            (["unshare", KEY, "--with", "partner:nhs-trust"], "is not shared with"),
            (["shares", "housing/nothing"], "No dataset housing/nothing")]:
        failed = env.cli(*args)
        assert failed.exit_code != 0, args
        assert message in failed.output, (args, failed.output)

    done = env.cli("unshare", KEY, "--with", "department:housing")
    assert done.exit_code == 0, done.output
    assert seen(client) == HIDDEN
    assert "is not shared with anyone" in env.cli("shares", KEY).output


def test_a_revoked_token_stops_on_the_very_next_request(env):
    browser = env.signed_in(OWNER)
    made = browser.post("/account/tokens", data={
        "csrf_token": csrf_token(browser, "/account/tokens"), "name": "placements script",
        "scope": "read"})
    assert made.status_code == 200
    [token] = NEW_TOKEN.findall(made.get_data(as_text=True))
    script = bearer(env.app, token)
    assert script.get(f"/api/v1/datasets/{KEY}").status_code == 200
    assert script.get("/account/tokens").status_code == 200

    [info] = tokens_of(env.catalogue.engine, find(env.catalogue.engine, OWNER))
    revoked = browser.post(f"/account/tokens/{info.id}/revoke",
                           data={"csrf_token": csrf_token(browser, "/account/tokens")})
    assert revoked.status_code == 302
    for path in (f"/api/v1/datasets/{KEY}", "/account/tokens", "/api/v1/datasets"):
        refused = script.get(path)
        assert refused.status_code == 401, path  # told, not read as nobody
        assert refused.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
        assert b"not valid" in refused.data and TITLE.encode() not in refused.data
    assert browser.get(f"/api/v1/datasets/{KEY}").status_code == 200  # the session goes on


def test_an_expired_token_is_refused(env):
    token = env.token(OWNER, expires_at=datetime.now(UTC) + timedelta(days=1))
    client = bearer(env.app, token)
    assert client.get(f"/datasets/{KEY}").status_code == 200
    with env.catalogue.engine.begin() as conn:
        conn.execute(update(ApiToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    assert client.get(f"/datasets/{KEY}").status_code == 401
    assert client.get("/account/tokens").status_code == 401
    with pytest.raises(AccountError, match="must be in the future"):
        env.token(OWNER, expires_at=datetime.now(UTC) - timedelta(days=1))


def test_a_disabled_accounts_token_and_session_stop_working(env):
    script, browser = env.client(OWNER), env.signed_in(OWNER)
    for client in (script, browser):
        assert client.get(f"/datasets/{KEY}").status_code == 200
        assert client.get("/account/tokens").status_code == 200
    disable(env.catalogue.engine, CLI, OWNER)
    assert script.get(f"/datasets/{KEY}").status_code == 401
    assert browser.get(f"/datasets/{KEY}").status_code == 404  # the session reads as nobody
    assert browser.get("/account/tokens").status_code == 302
    assert sign_in(env.app.test_client(), OWNER).status_code == 401


def test_a_read_scoped_token_cannot_change_anything(env):
    owner = find(env.catalogue.engine, OWNER)
    reader = bearer(env.app, env.token(OWNER, "read"))
    refused = reader.post("/account/tokens", data={"name": "more", "scope": "write"})
    assert refused.status_code == 403
    assert refused.get_json() is None and b"can only read" in refused.data
    assert reader.post("/sign-out").status_code == 403
    assert len(tokens_of(env.catalogue.engine, owner)) == 1
    writer = bearer(env.app, env.token(OWNER, "write"))
    assert writer.post("/account/tokens", data={"name": "more"}).status_code == 200
    assert len(tokens_of(env.catalogue.engine, owner)) == 3


def test_the_audit_trail_lists_grants_tokens_and_sign_ins_for_governance_only(env):
    env.share("department:housing")
    env.catalogue.sharing.unshare(None, CLI, KEY, "department:housing")
    browser = env.signed_in(OWNER)
    browser.post("/account/tokens", data={"csrf_token": csrf_token(browser, "/account/tokens"),
                                          "name": "audited token"})
    [info] = tokens_of(env.catalogue.engine, find(env.catalogue.engine, OWNER))
    browser.post(f"/account/tokens/{info.id}/revoke",
                 data={"csrf_token": csrf_token(browser, "/account/tokens")})
    assert sign_in(env.app.test_client(), HOUSING, "not the password at all").status_code == 401

    governance = env.signed_in(GOVERNANCE)
    page = governance.get("/audit?per_page=100")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    for label in ("Shared", "Sharing revoked", "API token created", "API token revoked",
                  "Signed in", "Sign-in failed"):
        assert CELL.format(label) in body, label
    assert KEY in body and "audited token" in body and "127.0.0.1" in body
    only_grants = governance.get("/audit?action=grant.created").get_data(as_text=True)
    assert CELL.format("Shared") in only_grants
    assert CELL.format("Signed in") not in only_grants and CELL.format("Sharing revoked") \
        not in only_grants

    assert env.signed_in(HOUSING).get("/audit").status_code == 403
    assert env.client(HOUSING).get("/audit").status_code == 403
    assert env.app.test_client().get("/audit").status_code == 302


def test_the_audit_trail_is_append_only(env):
    engine = env.catalogue.engine
    sign_in(env.app.test_client(), HOUSING)
    with engine.connect() as conn:
        before = conn.execute(text("SELECT id, action, actor FROM auditevent ORDER BY id")).all()
    assert before
    statements = ["UPDATE auditevent SET actor = 'someone.else@example.org'",
                  "DELETE FROM auditevent"]
    if engine.dialect.name == "postgresql":
        statements.append("TRUNCATE auditevent")  # SQLite has no TRUNCATE; DELETE is refused
    for statement in statements:
        with pytest.raises(DBAPIError, match="append-only|append only"):
            with engine.begin() as conn:
                conn.execute(text(statement))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT id, action, actor FROM auditevent ORDER BY id")
                            ).all() == before


def test_the_session_cookie_is_dropped_at_sign_out(env):
    """Sharing follows the person: a session ended at sign-out reads as anonymous."""
    env.share("department:housing")
    browser = env.signed_in(HOUSING)
    assert session_cookie(browser, env.app)
    assert browser.get(f"/datasets/{KEY}").status_code == 200
    out = browser.post("/sign-out", data={"csrf_token": csrf_token(browser, "/")})
    assert out.status_code == 302
    assert browser.get(f"/datasets/{KEY}").status_code == 404
