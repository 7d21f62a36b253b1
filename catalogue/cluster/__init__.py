"""Running one catalogue as several web workers on several hosts over one PostgreSQL database.

What must be the same for every worker and host lives in the database: the change feed that
each host's search index follows (`changes`), the rate-limit counters (`ratelimit`), the index
runs' cross-host lock and pending marks (`locks`: PostgreSQL advisory locks), and the secret
that signs cookies (`secrets`). What each host keeps for itself is derived from it: its search
indexes, its registry mirrors, its cache of column names.
"""
