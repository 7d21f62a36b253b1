"""The CKAN Action API at /api/3/action/<name> (and /api/action/<name>): GET with query
parameters or POST with a JSON body, answered in CKAN's envelope `{help, success, result}`
and its error shapes, so CKAN's clients (ckanapi, harvesters) work unchanged.

Who asks decides what is answered (catalogue.opendata.ckan): nobody, the released datasets as
approved; a person (an API token sent as CKAN clients send it, the raw key in `Authorization`
or `X-CKAN-API-Key`, or `Authorization: Bearer …`, or a signed-in browser), what their reader
may read in the internal catalogue. Every action only reads, so POSTs need no CSRF token
(the blueprint is exempt); GET answers carry an ETag and answer 304 to a match.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from flask import Blueprint, Response, current_app, g, jsonify, request, url_for
from sqlmodel import Session
from werkzeug.exceptions import HTTPException

from catalogue.access import Reader
from catalogue.errors import NotFound
from catalogue.opendata import ckan, ckan_search
from catalogue.opendata.ckan import CkanError, Links, NotFoundError, ValidationError, View
from catalogue.opendata.ckan_search import MAX_ROWS, Query, parse_query
from catalogue.tokens import token_person
from web.auth import current_person, current_reader
from web.extensions import catalogue, session

bp = Blueprint("ckan", __name__)
CKAN_VERSION = "2.10.4"  # the API version these answers follow


@dataclass
class Caller:
    view: View
    reader: Reader
    links: Links


Action = Callable[[Session, Caller, dict[str, Any]], Any]
ACTIONS: dict[str, Action] = {}


def registered(fn: Action) -> Action:
    ACTIONS[fn.__name__] = fn
    return fn


@bp.route("/api/action/<action>", methods=["GET", "POST"])
@bp.route("/api/3/action/<action>", methods=["GET", "POST"])  # the first added: url_for's
def call(action: str) -> tuple[Response, int] | Response:
    name = action
    if name not in ACTIONS:
        return _failure(name, CkanError(f"Bad request - Action name not known: {name}"))
    data = _data()
    if isinstance(data, CkanError):
        return _failure(name, data)
    try:
        caller = _caller()
        with session() as s:
            result = ACTIONS[name](s, caller, data)
    except CkanError as exc:
        return _failure(name, exc)
    except NotFound as exc:
        return _failure(name, NotFoundError(str(exc)))
    return jsonify(help=_help(name), success=True, result=result)


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> tuple[Response, int] | HTTPException:
    """A refusal made before the action ran (a read-only Bearer token POSTing, a wrong
    method) in CKAN's shape too."""
    if exc.code is None or exc.code < 400:
        return exc
    error = ckan.AuthorizationError(exc.description or exc.name) if exc.code in (401, 403) \
        else CkanError(f"Bad request - {exc.description or exc.name}")
    error.status = exc.code if exc.code in (401, 403, 404, 405) else 400
    return _failure(request.view_args.get("action", "") if request.view_args else "", error)


@bp.after_request
def _caching(response: Response) -> Response:
    if request.method == "GET" and response.status_code == 200:
        response.add_etag()
        if g.get("ckan_open"):  # the public's answers change only with releases
            with session() as s:
                changed = ckan.open_changed_at(s)
            if changed is not None:  # werkzeug would date None as now
                response.last_modified = changed
        response.make_conditional(request)
    response.headers["Cache-Control"] = "no-cache" if _key() is None and \
        current_person() is None else "private, no-cache"
    response.vary.update(("Authorization", "X-CKAN-API-Key", "Cookie"))
    return response


def _failure(name: str, error: CkanError) -> tuple[Response, int]:
    return jsonify(help=_help(name), success=False, error=error.error()), error.status


def _help(name: str) -> str:
    return url_for("ckan.call", action="help_show", _external=True) + "?" + urlencode(
        {"name": name})


