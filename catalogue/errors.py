"""The catalogue's domain errors. The web layer maps each to a status in one place."""

from __future__ import annotations


class CatalogueError(Exception):
    """Base of every error the core raises on purpose; its message is safe to show a user."""

    status = 400


class NotFound(CatalogueError):
    """Not there, or not visible to this reader: the two are indistinguishable on purpose."""

    status = 404


class DatasetNotFound(NotFound):
    def __init__(self, key: str):
        super().__init__(f"No dataset {key}")


class VersionNotFound(NotFound):
    def __init__(self, key: str, number: int):
        super().__init__(f"Dataset {key} has no version {number}")


class FileNotFound(NotFound):
    def __init__(self, key: str, number: int, path: str):
        super().__init__(f"Version {number} of {key} has no file {path}")


class RegistryError(CatalogueError):
    """A registry could not be read or fetched."""

    status = 502


class DataUnavailable(CatalogueError):
    """The bytes of a version are not in the DVC remote (never pushed, or the remote is down)."""

    status = 503


class Forbidden(CatalogueError):
    """The reader may see the thing but not do this to it; the message says why."""

    status = 403


class Conflict(CatalogueError):
    """The thing is not in a state that allows this (already requested, already decided…)."""

    status = 409


class InvalidInput(CatalogueError):
    """A field of a request is missing or wrong; `field` names it."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
