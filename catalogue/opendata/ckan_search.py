"""CKAN's `package_search`, answered from a search index (the portal's for the public, the
catalogue's for a person with a token), never by loading every release per request: the index
gives the matching documents, their order, the page and the facet counts; only the page's
packages are then read from the database.

`fq` takes CKAN's filters, joined by spaces or AND (all must hold): `organization:<slug>`,
`tags:<tag>` (quoted when it has spaces), `res_format:<CSV…>`, `license_id:<id>`,
`metadata_modified:[<from> TO <to>]` (ISO dates or times, `*` or `NOW`). Anything else is a
Validation Error, as are rows beyond 1000 or negative, a negative start, an unknown sort field.
Facets count the datasets found (after `fq`), as CKAN's do.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

from catalogue.access import Reader
from catalogue.opendata.ckan import ValidationError
from catalogue.search import SearchIndex
from catalogue.search.evaluate import match
from catalogue.search.query import parse
from catalogue.search.snapshot import Snapshot

MAX_ROWS = 1000
DEFAULT_ROWS = 10
DEFAULT_SORT = "score desc, metadata_modified desc"
# CKAN's facet and filter fields → the index's facets
FIELDS = {"organization": "department", "tags": "tag", "res_format": "format",
          "license_id": "licence"}
SORTABLE = ("score", "metadata_modified", "metadata_created", "title_string")
TERM = re.compile(r'\s*(?:(?:AND|\+)\s*)?(\w+):("(?:[^"\\]|\\.)*"|\[[^\]]*\]|[^\s"\[\]]+)\s*')


@dataclass
class Query:
    q: str = ""
    filters: list[tuple[str, str]] = field(default_factory=list)  # (index facet, value)
    since: float | None = None
    until: float | None = None
    rows: int = DEFAULT_ROWS
    start: int = 0
    sort: list[tuple[str, bool]] = field(default_factory=list)  # (field, descending)
    sort_text: str = DEFAULT_SORT
    facet_fields: list[str] = field(default_factory=list)
    facet_limit: int = 50
    facet_mincount: int = 1


@dataclass
class Found:
    count: int
    keys: list[str]
    facets: dict[str, list[tuple[str, str, int]]]  # CKAN field → (value, label, count)


def parse_query(data: dict[str, Any]) -> Query:
    """package_search's parameters, checked as CKAN checks them."""
    errors: dict[str, list[str]] = {}
    query = Query(q=_text(data.get("q")))
    query.rows = _integer(data, "rows", DEFAULT_ROWS, errors, maximum=MAX_ROWS)
    query.start = _integer(data, "start", 0, errors)
    query.facet_limit = _integer(data, "facet.limit", 50, errors, minimum=-1)
    query.facet_mincount = _integer(data, "facet.mincount", 1, errors)
    try:
        _filters(query, _text(data.get("fq")))
        if isinstance(data.get("fq_list"), list):
            for item in data["fq_list"]:
                _filters(query, _text(item))
    except ValueError as exc:
        errors["fq"] = [str(exc)]
    query.sort_text = _text(data.get("sort")) or DEFAULT_SORT
    try:
        query.sort = _sort(query.sort_text)
    except ValueError as exc:
        errors["sort"] = [str(exc)]
    fields = data.get("facet.field", [])
    if isinstance(fields, str):
        try:
            fields = json.loads(fields) if fields.strip() else []
        except ValueError:
            fields = None
    if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
        errors["facet.field"] = ["Must be a JSON list of field names"]
    else:
        query.facet_fields = list(dict.fromkeys(fields))
    if errors:
        raise ValidationError(fields=errors)
    return query


def package_search(index: SearchIndex, reader: Reader, query: Query) -> Found:
    """The keys of the page of datasets found, their count and the facets asked for.

    Runs on the index's current snapshot (as `SearchIndex.search` does), filtered by the
    reader's principals before anything is counted."""
    return index.read(lambda snap: _run(snap, reader, query))


def _run(snap: Snapshot, reader: Reader, query: Query) -> Found:
    allowed = snap.readable(snap.allowed(reader.principals))
    parsed = parse(query.q)
    if parsed.empty:
        kept, scores = allowed.copy(), None
    else:
        matched, scores, _ = match(snap, parsed, allowed)
        kept = matched.copy()
    for name, value in query.filters:
        code = snap.codes.get((name, value))
        mask = np.zeros(snap.size, bool)
        if code is not None:
            mask[snap.pair_docs[snap.pair_codes == code]] = True
        kept &= mask
    if query.since is not None or query.until is not None:
        updated = np.nan_to_num(snap.updated, nan=-np.inf)
        if query.since is not None:
            kept &= updated >= query.since
        if query.until is not None:
            kept &= updated <= query.until
    docs = np.flatnonzero(kept)
    order = docs[np.lexsort(_sort_keys(snap, docs, scores, query.sort))] if len(docs) else docs
    page = order[query.start:query.start + query.rows] if query.start < len(order) else order[:0]
    keys = [snap.searcher.stored_fields(int(d))["id"] for d in page]
    return Found(len(docs), keys, _facets(snap, kept, query))


