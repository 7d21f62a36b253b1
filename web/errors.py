"""Errors, turned into responses in one place: a JSON body on /api/ paths, a page elsewhere.

The core's errors (`CatalogueError`) carry a status and a message safe to show; anything else is a
bug, logged in full and answered with a 500 that shows no detail.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from catalogue.errors import CatalogueError

TITLES = {
    400: "Sorry, there is a problem with your request",
    401: "Sign in to continue",
    403: "You cannot do that",
    404: "Page not found",
    405: "Sorry, that is not allowed here",
    429: "Too many attempts",
    500: "Sorry, there is a problem with the service",
    502: "Sorry, a data registry cannot be reached",
    503: "Sorry, the data is unavailable",
}
UNEXPECTED = "Something went wrong on our side. Try again later."


def init_app(app: Flask) -> None:
    app.register_error_handler(CatalogueError, _catalogue_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)


def error_response(status: int, message: str) -> tuple[Response | str, int]:
    """The response for an error: JSON `{"error": {status, message}}` under /api/, else a page."""
    if request.path.startswith("/api/"):
        return jsonify(error={"status": status, "message": message}), status
    title = TITLES.get(status) or TITLES[400 if status < 500 else 500]
    return render_template("error.html", status=status, title=title, message=message), status


def _catalogue_error(exc: CatalogueError) -> tuple[Response | str, int]:
    return error_response(exc.status, str(exc))


def _http_error(exc: HTTPException) -> Response | tuple[Response | str, int]:
    if exc.code is None or exc.code < 400:
        return exc.get_response()
    if exc.code == 404:
        return error_response(404, "If you typed the web address, check it is correct. "
                                   "If you pasted it, check you copied the whole address.")
    return error_response(exc.code, exc.description or exc.name)


def _unexpected(exc: Exception) -> tuple[Response | str, int]:
    current_app.logger.exception("Unexpected error on %s %s", request.method, request.path)
    try:
        return error_response(500, UNEXPECTED)
    except Exception:
        current_app.logger.exception("The error page failed too")
        return UNEXPECTED, 500
