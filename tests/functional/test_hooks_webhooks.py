"""Forge webhooks through HTTP: a wrong or missing signature is refused (401) and indexes
nothing; a signed push from GitHub, GitLab or Gitea indexes the registry's new commits."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from click.testing import CliRunner

from catalogue.cli import main
from catalogue.models import Registry
from catalogue.webhooks import receive_push
from tests.builders import RegistryBuilder

SECRET = "correct horse battery staple, twice over"
KEY = "housing/rough-sleeping"


def signed(forge: str, payload: dict, secret: str = SECRET) -> tuple[dict[str, str], bytes]:
    body = json.dumps(payload).encode()
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    headers = {
        "github": {"X-GitHub-Event": "push", "X-Hub-Signature-256": f"sha256={digest}"},
        "gitea": {"X-Gitea-Event": "push", "X-GitHub-Event": "push",
                  "X-Gitea-Signature": digest},
        "gitlab": {"X-Gitlab-Event": "Push Hook", "X-Gitlab-Token": secret},
    }[forge]
    return {**headers, "Content-Type": "application/json"}, body


def event(forge: str, url: str, before: str, after: str) -> dict:
    where = {"project": {"git_http_url": url}} if forge == "gitlab" else \
        {"repository": {"clone_url": url, "html_url": "https://forge.example/council/registry"}}
    return {"ref": "refs/heads/main", "before": before, "after": after, **where}


@pytest.fixture
def known(registry: RegistryBuilder, settings) -> str:
    """The registry's URL, known to the catalogue with its secret set through the CLI."""
    url = f"file://{registry.path}"
    result = CliRunner().invoke(
        main, ["registry", "set-secret", url, "--instance", str(settings.instance)],
        input=SECRET + "\n", env={"DATABASE_URL": settings.database_url})
    assert result.exit_code == 0, result.output
    assert SECRET not in result.output
    return url


def test_wrong_or_missing_signatures_are_refused_and_index_nothing(client, registry, known,
                                                                   catalogue):
    sha = registry.version(KEY, {"counts.csv": "ward,count\nAbbey,3\n"}, "First count")
    payload = event("github", known + ".git", "0" * 40, sha)
    headers, body = signed("github", payload)
    attempts = [
        ({"X-GitHub-Event": "push"}, body),
        ({**headers, "X-Hub-Signature-256": "sha256=" + "0" * 64}, body),
        (signed("github", payload, secret="not the secret at all, no")[0], body),
        (headers, body.replace(b"refs/heads/main", b"refs/heads/mainx")),
        ({**signed("gitlab", event("gitlab", known, "0" * 40, sha))[0],
          "X-Gitlab-Token": "guess"}, json.dumps(event("gitlab", known, "0" * 40, sha)).encode()),
        ({**signed("gitea", payload)[0], "X-Gitea-Signature": "ab" * 32}, body),
        (signed("github", event("github", "file:///elsewhere", "0" * 40, sha))[0],
         json.dumps(event("github", "file:///elsewhere", "0" * 40, sha)).encode()),
    ]
    for sent_headers, sent_body in attempts:
        response = client.post("/api/v1/hooks/push", headers=sent_headers, data=sent_body)
        assert response.status_code == 401, (sent_headers, response.json)
        assert response.json["error"]["message"] == \
            "the request's signature does not match a registry's webhook secret"
    assert client.get("/api/v1/datasets").json["count"] == 0
    with catalogue.session() as s:
        assert s.get(Registry, 1).head_sha is None


def test_a_signed_push_from_each_forge_indexes_the_new_commits(client, registry, known):
    before = registry.head()
    for number, forge in enumerate(("github", "gitlab", "gitea"), 1):
        after = registry.version(KEY, {"counts.csv": f"ward,count\nAbbey,{number}\n"},
                                 f"Count {number} (via {forge})")
        headers, body = signed(forge, event(forge, known + "/", before, after))
        response = client.post("/api/v1/hooks/push", headers=headers, data=body)
        assert response.status_code == 200, response.json
        assert response.json["indexed"] is True
        assert [(v["dataset"], v["number"], v["commit_sha"]) for v in
                response.json["versions"]] == [(KEY, number, after)]
        assert response.json["versions"][0]["url"].endswith(f"/datasets/{KEY}/versions/{number}")
        before = after
    versions = client.get(f"/api/v1/datasets/{KEY}/versions").json
    assert [v["message"] for v in versions["results"]] == [
        "Count 3 (via gitea)", "Count 2 (via gitlab)", "Count 1 (via github)"]


def test_events_other_than_a_push_to_main_are_verified_then_ignored(client, registry, known):
    headers, body = signed("github", {"zen": "Keep it simple.",
                                      "repository": {"clone_url": known}})
    response = client.post("/api/v1/hooks/push", headers={**headers, "X-GitHub-Event": "ping"},
                           data=body)
    assert response.status_code == 200
    assert response.json["indexed"] is False and "not a push" in response.json["reason"]
    assert client.get("/api/v1/datasets").json["count"] == 0


def test_a_generated_secret_is_shown_once(registry, settings, catalogue):
    url = f"file://{registry.path}"
    args = ["registry", "set-secret", url, "--generate", "--instance", str(settings.instance)]
    result = CliRunner().invoke(main, args, env={"DATABASE_URL": settings.database_url})
    assert result.exit_code == 0, result.output
    shown = result.output.split("Secret (shown only now): ")[1].strip()
    assert len(shown) >= 32
    headers, body = signed("github", event("github", url, "0" * 40, registry.head()), shown)
    outcome = receive_push(catalogue, headers, body)  # the stored secret verifies it
    assert outcome.indexed is True and outcome.commits == 1
