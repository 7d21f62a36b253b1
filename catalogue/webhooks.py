"""Forge webhooks: GitHub, GitLab and Gitea tell the catalogue about pushes to a registry.

A push event names its repository by URL; the catalogue knows the registry by one of them and
checks the request against that registry's shared secret before doing anything:

- GitHub: `X-Hub-Signature-256: sha256=<HMAC-SHA256 of the body>`;
- Gitea: `X-Gitea-Signature: <HMAC-SHA256 of the body>` (or GitHub's header, which it sends too);
- GitLab: `X-Gitlab-Token: <the secret>`.

A request that fails the check, for whatever reason (no signature, unknown registry, registry
without a secret, wrong signature), gets the same refusal and nothing is fetched or indexed. A
verified push to main fetches the registry into its mirror and indexes the new commits.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlmodel import select

from catalogue.core import Catalogue
from catalogue.db import read_session, write_session
from catalogue.errors import CatalogueError
from catalogue.models import Registry, WebhookSecret
from catalogue.notify import NewVersion, index_push
from registry.history import BRANCH

REFUSED = "the request's signature does not match a registry's webhook secret"
PUSH_EVENTS = {"github": "push", "gitea": "push", "gitlab": "Push Hook"}
URL_KEYS = ("clone_url", "ssh_url", "git_url", "html_url", "url", "git_http_url",
            "git_ssh_url", "http_url", "web_url", "homepage")


class WebhookRefused(CatalogueError):
    """Not verified: missing or wrong signature, or no registry with a secret for this URL."""

    status = 401

    def __init__(self) -> None:
        super().__init__(REFUSED)


class WebhookInvalid(CatalogueError):
    """Not a push event the catalogue understands."""

    status = 400


@dataclass
class WebhookOutcome:
    registry: str
    indexed: bool
    reason: str | None = None
    commits: int = 0
    versions: list[NewVersion] = field(default_factory=list)


def generate_secret() -> str:
    return secrets.token_urlsafe(32)


def set_secret(catalogue: Catalogue, url: str, secret: str) -> Registry:
    """Store the shared secret of the registry known by `url` (registering it if need be)."""
    if len(secret) < 16:
        raise CatalogueError("a webhook secret needs at least 16 characters")
    registry = catalogue.indexer.register(url)
    with write_session(catalogue.engine) as s:
        row = s.get(WebhookSecret, registry.id)
        if row is None:
            row = WebhookSecret(registry_id=registry.id, secret=secret, set_at=datetime.now(UTC))
        row.secret, row.set_at = secret, datetime.now(UTC)
        s.add(row)
    return registry


def receive_push(catalogue: Catalogue, headers: Mapping[str, str], body: bytes,
                 base_url: str | None = None) -> WebhookOutcome:
    """Verify a forge's push event and index the registry it names.

    The signature is checked over the raw bytes, against each registry's secret, before the
    body is parsed: nothing an unsigned sender writes is read, and a signed body that is not a
    JSON object is a 400 naming it."""
    h = {k.lower(): v for k, v in headers.items()}
    forge = _forge(h)
    if forge is None:
        raise WebhookInvalid("not a GitHub, GitLab or Gitea webhook (no event header)")
    if not any(h.get(k) for k in ("x-hub-signature-256", "x-gitea-signature", "x-gitlab-token")):
        raise WebhookRefused()
    signed_by = _signed_by(catalogue, forge, h, body)
    if not signed_by:
        raise WebhookRefused()
    payload = _payload(body)
    urls = _urls(payload)
    registry = next((r for r in signed_by if normalise_url(r.url) in urls), None)
    if registry is None:
        raise WebhookRefused()
    event = h.get(f"x-{forge}-event", "")
    if event != PUSH_EVENTS[forge]:
        return WebhookOutcome(registry.url, False, f"not a push event ({event})")
    if payload.get("ref") != f"refs/heads/{BRANCH}":
        return WebhookOutcome(registry.url, False, f"not a push to {BRANCH}")
    before, after = payload.get("before"), payload.get("after")
    for name, value in (("before", before), ("after", after)):
        if value is not None and not isinstance(value, str):
            raise WebhookInvalid(f"{name}: give a commit id as text")
    report, versions = index_push(catalogue, registry, before, after, base_url)
    return WebhookOutcome(registry.url, True, None, report.commits, versions)


def _payload(body: bytes) -> dict:
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise WebhookInvalid("body: not JSON") from None
    if not isinstance(payload, dict):
        raise WebhookInvalid("body: not a JSON object")
    return payload


def _signed_by(catalogue: Catalogue, forge: str, h: Mapping[str, str],
               body: bytes) -> list[Registry]:
    """The registries whose secret the request's signature matches."""
    with read_session(catalogue.engine) as s:
        rows = s.exec(select(Registry, WebhookSecret).join(
            WebhookSecret, WebhookSecret.registry_id == Registry.id)).all()
    return [registry for registry, secret in rows if _verified(forge, h, body, secret.secret)]


def _forge(h: Mapping[str, str]) -> str | None:
    for forge in ("gitea", "gitlab", "github"):  # Gitea sends GitHub's event header too
        if f"x-{forge}-event" in h:
            return forge
    return None


def _verified(forge: str, h: Mapping[str, str], body: bytes, secret: str) -> bool:
    if forge == "gitlab":
        return hmac.compare_digest(h.get("x-gitlab-token", "").encode(), secret.encode())
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if forge == "gitea" and h.get("x-gitea-signature"):
        return hmac.compare_digest(h["x-gitea-signature"].strip().encode(), digest.encode())
    return hmac.compare_digest(h.get("x-hub-signature-256", "").strip().encode(),
                               f"sha256={digest}".encode())


def _urls(payload: dict) -> set[str]:
    found = set()
    for part in ("repository", "project"):
        section = payload.get(part)
        if isinstance(section, dict):
            found |= {normalise_url(v) for k in URL_KEYS
                      if isinstance(v := section.get(k), str) and v}
    return found


def normalise_url(url: str) -> str:
    """One spelling of a repository's URL: lower-case scheme and host, no `.git`, no `/`."""
    url = url.strip().rstrip("/").removesuffix(".git")
    found = re.match(r"^([A-Za-z][\w+.-]*://)([^/]*)(.*)$", url)
    if found:
        return found.group(1).lower() + found.group(2).lower() + found.group(3)
    scp = re.match(r"^([\w.-]+@)([\w.-]+)(:.*)$", url)
    return scp.group(1) + scp.group(2).lower() + scp.group(3) if scp else url
