"""The acceptance leak test (issue 3): every route of the app, as six kinds of reader, over
datasets of every visibility.

Every rule of `app.url_map` but `static` is walked (routes added later are walked too, without
editing this file): its URL variables are filled from the registry (departments, datasets,
version numbers, file paths, token ids; unknown variables with every slug the registry has),
GET rules are fetched (those without variables also with search queries and filters naming
the hidden datasets), and rules that change things get a request without a CSRF token (always
refused) and, where harmless, one with it. For each response:

- nothing answers 5xx;
- no title, slug, key, invented word, description fragment or column name of a dataset the
  reader may not read appears in the body or the Location header (once what the request
  itself typed is taken out: a 404 may repeat the address asked for);
- a request about a hidden dataset (or a version hidden by a from-version share) answers
  exactly as the same request about a dataset (or version) that does not exist: same status,
  same body once the address is taken out.

Discoverable datasets (issue 13): staff who may not read one see its title, description,
owners, tags and version count in lists, search (apart, restricted) and its page, and nothing
else: its column names, file, versions' messages and lineage are needles for them, and every
other route about it answers as for a dataset that does not exist. Partners and the public
discover nothing.

The readers: anonymous; staff of housing (another department, holding a from-version-2 share
of a children's services dataset); a partner organisation's user (holding a share of one
dataset); an owner (named in a dataset's owners); a governance officer; an administrator
(finance). Some sign in through the /sign-in form with its CSRF token, the others send API
tokens as `Authorization: Bearer`. The positive side is asserted too: each reader sees exactly
what it may, in lists, search, counts, pages, versions, lineage and downloads.
"""

from __future__ import annotations

import difflib
import html
import itertools
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, quote_plus, unquote, unquote_plus, urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from catalogue.audit import Actor
from catalogue.people import add_account
from catalogue.tokens import create_token
from tests.builders import RegistryBuilder, sh
from tests.functional.signing import PASSWORD, access_app, bearer, csrf_token, own_database
from tests.functional.signing import sign_in as form_sign_in
from web.security import CSRF_EXEMPT_BLUEPRINTS, limiter

HOUSING, CHILDREN, FINANCE = "housing", "childrens-services", "finance"
PARTNER = "nhs-trust"
OWNER_EMAIL = "olu.owner@council.example.gov.uk"


@dataclass(frozen=True)
class Spec:
    """A dataset of the registry and everything that would name it."""

    key: str
    title: str
    secret: str  # an invented word in the title, used nowhere else
    fragment: str  # an invented phrase in the description
    columns: tuple[str, ...]
    file: str
    visibility: str
    owners: tuple[str, ...] = ("someone@council.example.gov.uk",)
    derived_from: tuple[str, ...] = ()
    versions: int = 1
    discoverable: bool = False

    @property
    def department(self) -> str:
        return self.key.split("/")[0]

    @property
    def slug(self) -> str:
        return self.key.split("/")[1]

    @property
    def needles(self) -> list[str]:
        return [self.title, self.key, self.slug, self.secret, self.fragment, *self.columns,
                *self.undiscoverable]

    @property
    def undiscoverable(self) -> list[str]:
        """What stays hidden from those who may only discover it (see DISCOVERABLE)."""
        if not self.discoverable:
            return []
        return [*self.columns, self.file, DISCOVER_MESSAGE, DISCOVER_SOURCE]

    def csv(self, version: int) -> bytes:
        extra = [V1_COLUMN] if self is FROM_V2 and version == 1 else []
        extra += [UNRELEASED_COLUMN] if self is RELEASED and version == 2 else []
        return (",".join([*self.columns, *extra]) + "\n" + ",".join(
            str(version * 10 + i) for i in range(len(self.columns) + len(extra))) + "\n").encode()