def _data() -> dict[str, Any] | CkanError:
    if request.method == "GET" or not request.get_data():
        return request.args.to_dict()
    if request.form:
        return request.form.to_dict()
    try:
        data = json.loads(request.get_data())
    except (ValueError, RecursionError) as exc:
        return CkanError(f"Bad request - JSON Error: {exc}")
    if not isinstance(data, dict):
        return CkanError("Bad request - JSON Error: the request body must be a JSON object, "
                         f"not {type(data).__name__}")
    return data


def _key() -> str | None:
    """A raw API key as CKAN clients send it (not `Bearer …`, which web.auth reads)."""
    header = request.headers.get("Authorization", "").strip()
    if header.lower().startswith("bearer "):
        return None
    return header or request.headers.get("X-CKAN-API-Key", "").strip() or None


def _caller() -> Caller:
    person = current_person()
    key = _key()
    if person is None and key is not None:
        found = token_person(catalogue().engine, key)
        if found is None:
            raise ckan.AuthorizationError("This API token is not valid: it was revoked, it has "
                                          "expired, its account is disabled, or it was never "
                                          "made.")
        with session() as s:
            reader = found[0].reader(s)
    else:
        reader = current_reader()
    if person is None and key is None and reader == Reader.anonymous():
        g.ckan_open = True
        return Caller(ckan.OpenView(), reader, _links("open.dataset", "open.download"))
    return Caller(ckan.ReaderView(reader), reader,
                  _links("datasets.dataset", "datasets.download"))


def _links(page: str, download: str) -> Links:
    """URLs made by filling templates that url_for built once (url_for per resource would be
    a third of a large page's time)."""
    page_url = url_for(page, dept="__d__", name="__n__", _external=True)
    file_url = url_for(download, dept="__d__", name="__n__", number=987654321, path="__p__",
                       _external=True)

    def fill(template: str, d: str, n: str, v: int = 0, p: str = "") -> str:
        return template.replace("__d__", quote(d, safe="")).replace(
            "__n__", quote(n, safe="")).replace("987654321", str(v)).replace(
            "__p__", quote(p, safe="/"))

    return Links(lambda d, n: fill(page_url, d, n),
                 lambda d, n, v, p: fill(file_url, d, n, v, p))


def _flag(data: dict[str, Any], name: str) -> bool:
    value = data.get(name, False)
    return value if isinstance(value, bool) else str(value).lower() in ("true", "1", "yes")


def _count(data: dict[str, Any], name: str, default: int | None) -> int | None:
    value = data.get(name)
    if value in (None, ""):
        return default
    try:
        number = int(str(value))
    except ValueError:
        raise ValidationError(fields={name: ["Invalid integer"]}) from None
    if number < 0:
        raise ValidationError(fields={name: ["Must be a natural number"]})
    return number


def _ident(data: dict[str, Any]) -> str:
    ident = data.get("id") or data.get("name")
    if not isinstance(ident, str) or not ident.strip():
        raise ValidationError(fields={"id": ["Missing value"]})
    return ident.strip()


def _index(caller: Caller):
    return catalogue().open_search if caller.view.open else catalogue().search


@registered
def package_search(s: Session, caller: Caller, data: dict[str, Any]) -> dict[str, Any]:
    """Search datasets: q, fq, rows (≤ 1000), start, sort, facet.field, facet.limit."""
    query = parse_query(data)
    found = package_search_keys(caller, query)
    facets = {f: {value: n for value, _, n in items} for f, items in found.facets.items()}
    search_facets = {f: {"title": f, "items": [{"name": v, "display_name": label, "count": n}
                                               for v, label, n in items]}
                     for f, items in found.facets.items()}
    return {"count": found.count, "facets": facets, "search_facets": search_facets,
            "results": caller.view.packages(s, found.keys, caller.links),
            "sort": query.sort_text}


def package_search_keys(caller: Caller, query: Query) -> ckan_search.Found:
    return ckan_search.package_search(_index(caller), caller.reader, query)


@registered
def package_show(s: Session, caller: Caller, data: dict[str, Any]) -> dict[str, Any]:
    """A dataset by its name, id or department/dataset key."""
    key = caller.view.resolve(s, _ident(data))
    return caller.view.packages(s, [key], caller.links)[0]


