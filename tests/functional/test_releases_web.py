"""Open releases through the web and the command line: asking from the version page and the
API, the review queue, a request's page with its checks, the four-eyes decision and its
override checkboxes, publishing again, withdrawal, CSRF on every form, and `catalogue
releases` / `catalogue release show`. A real registry (git + DVC) is indexed into each test's
own database; the checks run in the app's background thread and are waited on."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from catalogue.audit import Actor
from catalogue.cli import main
from catalogue.core import Catalogue
from catalogue.people import add_account
from catalogue.releases.service import OPERATOR
from catalogue.settings import Settings
from catalogue.tokens import create_token
from tests.builders import RegistryBuilder
from tests.functional.html import parse
from tests.functional.signing import PASSWORD, access_app, bearer, csrf_token, sign_in

COUNTS, PEOPLE, VOIDS = "housing/rough-sleeping", "housing/tenants", "housing/voids"
CLIENTS, NEEDS = "adult-care/clients", "housing/needs"
PRIYA, TOM, HANNAH = ("priya.shah@northmere.gov.uk", "tom.gallagher@northmere.gov.uk",
                      "hannah.w@northmere.gov.uk")
GRACE, GITA = "grace.adeyemi@northmere.gov.uk", "gita.officer@northmere.gov.uk"
DESCRIPTION = ("Monthly street counts of people sleeping rough, by ward, from the outreach "
               "team's counts; aggregated, no personal data.")
COMMON = {"description": DESCRIPTION, "contact": "housing.data@northmere.gov.uk",
          "owners": [PRIYA]}
CLI = Actor.command_line()
ID = re.compile(r"/release-requests/(R-[A-Z0-9]+)$")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The registry, built once: each test gets a copy (approval writes tags into its git)."""
    r = RegistryBuilder(tmp_path_factory.mktemp("releases") / "registry",
                        {"housing": "Housing", "adult-care": "Adult Care"})
    r.version(COUNTS, {"counts.csv": b"ward,month,people_count\nAbbey,2024-01,12\n"},
              "January count", title="Rough sleeping counts", licence="CC-BY-4.0", **COMMON)
    r.version(COUNTS, {"counts.csv": b"ward,month,people_count\nAbbey,2024-01,12\n"
                                     b"Castle,2024-02,15\n"}, "February count")
    r.version(PEOPLE, {"tenants.csv": b"tenant,email,ni_number\n"
                                      b"A,jo.bloggs@northmere.gov.uk,QQ123456C\n"
                                      b"B,sam.smith@example.org,AB123456D\n"},
              "Tenants", title="Tenants", visibility="department", **COMMON)
    r.version(VOIDS, {"voids.csv": b"ward,households_count\nAbbey,3\nCastle,12\n"}, "Voids",
              title="Void properties", description="Too short.",
              contact="housing.data@northmere.gov.uk", owners=[PRIYA, GRACE])
    r.version(CLIENTS, {"clients.csv": b"client,age_band\nC1,65+\n"}, "Clients",
              title="Adult care clients", personal_data=True, visibility="department",
              **{**COMMON, "owners": ["ada.care@northmere.gov.uk"]})  # (owners read their own)
    r.version(NEEDS, {"needs.csv": b"ward,needs_count\nAbbey,40\n"}, "Needs",
              title="Housing needs", derived_from=[CLIENTS], **COMMON)
    shutil.rmtree(r.path / ".dvc" / "cache")  # read from the remote, as in production
    return r.path