SAFEGUARDING = Spec(
    f"{CHILDREN}/safeguarding-referrals", "Quillonby safeguarding referrals casebook",
    "Quillonby", "logged by the Zerrowfield multi-agency hub",
    ("child_name_secret_col", "referral_route_qx"), "referrals.csv", "department",
    owners=(OWNER_EMAIL, "cs-data@council.example.gov.uk"))
HEALTH = Spec(
    f"{CHILDREN}/health-assessments-nhs", "Brackenholt looked-after health assessments",
    "Brackenholt", "arranged with the Vellamoor clinic team",
    ("assessment_due_vellamoor",), "assessments.csv", "department",
    owners=("cs-data@council.example.gov.uk",))
FROM_V2 = Spec(
    f"{CHILDREN}/care-leaver-pathways", "Marrowind care leaver pathway plans", "Marrowind",
    "reviewed by the Thistlecombe pathway panel", ("pathway_thistle_stage",), "pathways.csv",
    "department", versions=3)
BUDGET = Spec(
    f"{FINANCE}/budget-lines", "Ledgerwick council budget lines", "Ledgerwick",
    "exported from the Cobblestrand ledger", ("cobblestrand_cost_centre",), "budget.csv",
    "internal")
PAYROLL = Spec(
    f"{FINANCE}/payroll-adjustments", "Pennyfold payroll adjustments register", "Pennyfold",
    "keyed by the Grimsditch payroll desk", ("grimsditch_adjustment_ref",), "payroll.csv",
    "department")
CASEWORK = Spec(
    f"{HOUSING}/rough-sleeper-casework", "Sablethorn rough sleeper casework notes",
    "Sablethorn", "written up by the Oakhallow outreach team", ("oakhallow_case_note",),
    "casework.csv", "department")
DERIVED = Spec(
    f"{HOUSING}/outreach-referral-summary", "Tidewell outreach referral summary", "Tidewell",
    "summarised by the Fenwright housing analysts", ("fenwright_ward_total",), "summary.csv",
    "internal", derived_from=(SAFEGUARDING.key,))
RELEASED = Spec(
    f"{FINANCE}/council-tax-bands", "Gorsemoor council tax band counts", "Gorsemoor",
    "counted by the Rilldown valuation office", ("rilldown_band_count",), "bands.csv",
    "internal", owners=(OWNER_EMAIL,), versions=2)
"""Its version 1 is released openly: everyone may read that, as approved, on /open/; its
version 2 (a column and a message of its own) stays internal."""
DISCOVER_MESSAGE = "Sorrelby assessment refresh"  # DISCOVERABLE's version 2 only
DISCOVER_SOURCE = "https://data.example.org/corrowbank-feed-qz"  # its declared lineage
DISCOVERABLE = Spec(
    f"{CHILDREN}/early-help-assessments", "Wyndlemere early help assessments", "Wyndlemere",
    "gathered by the Corrowbank family hub", ("early_help_corrowbank_score",),
    "wyndle_assessments.csv", "department", owners=("cs-data@council.example.gov.uk",),
    derived_from=(DISCOVER_SOURCE,), versions=2, discoverable=True)
"""Department-only and discoverable: all staff may discover it; only Children's Services
(and governance) read it."""
SPECS = [SAFEGUARDING, HEALTH, FROM_V2, BUDGET, PAYROLL, CASEWORK, DERIVED, RELEASED,
         DISCOVERABLE]
AGREEMENT = "ISA-LEAK-001"
BY_KEY = {s.key: s for s in SPECS}
V1_MESSAGE = "Hollowmere cohort extract"  # the commit of FROM_V2's version 1 only
V1_COLUMN = "hollowmere_v1_col"  # a column of FROM_V2's version 1 only
UNRELEASED_MESSAGE = "Wrenhallow band revision"  # RELEASED's version 2 only
UNRELEASED_COLUMN = "wrenhallow_v2_col"
MADE_UP_SLUG = "no-such-dataset"
MADE_UP_FILE = "no-such-file.csv"
ALL = {s.key: 1 for s in SPECS}


