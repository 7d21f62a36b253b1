"""The search index's documents: one per dataset, its fields, analyzers, weights and facets.

Everything searchable goes into one field, `text`, in weighted sections (title, tags, column
names, owners, department, keywords, description): each word's term frequency counts its
section's weight, and BM25 saturates the sum once, as BM25F does. So a word is one term to
match, not one per field, which is what keeps searching 10,000 datasets fast in Python. Words
are split on anything that is not a letter or a digit (`households_assessed` is two words),
lower-cased, stop words dropped, Porter-stemmed. `spell` keeps every unstemmed word, for typo
corrections; `title_words` the unstemmed words of titles, for search-as-you-type.
"""

from __future__ import annotations

from collections.abc import Iterator

from whoosh import analysis, columns, fields, formats
from whoosh.codec.whoosh3 import W3Codec

# A new name whenever the schema changes: an index of an older schema is then "missing" and
# rebuilt from the database at start, with a warning.
INDEX_NAME = "datasets_v4"
WORD = r"[^\W_]+"
STEMMED = (analysis.RegexTokenizer(WORD) | analysis.LowercaseFilter()
           | analysis.StopFilter(minsize=1) | analysis.StemFilter(cachesize=50_000))
PLAIN = analysis.RegexTokenizer(WORD) | analysis.LowercaseFilter()

# How much a word counts in each section: title > tags > columns > description.
FIELD_WEIGHTS: dict[str, float] = {
    "title": 8.0,
    "tags": 5.0,
    "columns": 3.0,
    "owners": 3.0,
    "department_name": 2.0,
    "keywords": 1.5,
    "description": 1.0,
}
SECTION, WEIGHT = "\x1e", "\x1f"  # separators of a `text` value's weighted sections
SECTION_GAP = 100  # positions between sections, so that a phrase never spans two
TEXT_B, TEXT_K1 = 0.3, 2.0  # BM25 for `text`: weighted term frequencies saturate less, and a
# long description dilutes a title match less

# Facets: the name used in URLs and the API, and labels for the values that have one.
FACETS = ("department", "tag", "classification", "visibility", "licence", "format",
          "update_frequency")
VISIBILITY_LABELS = {"department": "Department only", "internal": "All staff",
                     "open": "Open to the public"}
FORMAT_LABELS = {"csv": "CSV", "tsv": "TSV", "xlsx": "Excel", "xls": "Excel",
                 "parquet": "Parquet", "json": "JSON", "geojson": "GeoJSON", "folder": "Folder"}


class WeightedSections(analysis.Analyzer):
    """STEMMED over a value made by `sections()`: each word boosted by its section's weight."""

    def __call__(self, value: str, positions: bool = False, **kwargs) -> Iterator:
        offset = 0
        for part in value.split(SECTION)[1:]:
            weight, _, text = part.partition(WEIGHT)
            last = offset
            for token in STEMMED(text, positions=positions, **kwargs):
                token.boost = float(weight)
                if positions:
                    token.pos += offset
                    last = token.pos
                yield token
            offset = last + SECTION_GAP


def sections(texts: dict[str, str]) -> str:
    """The `text` value for these sections' texts (keys of FIELD_WEIGHTS)."""
    return "".join(f"{SECTION}{FIELD_WEIGHTS[name]}{WEIGHT}{text}"
                   for name, text in texts.items() if text)


class Codec(W3Codec):
    """Whoosh's own file format, without per-block field-length statistics: they serve only
    the top-N pruning that these searches never use (they count every match, for facets), and
    they cost a lookup per posting written, a file check for every unscored field."""

    length_stats = False


def _words() -> fields.FieldType:
    """Unstemmed words that only need to be found, not scored: the cheapest kind of field."""
    return fields.FieldType(formats.Existence(), PLAIN, scorable=False)


def make_schema() -> fields.Schema:
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        text=fields.TEXT(analyzer=WeightedSections()),
        title=fields.STORED(),
        title_exact=fields.ID(),
        title_words=_words(),
        description=fields.STORED(),
        columns=fields.STORED(),
        spell=_words(),
        principals=fields.KEYWORD(),
        # Facet values, sort keys, quality and date of each document, read once per version
        # of the index into memory (see catalogue.search.snapshot).
        meta=fields.COLUMN(columns.VarBytesColumn()),
        display=fields.STORED(),
    )


def exact_title(text: str) -> str:
    """A title as compared for an exact match: its words, lower case, single-spaced."""
    return " ".join(token.text for token in PLAIN(text))
