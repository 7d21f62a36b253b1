"""`catalogue serve` and `catalogue demo`: the web's commands, which the core's group
(`catalogue.cli.main`) loads only when one of them runs, so that no other command imports Flask.

`main` is the same group, kept importable from here for the callers that used this module as
the entry point."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask

from catalogue.cli import INSTANCE, main
from web import create_app

__all__ = ["demo", "main", "serve"]

HOST = click.option("--host", envvar="CATALOGUE_HOST", default="127.0.0.1", show_default=True,
                    help="The address to listen on (0.0.0.0 for every interface).")
PORT = click.option("--port", envvar="CATALOGUE_PORT", default=5000, show_default=True,
                    type=click.IntRange(0, 65535), help="The port to listen on.")
WORKERS = click.option(
    "--workers", envvar="CATALOGUE_WORKERS", default=1, show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes: 1 serves with waitress in this process; more run gunicorn.")
THREADS = 8
GUNICORN_THREADS = 4  # per worker process
NO_WORKER = click.option(
    "--no-worker", is_flag=True, envvar="CATALOGUE_NO_WORKER",
    help="Start no job worker beside the server (profiles wait for `catalogue worker`).")


@click.command()
@HOST
@PORT
@WORKERS
@INSTANCE
@NO_WORKER
def serve(host: str, port: int, workers: int, instance: str, no_worker: bool) -> None:
    """Serve the catalogue's web pages and JSON API."""
    from catalogue.jobs.cli import background_worker

    with background_worker(instance, enabled=not no_worker):
        if workers > 1:
            from web.gunicorn import serve_gunicorn

            serve_gunicorn(instance, host, port, workers, GUNICORN_THREADS)
            return
        _serve(create_app({"INSTANCE_PATH": instance}), host, port)


@click.command()
@HOST
@PORT
@INSTANCE
@click.option("--no-serve", is_flag=True, help="Set up the demo, then stop.")
@NO_WORKER
def demo(host: str, port: int, instance: str, no_serve: bool, no_worker: bool) -> None:
    """Create a demo instance (registries of several departments, indexed) and serve it.

    A re-run reuses the demo registries already in the instance folder.
    """
    from catalogue.demo import ensure_demo  # pandas and friends: only for this command

    app = create_app({"INSTANCE_PATH": instance, "DEVELOPMENT": True})  # plain-http cookies
    ensure_demo(app.extensions["catalogue"], click.echo)
    if not no_serve:
        from catalogue.jobs.cli import background_worker

        with background_worker(instance, enabled=not no_worker):
            _serve(app, host, port)


def _serve(app: Flask, host: str, port: int) -> None:
    from waitress import create_server

    server = create_server(app, host=host, port=port, threads=THREADS)
    shown = f"[{host}]" if ":" in host else host
    bound = getattr(server, "effective_port", port)
    click.echo(f"Instance: {Path(app.instance_path)}")
    click.echo(f"Serving the catalogue on http://{shown}:{bound}/ (press Ctrl+C to stop)")
    try:
        server.run()
    except KeyboardInterrupt:
        click.echo("Stopped.")
    finally:
        server.close()