@dataclass
class Env:
    app: Flask
    settings: Settings
    registry: Path

    @property
    def catalogue(self) -> Catalogue:
        return self.app.extensions["catalogue"]

    def api(self, email: str) -> FlaskClient:
        """A client sending a write-scoped API token (no cookie, so no CSRF token)."""
        return bearer(self.app, create_token(self.catalogue.engine, CLI, email, "t",
                                             "write")[1])

    def signed_in(self, email: str) -> FlaskClient:
        client = self.app.test_client()
        assert sign_in(client, email).status_code == 302
        return client

    def checked(self) -> None:
        assert self.catalogue.releases.wait_for_checks(60)

    def ask(self, email: str = PRIYA, key: str = COUNTS, number: int = 2, **body) -> dict:
        """Ask through the API, and wait for the checks: the request as then read back."""
        body.setdefault("justification", "Published monthly by the council")
        response = self.api(email).post(f"/api/v1/datasets/{key}/versions/{number}/"
                                        "release-requests", json=body)
        assert response.status_code == 201, response.get_json()
        self.checked()
        return self.api(email).get(response.headers["Location"]).get_json()

    def cli(self, *args: str):
        return CliRunner().invoke(main, [*args, "--instance", str(self.settings.instance)],
                                  env={"DATABASE_URL": self.settings.database_url})


def make_env(settings: Settings, source: str) -> Env:
    app = access_app(settings.instance, settings.database_url)
    cat = app.extensions["catalogue"]
    cat.indexer.index(source)
    for email, name, role, departments in [
            (PRIYA, "Priya Shah", "publisher", ["housing"]),
            (TOM, "Tom Gallagher", "staff", ["housing"]),
            (HANNAH, "Hannah W", "publisher", ["adult-care"]),
            (GRACE, "Grace Adeyemi", "governance", ["housing"]),
            (GITA, "Gita Officer", "governance", ["housing"])]:
        add_account(cat.engine, CLI, email, name, departments=departments, role=role,
                    password=PASSWORD)
    return Env(app, settings, Path(source.removeprefix("file://")))


@pytest.fixture
def env(built: Path, settings: Settings, tmp_path: Path):
    registry = tmp_path / "registry"
    shutil.copytree(built, registry)
    env = make_env(settings, str(registry))
    yield env
    env.catalogue.close()


def post_form(client: FlaskClient, url: str, data: dict, csrf_from: str = "/"):
    return client.post(url, data={"csrf_token": csrf_token(client, csrf_from), **data})


def text_of(response) -> str:
    return parse(response.data).text


def error_message(response) -> str:
    return response.get_json()["error"]["message"]


# The API


def test_asking_through_the_api_answers_201_with_the_request(env):
    response = env.api(PRIYA).post(f"/api/v1/datasets/{COUNTS}/versions/2/release-requests",
                                   json={"justification": "Published monthly"})
    assert response.status_code == 201
    body = response.get_json()
    assert list(body)[:9] == ["id", "dataset", "version", "status", "requested_by",
                              "requested_at", "justification", "licence", "checks"]
    assert (body["dataset"], body["version"], body["requested_by"]) == (COUNTS, 2, PRIYA)
    assert body["licence"] == "CC-BY-4.0"  # the dataset's own, by default
    assert response.headers["Location"] == f"/api/v1/release-requests/{body['id']}"
    env.checked()
    again = env.api(PRIYA).get(response.headers["Location"]).get_json()
    assert again["status"] == "awaiting-review"
    assert {c["name"]: c["outcome"] for c in again["checks"]}["personal-data"] == "pass"


def test_the_api_refuses_bad_requests_with_the_right_status_and_reason(env):
    def ask(email, key=COUNTS, number=2, **body):
        return env.api(email).post(f"/api/v1/datasets/{key}/versions/{number}/"
                                   "release-requests", json=body)

    empty = ask(PRIYA, justification="   ")
    assert empty.status_code == 400 and error_message(empty).startswith("justification:")
    closed = ask(PRIYA, justification="Why not", licence="All rights reserved")
    assert closed.status_code == 400 and error_message(closed).startswith("licence:")
    staff = ask(TOM, justification="I'd like it")
    assert staff.status_code == 403 and "owners" in error_message(staff)
    assert ask(HANNAH, key=PEOPLE, number=1, justification="x").status_code == 404  # unseen
    assert ask(PRIYA, number=9, justification="x").status_code == 404
    assert ask(PRIYA, justification="Monthly").status_code == 201
    twice = ask(PRIYA, justification="Monthly")
    assert twice.status_code == 409 and "already" in error_message(twice)
    env.checked()


