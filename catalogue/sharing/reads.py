"""The audit of reads: a download (or a preview) of a dataset that is OFFICIAL-SENSITIVE or
holds personal data is recorded in the audit trail: who, which dataset, which version and
file, when, and from where. Other reads are not, so the trail stays readable."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import select

from catalogue.audit import Actor, record
from catalogue.db import write_session
from catalogue.models import Dataset
from catalogue.sharing.rules import is_sensitive

READ = "dataset.read"


def record_read(engine: Engine, actor: Actor, key: str, version: int, path: str,
                kind: str = "download") -> bool:
    """Record a read of `key`'s version `version` (`kind`: download or preview), if its data
    is sensitive; whether it was recorded."""
    department, _, slug = key.partition("/")
    with write_session(engine) as s:
        found = s.exec(select(Dataset.classification, Dataset.personal_data).where(
            Dataset.department == department, Dataset.slug == slug)).first()
        if found is None or not is_sensitive(*found):
            return False
        record(s, actor, READ, key, version=version, path=path, kind=kind)
        return True
