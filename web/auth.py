"""Who is asking. Every view gets its reader here and nowhere else, so that the access issue
replaces only this function's body (accounts, single sign-on, API tokens)."""

from __future__ import annotations

from flask import current_app

from catalogue.access import Reader

TEST_PRINCIPALS = "TESTING_READER_PRINCIPALS"


def current_reader() -> Reader:
    """The reader of the current request: for now, everyone sees everything.

    Test-only: an app made with TESTING=True and `TESTING_READER_PRINCIPALS` (a list such as
    `["department:housing"]`) reads as those principals instead. Ignored unless testing.
    """
    if current_app.testing and current_app.config.get(TEST_PRINCIPALS) is not None:
        return Reader.of(*current_app.config[TEST_PRINCIPALS])
    return Reader.everyone()
