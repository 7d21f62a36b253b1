"""Operating the catalogue: health and readiness, metrics, diagnosis, backup and restore.

Each module here reads the catalogue from outside (its database, instance folder, registries)
as an operator's tool would; none of them changes what the catalogue holds, except restore.
"""
