"""The catalogue core as a Flask extension: made by the app factory, read by the views."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app
from sqlmodel import Session

from catalogue.core import Catalogue

KEY = "catalogue"


def init_app(app: Flask, catalogue: Catalogue) -> None:
    app.extensions[KEY] = catalogue


def catalogue() -> Catalogue:
    """The catalogue of the current app."""
    return current_app.extensions[KEY]


@contextmanager
def session() -> Iterator[Session]:
    """A read session on the catalogue, closed when the view is done with it."""
    with catalogue().session() as s:
        yield s