@registered
def package_list(s: Session, caller: Caller, data: dict[str, Any]) -> list[str]:
    """The names of the datasets, in name order: limit, offset."""
    names = sorted(ckan.package_name(k) for k in caller.view.keys(s))
    offset = _count(data, "offset", 0) or 0
    limit = _count(data, "limit", None)
    return names[offset:None if limit is None else offset + limit]


@registered
def current_package_list_with_resources(s: Session, caller: Caller,
                                        data: dict[str, Any]) -> list[dict[str, Any]]:
    """Datasets with their resources, most recently modified first: limit, offset."""
    offset = _count(data, "offset", 0) or 0
    limit = _count(data, "limit", None)
    keys: list[str] = []
    while limit is None or len(keys) < limit:
        rows = MAX_ROWS if limit is None else min(MAX_ROWS, limit - len(keys))
        found = package_search_keys(caller, Query(rows=rows, start=offset + len(keys),
                                                  sort=[("metadata_modified", True)]))
        keys += found.keys
        if len(found.keys) < rows:
            break
    return caller.view.packages(s, keys, caller.links)


@registered
def organization_list(s: Session, caller: Caller, data: dict[str, Any]) -> list[Any]:
    """The departments with datasets to show: names, or dicts with `all_fields`."""
    found = caller.view.departments(s)
    if _flag(data, "all_fields"):
        return [ckan.organization(slug, name, n) for slug, (name, n) in found.items()]
    return list(found)


@registered
def organization_show(s: Session, caller: Caller, data: dict[str, Any]) -> dict[str, Any]:
    """A department by name or id; its datasets with `include_datasets`."""
    ident = _ident(data)
    for slug, (name, n) in caller.view.departments(s).items():
        if ident in (slug, ckan.organization_id(slug)):
            body = ckan.organization(slug, name, n)
            if _flag(data, "include_datasets"):
                keys = [k for k in caller.view.keys(s) if k.split("/", 1)[0] == slug]
                body["packages"] = caller.view.packages(s, keys[:MAX_ROWS], caller.links)
            return body
    raise NotFoundError("Organization was not found.")


@registered
def group_list(s: Session, caller: Caller, data: dict[str, Any]) -> list[Any]:
    """Groups: the catalogue has none."""
    return []


@registered
def tag_list(s: Session, caller: Caller, data: dict[str, Any]) -> list[Any]:
    """The tags of the datasets shown, in order; `query` narrows them, `all_fields` too."""
    found = package_search_keys(caller, Query(rows=0, facet_fields=["tags"], facet_limit=-1))
    wanted = str(data.get("query") or data.get("q") or "").lower()
    names = sorted(t for t, _, _ in found.facets["tags"] if wanted in t.lower())
    if _flag(data, "all_fields"):
        return [{"name": t, "display_name": t, "vocabulary_id": None} for t in names]
    return names


@registered
def license_list(s: Session, caller: Caller, data: dict[str, Any]) -> list[dict[str, Any]]:
    """The open licences a version may be released under."""
    return ckan.licences()


@registered
def resource_show(s: Session, caller: Caller, data: dict[str, Any]) -> dict[str, Any]:
    """A resource (a file of a dataset's shown version) by its id."""
    return ckan.find_resource(s, caller.view, _ident(data), caller.links)


@registered
def status_show(s: Session, caller: Caller, data: dict[str, Any]) -> dict[str, Any]:
    """What this site is and which CKAN API it follows."""
    return {"site_title": current_app.config.get("SERVICE_NAME", ""),
            "site_description": "", "site_url": request.url_root.rstrip("/"),
            "ckan_version": CKAN_VERSION, "error_emails_to": None, "locale_default": "en_GB",
            "extensions": []}


@registered
def help_show(s: Session, caller: Caller, data: dict[str, Any]) -> str:
    """What an action does."""
    name = data.get("name")
    if not isinstance(name, str) or name not in ACTIONS:
        raise NotFoundError(f"Action function not found: {name}")
    return ACTIONS[name].__doc__ or ""
