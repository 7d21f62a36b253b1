"""Two web apps on one database, as two hosts (instance folders of their own) behind a load
balancer: the rate limits count every host's attempts together, and on PostgreSQL a cookie
signed by one host holds on the other."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from flask import Flask

from catalogue.audit import Actor
from catalogue.people import add_account
from tests.functional.signing import PASSWORD, access_app, csrf_token, sign_in

EMAIL = "hana.housing@council.example.gov.uk"
POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql"))


@pytest.fixture
def hosts(tmp_path, database_url) -> Iterator[tuple[Flask, Flask]]:
    (tmp_path / "host-a").mkdir()
    (tmp_path / "host-a" / "secret_key").write_text("a" * 64)  # host A's key from before
    apps = (access_app(tmp_path / "host-a", database_url),
            access_app(tmp_path / "host-b", database_url))
    add_account(apps[0].extensions["catalogue"].engine, Actor.command_line(), EMAIL, "Hana",
                departments=["housing"], password=PASSWORD)
    yield apps
    for app in apps:
        app.extensions["catalogue"].close()


def test_sign_in_attempts_are_counted_across_hosts(hosts):
    clients = [app.test_client() for app in hosts]
    tokens = [csrf_token(client) for client in clients]
    statuses = [clients[i % 2].post("/sign-in", data={
        "csrf_token": tokens[i % 2], "email": f"n{i}@x.example",
        "password": "whatever it is"}).status_code for i in range(10)]
    assert statuses == [401] * 10
    for client, token in zip(clients, tokens, strict=True):
        assert client.post("/sign-in", data={"csrf_token": token, "email": "x@x.example",
                                             "password": "again"}).status_code == 429


@pytest.mark.skipif(not POSTGRES, reason="hosts share their signing key through PostgreSQL")
def test_a_session_signed_in_on_one_host_holds_on_the_other(hosts):
    host_a, host_b = hosts
    assert host_a.config["SECRET_KEY"] == host_b.config["SECRET_KEY"] == "a" * 64
    client = host_a.test_client()
    assert sign_in(client, EMAIL).status_code == 302
    cookie = client.get_cookie("catalogue_session")
    other = host_b.test_client()
    other.set_cookie(cookie.key, cookie.value)
    assert other.get("/account/tokens").status_code == 200
    assert host_b.test_client().get("/account/tokens").status_code == 302  # without it
