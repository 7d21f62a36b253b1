"""Errors: a bug answers a plain 500, as a page or as JSON, and never shows a traceback."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.functional.html import parse

SECRET = "the database password is hunter2"


@pytest.fixture
def broken_app(app: Flask) -> Flask:
    """The app with two views that fail the way a bug would."""

    def fail() -> str:
        raise RuntimeError(SECRET)

    app.add_url_rule("/broken", "broken", fail)
    app.add_url_rule("/api/v1/broken", "api_broken", fail)
    return app


def test_a_bug_answers_a_500_page_without_details(broken_app, caplog):
    response = broken_app.test_client().get("/broken")
    assert response.status_code == 500 and response.mimetype == "text/html"
    page = parse(response.data)
    assert page.headings[0] == (1, "Sorry, there is a problem with the service")
    html = response.get_data(as_text=True)
    assert SECRET not in html and "Traceback" not in html and "RuntimeError" not in html
    assert SECRET in caplog.text  # logged in full for the people who run the service


def test_a_bug_under_the_api_answers_json_500(broken_app):
    response = broken_app.test_client().get("/api/v1/broken")
    assert response.status_code == 500
    assert response.get_json() == {"error": {
        "status": 500, "message": "Something went wrong on our side. Try again later."}}


def test_the_secret_key_is_made_once_and_kept(settings):
    """In the instance folder on SQLite; in the database, for every host, on PostgreSQL."""
    from web import create_app

    config = {"INSTANCE_PATH": str(settings.instance), "DATABASE_URL": settings.database_url}
    first, second = create_app(config), create_app(config)
    try:
        assert first.secret_key and first.secret_key == second.secret_key
        if settings.database_url.startswith("postgresql"):
            # one key for every host of the database: another instance folder signs alike
            other = create_app({**config, "INSTANCE_PATH": str(settings.instance.parent / "b")})
            assert other.secret_key == first.secret_key
            other.extensions["catalogue"].close()
        else:
            assert (settings.instance / "secret_key").read_text().strip() == first.secret_key
            assert (settings.instance / "secret_key").stat().st_mode & 0o077 == 0
        given = create_app({**config, "SECRET_KEY": "from-config"})
        assert given.secret_key == "from-config"
        given.extensions["catalogue"].close()
    finally:
        first.extensions["catalogue"].close()
        second.extensions["catalogue"].close()
