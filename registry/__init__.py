"""Git + DVC data registries: their format, their history, and how to write to them.

Nothing here knows about the catalogue's database or about HTTP.
"""