def test_four_eyes_through_the_api(env):
    asked = env.ask(key=VOIDS, number=1)  # Grace owns it too
    url = f"/api/v1/release-requests/{asked['id']}/decision"
    mine = env.api(PRIYA).post(url, json={"decision": "approve", "reason": "Mine"})
    assert mine.status_code == 403 and "governance" in error_message(mine)
    owner = env.api(GRACE).post(url, json={"decision": "approve", "reason": "Fine",
                                           "override": ["description"]})
    assert owner.status_code == 403 and "You own this dataset" in error_message(owner)
    no_override = env.api(GITA).post(url, json={"decision": "approve", "reason": "Fine"})
    assert no_override.status_code == 409 and "description" in error_message(no_override)
    no_reason = env.api(GITA).post(url, json={"decision": "approve", "reason": ""})
    assert no_reason.status_code == 400 and error_message(no_reason).startswith("reason:")
    approved = env.api(GITA).post(url, json={"decision": "approve", "reason": "The title "
                                             "says enough", "override": ["description"]})
    assert approved.status_code == 200
    assert (approved.get_json()["status"], approved.get_json()["overrides"]) == (
        "approved", ["description"])
    again = env.api(GITA).post(url, json={"decision": "reject", "reason": "Changed my mind"})
    assert again.status_code == 409


def test_personal_data_cannot_be_overridden(env):
    asked = env.ask(key=PEOPLE, number=1)
    assert asked["status"] == "checks-failed"
    refused = env.api(GITA).post(f"/api/v1/release-requests/{asked['id']}/decision",
                                 json={"decision": "approve", "reason": "Override it",
                                       "override": ["personal-data"]})
    assert refused.status_code == 409 and "personal-data" in error_message(refused)


def test_withdrawing_through_the_api(env):
    asked = env.ask()
    env.api(GITA).post(f"/api/v1/release-requests/{asked['id']}/decision",
                       json={"decision": "approve", "reason": "Aggregated"})
    url = f"/api/v1/datasets/{COUNTS}/versions/2/withdraw"
    refused = env.api(PRIYA).post(url, json={"reason": "Mine"})
    assert refused.status_code == 403 and "governance" in error_message(refused)
    assert env.api(GITA).post(url, json={}).status_code == 400
    withdrawn = env.api(GITA).post(url, json={"reason": "A count was wrong"})
    assert withdrawn.status_code == 200
    assert withdrawn.get_json()["withdrawal_reason"] == "A count was wrong"
    assert env.api(GITA).post(url, json={"reason": "Again"}).status_code == 409


# The forms


def test_asking_from_the_version_page(env):
    priya = env.signed_in(PRIYA)
    page = priya.get(f"/datasets/{COUNTS}/versions/2")
    html = page.get_data(as_text=True)
    assert "Ask for this version to be released openly" in html
    assert '<option value="CC-BY-4.0" selected>' in html  # the dataset's licence

    url = f"/datasets/{COUNTS}/versions/2/release-requests"
    wrong = post_form(priya, url, {"justification": "", "licence": "ODbL-1.0"})
    assert wrong.status_code == 400
    wrong_html = wrong.get_data(as_text=True)
    assert 'class="govuk-error-summary"' in wrong_html and 'href="#justification"' in wrong_html
    assert "Say why this version should be released" in text_of(wrong)
    assert '<option value="ODbL-1.0" selected>' in wrong_html  # what was chosen is kept
    assert parse(wrong.data).title.startswith("Error: ")

    done = post_form(priya, url, {"justification": "Monthly figures", "licence": "ODbL-1.0"})
    assert done.status_code == 302
    request_id = ID.search(done.headers["Location"]).group(1)
    env.checked()
    shown = priya.get(f"/release-requests/{request_id}")
    assert shown.status_code == 200
    assert "Awaiting review" in text_of(shown) and "Open Data Commons" in text_of(shown)
    assert 'govuk-tag--green">Pass</strong>' in shown.get_data(as_text=True)
    assert "Only governance officers decide on releases" in text_of(shown)  # no form for her

    after = priya.get(f"/datasets/{COUNTS}/versions/2").get_data(as_text=True)
    assert "Ask for this version to be released openly" not in after
    assert f'href="/release-requests/{request_id}"' in after


