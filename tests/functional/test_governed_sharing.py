"""Governed sharing (issue 13), through HTTP with real git, DVC and a real database: owners read
what they own, discoverable datasets, access requests, information-sharing agreements and
their approval, the register of shares, and the audit of reads of sensitive data. Every "bad
input" of the issue is here, each answered with a clear 4xx naming the field.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
import yaml
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update
from sqlmodel import select

from catalogue.audit import Actor
from catalogue.core import Catalogue
from catalogue.models import AuditEvent
from catalogue.notifications.models import Notification
from catalogue.people import add_account, find
from catalogue.settings import Settings
from catalogue.sharing.models import Agreement
from catalogue.tokens import create_token
from registry.metadata import parse_catalogue_yaml
from registry.problems import FileProblems
from tests.builders import RegistryBuilder, sh
from tests.functional.signing import PASSWORD, access_app, bearer, csrf_token, sign_in
from web.commands import main

CARERS = "adult-social-care/carers-assessments"  # department-only, personal data, discoverable
FLOW = "adult-social-care/discharge-flow"  # department-only, owned by the NHS trust's Sarah
BUDGET = "finance/budget-lines"  # internal, nothing sensitive
FILE = "carers.csv"
CARERS_DATA = [b"carer_ref,assessed_on\nC1,2026-01-02\n",
               b"carer_ref,assessed_on\nC1,2026-01-02\nC2,2026-02-03\n"]
OFFICER = "hana.housing@council.example.gov.uk"
OWNER = "olu.owner@council.example.gov.uk"
OTHER_STAFF = "fin.finance@council.example.gov.uk"
GOV = "gita.governance@council.example.gov.uk"
GOV2 = "gus.governance@council.example.gov.uk"
PARTNER = "pat.partner@nhs-trust.example.org"
SARAH = "sarah.mitchell@nhs-trust.example.org"
CLI = Actor.command_line()


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> RegistryBuilder:
    r = RegistryBuilder(
        tmp_path_factory.mktemp("governed") / "registry",
        {"housing": "Housing", "adult-social-care": "Adult Social Care", "finance": "Finance"},
        partners={"nhs-trust": "Northshire NHS Trust"},
        agreements=[
            {"reference": "ISA-2026-001", "title": "Hospital discharge", "partner": "nhs-trust",
             "expires": date(2099, 12, 31)},
            {"reference": "ISA-2019-OLD", "title": "Old one", "partner": "nhs-trust",
             "expires": date(2020, 3, 31)}])
    r.metadata(CARERS, title="Unpaid carers' assessments", owners=[OWNER],
               description="Assessments of unpaid carers' needs.", tags=["carers"],
               personal_data=True, discoverable=True)
    r.metadata(FLOW, title="Discharge flow", owners=[SARAH], visibility="department")
    r.metadata(BUDGET, title="Budget lines", owners=[OTHER_STAFF])
    r.write(f"{CARERS}/{FILE}", CARERS_DATA[0])
    r.write(f"{FLOW}/flow.csv", "week,patients\n1,4\n")
    r.write(f"{BUDGET}/budget.csv", "line,amount\nA,1\n")
    sh(["dvc", "add", "-q", f"{CARERS}/{FILE}", f"{FLOW}/flow.csv", f"{BUDGET}/budget.csv"],
       r.path)
    r.commit("First extracts", "asha")
    r.dvc_add(CARERS, {FILE: CARERS_DATA[1]})
    r.commit("Carers' assessments to February", "ben")
    sh(["dvc", "push", "-q", "--all-commits"], r.path)
    return r


@dataclass
class Env:
    app: Flask

    @property
    def catalogue(self) -> Catalogue:
        return self.app.extensions["catalogue"]

    def signed_in(self, email: str) -> FlaskClient:
        client = self.app.test_client()
        assert sign_in(client, email).status_code == 302
        return client

    def api(self, email: str) -> FlaskClient:
        return bearer(self.app, create_token(self.catalogue.engine, CLI, email, "test",
                                             "write")[1])

    def told(self, email: str) -> list[str]:
        person = find(self.catalogue.engine, email)
        with self.catalogue.session() as s:
            return [n.subject for n in s.exec(select(Notification).where(
                Notification.account_id == person.id))]


@pytest.fixture
def env(registry: RegistryBuilder, settings: Settings) -> Env:
    app = access_app(settings.instance, settings.database_url)
    cat = app.extensions["catalogue"]
    cat.indexer.index(str(registry.path))
    for email, where, role in [
            (OFFICER, {"departments": ["housing"]}, "staff"),
            (OWNER, {"departments": ["adult-social-care"]}, "staff"),
            (OTHER_STAFF, {"departments": ["finance"]}, "staff"),
            (GOV, {"departments": ["finance"]}, "governance"),
            (GOV2, {"departments": ["finance"]}, "governance"),
            (PARTNER, {"partner": "nhs-trust"}, "staff"),
            (SARAH, {"partner": "nhs-trust"}, "staff")]:
        add_account(cat.engine, CLI, email, email.split("@")[0], role=role, password=PASSWORD,
                    **where)
    yield Env(app)
    cat.close()


def test_an_owner_reads_what_they_own_whatever_their_organisation(env):
    sarah = env.signed_in(SARAH)
    assert sarah.get(f"/datasets/{FLOW}").status_code == 200
    assert sarah.get(f"/datasets/{FLOW}/versions/1/files/flow.csv").data == \
        b"week,patients\n1,4\n"
    assert [d["id"] for d in sarah.get("/api/v1/datasets").get_json()["results"]] == [FLOW]
    counts = {d["slug"]: d["dataset_count"] for d in
              sarah.get("/api/v1/departments").get_json()["results"]}
    assert counts["adult-social-care"] == 1
    assert FLOW in {r["id"] for r in sarah.get("/api/v1/search?q=discharge").get_json()
                    ["results"]}
    # The other partner user of the same trust, who owns nothing, sees none of it.
    pat = env.signed_in(PARTNER)
    assert pat.get(f"/datasets/{FLOW}").status_code == 404
    assert pat.get("/api/v1/datasets").get_json()["count"] == 0


def test_a_discoverable_dataset_is_known_to_staff_but_its_data_stays_restricted(env):
    officer = env.signed_in(OFFICER)
    listed = {d["id"]: d for d in officer.get("/api/v1/datasets").get_json()["results"]}
    assert listed[CARERS]["restricted"] is True and listed[CARERS]["classification"] == ""
    found = officer.get("/api/v1/search?q=carers").get_json()
    assert [r["id"] for r in found["restricted"]] == [CARERS] and found["count"] == 0
    assert officer.get("/api/v1/search?q=carer_ref").get_json()["restricted"] == []
    page = officer.get(f"/datasets/{CARERS}").get_data(as_text=True)
    assert "Unpaid carers&#39; assessments" in page and "Restricted" in page
    assert "Request access" in page and "carer_ref" not in page and FILE not in page
    assert officer.get(f"/api/v1/datasets/{CARERS}").get_json()["version_count"] == 2
    for path in (f"/datasets/{CARERS}/versions", f"/datasets/{CARERS}/versions/2",
                 f"/datasets/{CARERS}/versions/2/files/{FILE}",
                 f"/api/v1/datasets/{CARERS}/lineage", f"/datasets/{CARERS}/sharing"):
        assert officer.get(path).status_code == 404, path
    search_page = officer.get("/search?q=carers").get_data(as_text=True)
    assert "Restricted datasets you can ask for" in search_page
    for nobody in (env.signed_in(PARTNER), env.app.test_client()):
        assert nobody.get(f"/datasets/{CARERS}").status_code == 404
        assert nobody.get("/api/v1/search?q=carers").get_json()["restricted"] == []


def test_an_access_request_approved_by_the_owner_lets_the_officer_download(env):
    officer, owner = env.api(OFFICER), env.api(OWNER)
    url = f"/api/v1/datasets/{CARERS}/access-requests"
    missing = officer.post(url, json={})
    assert missing.status_code == 400 and "purpose" in missing.get_json()["error"]["message"]
    assert officer.post(url, json={"purpose": 3}).status_code == 400
    asked = officer.post(url, json={"purpose": "Carers among our tenants"})
    assert asked.status_code == 201
    body = asked.get_json()
    assert {k: body[k] for k in ("dataset", "requested_by", "purpose", "status")} == {
        "dataset": CARERS, "requested_by": OFFICER, "purpose": "Carers among our tenants",
        "status": "pending"}
    assert officer.post(url, json={"purpose": "again"}).status_code == 409  # twice
    assert owner.post(url, json={"purpose": "mine"}).status_code == 409  # reads it already
    assert env.told(OWNER) == [f"{OFFICER.split('@')[0]} asks for access to {CARERS}"]

    decide = f"/api/v1/access-requests/{body['id']}/decision"
    assert officer.post(decide, json={"decision": "approve"}).status_code == 403  # requester
    assert env.api(OTHER_STAFF).post(decide, json={"decision": "approve"}).status_code == 403
    assert owner.post(decide, json={"decision": "maybe"}).status_code == 400
    assert "expires" in owner.post(decide, json={"decision": "approve", "expires": "soon"}
                                   ).get_json()["error"]["message"]
    assert officer.get(f"/api/v1/datasets/{CARERS}/versions").status_code == 404  # not yet
    done = owner.post(decide, json={"decision": "approve", "expires": "2099-01-31"})
    assert done.status_code == 200 and done.get_json()["status"] == "approved"
    assert owner.post(decide, json={"decision": "refuse", "reason": "x"}).status_code == 409
    assert env.told(OFFICER) == [f"Your request for access to {CARERS} was approved"]
    assert officer.get(f"/api/v1/datasets/{CARERS}/versions/2/files/{FILE}").data == \
        CARERS_DATA[1]
    assert [v["number"] for v in officer.get(f"/api/v1/datasets/{CARERS}/versions")
            .get_json()["results"]] == [2, 1]
    assert officer.post(url, json={"purpose": "more"}).status_code == 409  # reads it now


def test_a_refusal_needs_a_reason_and_keeps_it(env):
    asked = env.api(OTHER_STAFF).post(f"/api/v1/datasets/{CARERS}/access-requests",
                                      json={"purpose": "Budget modelling"}).get_json()
    owner = env.signed_in(OWNER)
    page = f"/access-requests/{asked['id']}"
    assert "Budget modelling" in owner.get(page).get_data(as_text=True)
    token = csrf_token(owner, page)
    no_reason = owner.post(f"{page}/decision", data={"csrf_token": token, "decision": "refuse"})
    assert no_reason.status_code == 400
    assert "Say why access is refused" in no_reason.get_data(as_text=True)
    refused = owner.post(f"{page}/decision", data={
        "csrf_token": token, "decision": "refuse", "reason": "Use the published aggregates"})
    assert refused.status_code == 302
    shown = env.api(OTHER_STAFF).get(f"/api/v1/access-requests/{asked['id']}").get_json()
    assert (shown["status"], shown["reason"]) == ("refused", "Use the published aggregates")
    assert env.told(OTHER_STAFF) == [f"Your request for access to {CARERS} was refused"]
    assert env.api(OTHER_STAFF).get(f"/datasets/{CARERS}/versions").status_code == 404


def test_the_restricted_page_asks_for_access_through_its_form(env):
    officer = env.signed_in(OFFICER)
    page = f"/datasets/{CARERS}"
    token = csrf_token(officer, page)
    empty = officer.post(f"{page}/access-requests", data={"csrf_token": token, "purpose": " "})
    assert empty.status_code == 400 and "Say what you need the data for" in \
        empty.get_data(as_text=True)
    sent = officer.post(f"{page}/access-requests",
                        data={"csrf_token": token, "purpose": "Tenancy support"})
    assert sent.status_code == 302
    assert "You asked for access on" in officer.get(page).get_data(as_text=True)
    mine = officer.get("/api/v1/access-requests").get_json()["mine"]
    assert [(r["dataset"], r["status"]) for r in mine] == [(CARERS, "pending")]
    to_decide = env.signed_in(OWNER).get("/access-requests").get_data(as_text=True)
    assert "Waiting for your decision" in to_decide and OFFICER in to_decide


def test_a_partner_share_of_personal_data_waits_for_a_governance_officer(env):
    owner, url = env.api(OWNER), f"/api/v1/datasets/{CARERS}/grants"
    cases = [({}, "purpose"), ({"agreement": "ISA-2026-001"}, "purpose"),
             ({"purpose": "Discharge"}, "agreement: "),
             ({"purpose": "Discharge", "agreement": "ISA-NOPE"}, "ISA-NOPE"),
             ({"purpose": "Discharge", "agreement": "ISA-2019-OLD"}, "ISA-2019-OLD expired")]
    for extra, named in cases:
        refused = owner.post(url, json={"grantee": "partner:nhs-trust", **extra})
        assert refused.status_code == 400, extra
        assert named in refused.get_json()["error"]["message"], (extra, refused.get_json())
    made = owner.post(url, json={"grantee": "partner:nhs-trust", "purpose": "Discharge "
                                 "planning", "agreement": "ISA-2026-001"})
    assert made.status_code == 201
    grant = made.get_json()
    assert (grant["status"], grant["agreement"], grant["purpose"]) == (
        "pending", "ISA-2026-001", "Discharge planning")
    partner = env.signed_in(PARTNER)
    assert partner.get(f"/datasets/{CARERS}").status_code == 404  # pending: nothing yet
    assert sorted(env.told(GOV) + env.told(GOV2)) == [f"A share of {CARERS} awaits approval"] * 2

    decide = f"/api/v1/grants/{grant['id']}/decision"
    assert owner.post(decide, json={"decision": "approve"}).status_code == 403  # not governance
    # a governance officer who asked for a share cannot approve it
    asked_by_gov = env.api(GOV).post(f"/api/v1/datasets/{FLOW}/grants", json={
        "grantee": "department:housing"}).get_json()
    assert asked_by_gov["status"] == "in-force"  # nothing sensitive: no approval needed
    env.catalogue.sharing.share(find(env.catalogue.engine, GOV), Actor(GOV), CARERS,
                                "partner:nhs-trust", purpose="Discharge planning",
                                agreement="ISA-2026-001")  # asked again, by the officer
    assert env.api(GOV).post(decide, json={"decision": "approve"}).status_code == 403
    assert env.api(GOV2).post(decide, json={"decision": "refuse"}).status_code == 400  # reason
    approved = env.api(GOV2).post(decide, json={"decision": "approve", "reason": "Under ISA"})
    assert approved.status_code == 200 and approved.get_json()["status"] == "in-force"
    assert env.api(GOV2).post(decide, json={"decision": "approve"}).status_code == 409
    assert partner.get(f"/datasets/{CARERS}/versions/1/files/{FILE}").data == CARERS_DATA[0]

    # The agreement's end ends the grant, at the partner's very next read (still signed in).
    with env.catalogue.engine.begin() as conn:
        conn.execute(update(Agreement).where(Agreement.reference == "ISA-2026-001")
                     .values(expires=date.today() - timedelta(days=1)))
    assert partner.get(f"/datasets/{CARERS}/versions/1/files/{FILE}").status_code == 404
    shown = env.api(GOV).get("/api/v1/grants?agreement=ISA-2026-001").get_json()
    assert [g["status"] for g in shown["results"]] == ["expired"]


def test_the_register_of_shares_lists_filters_and_exports_for_governance_only(env):
    cat = env.catalogue
    owner = find(cat.engine, OWNER)
    cat.sharing.share(owner, Actor(OWNER), CARERS, "department:housing",
                      expires_on=date(2098, 6, 30))
    cat.sharing.share(owner, Actor(OWNER), CARERS, "partner:nhs-trust", purpose="Discharge",
                      agreement="ISA-2026-001")
    cat.sharing.share(None, CLI, FLOW, "department:finance")
    cat.sharing.unshare(None, CLI, FLOW, "department:finance")
    gov = env.api(GOV)
    every = gov.get("/api/v1/grants").get_json()
    assert every["count"] == 3
    assert {(g["dataset"], g["grantee"], g["status"]) for g in every["results"]} == {
        (CARERS, "department:housing", "in-force"), (CARERS, "partner:nhs-trust", "pending"),
        (FLOW, "department:finance", "revoked")}
    for query, expected in [
            ("status=pending", {"partner:nhs-trust"}), ("partner=nhs-trust", {"partner:nhs-trust"}),
            ("agreement=ISA-2026-001", {"partner:nhs-trust"}),
            (f"dataset={FLOW}", {"department:finance"}),
            ("department=adult-social-care&status=in-force", {"department:housing"}),
            ("expires_before=2098-12-31", {"department:housing"}),
            ("expires_after=2099-01-01", {"partner:nhs-trust"})]:
        found = gov.get(f"/api/v1/grants?{query}").get_json()["results"]
        assert {g["grantee"] for g in found} == expected, query
    exported = gov.get("/api/v1/grants?format=csv")
    assert exported.content_type.startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert len(rows) == 3 and {r["agreement"] for r in rows} == {"", "ISA-2026-001"}
    page = env.signed_in(GOV).get("/governance/shares?status=pending").get_data(as_text=True)
    assert "Register of shares" in page and "ISA-2026-001" in page and "Approve" in page
    for field, value in (("status", "lost"), ("expires_before", "tomorrow")):
        bad = gov.get(f"/api/v1/grants?{field}={value}")
        assert bad.status_code == 400 and field in bad.get_json()["error"]["message"]
    assert env.api(OWNER).get("/api/v1/grants").status_code == 403
    assert env.signed_in(OFFICER).get("/governance/shares").status_code == 403
    assert env.app.test_client().get("/api/v1/grants").status_code == 401


def test_reads_of_sensitive_data_are_audited_and_the_trail_filters_and_exports(env):
    owner = env.api(OWNER)
    assert owner.get(f"/api/v1/datasets/{CARERS}/versions/2/files/{FILE}").status_code == 200
    assert owner.get(f"/datasets/{CARERS}/versions/1/files/{FILE}").status_code == 200
    assert env.api(OTHER_STAFF).get(f"/datasets/{BUDGET}/versions/1/files/budget.csv"
                                    ).status_code == 200  # nothing sensitive: not audited
    assert env.api(OTHER_STAFF).get(f"/api/v1/datasets/{BUDGET}/versions/1/preview",
                                    query_string={"path": "budget.csv"}).status_code == 200
    previewed = env.api(GOV).get(f"/api/v1/datasets/{CARERS}/versions/1/preview",
                                 query_string={"path": FILE})
    assert previewed.status_code == 200
    with env.catalogue.session() as s:
        reads = s.exec(select(AuditEvent).where(AuditEvent.action == "dataset.read")
                       .order_by(AuditEvent.id)).all()
    assert [(r.actor, r.target, r.detail["version"], r.detail["path"], r.detail["kind"],
             r.source) for r in reads] == [(OWNER, CARERS, 2, FILE, "download", "127.0.0.1"),
                                           (OWNER, CARERS, 1, FILE, "download", "127.0.0.1"),
                                           (GOV, CARERS, 1, FILE, "preview", "127.0.0.1")]

    gov = env.signed_in(GOV)
    today = datetime.now(UTC).date().isoformat()
    page = gov.get(f"/audit?person={OWNER}&dataset={CARERS}&from={today}&to={today}")
    cell = '<td class="govuk-table__cell">Sensitive data read</td>'
    assert page.get_data(as_text=True).count(cell) == 2
    assert "2 events" in page.get_data(as_text=True)
    assert "0 events" in gov.get(f"/audit?dataset={BUDGET}").get_data(as_text=True)
    assert "0 events" in gov.get("/audit?from=2020-01-01&to=2020-12-31").get_data(as_text=True)
    exported = gov.get(f"/audit.csv?action=dataset.read&dataset={CARERS}")
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert [(r["actor"], r["target"]) for r in rows] == [(GOV, CARERS)] + [(OWNER, CARERS)] * 2
    bad = gov.get("/audit?from=yesterday")
    assert bad.status_code == 400 and "from" in bad.get_data(as_text=True)
    assert env.signed_in(OFFICER).get("/audit.csv").status_code == 403


def test_agreements_in_catalogue_yaml_are_validated_with_clear_problems(tmp_path, settings):
    r = RegistryBuilder(tmp_path / "bad", {"housing": "Housing"},
                        partners={"nhs-trust": "Northshire NHS Trust"},
                        agreements=[{"reference": "ISA-1", "title": "A", "partner": "police",
                                     "expires": "2027-01-01"}])
    cat = Catalogue(settings)
    try:
        report = cat.indexer.index(str(r.path))
        with cat.session() as s:
            assert s.exec(select(Agreement)).all() == []
    finally:
        cat.close()
    assert [(p.file, p.message) for p in report.problems] == [
        ("catalogue.yaml", "agreements: ISA-1: partner 'police' is not declared in partners")]
    for entry, message in [
            ({"expires": "next year"}, "agreements.0.expires: 'next year' is not a date: write "
                                       "the last day the agreement is in force as YYYY-MM-DD"),
            ({"reference": "ISA 2"}, "agreements.0.reference: 'ISA 2' must be one word, such as "
                                     "ISA-2025-004"),
            ({"reference": None}, "agreements.0.reference: Input should be a valid string")]:
        agreement = {"reference": "ISA-2", "title": "B", "partner": "nhs-trust",
                     "expires": "2027-01-01", **entry}
        text = yaml.safe_dump({"name": "x", "partners": [{"slug": "nhs-trust", "name": "N"}],
                               "agreements": [agreement, agreement]}, sort_keys=False)
        with pytest.raises(FileProblems) as found:
            parse_catalogue_yaml("catalogue.yaml", text)
        assert message in [p.message for p in found.value.problems]
    twice = {"reference": "ISA-2", "title": "B", "partner": "nhs-trust", "expires": "2027-01-01"}
    with pytest.raises(FileProblems, match="ISA-2 is listed twice"):
        parse_catalogue_yaml("catalogue.yaml", yaml.safe_dump({
            "name": "x", "partners": [{"slug": "nhs-trust", "name": "N"}],
            "agreements": [twice, twice]}))


def test_shares_on_the_command_line_record_a_purpose_and_wait_for_approval(env, settings):
    def cli(*args: str):
        return CliRunner().invoke(main, [*args, "--instance", str(settings.instance)],
                                  env={"DATABASE_URL": settings.database_url,
                                       "CATALOGUE_INSTANCE": str(settings.instance)})

    refused = cli("share", CARERS, "--with", "partner:nhs-trust", "--purpose", "Discharge")
    assert refused.exit_code != 0 and "agreement" in refused.output
    made = cli("share", CARERS, "--with", "partner:nhs-trust", "--purpose", "Discharge",
               "--agreement", "ISA-2026-001")
    assert made.exit_code == 0, made.output
    assert "pending: a governance officer approves grant" in made.output
    [grant_id] = re.findall(r"grant (\w+)\)", made.output)
    listed = cli("grants", "list", "--status", "pending")
    assert listed.exit_code == 0
    assert listed.output.split()[:3] == [grant_id, "pending", CARERS]
    not_governance = cli("grants", "decide", grant_id, "approve", "--by", OWNER)
    assert not_governance.exit_code != 0 and "Only governance officers" in not_governance.output
    decided = cli("grants", "decide", grant_id, "approve", "--by", GOV, "--reason", "ISA")
    assert decided.exit_code == 0, decided.output
    assert decided.output.strip() == f"{CARERS} → partner:nhs-trust: in-force"
    exported = cli("grants", "list", "--csv")
    assert list(csv.DictReader(io.StringIO(exported.output)))[0]["status"] == "in-force"


def test_a_reader_from_a_version_on_asks_for_every_version_from_the_dataset_page(env):
    env.catalogue.sharing.share(None, CLI, CARERS, "department:housing", from_version=2)
    officer = env.signed_in(OFFICER)
    page = f"/datasets/{CARERS}"
    assert "It is shared with you from version 2 on" in officer.get(page).get_data(as_text=True)
    sent = officer.post(f"{page}/access-requests", data={
        "csrf_token": csrf_token(officer, page), "purpose": "Earlier assessments too"})
    assert sent.status_code == 302
    assert "You asked its owners for every version" in officer.get(page).get_data(as_text=True)
    [asked] = env.api(OWNER).get("/api/v1/access-requests").get_json()["to_decide"]
    env.api(OWNER).post(f"/api/v1/access-requests/{asked['id']}/decision",
                        json={"decision": "approve"})
    assert officer.get(f"{page}/versions/1/files/{FILE}").data == CARERS_DATA[0]
    assert "Earlier versions" not in officer.get(page).get_data(as_text=True)
