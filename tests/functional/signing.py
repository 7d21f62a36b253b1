"""Helpers for the access tests: an app whose reader is whoever signed in, a database of a
module's own, signing in through the form with its CSRF token, and clients carrying a token."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from catalogue.db import scratch_database
from web import create_app
from web.auth import TEST_PRINCIPALS

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "correct horse battery staple"


@contextmanager
def own_database(folder: Path) -> Iterator[str]:
    """A database for a module's tests: SQLite in `folder`, or a new PostgreSQL database
    (dropped afterwards) when DATABASE_URL names a server, as tests/conftest.py does for one
    test."""
    with scratch_database(folder, os.environ.get("DATABASE_URL"), "test") as url:
        yield url


def access_app(instance: Path, database_url: str, **config) -> Flask:
    """The web app with no test reader: what a request may read depends on who signed in."""
    return create_app({"INSTANCE_PATH": str(instance), "DATABASE_URL": database_url,
                       "TESTING": True, TEST_PRINCIPALS: None, **config})


def csrf_token(client: FlaskClient, path: str = "/sign-in") -> str:
    """The CSRF token of the client's session, read from a form on `path`."""
    response = client.get(path)
    found = CSRF.search(response.get_data(as_text=True))
    assert found, f"no csrf_token on {path} ({response.status_code})"
    return found.group(1)


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD,
            next_url: str | None = None) -> TestResponse:
    """Sign in through the form, as a browser does: its CSRF token, then the POST."""
    token = csrf_token(client)
    form = {"csrf_token": token, "email": email, "password": password}
    if next_url is not None:
        form["next"] = next_url
    return client.post("/sign-in", data=form)


def bearer(app: Flask, token: str) -> FlaskClient:
    """A client sending `Authorization: Bearer <token>` with every request (and no cookie)."""
    client = app.test_client(use_cookies=False)
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def session_cookie(client: FlaskClient, app: Flask) -> str | None:
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return cookie.value if cookie else None