def test_deciding_with_the_form_then_withdrawing_from_the_version_page(env):
    asked = env.ask()
    gita = env.signed_in(GITA)
    page = gita.get(f"/release-requests/{asked['id']}")
    html = page.get_data(as_text=True)
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--m">' in html
    assert 'name="decision" type="radio" value="approve"' in html
    assert 'name="override"' not in html  # nothing failed

    url = f"/release-requests/{asked['id']}/decision"
    wrong = post_form(gita, url, {"decision": "approve", "reason": ""})
    assert wrong.status_code == 400 and 'href="#reason"' in wrong.get_data(as_text=True)
    assert 'value="approve" checked' in wrong.get_data(as_text=True)
    assert post_form(gita, url, {"decision": "approve", "reason": "Aggregated"}) \
        .status_code == 302
    decided = gita.get(f"/release-requests/{asked['id']}")
    assert "Approved" in text_of(decided) and "Released openly" in text_of(decided)
    assert "This request is approved" in text_of(decided)

    version = gita.get(f"/datasets/{COUNTS}/versions/2").get_data(as_text=True)
    assert "Released openly" in version and f'href="/open/datasets/{COUNTS}"' in version
    assert "Withdraw the release" in version
    assert "Withdraw the release" not in env.signed_in(PRIYA).get(
        f"/datasets/{COUNTS}/versions/2").get_data(as_text=True)  # not an officer
    assert "Released openly" not in gita.get(f"/datasets/{COUNTS}/versions/1") \
        .get_data(as_text=True)  # other versions stay as they were

    withdraw = f"/datasets/{COUNTS}/versions/2/withdraw"
    empty = post_form(gita, withdraw, {"reason": " "})
    assert empty.status_code == 400
    assert 'href="#withdrawal-reason"' in empty.get_data(as_text=True)
    assert post_form(gita, withdraw, {"reason": "A count was wrong"}).status_code == 302
    assert "Released openly" not in gita.get(f"/datasets/{COUNTS}/versions/2") \
        .get_data(as_text=True)
    assert env.api(GITA).get(f"/api/v1/release-requests/{asked['id']}") \
        .get_json()["status"] == "withdrawn"


def test_a_failed_check_is_overridden_with_its_checkbox_and_personal_data_is_not_offered(env):
    voids = env.ask(key=VOIDS, number=1)
    gita = env.signed_in(GITA)
    html = gita.get(f"/release-requests/{voids['id']}").get_data(as_text=True)
    assert 'name="override" type="checkbox" value="description"' in html
    assert 'govuk-tag--yellow">Warning</strong>' in html  # small counts of 3
    assert "households_count" in html

    url = f"/release-requests/{voids['id']}/decision"
    refused = post_form(gita, url, {"decision": "approve", "reason": "Fine"})
    assert refused.status_code == 409 and "must be named in override" in text_of(refused)
    done = post_form(gita, url, {"decision": "approve", "reason": "The title says enough",
                                 "override": "description"})
    assert done.status_code == 302
    assert env.api(GITA).get(f"/api/v1/release-requests/{voids['id']}").get_json()[
        "overrides"] == ["description"]

    people = env.ask(key=PEOPLE, number=1)
    page = gita.get(f"/release-requests/{people['id']}")
    html = page.get_data(as_text=True)
    assert 'value="personal-data"' not in html
    assert "cannot be overridden" in text_of(page)
    assert "j***@n***.gov.uk" in html and "jo.bloggs" not in html  # masked samples only


