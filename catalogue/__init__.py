"""The catalogue's core: its record of registries, datasets and versions, and the rules on them.

Nothing here imports Flask; the web layer and the CLI call the same functions.
"""
