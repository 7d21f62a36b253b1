"""The search index's documents: one per dataset, its fields, analyzers, weights and facets.

Every free-text field shares one analyzer (words split on anything that is not a letter or a
digit, so `households_assessed` is two words; lower case; English stop words; Porter stemming),
so a query is analysed once for all of them. `spell` keeps the unstemmed words, for typo
corrections; `title_prefix` keeps the starts of title words, for search-as-you-type.
"""

from __future__ import annotations

from whoosh import analysis, columns, fields

# A new name whenever the schema changes: an index of an older schema is then "missing" and
# rebuilt from the database at start, with a warning.
INDEX_NAME = "datasets_v1"
WORD = r"[^\W_]+"
STEMMED = (analysis.RegexTokenizer(WORD) | analysis.LowercaseFilter()
           | analysis.StopFilter(minsize=1) | analysis.StemFilter(cachesize=50_000))
PLAIN = analysis.RegexTokenizer(WORD) | analysis.LowercaseFilter()
PREFIXES = PLAIN | analysis.NgramFilter(minsize=1, maxsize=24, at="start")

# How much a match in each field counts: title > tags > columns > description.
FIELD_WEIGHTS: dict[str, float] = {
    "title": 8.0,
    "tags": 5.0,
    "columns": 3.0,
    "owners": 3.0,
    "department_name": 2.0,
    "keywords": 1.5,
    "description": 1.0,
}
PHRASE_FIELDS = ("title", "tags", "columns", "description", "keywords")

# Facets: the name used in URLs and the API, and labels for the values that have one.
FACETS = ("department", "tag", "classification", "visibility", "licence", "format",
          "update_frequency")
VISIBILITY_LABELS = {"department": "Department only", "internal": "All staff",
                     "open": "Open to the public"}
FORMAT_LABELS = {"csv": "CSV", "tsv": "TSV", "xlsx": "Excel", "xls": "Excel",
                 "parquet": "Parquet", "json": "JSON", "geojson": "GeoJSON", "folder": "Folder"}


def make_schema() -> fields.Schema:
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        title=fields.TEXT(analyzer=STEMMED, stored=True),
        title_exact=fields.ID(),
        title_prefix=fields.TEXT(analyzer=PREFIXES, phrase=False),
        description=fields.TEXT(analyzer=STEMMED, stored=True),
        tags=fields.TEXT(analyzer=STEMMED),
        columns=fields.TEXT(analyzer=STEMMED, stored=True),
        owners=fields.TEXT(analyzer=STEMMED, phrase=False),
        department_name=fields.TEXT(analyzer=STEMMED, phrase=False),
        keywords=fields.TEXT(analyzer=STEMMED),
        spell=fields.TEXT(analyzer=PLAIN, phrase=False),
        principals=fields.KEYWORD(),
        # Facet values, sort keys, quality and date of each document, read once per version
        # of the index into memory (see catalogue.search.snapshot).
        meta=fields.COLUMN(columns.VarBytesColumn()),
        display=fields.STORED(),
    )


def exact_title(text: str) -> str:
    """A title as compared for an exact match: its words, lower case, single-spaced."""
    return " ".join(token.text for token in PLAIN(text))
