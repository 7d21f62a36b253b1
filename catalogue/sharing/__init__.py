"""Governed sharing: grants to departments, partner organisations and people (`grants`),
information-sharing agreements (`agreements`), discoverable datasets (`discovery`), access
requests (`requests`), the register of shares (`register`) and the audit of reads of
sensitive data (`reads`)."""

from catalogue.sharing.grants import (
    GRANTEE_KINDS,
    GrantInfo,
    NotAllowed,
    Sharing,
    SharingError,
    end_of,
    may_share,
    parse_grantee,
)

__all__ = ["GRANTEE_KINDS", "GrantInfo", "NotAllowed", "Sharing", "SharingError", "end_of",
           "may_share", "parse_grantee"]