def test_the_checks_can_run_again_and_publishing_can_be_retried(built, settings, tmp_path):
    bare = tmp_path / "central.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(built), str(bare)], check=True)
    hook = bare / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'tags are frozen today' >&2\nexit 1\n")
    hook.chmod(0o755)
    env = make_env(settings, f"file://{bare}")
    try:
        asked = env.ask()
        priya = env.signed_in(PRIYA)
        assert post_form(priya, f"/release-requests/{asked['id']}/recheck", {}).status_code \
            == 302
        env.checked()
        assert env.api(PRIYA).get(f"/api/v1/release-requests/{asked['id']}") \
            .get_json()["status"] == "awaiting-review"

        env.api(GITA).post(f"/api/v1/release-requests/{asked['id']}/decision",
                           json={"decision": "approve", "reason": "Aggregated"})
        gita = env.signed_in(GITA)
        page = gita.get(f"/release-requests/{asked['id']}")
        assert "tags are frozen today" in text_of(page)
        assert "Try publishing again" in text_of(page)
        assert "Run the checks again" not in text_of(page)  # decided
        assert "Try publishing again" not in text_of(priya.get(
            f"/release-requests/{asked['id']}"))
        hook.unlink()
        assert post_form(gita, f"/release-requests/{asked['id']}/publish", {}).status_code \
            == 302
        published = env.api(GITA).get(f"/api/v1/release-requests/{asked['id']}").get_json()
        assert published["published"] and published["publish_error"] is None
    finally:
        env.catalogue.close()


def test_every_form_needs_its_csrf_token(env):
    asked = env.ask(key=VOIDS, number=1)
    priya, gita = env.signed_in(PRIYA), env.signed_in(GITA)
    for client, url, data in [
            (priya, f"/datasets/{COUNTS}/versions/2/release-requests",
             {"justification": "Monthly"}),
            (gita, f"/release-requests/{asked['id']}/decision",
             {"decision": "reject", "reason": "No"}),
            (priya, f"/release-requests/{asked['id']}/recheck", {}),
            (gita, f"/datasets/{COUNTS}/versions/2/withdraw", {"reason": "No"})]:
        response = client.post(url, data=data)
        assert response.status_code == 400, url
        assert "CSRF" in text_of(response)
    assert env.catalogue.releases.for_version(OPERATOR, COUNTS, 2) is None  # not asked
    state = env.api(GITA).get(f"/api/v1/release-requests/{asked['id']}").get_json()
    assert state["status"] == "checks-failed"  # neither decided nor checked again
    assert env.api(GITA).get("/api/v1/release-requests").get_json()["count"] == 1


# The review queue and what each reader sees


def test_the_review_queue_shows_governance_every_request_and_staff_none(env):
    counts, voids = env.ask(), env.ask(key=VOIDS, number=1)
    gita = env.signed_in(GITA)
    page = gita.get("/release-requests")
    assert page.status_code == 200
    assert {counts["id"], voids["id"]} <= set(re.findall(r"R-[A-Z0-9]{8}", page.text))
    assert "Awaiting review" in text_of(page) and "Checks failed" in text_of(page)
    assert "less than an hour" in text_of(page)
    assert parse(page.data).link_to("Release requests") == "/release-requests"  # header
    assert "/api/v1/release-requests" in parse(page.data).alternates

    listed = env.api(GITA).get("/api/v1/release-requests").get_json()
    assert listed["count"] == 2
    assert [r["id"] for r in listed["results"]] == [counts["id"], voids["id"]]
    failed = env.api(GITA).get("/api/v1/release-requests?status=checks-failed").get_json()
    assert [r["id"] for r in failed["results"]] == [voids["id"]]
    filtered = gita.get("/release-requests?status=checks-failed")
    assert voids["id"] in filtered.text and counts["id"] not in filtered.text
    assert env.api(GITA).get("/api/v1/release-requests?status=nonsense").status_code == 400

    tom = env.signed_in(TOM)
    staff = tom.get("/release-requests")
    assert staff.status_code == 200 and "R-" not in text_of(staff)
    assert "Release requests" not in [t for _, t in parse(tom.get("/").data).links]
    assert env.api(TOM).get("/api/v1/release-requests").get_json() == {"count": 0,
                                                                      "results": []}
    assert tom.get(f"/release-requests/{counts['id']}").status_code == 404
    assert env.api(TOM).get(f"/api/v1/release-requests/{counts['id']}").status_code == 404
    assert env.api(PRIYA).get("/api/v1/release-requests").get_json()["count"] == 2  # hers
    anonymous = env.app.test_client()
    assert anonymous.get("/release-requests").status_code == 302  # to sign in
    assert anonymous.get("/api/v1/release-requests").status_code == 401