@dataclass(frozen=True)
class Principal:
    name: str
    via: str | None  # "form", "token", or None (anonymous)
    email: str | None = None
    departments: tuple[str, ...] = ()
    partner: str | None = None
    role: str = "staff"
    reads: dict[str, int] = field(default_factory=dict)  # key → first version readable

    @property
    def discovers(self) -> set[str]:
        """The discoverable datasets this reader may not read but may know of (staff only)."""
        if self.via is None or self.partner:
            return set()
        return {s.key for s in SPECS if s.discoverable and s.key not in self.reads}

    def hidden_needles(self) -> list[str]:
        needles = [n for s in SPECS if s.key not in self.reads and s is not RELEASED
                   for n in (s.undiscoverable if s.key in self.discovers else s.needles)]
        if RELEASED.key not in self.reads:  # its released version is everyone's
            needles += [UNRELEASED_MESSAGE, UNRELEASED_COLUMN]
        if self.reads.get(FROM_V2.key, 1) > 1:
            needles += [V1_MESSAGE, V1_COLUMN]
        return needles


PRINCIPALS = [
    Principal("anonymous", None),
    Principal("housing-staff", "token", "hana.housing@council.example.gov.uk", (HOUSING,),
              reads={BUDGET.key: 1, DERIVED.key: 1, CASEWORK.key: 1, FROM_V2.key: 2,
                     RELEASED.key: 1}),
    Principal("partner", "form", "pat.partner@nhs-trust.example.org", partner=PARTNER,
              reads={HEALTH.key: 1}),
    Principal("owner", "form", OWNER_EMAIL, (CHILDREN,),
              reads={SAFEGUARDING.key: 1, HEALTH.key: 1, FROM_V2.key: 1, BUDGET.key: 1,
                     DERIVED.key: 1, RELEASED.key: 1, DISCOVERABLE.key: 1}),
    Principal("governance", "token", "gita.governance@council.example.gov.uk", (FINANCE,),
              role="governance", reads=ALL),
    Principal("admin", "token", "adam.admin@council.example.gov.uk", (FINANCE,), role="admin",
              reads={BUDGET.key: 1, PAYROLL.key: 1, DERIVED.key: 1, RELEASED.key: 1}),
]
BY_NAME = {p.name: p for p in PRINCIPALS}


@dataclass
class World:
    app: Flask
    tokens: dict[str, str]  # principal name → bearer token
    token_ids: list[int]

    def client(self, principal: Principal) -> FlaskClient:
        if principal.via == "token":
            return bearer(self.app, self.tokens[principal.name])
        client = self.app.test_client()
        if principal.via == "form":
            response = form_sign_in(client, principal.email)
            assert response.status_code == 302, response.get_data(as_text=True)
        return client


