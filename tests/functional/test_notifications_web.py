"""Notifications and following through HTTP: the header's unread count, the notifications page
and its JSON twin, marking read (forms with their CSRF token, and the API), each person seeing
and marking only their own, and the Follow button on a dataset's page and its API."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient

from catalogue.audit import Actor
from catalogue.core import Catalogue
from catalogue.db import write_session
from catalogue.people import add_account, find
from catalogue.settings import Settings
from catalogue.tokens import create_token
from tests.builders import RegistryBuilder
from tests.functional.signing import PASSWORD, access_app, bearer, csrf_token, sign_in
from tests.smtp import SmtpSink

CLI = Actor.command_line()
KEY = "housing/rough-sleeping"
TITLE = "Rough sleeping street counts"
HIDDEN = "childrens-services/placements"
HANA = "hana.housing@council.example.gov.uk"
OLU = "olu.children@council.example.gov.uk"
HEADER_COUNT = re.compile(r'id="header-notifications">Notifications(?: \((\d+)<)?')
UNREAD_TAG = '<strong class="govuk-tag govuk-tag--blue govuk-!-margin-right-1">Unread</strong>'


@pytest.fixture(scope="module")
def follow_registry(tmp_path_factory: pytest.TempPathFactory) -> RegistryBuilder:
    r = RegistryBuilder(tmp_path_factory.mktemp("follow") / "registry",
                        {"housing": "Housing", "childrens-services": "Children's Services"})
    r.metadata(HIDDEN, title="Wexcombe placements", visibility="department")
    r.version(KEY, {"counts.csv": "ward,count\nAbbey,3\n"}, "First count", title=TITLE,
              visibility="internal")
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

    def token(self, email: str, scope: str) -> FlaskClient:
        return bearer(self.app, create_token(self.catalogue.engine, CLI, email, "t", scope)[1])

    def tell(self, email: str, subject: str, link: str | None = None) -> None:
        with write_session(self.catalogue.engine) as s:
            self.catalogue.notifications.tell(s, [email], "test.kind", subject,
                                              f"About {subject}", link)

    def unread(self, email: str) -> int:
        return self.catalogue.notifications.unread_count(find(self.catalogue.engine, email))


def make_env(app: Flask, registry: RegistryBuilder) -> Env:
    cat = app.extensions["catalogue"]
    cat.indexer.index(str(registry.path))
    add_account(cat.engine, CLI, HANA, "Hana", departments=["housing"], password=PASSWORD)
    add_account(cat.engine, CLI, OLU, "Olu", departments=["childrens-services"],
                password=PASSWORD)
    return Env(app)


@pytest.fixture
def env(follow_registry: RegistryBuilder, settings: Settings) -> Iterator[Env]:
    app = access_app(settings.instance, settings.database_url)
    yield make_env(app, follow_registry)
    app.extensions["catalogue"].close()


def header_count(client: FlaskClient, path: str = "/") -> int | None:
    found = HEADER_COUNT.search(client.get(path).get_data(as_text=True))
    assert found, "no notifications link in the header"
    return int(found.group(1)) if found.group(1) else None


def ids_on_page(client: FlaskClient) -> list[int]:
    body = client.get("/notifications").get_data(as_text=True)
    return [int(i) for i in re.findall(r'action="/notifications/(\d+)/read"', body)]


# The header, the page and its twin


def test_the_header_counts_unread_notifications_and_the_page_lists_them(env):
    browser = env.signed_in(HANA)
    assert header_count(browser) is None
    env.tell(HANA, "First news", f"/datasets/{KEY}")
    env.tell(HANA, "Second news")
    env.tell(HANA, "Third news", f"/datasets/{KEY}/versions/1")
    env.tell(OLU, "Olu's news")
    assert header_count(browser) == 3
    assert header_count(browser, f"/datasets/{KEY}") == 3

    page = browser.get("/notifications")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert body.index("Third news") < body.index("Second news") < body.index("First news")
    assert body.count(UNREAD_TAG) == 3
    assert f'<a class="govuk-link" href="/datasets/{KEY}/versions/1">Third news</a>' in body
    assert f'<a class="govuk-link" href="/datasets/{KEY}">First news</a>' in body
    assert "About Second news" in body and "Olu&#39;s news" not in body
    assert 'href="/api/v1/notifications"' in body  # its JSON twin

    paged = browser.get("/notifications?per_page=2&page=2").get_data(as_text=True)
    assert "First news" in paged and "Third news" not in paged

    twin = browser.get("/api/v1/notifications").get_json()
    assert (twin["count"], twin["unread"]) == (3, 3)
    assert [r["subject"] for r in twin["results"]] == ["Third news", "Second news", "First news"]
    third = twin["results"][0]
    assert third["link"] == f"/datasets/{KEY}/versions/1"
    assert third["url"] == f"http://localhost/datasets/{KEY}/versions/1"
    assert (third["read"], third["read_at"], third["kind"]) == (False, None, "test.kind")
    assert twin["results"][1]["url"] is None


def test_mark_one_and_all_read_with_the_forms(env):
    for n in range(3):
        env.tell(HANA, f"News {n}")
    browser = env.signed_in(HANA)
    newest, middle, _ = ids_on_page(browser)

    refused = browser.post(f"/notifications/{newest}/read")  # no CSRF token
    assert refused.status_code == 400 and env.unread(HANA) == 3
    assert browser.post("/notifications/read").status_code == 400 and env.unread(HANA) == 3

    done = browser.post(f"/notifications/{newest}/read",
                        data={"csrf_token": csrf_token(browser, "/notifications")})
    assert done.status_code == 302 and done.headers["Location"] == "/notifications"
    assert env.unread(HANA) == 2 and header_count(browser) == 2
    assert ids_on_page(browser) == [middle, _]  # the read one has no button any more
    assert browser.get("/notifications").get_data(as_text=True).count(UNREAD_TAG) == 2

    everything = browser.post("/notifications/read",
                              data={"csrf_token": csrf_token(browser, "/notifications")})
    assert everything.status_code == 302
    page = browser.get("/notifications").get_data(as_text=True)
    assert "All your notifications are marked as read." in page  # the flash
    assert UNREAD_TAG not in page and "Mark all as read" not in page
    assert env.unread(HANA) == 0 and header_count(browser) is None


def test_mark_read_through_the_api(env):
    for n in range(3):
        env.tell(HANA, f"News {n}")
    script = env.token(HANA, "write")
    first, second, third = (r["id"] for r in
                            script.get("/api/v1/notifications").get_json()["results"])
    assert env.token(HANA, "read").post("/api/v1/notifications/read",
                                        json={"ids": [first]}).status_code == 403
    bad = script.post("/api/v1/notifications/read", json={"ids": "all"})
    assert bad.status_code == 400 and "ids" in bad.get_json()["error"]["message"]
    marked = script.post("/api/v1/notifications/read", json={"ids": [first]})
    assert marked.status_code == 200 and marked.get_json() == {"marked": 1, "unread": 2}
    results = script.get("/api/v1/notifications").get_json()["results"]
    assert [r["read"] for r in results] == [True, False, False]
    assert script.post("/api/v1/notifications/read").get_json() == {"marked": 2, "unread": 0}


def test_nobody_sees_or_marks_anyone_elses_notifications(env):
    env.tell(HANA, "For Hana only")
    [hanas] = ids_on_page(env.signed_in(HANA))
    olu = env.signed_in(OLU)
    assert "For Hana only" not in olu.get("/notifications").get_data(as_text=True)
    assert olu.get("/api/v1/notifications").get_json()["count"] == 0
    token = csrf_token(olu, "/notifications")
    refused = olu.post(f"/notifications/{hanas}/read", data={"csrf_token": token})
    assert refused.status_code == 404
    assert olu.post(f"/notifications/{hanas + 1000}/read",
                    data={"csrf_token": token}).status_code == 404  # the same as none at all
    api = env.token(OLU, "write").post("/api/v1/notifications/read", json={"ids": [hanas]})
    assert api.status_code == 404
    assert olu.post("/notifications/read", data={"csrf_token": token}).status_code == 302
    assert env.unread(HANA) == 1


def test_notifications_need_a_sign_in(env):
    anonymous = env.app.test_client()
    page = anonymous.get("/notifications")
    assert page.status_code == 302 and "/sign-in" in page.headers["Location"]
    assert anonymous.get("/api/v1/notifications").status_code == 401
    assert "header-notifications" not in anonymous.get("/").get_data(as_text=True)


# Following


def test_follow_and_unfollow_from_the_dataset_page(env):
    browser = env.signed_in(HANA)
    hana = find(env.catalogue.engine, HANA)
    page = browser.get(f"/datasets/{KEY}").get_data(as_text=True)
    assert f'action="/datasets/{KEY}/follow"' in page and "Be told of its new versions" in page

    assert browser.post(f"/datasets/{KEY}/follow").status_code == 400  # no CSRF token
    assert not env.catalogue.notifications.follows(hana, KEY)

    followed = browser.post(f"/datasets/{KEY}/follow",
                            data={"csrf_token": csrf_token(browser, f"/datasets/{KEY}")})
    assert followed.status_code == 302 and followed.headers["Location"] == f"/datasets/{KEY}"
    assert env.catalogue.notifications.follows(hana, KEY)
    page = browser.get(f"/datasets/{KEY}").get_data(as_text=True)
    assert f"You are following {KEY}" in page  # the flash
    assert f'action="/datasets/{KEY}/unfollow"' in page and f'action="/datasets/{KEY}/follow"' \
        not in page

    unfollowed = browser.post(f"/datasets/{KEY}/unfollow",
                              data={"csrf_token": csrf_token(browser, f"/datasets/{KEY}")})
    assert unfollowed.status_code == 302
    assert not env.catalogue.notifications.follows(hana, KEY)
    assert f"You no longer follow {KEY}" in browser.get(f"/datasets/{KEY}").get_data(
        as_text=True)

    anonymous = env.app.test_client()
    assert "/follow" not in anonymous.get(f"/datasets/{KEY}").get_data(as_text=True)


def test_a_dataset_one_may_not_read_cannot_be_followed_and_is_not_told_apart(env):
    browser = env.signed_in(HANA)
    token = csrf_token(browser, f"/datasets/{KEY}")
    hidden = browser.post(f"/datasets/{HIDDEN}/follow", data={"csrf_token": token})
    missing = browser.post("/datasets/childrens-services/nothing/follow",
                           data={"csrf_token": token})
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_data(as_text=True).replace(HIDDEN, "X") == \
        missing.get_data(as_text=True).replace("childrens-services/nothing", "X")
    script = env.token(HANA, "write")
    for method in ("GET", "PUT", "DELETE"):
        refused = script.open(f"/api/v1/datasets/{HIDDEN}/follow", method=method)
        assert refused.status_code == 404, method
        assert refused.get_json()["error"]["message"] == f"No dataset {HIDDEN}"
    olu = env.token(OLU, "write")  # its own department: allowed
    assert olu.put(f"/api/v1/datasets/{HIDDEN}/follow").get_json() == \
        {"dataset": HIDDEN, "following": True}


def test_follow_through_the_api(env):
    script = env.token(HANA, "write")
    url = f"/api/v1/datasets/{KEY}/follow"
    assert script.get(url).get_json() == {"dataset": KEY, "following": False}
    assert env.token(HANA, "read").put(url).status_code == 403
    assert script.put(url).get_json() == {"dataset": KEY, "following": True}
    assert script.get(url).get_json()["following"] is True
    with env.app.app_context():
        followers = env.catalogue.notifications.followers
        with env.catalogue.session() as s:
            assert followers(s, "housing", "rough-sleeping") == [HANA]
    assert script.delete(url).get_json() == {"dataset": KEY, "following": False}
    browser = env.signed_in(HANA)
    assert browser.put(url).status_code == 400  # a session needs its CSRF token
    assert browser.put(url, headers={"X-CSRFToken": csrf_token(browser, f"/datasets/{KEY}")}
                       ).get_json()["following"] is True


# Email, from the web app's own sender thread


def test_the_web_app_sends_email_from_its_sender_thread(follow_registry, settings):
    sink = SmtpSink().start()
    app = access_app(settings.instance, settings.database_url, SMTP_URL=sink.url,
                     MAIL_FROM="catalogue@council.example.gov.uk",
                     URL="https://data.council.example")
    try:
        env = make_env(app, follow_registry)
        mailer = env.catalogue.notifications.mailer
        assert mailer is not None and not mailer.running
        browser = env.signed_in(HANA)  # the first request starts the sender
        assert mailer.running
        env.tell(HANA, "By email too", f"/datasets/{KEY}")
        [message] = sink.wait_for(1)
        assert message["To"] == HANA and message["Subject"] == "By email too"
        assert f"https://data.council.example/datasets/{KEY}" in message.get_content()
        assert header_count(browser) == 1
    finally:
        app.extensions["catalogue"].close()
        sink.stop()
    assert not mailer.running