def test_an_upstream_dataset_is_named_only_to_who_may_read_it(env):
    asked = env.ask(key=NEEDS, number=1)
    lineage = next(c for c in asked["checks"] if c["name"] == "lineage")
    assert lineage["outcome"] == "warn"
    assert lineage["evidence"]["upstream"] == [{"dataset": None, "restricted": True}]
    assert CLIENTS not in str(asked)  # nor in derived_from or the metadata changes
    page = env.signed_in(PRIYA).get(f"/release-requests/{asked['id']}")
    assert "a restricted dataset" in text_of(page) and CLIENTS not in page.text

    officer = env.api(GITA).get(f"/api/v1/release-requests/{asked['id']}").get_json()
    assert next(c for c in officer["checks"] if c["name"] == "lineage")["evidence"][
        "upstream"][0]["dataset"] == CLIENTS
    assert CLIENTS in env.signed_in(GITA).get(f"/release-requests/{asked['id']}").text


def test_a_request_page_shows_the_version_the_metadata_and_what_changed(env):
    first = env.ask(number=1)
    env.api(GITA).post(f"/api/v1/release-requests/{first['id']}/decision",
                       json={"decision": "approve", "reason": "January is fine"})
    second = env.ask(number=2, licence="CC0-1.0")
    page = env.signed_in(GITA).get(f"/release-requests/{second['id']}")
    text = text_of(page)
    assert "Rough sleeping counts" in text and "February count" in text
    assert second["snapshot"]["version"]["commit_sha"] in text
    assert "Compared with version 1" in text
    changes = parse(page.data).text.split("What changed since the last release")[1]
    assert "Licence" in changes and "CC0-1.0" in changes and "CC-BY-4.0" in changes
    assert "/api/v1/release-requests/" + second["id"] in parse(page.data).alternates


# The command line


def test_the_command_line_lists_requests_and_shows_one(env):
    counts, voids = env.ask(), env.ask(key=VOIDS, number=1)
    listed = env.cli("releases")
    assert listed.exit_code == 0, listed.output
    header, *rows = listed.output.strip().splitlines()
    assert header.split() == ["ID", "DATASET", "VERSION", "STATUS", "REQUESTED", "BY", "AGE"]
    assert [r.split()[:4] for r in rows] == [[counts["id"], COUNTS, "v2", "awaiting-review"],
                                             [voids["id"], VOIDS, "v1", "checks-failed"]]
    assert all(PRIYA in r and r.endswith("less than an hour") for r in rows)

    failed = env.cli("releases", "--status", "checks-failed", "--json")
    assert failed.exit_code == 0
    assert '"count": 1' in failed.output and voids["id"] in failed.output
    assert "No release requests approved." in env.cli("releases", "--status",
                                                      "approved").output

    shown = env.cli("release", "show", voids["id"])
    assert shown.exit_code == 0, shown.output
    assert f"{voids['id']}: {VOIDS} v1 (Void properties)" in shown.output
    assert "FAIL  description:" in shown.output and "WARN  disclosure-control:" in shown.output
    as_json = env.cli("release", "show", voids["id"], "--json")
    assert f'"id": "{voids["id"]}"' in as_json.output
    missing = env.cli("release", "show", "R-NOTTHERE")
    assert missing.exit_code == 1 and "No release request R-NOTTHERE" in missing.output
