"""The controlled vocabularies a DCAT-AP catalogue points at, and reading free-text metadata
into them: file formats (EU file types, IANA media types), update frequencies, data themes,
licence types, and temporal and spatial coverage.

DCAT-AP wants IRIs (or nodes) where dataset.yaml holds words: `Monthly`, `April 2024 to March
2025`, `Northshire wards`. What can be read into a vocabulary is; what cannot is kept as a
label on a node of the right class (never a bare literal, which the shapes refuse).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from rdflib import Namespace

DCAT = Namespace("http://www.w3.org/ns/dcat#")  # rdflib's lacks DCAT 3's versioning terms
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
AUTHORITY = "http://publications.europa.eu/resource/authority/"
FILE_TYPE = Namespace(f"{AUTHORITY}file-type/")
FREQUENCY = Namespace(f"{AUTHORITY}frequency/")
DATA_THEME = Namespace(f"{AUTHORITY}data-theme/")
LANGUAGE = Namespace(f"{AUTHORITY}language/")
AVAILABILITY = Namespace(f"{AUTHORITY}planned-availability/")
PUBLISHER_TYPE = Namespace("http://purl.org/adms/publishertype/")
LICENCE_TYPE = Namespace("http://purl.org/adms/licencetype/")
IANA = "https://www.iana.org/assignments/media-types/"
STATISTICAL_GEOGRAPHY = "http://statistics.data.gov.uk/id/statistical-geography/"


@dataclass(frozen=True)
class FileFormat:
    file_type: str  # the EU file-type authority's code
    media_type: str | None  # an IANA-registered media type


FORMATS = {
    "csv": FileFormat("CSV", "text/csv"),
    "tsv": FileFormat("TSV", "text/tab-separated-values"),
    "txt": FileFormat("TXT", "text/plain"),
    "json": FileFormat("JSON", "application/json"),
    "jsonl": FileFormat("JSON_LINES", None),
    "geojson": FileFormat("GEOJSON", "application/geo+json"),
    "xlsx": FileFormat("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "xls": FileFormat("XLS", "application/vnd.ms-excel"),
    "ods": FileFormat("ODS", "application/vnd.oasis.opendocument.spreadsheet"),
    "parquet": FileFormat("PARQUET", "application/vnd.apache.parquet"),
    "xml": FileFormat("XML", "application/xml"),
    "pdf": FileFormat("PDF", "application/pdf"),
    "zip": FileFormat("ZIP", "application/zip"),
    "gz": FileFormat("GZIP", "application/gzip"),
    "html": FileFormat("HTML", "text/html"),
    "ttl": FileFormat("RDF_TURTLE", "text/turtle"),
}


def file_format(path: str) -> FileFormat | None:
    """The format of a file named `path`, by its extension; None when unknown."""
    name = path.rsplit("/", 1)[-1].lower()
    return FORMATS.get(name.rsplit(".", 1)[-1]) if "." in name else None


FREQUENCIES = {
    "daily": "DAILY", "weekly": "WEEKLY", "fortnightly": "BIWEEKLY", "monthly": "MONTHLY",
    "quarterly": "QUARTERLY", "annually": "ANNUAL", "annual": "ANNUAL", "yearly": "ANNUAL",
    "biannually": "ANNUAL_2", "twice a year": "ANNUAL_2", "never": "NEVER",
    "irregular": "IRREG", "irregularly": "IRREG", "continuous": "CONT", "hourly": "HOURLY",
}


def frequency(text: str | None) -> str | None:
    """The EU frequency code of an update frequency written in words, when it names one."""
    return FREQUENCIES.get((text or "").strip().lower()) if text else None


THEME_WORDS = {  # words of department slugs and tags → EU data themes
    "SOCI": ("housing", "homeless", "rough-sleep", "social", "care", "children", "families",
             "population", "census", "community", "adult"),
    "HEAL": ("health", "hospital", "nhs", "wellbeing"),
    "ECON": ("finance", "budget", "tax", "spend", "economy", "business", "procurement"),
    "EDUC": ("education", "school", "learning", "skills", "library", "culture", "leisure"),
    "ENVI": ("waste", "recycling", "environment", "air-quality", "climate", "parks"),
    "TRAN": ("transport", "roads", "highways", "parking", "traffic", "bus"),
    "REGI": ("planning", "regeneration", "land", "development"),
    "JUST": ("crime", "justice", "community-safety", "licensing"),
    "GOVE": ("council", "elections", "democracy", "governance", "transparency"),
    "ENER": ("energy",),
    "AGRI": ("agriculture", "food"),
}


def themes(department: str, tags: list[str]) -> list[str]:
    """EU data themes known from the department's slug and the tags (none when none fits)."""
    words = [department.lower(), *(re.sub(r"\s+", "-", t.strip().lower()) for t in tags)]
    return sorted(code for code, stems in THEME_WORDS.items()
                  if any(stem in word for word in words for stem in stems))


LICENCE_TYPES = {  # the ADMS licence types of each open licence of catalogue.releases.licences
    "OGL-UK-3.0": ("Attribution",), "CC-BY-4.0": ("Attribution",),
    "CC-BY-SA-4.0": ("Attribution", "ShareAlike"), "CC0-1.0": ("PublicDomain",),
    "ODbL-1.0": ("Attribution", "ShareAlike"), "ODC-By-1.0": ("Attribution",),
    "PDDL-1.0": ("PublicDomain",),
}

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name} | \
    {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
_RANGE = re.compile(r"\s+(?:to|until|-|–|—)\s+|\s*/\s*|\s*–\s*")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")
_MONTH_YEAR = re.compile(r"^([A-Za-z]+)\.?\s+(\d{4})$")


def period(text: str | None) -> tuple[date, date] | None:
    """The first and last day of a coverage such as `April 2024 to March 2025`, `2024`,
    `2024-01 to 2024-06` or `2023-04-01/2024-03-31`; None when it does not read as one."""
    if not text or not text.strip():
        return None
    parts = _RANGE.split(text.strip())
    if len(parts) not in (1, 2):
        return None
    first, last = _bounds(parts[0]), _bounds(parts[-1])
    if first is None or last is None or first[0] > last[1]:
        return None
    return first[0], last[1]


def _bounds(text: str) -> tuple[date, date] | None:
    text = text.strip()
    try:
        if found := _ISO_DAY.match(text):
            day = date(*map(int, found.groups()))
            return day, day
        if found := _ISO_MONTH.match(text):
            return _month(int(found[1]), int(found[2]))
        if found := _YEAR.match(text):
            return date(int(found[1]), 1, 1), date(int(found[1]), 12, 31)
        if (found := _MONTH_YEAR.match(text)) and found[1].lower() in MONTHS:
            return _month(int(found[2]), MONTHS[found[1].lower()])
    except ValueError:  # 2024-13, 2024-02-30
        return None
    return None


def _month(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


_GSS = re.compile(r"^[EWSNK]\d{8}$")


def place_iri(text: str | None) -> str | None:
    """An IRI for a spatial coverage that is one already (a URL) or an ONS GSS code."""
    value = (text or "").strip()
    if re.match(r"^https?://\S+$", value):
        return value
    if _GSS.match(value):
        return STATISTICAL_GEOGRAPHY + value
    return None


_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


def email_of(contact: str | None) -> str | None:
    """The email address of a contact written as one (or as `Name <address>`)."""
    value = (contact or "").strip()
    found = re.search(r"<([^<>]+)>$", value)
    candidate = found[1].strip() if found else value.removeprefix("mailto:")
    return candidate if _EMAIL.match(candidate) else None