@pytest.fixture(scope="module")
def leak_registry(tmp_path_factory: pytest.TempPathFactory) -> RegistryBuilder:
    r = RegistryBuilder(tmp_path_factory.mktemp("leaks") / "registry",
                        {HOUSING: "Housing", CHILDREN: "Children's Services",
                         FINANCE: "Finance"},
                        name="Leak test council", partners={PARTNER: "Northshire NHS Trust"},
                        agreements=[{"reference": AGREEMENT, "title": "Looked-after health",
                                     "partner": PARTNER, "expires": "2099-12-31"}])
    # As few dvc runs as can be (each costs seconds on a busy machine): one `dvc add` of the
    # first extracts, one per later version, one `dvc push` of every commit's outputs.
    paths = []
    for spec in SPECS:
        if spec is FROM_V2:
            continue
        r.metadata(spec.key, title=spec.title, description=f"# Notes\n\nRows {spec.fragment}.",
                   owners=list(spec.owners), visibility=spec.visibility,
                   derived_from=list(spec.derived_from), discoverable=spec.discoverable,
                   classification="OFFICIAL-SENSITIVE" if spec.visibility == "department"
                   else "OFFICIAL")
        paths.append(f"{spec.key}/{spec.file}")
        r.write(paths[-1], spec.csv(1))
    sh(["dvc", "add", "-q", *paths], r.path)
    r.commit("First extracts", "asha")
    r.metadata(FROM_V2.key, title=FROM_V2.title, description=f"Plans {FROM_V2.fragment}.",
               owners=list(FROM_V2.owners), visibility="department")
    for version, message in enumerate([V1_MESSAGE, "Second cohort extract",
                                       "Third cohort extract"], 1):
        r.dvc_add(FROM_V2.key, {FROM_V2.file: FROM_V2.csv(version)})
        r.commit(message, "ben")
    r.dvc_add(RELEASED.key, {RELEASED.file: RELEASED.csv(2)})
    r.commit(UNRELEASED_MESSAGE, "cara")
    r.dvc_add(DISCOVERABLE.key, {DISCOVERABLE.file: DISCOVERABLE.csv(2)})
    r.commit(DISCOVER_MESSAGE, "cara")
    sh(["dvc", "push", "-q", "--all-commits"], r.path)
    return r


