"""The web application: server-rendered pages and their JSON twins over the catalogue's core.

`create_app()` builds everything explicitly; importing this package creates nothing.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import replace
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from catalogue.core import Catalogue
from catalogue.settings import Settings, normalise_database_url
from web import (
    access_requests,
    account,
    api,
    audit,
    auth,
    charts,
    ckan,
    datasets,
    dcat,
    errors,
    extensions,
    governance,
    hooks,
    lineage,
    notifications,
    oidc,
    open_data,
    open_feeds,
    openapi,
    ops,
    pages,
    params,
    profiles,
    releases,
    search,
    security,
    sharing,
    tags,
    templating,
)

SECRET_KEY_FILE = "secret_key"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """The Flask app for one instance folder and database.

    The instance folder is `config["INSTANCE_PATH"]`, else `$CATALOGUE_INSTANCE`, else
    `./instance`; the database is `config["DATABASE_URL"]`, else `$CATALOGUE_DATABASE_URL` or
    `$DATABASE_URL`, else a SQLite file in the instance folder. With an SMTP server
    (`CATALOGUE_SMTP_URL`), a background thread sends the email notifications, started by the
    first request (`CATALOGUE_MAIL_SENDER=false`: leave them to `catalogue mail send`).
    """
    config = dict(config or {})
    instance = Path(config.pop("INSTANCE_PATH", None)
                    or os.environ.get("CATALOGUE_INSTANCE") or "instance").resolve()
    instance.mkdir(parents=True, exist_ok=True)

    app = Flask(__name__, instance_path=str(instance), instance_relative_config=True)
    app.config.from_mapping(
        SERVICE_NAME="Data catalogue",
        ORGANISATION_NAME=None,
        PER_PAGE=20,
        TIMELINE_VERSIONS=10,
        MAX_PER_PAGE=100,
        DEVELOPMENT=False,
    )
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("CATALOGUE")
    app.config.update(config)
    app.config["INSTANCE_PATH"] = str(instance)
    app.json.sort_keys = False  # keep the order of the public shapes' fields
    proxies = int(app.config.get("PROXY_COUNT") or 0)
    if proxies:  # behind a reverse proxy: the client's address is in X-Forwarded-For
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    database_url = app.config.get("DATABASE_URL") or os.environ.get("DATABASE_URL")
    settings = (Settings(instance, normalise_database_url(database_url)) if database_url
                else Settings.from_env(instance))
    settings = replace(settings,  # CATALOGUE_SMTP_URL, _MAIL_FROM, _URL, or the same in config
                       smtp_url=app.config.get("SMTP_URL") or settings.smtp_url,
                       mail_from=app.config.get("MAIL_FROM") or settings.mail_from,
                       base_url=app.config.get("URL") or settings.base_url)
    cat = Catalogue(settings)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(instance, cat)
    extensions.init_app(app, cat)
    ops.init_app(app)  # first: the request id is there for whatever runs next
    if cat.notifications.mailer is not None and app.config.get("MAIL_SENDER", True):
        mailer = cat.notifications.mailer
        app.before_request(mailer.start)  # in each worker: a thread does not survive a fork

    app.url_map.converters["int"] = params.BoundedInt  # before any route is added
    auth.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    app.register_blueprint(account.bp)
    app.register_blueprint(audit.bp)
    app.register_blueprint(sharing.bp)
    app.register_blueprint(access_requests.bp)
    app.register_blueprint(governance.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(datasets.bp)
    app.register_blueprint(lineage.bp)
    app.register_blueprint(tags.bp)
    app.register_blueprint(tags.api)
    app.register_blueprint(charts.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(hooks.bp)
    app.register_blueprint(search.bp)
    app.register_blueprint(open_data.bp)
    app.register_blueprint(dcat.bp)
    app.register_blueprint(open_feeds.bp)
    app.register_blueprint(notifications.bp)
    app.register_blueprint(releases.bp)
    app.register_blueprint(ckan.bp)
    app.register_blueprint(profiles.pages)
    app.register_blueprint(profiles.api)
    openapi.init_app(app)
    oidc.init_app(app)
    return app


def _secret_key(instance: Path, cat: Catalogue) -> str:
    """The key that signs cookies and CSRF tokens. On SQLite, the instance folder's own; on
    PostgreSQL, one for every host, kept in the database: a cookie signed by one host must
    hold on the next (the first host's own key becomes it, so its people stay signed in)."""
    if cat.engine.dialect.name != "postgresql":
        return _instance_secret(instance)
    from catalogue.cluster.secrets import shared_secret

    own = instance / SECRET_KEY_FILE
    return shared_secret(cat.engine, SECRET_KEY_FILE,
                         lambda: own.read_text().strip() if own.exists() else secrets.token_hex(32))


def _instance_secret(instance: Path) -> str:
    """A secret key generated once and kept in the instance folder (never in the repository)."""
    path = instance / SECRET_KEY_FILE
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another worker wrote it first
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
    return path.read_text().strip()
