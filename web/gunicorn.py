"""`catalogue serve --workers N`: the app under gunicorn, N worker processes of a few threads.

Each worker builds its own app after the fork (no app, engine or thread crosses it): it opens
its own database connections, and takes its share of the host's search index. What the workers
must agree on is in the database (sessions, rate-limit counters, the change feed, the index
runs' lock on PostgreSQL), or in the instance folder they share (the search index, the key
that signs cookies on SQLite).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from gunicorn.app.base import BaseApplication

TIMEOUT_S = 120  # a worker silent for this long is restarted (a large download keeps talking)
KEEPALIVE_S = 0
"""No keep-alive: gunicorn's threaded workers each accept what connections they can, so a
client's kept-alive connection stays with one worker, busy or not, while the others idle (8
clients with kept-alive connections got 14 requests/s from 4 workers against 41 without:
the load is spread only connection by connection). Behind a reverse proxy, which opens its own
connections to the workers, nothing is lost; a client told `Connection: close` never meets a
connection closed under it, as with gunicorn's 2 s default."""


class CatalogueApplication(BaseApplication):
    def __init__(self, instance: str, options: dict[str, Any]):
        self.instance = str(Path(instance).resolve())
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from web import create_app

        return create_app({"INSTANCE_PATH": self.instance})


def serve_gunicorn(instance: str, host: str, port: int, workers: int, threads: int) -> None:
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    click.echo(f"Instance: {Path(instance).resolve()}")
    click.echo(f"Serving the catalogue on http://{bind}/ with {workers} gunicorn workers "
               f"of {threads} threads (press Ctrl+C to stop)")
    CatalogueApplication(instance, {
        "bind": bind,
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": TIMEOUT_S,
        "keepalive": KEEPALIVE_S,
        "graceful_timeout": 30,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "catalogue",
    }).run()
