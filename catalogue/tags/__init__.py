"""Suggested tags: keywords drawn from a dataset's title, description and columns, shown to
its owners as suggestions until they accept or dismiss each. Only accepted tags reach search."""
