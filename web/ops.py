"""Operations: `/healthz`, `/readyz` and `/metrics`, a request id on every request, structured
JSON logs, and the request metrics.

- `X-Request-ID`: taken from the request when it is a sane token (a proxy's id), otherwise
  generated; the response carries it, and every log line written while answering has it.
- Logs: with `CATALOGUE_LOG_JSON` true (the default when standard error is not a terminal, as
  under systemd, a container or gunicorn's log file; never in tests), one JSON object per line on
  standard error, an access line per request included (`catalogue.requests`). A person running
  `catalogue serve` or `catalogue demo` in a terminal reads plain lines.
- `/metrics` may be limited to some addresses with `CATALOGUE_METRICS_ALLOW` (comma-separated
  IP addresses or networks); by default it answers anyone, as Prometheus' convention is, and
  shows only counts and timings, never a dataset's name.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import sys
import time
import uuid

from flask import Blueprint, Flask, Response, abort, current_app, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

from catalogue.ops import health, metrics
from web.extensions import catalogue

bp = Blueprint("ops", __name__)
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
SEARCH_ENDPOINTS = {"search.api_search": "catalogue", "search.results_page": "catalogue",
                    "search.api_suggest": "suggest", "open.api_search": "open",
                    "open.search_page": "open"}
access_log = logging.getLogger("catalogue.requests")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.before_request(_start)
    app.after_request(_finish)
    app.config.setdefault("LOG_JSON", not app.config.get("TESTING") and not sys.stderr.isatty())
    if _truthy(app.config["LOG_JSON"]):
        install_json_logging()
    cat = app.extensions["catalogue"]
    cat.indexer.listeners.append(lambda _keys: metrics.INDEX_RUNS.labels("done").inc())


@bp.get("/healthz")
def healthz() -> Response:
    return _json({"status": "alive"}, 200)


@bp.get("/readyz")
def readyz() -> Response:
    cat = catalogue()
    found = health.readiness(cat.engine, cat.settings.instance / "search")
    return _json(found.public(), 200 if found.ready else 503)


@bp.get("/metrics")
def metrics_page() -> Response:
    allowed = current_app.config.get("METRICS_ALLOW")
    if allowed and not _allowed(request.remote_addr or "", str(allowed)):
        abort(404)
    body, content_type = metrics.exposition(catalogue().engine)
    return Response(body, content_type=content_type, headers={"Cache-Control": "no-store"})


def _json(body: dict, status: int) -> Response:
    response = current_app.json.response(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def _start() -> None:
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex
    g.started = time.perf_counter()


def _finish(response: Response) -> Response:
    request_id = g.get("request_id")
    if request_id is None:
        return response
    response.headers["X-Request-ID"] = request_id
    seconds = time.perf_counter() - g.started
    route = request.url_rule.rule if request.url_rule is not None else "(unmatched)"
    metrics.REQUESTS.labels(route, request.method, str(response.status_code)).inc()
    metrics.REQUEST_SECONDS.labels(route, request.method).observe(seconds)
    scope = SEARCH_ENDPOINTS.get(request.endpoint or "")
    if scope:
        metrics.SEARCH_SECONDS.labels(scope).observe(seconds)
    access_log.info("%s %s %s", request.method, request.path, response.status_code,
                    extra={"method": request.method, "path": request.path, "route": route,
                           "status": response.status_code,
                           "duration_ms": round(seconds * 1000, 1),
                           "remote_addr": request.remote_addr})
    return response


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id") if has_request_context() else None
        return True


def install_json_logging(stream=None) -> logging.Handler:
    """One JSON object per log line on `stream` (standard error), replacing the handler this
    function installed before, so that several apps in one process do not log twice."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "catalogue_json", False)]:
        root.removeHandler(old)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.catalogue_json = True  # type: ignore[attr-defined]
    handler.addFilter(_RequestIdFilter())
    handler.setFormatter(JsonFormatter(
        "{asctime}{levelname}{name}{message}{request_id}", style="{",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"}))
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    logging.getLogger("werkzeug").propagate = True
    return handler


def _allowed(address: str, allow: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net.strip(), strict=False)
               for net in allow.split(",") if net.strip())


def _truthy(value: object) -> bool:
    return str(value).lower() not in ("", "0", "false", "no", "off", "none")
