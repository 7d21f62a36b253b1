"""What templates need beyond the core's shapes: formatting filters and the site's navigation."""

from __future__ import annotations

from datetime import datetime
from email.utils import parseaddr
from typing import Any

from flask import Flask, current_app, request, url_for
from markupsafe import Markup, escape

from catalogue.schemas import LineageLink
from web import markdown
from web.auth import current_person

UNITS = ("KB", "MB", "GB", "TB")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
NAVIGATION = (
    ("Datasets", "pages.dataset_list", ("datasets.",)),
    ("Departments", "pages.department_list", ("pages.department",)),
    ("Open data", "open.home", ("open.",)),
    ("API", "api.index", ("api.",)),
)
KIND_LABELS = {
    "declared": "Declared in dataset.yaml",
    "pipeline": "Built by a DVC pipeline",
    "import": "Imported with dvc import",
}
VISIBILITY_LABELS = {
    "department": "Department only",
    "internal": "All staff",
    "open": "Open to the public",
}


def init_app(app: Flask) -> None:
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.add_template_filter(markdown.render, "markdown")
    app.add_template_filter(markdown.summary, "summary")
    app.add_template_filter(contact)
    app.add_template_filter(merge_links)
    app.add_template_filter(key_label)
    app.add_template_filter(filesize)
    app.add_template_filter(date)
    app.add_template_filter(datetime_text, "datetime")
    app.add_template_filter(short_sha)
    app.add_template_filter(lambda v: VISIBILITY_LABELS.get(v, v), "visibility")
    app.add_template_filter(extra_value)
    app.add_template_global(page_url)
    app.context_processor(_site)


def filesize(size: int | None) -> str:
    """A size as people read it: `512 bytes`, `1.5 MB`."""
    if size is None:
        return "Unknown"
    if size < 1024:
        return "1 byte" if size == 1 else f"{size} bytes"
    value = float(size)
    for unit in UNITS:
        value /= 1024
        if value < 1024 or unit == UNITS[-1]:
            return f"{value:.1f} {unit}".replace(".0 ", " ")
    raise AssertionError("unreachable")


def date(value: datetime | None) -> Markup:
    """`<time>` with a GOV.UK style date: 3 March 2025. (Only numbers and month names: safe.)"""
    if value is None:
        return Markup("")
    return Markup(f'<time datetime="{value.isoformat()}">'
                  f"{value.day} {MONTHS[value.month - 1]} {value.year}</time>")


def datetime_text(value: datetime | None) -> Markup:
    """`<time>` with date and time: 3 March 2025 at 2:05pm."""
    if value is None:
        return Markup("")
    hour = value.hour % 12 or 12
    return Markup(f'<time datetime="{value.isoformat()}">'
                  f"{value.day} {MONTHS[value.month - 1]} {value.year} at "
                  f"{hour}:{value.minute:02d}{'am' if value.hour < 12 else 'pm'}</time>")


def short_sha(sha: str | None) -> str:
    return (sha or "")[:10]


def extra_value(value: Any) -> str:
    """An unknown metadata key's value, as plain text."""
    if isinstance(value, list):
        return ", ".join(extra_value(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {extra_value(v)}" for k, v in value.items())
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return "" if value is None else str(value)


def contact(value: str) -> Markup:
    """A contact as written (`Team <team@example.org>` or an address), its address linked."""
    name, address = parseaddr(value)
    if "@" not in address or " " in address:
        return escape(value)
    link = Markup('<a class="govuk-link" href="mailto:{0}">{0}</a>').format(address)
    return Markup("{}<br>{}").format(name, link) if name else link


def merge_links(links: list[LineageLink]) -> list[tuple[LineageLink, list[str]]]:
    """Lineage links to the same dataset version (or outside source) shown once, each with
    how it is recorded: `Built by a DVC pipeline (from counts.csv)`."""
    merged: dict[tuple, tuple[LineageLink, list[str]]] = {}
    for i, link in enumerate(links):
        if link.restricted:
            place: tuple = (i,)
        elif link.dataset:
            place = (link.dataset, link.version)
        else:
            place = (link.ref, link.path, link.rev)
        how = KIND_LABELS.get(link.kind, link.kind)
        if link.dataset and link.path:
            how += f" (from {link.path})"
        merged.setdefault(place, (link, []))[1].append(how)
    return list(merged.values())


def key_label(key: str) -> str:
    """An unknown metadata key as a label: `data_sharing_agreement` → `Data sharing agreement`."""
    words = key.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else key


def page_url(page: int) -> str:
    """This page's URL with another `page` (its other query parameters kept)."""
    args = {**request.view_args, **request.args.to_dict(), "page": page}
    return url_for(request.endpoint, **args)


def _site() -> dict[str, Any]:
    endpoint = request.endpoint or ""
    navigation = [
        {"text": text, "href": url_for(target), "current": endpoint == target,
         "active": any(endpoint == p or (p.endswith(".") and endpoint.startswith(p))
                       for p in (target, *prefixes))}
        for text, target, prefixes in NAVIGATION
    ]
    person = current_person()
    account_links = []
    if person is not None:
        account_links.append(("API tokens", url_for("account.tokens_page")))
        account_links.append(("Access requests", url_for("access_requests.requests_page")))
        if person.is_governance:
            account_links.append(("Register of shares", url_for("governance.register_page")))
        if person.reads_audit:
            account_links.append(("Audit trail", url_for("audit.audit_page")))
    return {
        "person": person,
        "account_links": account_links,
        "service_name": current_app.config["SERVICE_NAME"],
        "organisation_name": current_app.config["ORGANISATION_NAME"],
        "navigation": navigation,
    }