@pytest.fixture(scope="module")
def world(leak_registry: RegistryBuilder, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("leaks-instance")
    with own_database(folder) as url:
        app = access_app(folder / "instance", url)
        cat = app.extensions["catalogue"]
        try:
            cat.indexer.index(str(leak_registry.path))
            cat.sharing.share(None, Actor.command_line(), FROM_V2.key, f"department:{HOUSING}",
                              from_version=2)
            tokens, token_ids, people = {}, [], {}
            for p in PRINCIPALS:
                if p.email is None:
                    continue
                people[p.name] = add_account(
                    cat.engine, Actor.command_line(), p.email, p.name.title(),
                    departments=p.departments, partner=p.partner, role=p.role,
                    password=PASSWORD)
                info, tokens[p.name] = create_token(
                    cat.engine, Actor.command_line(), p.email, "leak test", "read",
                    datetime.now(UTC) + timedelta(days=1))
                token_ids.append(info.id)
            shared = cat.sharing.share(None, Actor.command_line(), HEALTH.key,
                                       f"partner:{PARTNER}", purpose="Health assessments",
                                       agreement=AGREEMENT)  # sensitive: pending until
            officer = people["governance"]  # a governance officer approves it
            cat.sharing.decide(officer, Actor(officer.email), shared.id, "approve", "ISA")
            assert cat.search.wait_for_columns(timeout=240)
            release(cat, people["owner"], people["governance"])
            yield World(app, tokens, token_ids)
        finally:
            cat.close()


def release(cat, owner, officer) -> None:
    """RELEASED's version 1, released openly (its short description overridden)."""
    asked = cat.releases.request(owner, Actor.command_line(), RELEASED.key, 1,
                                 "Band counts, no personal data")
    assert cat.releases.wait_for_checks(timeout=240)
    failed = [c.name for c in cat.releases.detail(officer, asked.id).checks
              if c.outcome == "fail"]
    assert "personal-data" not in failed
    decided = cat.releases.decide(officer, Actor.command_line(), asked.id, "approve",
                                  "Aggregated band counts", override=failed)
    assert decided.published
    assert cat.open_search.wait_for_columns(timeout=240)


# Filling a rule's variables


@dataclass
class Call:
    method: str
    url: str
    rule: Rule
    echoes: list[str]  # what the request typed: the body may repeat it
    target: str | None = None  # the dataset the request is about
    twin: str | None = None  # the same request about something that does not exist
    twin_echoes: list[str] = field(default_factory=list)
    with_csrf: bool = False


CONVERTER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def converters(rule: Rule) -> dict[str, str]:
    return {name: conv or "default" for conv, name in CONVERTER.findall(rule.rule)}


def choices(rule: Rule, world: World) -> Iterator[dict[str, object]]:
    """Values for every variable of the rule, the dataset's variables first."""
    kinds = converters(rule)
    keys = [*BY_KEY, f"{CHILDREN}/{MADE_UP_SLUG}"]
    datasets: list[dict[str, object]] = [{}]
    if {"dept", "name"} <= kinds.keys():
        datasets = [dict(zip(("dept", "name"), k.split("/"), strict=True)) for k in keys]
    for base in datasets:
        key = f"{base['dept']}/{base['name']}" if base else None
        spec = BY_KEY.get(key)
        numbers: list[int | None] = [None]
        if "number" in kinds:
            numbers = [*range(1, (spec.versions if spec else 1) + 1), 99]
        for number in numbers:
            values = dict(base)
            if number is not None:
                values["number"] = number
            paths: list[str | None] = [None]
            if "path" in kinds:
                exists = spec and number is not None and number <= spec.versions
                paths = [spec.file, MADE_UP_FILE] if exists else [MADE_UP_FILE]
            rest = [name for name in kinds if name not in ("dept", "name", "number", "path")]
            for path in paths:
                if path is not None:
                    values["path"] = path
                options = [_generic(name, kinds[name], world) for name in rest]
                for combo in itertools.product(*options):
                    yield {**values, **dict(zip(rest, combo, strict=True))}


def _generic(name: str, converter: str, world: World) -> list[object]:
    if name == "token_id":
        return [*world.token_ids, 999_999]
    if converter == "int":
        return [1, 2, 99]
    departments = [HOUSING, CHILDREN, FINANCE]
    if name == "slug":
        return [*departments, "no-such-department"]
    return [*departments, *(s.slug for s in SPECS), f"department:{HOUSING}",
            f"partner:{PARTNER}", "no-such-thing"]


QUERY_TERMS = [term for s in SPECS for term in (
    s.secret.lower(), s.secret.lower()[:3] + s.secret.lower()[4:],  # the word, and a typo
    f"{s.columns[0]} {s.fragment.split()[-3].lower()}")]  # a column, a word of the description
FILTERS = [{"department": CHILDREN, "per_page": "100", "include_retired": "1"},
           {"visibility": "department", "per_page": "100"},
           {"classification": "OFFICIAL-SENSITIVE", "q": "referrals"},
           {"department": FINANCE, "q": "payroll"},
           {"q": "a", "limit": "20"}]


DISCOVER_ENDPOINTS = {"datasets.dataset", "api.dataset"}
"""The routes that show a discoverable dataset to staff who may not read it; every other route
about it answers as for a dataset that does not exist."""


def calls(world: World, principal: Principal) -> list[Call]:
    adapter = world.app.url_map.bind("localhost")
    reads = principal.reads
    found: list[Call] = []
    last: list[Call] = []
    for rule in world.app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        method_list = ["GET"] if "GET" in methods else methods
        for method in method_list:
            for values in choices(rule, world):
                url = adapter.build(rule.endpoint, values, method=method)
                key = f"{values['dept']}/{values['name']}" if "dept" in values and \
                    "name" in values else None
                echoes = _echoes(url, values)
                call = Call(method, url, rule, echoes, target=key)
                on_portal = rule.endpoint.startswith("open.") and key == RELEASED.key
                if on_portal:  # released openly: the same for every reader; its other
                    number = values.get("number", 1)  # versions as ones that do not exist
                    twin_values = {**values, "number": 99} if number not in (1, 99) else None
                elif key in principal.discovers and rule.endpoint in DISCOVER_ENDPOINTS:
                    twin_values = None  # its restricted page: what staff may know of it
                elif key in BY_KEY and key not in reads:
                    twin_values = {**values, "name": MADE_UP_SLUG}
                elif key in reads and values.get("number", 99) < reads[key]:
                    twin_values = {**values, "number": 99}
                else:
                    twin_values = None
                if twin_values is not None:
                    call.twin = adapter.build(rule.endpoint, twin_values, method=method)
                    call.twin_echoes = _echoes(call.twin, twin_values)
                found.append(call)
                if method == "GET" and not rule.arguments:
                    for params in [*({"q": t} for t in QUERY_TERMS), *FILTERS]:
                        query_url = f"{url}?{urlencode(params)}"
                        found.append(Call(method, query_url, rule,
                                          _echoes(query_url, {**values, **params})))
                if method != "GET" and principal.via != "token" and (
                        key is None or key not in reads):
                    # with its CSRF token too, where nothing the reader may change is touched
                    # (rules that sign out go last)
                    with_token = Call(method, url, rule, echoes, key, call.twin,
                                      call.twin_echoes, with_csrf=True)
                    (last if "sign_out" in rule.endpoint else found).append(with_token)
    return found + last


def _echoes(url: str, values: dict[str, object]) -> list[str]:
    path = url.split("?")[0]
    typed = {url, unquote(url), path, unquote(path)}
    if "dept" in values and "name" in values:
        typed.add(f"{values['dept']}/{values['name']}")
    typed |= {str(v) for k, v in values.items() if isinstance(v, str) and k != "dept"}
    forms = set()
    for text in typed:
        if text:
            forms |= {text, str(html.escape(text)), quote(text), quote(text, safe=""),
                      quote_plus(text), quote_plus(text, safe="/")}
    return sorted(forms, key=len, reverse=True)


# Checking responses


TAG = re.compile(r"<[^>]+>")
CSRF_VALUE = re.compile(r'name="csrf_token" value="[^"]*"')


def _without(text: str, echoes: list[str]) -> str:
    for echo in echoes:
        text = re.sub(re.escape(echo), "\x00", text, flags=re.I)
    return text


def leaks(text: str, echoes: list[str], needles: list[str]) -> list[str]:
    """The needles in `text` once the echoes of the request are taken out, case ignored.

    A needle counts when it is still there in every reading of the text: as sent, URL-decoded
    (an echo may be quoted in a link's query string however the server chose to quote it)
    and with the markup taken out (a highlighted snippet splits words with <mark>). Needles
    hold no `%` or `+`, so decoding never hides one that was really shown."""
    decoded = [text, unquote(text), unquote_plus(text)]
    readings = [[_without(d, echoes).lower() for d in decoded],
                [_without(html.unescape(TAG.sub("", d)), echoes).lower() for d in decoded]]
    return [n for n in needles if any(all(n.lower() in r for r in rs) for rs in readings)]


def normalised(text: str, echoes: list[str], number: object) -> str:
    """A response with what its request typed taken out, and its CSRF token (a request
    without a cookie gets a new one each time)."""
    text = CSRF_VALUE.sub('name="csrf_token" value="…"', _without(text, echoes))
    if number is not None:
        text = re.sub(rf"\bversion {number}\b", "version N", text)
    return text


def send(client: FlaskClient, call: Call, csrf: str | None):
    if call.method == "GET":
        return client.get(call.url)
    data, headers = {}, {}
    if call.with_csrf and csrf:
        data["csrf_token"] = csrf
        headers["X-CSRFToken"] = csrf
    return client.open(call.url, method=call.method, data=data, headers=headers)


def _number(url: str) -> str | None:
    found = re.search(r"/versions/(\d+)", url)
    return found.group(1) if found else None


@pytest.mark.parametrize("name", [p.name for p in PRINCIPALS])
def test_no_route_leaks_a_dataset_the_reader_may_not_read(world, name):
    principal = BY_NAME[name]
    limiter.reset()  # the walk's token and sign-in posts count against 127.0.0.1's limits
    client = world.client(principal)
    needles = principal.hidden_needles()
    csrf = None if principal.via == "token" else csrf_token(
        client, "/sign-in" if principal.via is None else "/")
    walked = calls(world, principal)
    walked_rules = {id(c.rule) for c in walked}
    assert walked_rules == {id(r) for r in world.app.url_map.iter_rules()
                            if r.endpoint != "static"}
    problems: list[str] = []
    for call in walked:
        response = send(client, call, csrf)
        body = response.get_data(as_text=True)
        location = response.headers.get("Location", "")
        where = f"{call.method} {call.url}{' (with CSRF)' if call.with_csrf else ''}"
        if response.status_code >= 500:
            problems.append(f"{where}: {response.status_code}")
        found = leaks(body + "\n" + location, call.echoes, needles)
        if found:
            problems.append(f"{where}: {response.status_code} shows {found}")
        if call.method != "GET" and not call.with_csrf:
            if principal.via == "token":
                expected = {403}  # a read-scoped token changes nothing
            elif call.rule.endpoint.split(".")[0] in CSRF_EXEMPT_BLUEPRINTS:
                expected = set(range(400, 500))
            else:
                expected = {400}  # no CSRF token
            if response.status_code not in expected:
                problems.append(f"{where}: {response.status_code}, expected {expected}")
        if call.twin:
            twin = send(client, Call(call.method, call.twin, call.rule, [], with_csrf=call
                                     .with_csrf), csrf)
            twin_body = twin.get_data(as_text=True) + "\n" + twin.headers.get("Location", "")
            mine = normalised(body + "\n" + location, call.echoes, _number(call.url))
            theirs = normalised(twin_body, call.twin_echoes, _number(call.twin))
            if (response.status_code, mine) != (twin.status_code, theirs):
                diff = "\n".join(difflib.unified_diff(
                    theirs.splitlines(), mine.splitlines(), "nonexistent", "hidden", n=1,
                    lineterm=""))
                problems.append(f"{where}: {response.status_code} differs from {call.twin}: "
                                f"{twin.status_code}\n{diff[:2000]}")
            elif call.method == "GET" and principal.via is not None \
                    and response.status_code != 404:
                problems.append(f"{where}: {response.status_code} for a hidden dataset")
    assert not problems, f"{len(problems)} problems in {len(walked)} requests:\n" + \
        "\n".join(problems[:40])


@pytest.mark.parametrize("name", [p.name for p in PRINCIPALS])
def test_each_reader_sees_what_it_may(world, name):
    """The positive side: lists, counts, search, suggestions, pages, versions, downloads and
    lineage show each reader exactly what it may read."""
    principal = BY_NAME[name]
    client = world.client(principal)
    reads = principal.reads
    per_department = Counter(BY_KEY[k].department for k in reads)

    discovers = principal.discovers
    listed = client.get("/api/v1/datasets?per_page=100").get_json()
    assert {d["id"] for d in listed["results"] if not d["restricted"]} == set(reads)
    assert {d["id"] for d in listed["results"] if d["restricted"]} == discovers
    assert listed["count"] == len(reads) + len(discovers)
    found = client.get("/api/v1/search?per_page=100").get_json()
    assert {r["id"] for r in found["results"]} == set(reads) and found["count"] == len(reads)
    assert {r["id"] for r in found["restricted"]} == discovers
    assert {f["value"]: f["count"] for f in found["facets"]["department"] if f["count"]} == \
        per_department
    departments = client.get("/api/v1/departments").get_json()["results"]
    assert {d["slug"]: d["dataset_count"] for d in departments if d["dataset_count"]} == \
        per_department + Counter(BY_KEY[k].department for k in discovers)

    for key in discovers:  # known of, labelled restricted; its data and details are not
        spec = BY_KEY[key]
        page = client.get(f"/datasets/{key}")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert spec.title in text and spec.fragment in text and "Restricted" in text
        assert client.get(f"/api/v1/datasets/{key}").get_json() == {
            "id": key, "department": spec.department, "department_name": "Children's Services",
            "slug": spec.slug, "title": spec.title,
            "description": f"# Notes\n\nRows {spec.fragment}.", "owners": list(spec.owners),
            "tags": [], "version_count": spec.versions, "restricted": True}
        for path in (f"/datasets/{key}/versions", f"/datasets/{key}/versions/1",
                     f"/datasets/{key}/versions/2/files/{spec.file}",
                     f"/api/v1/datasets/{key}/versions", f"/api/v1/datasets/{key}/lineage",
                     f"/api/v1/datasets/{key}/versions/1/files/{spec.file}"):
            assert client.get(path).status_code == 404, path
        assert {r["id"] for r in client.get("/api/v1/search", query_string={
            "q": spec.secret}).get_json()["restricted"]} == {key}
        assert client.get("/api/v1/search", query_string={"q": spec.columns[0]}
                          ).get_json()["restricted"] == []  # not found by its columns

    for key, first in reads.items():
        spec = BY_KEY[key]
        page = client.get(f"/datasets/{key}")
        assert page.status_code == 200, key
        assert spec.title in page.get_data(as_text=True)
        assert spec.fragment in page.get_data(as_text=True)
        versions = client.get(f"/api/v1/datasets/{key}/versions").get_json()
        assert [v["number"] for v in versions["results"]] == \
            list(range(spec.versions, first - 1, -1))
        download = client.get(f"/datasets/{key}/versions/{spec.versions}/files/{spec.file}")
        assert download.status_code == 200 and download.data == spec.csv(spec.versions)
        api_download = client.get(f"/api/v1/datasets/{key}/versions/{first}/files/{spec.file}")
        assert api_download.status_code == 200 and api_download.data == spec.csv(first)
        by_column = client.get("/api/v1/search", query_string={"q": spec.columns[0]})
        assert key in {r["id"] for r in by_column.get_json()["results"]}
        suggested = client.get("/api/v1/suggest", query_string={"q": spec.secret.lower()[:6]})
        assert key in {s["id"] for s in suggested.get_json()["suggestions"]}
        if first > 1:  # a share from a later version: the earlier ones are not there
            assert client.get(f"/datasets/{key}/versions/{first - 1}").status_code == 404
            assert client.get(f"/datasets/{key}/versions/{first - 1}/files/{spec.file}"
                              ).status_code == 404
            assert V1_MESSAGE not in page.get_data(as_text=True)

    if DERIVED.key in reads:
        lineage = client.get(f"/api/v1/datasets/{DERIVED.key}/lineage").get_json()
        declared = [link for link in lineage["upstream"] if link["kind"] == "declared"]
        page = client.get(f"/datasets/{DERIVED.key}").get_data(as_text=True)
        if SAFEGUARDING.key in reads:
            assert [link["dataset"] for link in declared] == [SAFEGUARDING.key]
            assert SAFEGUARDING.title in page
        else:
            assert declared == [{"kind": "declared", "dataset": None, "title": None,
                                 "version": None, "ref": None, "path": None, "rev": None,
                                 "restricted": True}]
            assert "a restricted dataset" in page

    # The open-data portal: the released version, the same for everyone, and nothing else.
    opened = client.get("/api/v1/open/datasets").get_json()
    assert [d["id"] for d in opened["results"]] == [RELEASED.key]
    assert {r["id"] for r in client.get("/api/v1/open/search").get_json()["results"]} == \
        {RELEASED.key}
    base = f"/open/datasets/{RELEASED.key}/versions"
    assert client.get(f"{base}/1/files/{RELEASED.file}").data == RELEASED.csv(1)
    assert client.get(f"{base}/2/files/{RELEASED.file}").status_code == 404
    assert UNRELEASED_MESSAGE not in client.get(f"/open/datasets/{RELEASED.key}").get_data(
        as_text=True)