def _sort_keys(snap: Snapshot, docs: np.ndarray, scores: np.ndarray | None,
               sort: list[tuple[str, bool]]) -> tuple:
    keys = []
    for name, descending in sort:
        if name == "score":
            if scores is None:
                continue
            values = scores[docs]
        elif name in ("metadata_modified", "metadata_created"):
            values = np.nan_to_num(snap.updated[docs], nan=-np.inf)
        else:
            values = snap.title_rank[docs]
        keys.append(-values if descending else values)
    keys.append(snap.title_rank[docs])  # ties: by title, so pages never overlap
    return tuple(reversed(keys))  # lexsort's primary key is the last


def _facets(snap: Snapshot, kept: np.ndarray, query: Query,
            ) -> dict[str, list[tuple[str, str, int]]]:
    if not query.facet_fields:
        return {}
    counts = np.bincount(snap.pair_codes[kept[snap.pair_docs]], minlength=len(snap.values))
    out: dict[str, list[tuple[str, str, int]]] = {f: [] for f in query.facet_fields}
    wanted = {FIELDS[f]: f for f in query.facet_fields if f in FIELDS}
    for code in np.flatnonzero(counts >= max(query.facet_mincount, 1)):
        name, value = snap.values[code]
        if name in wanted:
            shown = value.upper() if name == "format" and value != "folder" else value
            label = snap.labels.get((name, value), shown) if name == "department" else shown
            out[wanted[name]].append((shown, label, int(counts[code])))
    for name, items in out.items():
        items.sort(key=lambda item: (-item[2], item[0]))
        if query.facet_limit >= 0:
            out[name] = items[:query.facet_limit]
    return out


def _filters(query: Query, fq: str) -> None:
    position = 0
    fq = fq.strip()
    while position < len(fq):
        found = TERM.match(fq, position)
        if found is None or found.end() == position:
            raise ValueError(f"Cannot parse fq near {fq[position:position + 40]!r}: write "
                             "field:value terms (organization, tags, res_format, license_id, "
                             "metadata_modified:[X TO Y])")
        name, value = found.group(1), found.group(2)
        position = found.end()
        if name in ("metadata_modified", "metadata_created"):
            query.since, query.until = _range(value)
        elif name in FIELDS:
            if value.startswith("["):
                raise ValueError(f"{name} takes a value, not a range")
            value = value[1:-1].replace('\\"', '"') if value.startswith('"') else value
            facet = FIELDS[name]
            query.filters.append((facet, value.lower() if facet == "format" else value))
        else:
            raise ValueError(f"Unknown fq field {name!r}: use organization, tags, res_format, "
                             "license_id or metadata_modified")


def _range(value: str) -> tuple[float | None, float | None]:
    parts = value[1:-1].split(" TO ") if value.startswith("[") and value.endswith("]") else []
    if len(parts) != 2:
        raise ValueError(f"metadata_modified takes a range, [X TO Y], not {value!r}")
    return _moment(parts[0]), _moment(parts[1])


def _moment(text: str) -> float | None:
    text = text.strip()
    if text == "*":
        return None
    if text.upper() == "NOW":
        return datetime.now(UTC).timestamp()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{text!r} is not a date or time (ISO 8601), * or NOW") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _sort(text: str) -> list[tuple[str, bool]]:
    out = []
    for part in text.split(","):
        words = part.split()
        if not words:
            continue
        if len(words) > 2 or words[0] not in SORTABLE or \
                (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
            raise ValueError(f"Cannot sort by {part.strip()!r}: sort by "
                             f"{', '.join(SORTABLE)}, each asc or desc")
        out.append((words[0], len(words) == 2 and words[1].lower() == "desc"))
    return out


def _integer(data: dict[str, Any], name: str, default: int, errors: dict[str, list[str]],
             minimum: int = 0, maximum: int | None = None) -> int:
    value = data.get(name)
    if value in (None, ""):
        return default
    try:
        number = int(str(value).strip())
    except ValueError:
        errors[name] = ["Invalid integer"]
        return default
    if number < minimum:
        errors[name] = ["Must be a natural number" if minimum == 0
                        else f"Must be at least {minimum}"]
    elif maximum is not None and number > maximum:
        errors[name] = [f"Must be less than or equal to {maximum}"]
    return number


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))
