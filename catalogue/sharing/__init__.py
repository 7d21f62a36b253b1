"""Governed sharing: grants to departments, partner organisations and people (`grants`),
information-sharing agreements (`agreements`), discoverable datasets (`discovery`), access
requests (`requests`), the register of shares (`register`) and the audit of reads of
sensitive data (`reads`).

The grants' names are re-exported lazily: `catalogue.access` reads `sharing.models`, and
`sharing.grants` reads `catalogue.access`, so importing the package must not import grants.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = ["GRANTEE_KINDS", "GrantInfo", "NotAllowed", "Sharing", "SharingError", "end_of",
           "may_share", "parse_grantee"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(import_module("catalogue.sharing.grants"), name)
    raise AttributeError(f"module 'catalogue.sharing' has no attribute {name!r}")
