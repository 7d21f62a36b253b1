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
