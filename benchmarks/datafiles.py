"""The bytes of the benchmark registry's files: small tables (a header of plausible column names
for the dataset's subject, a few rows) written as CSV, Parquet (pyarrow) or Excel, and the DVC
remote they are stored in.

Each format's bytes depend only on the table, so the same table gives the same md5: the Excel
workbook is written here as its few XML parts in a zip with fixed dates (openpyxl stamps the
time of writing into the file, and takes ~6 ms a workbook, which thousands of them would feel).
"""

from __future__ import annotations

import csv
import hashlib
import io
import random
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

from benchmarks import vocabulary as words

Value = int | float | str


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[Value]]


@dataclass(frozen=True)
class Schema:
    """A dataset's columns, drawn once: the time column, its breakdown, its measures."""

    time_column: str | None
    breakdown: str
    measures: list[str]
    scale: float

    @property
    def columns(self) -> list[str]:
        by, _ = words.BREAKDOWNS[self.breakdown]
        time = [self.time_column] if self.time_column else []
        return [*time, *by, *self.measures, words.UNIQUE_COLUMN]


def schema_for(slug: str, rng: random.Random) -> Schema:
    """The columns of dataset `slug` (`<subject>-by-<breakdown>[-variant]`)."""
    subject, _, rest = slug.partition("-by-")
    breakdown = next(b for b in words.BREAKDOWNS if f"by-{rest}".startswith(b))
    measures = words.SUBJECT_COLUMNS[subject]
    time = None if breakdown in ("by-month", "by-quarter") else rng.choice(words.TIME_COLUMNS)
    return Schema(time, breakdown, measures, rng.lognormvariate(4, 1.5))


_STRINGS: dict[str, list[str]] = {
    "supplier_name": ["Northmoor Building Services Ltd", "Moor IT Solutions",
                      "Greenway Grounds Maintenance", "Citywide Transport Ltd",
                      "Brightstart Training", "Castle Office Supplies"],
    "recipient_name": ["Northmoor Food Bank", "Moorside Community Centre",
                       "Riverside Youth Club", "Castle Arts Trust",
                       "Eastgate Tenants Association"],
    "expense_type": ["Repairs and maintenance", "Agency staff", "IT software", "Consultancy",
                     "Grounds maintenance", "Transport"],
    "grant_scheme": ["Household Support Fund", "Community Grants", "Small Business Grant",
                     "Warm Homes"],
    "obligation_type": ["Affordable housing", "Education", "Open space", "Highways",
                        "Health"],
    "respondent_type": ["Resident", "Developer", "Parish council", "Statutory consultee",
                        "Community group"],
    "planning_status": ["permissioned", "not permissioned", "pending decision"],
    "scheme_name": [f"{w} {k}" for w in words.WARDS[:6]
                    for k in ("school expansion", "depot", "highways scheme")],
    "site_name": [f"Land at {w} Road" for w in words.WARDS],
    "area_name": [f"{w} Conservation Area" for w in words.WARDS[:10]],
    "monitoring_site": [f"{w} roadside" for w in words.WARDS[:8]],
}


def _value(column: str, rng: random.Random, scale: float, when: datetime) -> Value:
    if column in _STRINGS:
        return rng.choice(_STRINGS[column])
    if column.endswith("_reference"):
        return f"{column[:2].upper()}/{when.year}/{rng.randrange(1, 9999):04d}"
    if column == "cost_centre":
        return f"CC{rng.randrange(1000, 9999)}"
    if column.endswith("_date"):
        return f"{when.year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
    if column.endswith("_pct"):
        return round(rng.uniform(0, 100), 1)
    if column.endswith(("_gbp", "_ugm3", "_hectares", "_index")):
        return round(rng.uniform(0.1, 1.0) * scale * 100, 2)
    return int(rng.uniform(0, 1.2) * scale)


def _months(when: datetime, count: int) -> list[str]:
    now = when.year * 12 + when.month - 1
    return [f"{(now - k) // 12}-{(now - k) % 12 + 1:02d}" for k in range(count, 0, -1)]


def _quarters(when: datetime, count: int) -> list[str]:
    q = (when.year * 12 + when.month - 4) // 3  # financial quarters, April to March
    return [f"{(q - k) // 4}-{((q - k) // 4 + 1) % 100:02d} Q{(q - k) % 4 + 1}"
            for k in range(count, 0, -1)]


def _time_value(column: str, when: datetime) -> str:
    if column == "period":
        return f"{when.year}-{when.month:02d}"
    year = when.year if when.month >= 4 else when.year - 1
    if column == "financial_year":
        return f"{year}-{(year + 1) % 100:02d}"
    if column == "reporting_period":
        return _quarters(when, 1)[0]
    return f"{when.year}-{when.month:02d}-{when.day:02d}"


def make_table(schema: Schema, rng: random.Random, when: datetime, first_row_id: int) -> Table:
    """One version's rows: a few of the breakdown's values (or the months or quarters before
    `when`), numbered from `first_row_id` (so no two files of the corpus are the same)."""
    by, values = words.BREAKDOWNS[schema.breakdown]
    if schema.breakdown == "by-month":
        keys = [[m] for m in _months(when, rng.randint(4, 24))]
    elif schema.breakdown == "by-quarter":
        keys = [[q] for q in _quarters(when, rng.randint(4, 12))]
    else:
        keys = sorted(rng.sample(values, rng.randint(min(4, len(values)), len(values))))
    time = [_time_value(schema.time_column, when)] if schema.time_column else []
    rows = [[*time, *key, *(_value(m, rng, schema.scale, when) for m in schema.measures),
             first_row_id + i] for i, key in enumerate(keys)]
    return Table(schema.columns, rows)


def csv_bytes(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows(table.rows)
    return out.getvalue().encode()


def parquet_bytes(table: Table) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = {name: [row[i] for row in table.rows] for i, name in enumerate(table.columns)}
    out = io.BytesIO()
    pq.write_table(pa.table(columns), out, compression="snappy")
    return out.getvalue()


_XLSX_DATE = (2020, 1, 1, 0, 0, 0)
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_OOXML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_XLSX_PARTS = {
    "[Content_Types].xml": (
        f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_OOXML}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_OOXML}.worksheet+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_OOXML}.styles+xml"/></Types>'),
    "_rels/.rels": (
        f'{_XML}<Relationships xmlns="{_RELS}"><Relationship Id="rId1" '
        f'Type="{_DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
    "xl/workbook.xml": (
        f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_DOC}"><sheets>'
        '<sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        f'{_XML}<Relationships xmlns="{_RELS}">'
        f'<Relationship Id="rId1" Type="{_DOC}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_DOC}/styles" Target="styles.xml"/></Relationships>'),
    "xl/styles.xml": (
        f'{_XML}<styleSheet xmlns="{_MAIN}">'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        '</cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"'
        ' xfId="0"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" '
        'builtinId="0"/></cellStyles></styleSheet>'),
}


def _cell(ref: str, value: Value) -> str:
    if isinstance(value, str):
        return f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'
    return f'<c r="{ref}"><v>{value}</v></c>'


def xlsx_bytes(table: Table) -> bytes:
    """An Excel workbook of one sheet, "Data", holding the table (strings inline)."""
    letters = [chr(ord("A") + i) for i in range(len(table.columns))]
    rows = []
    for number, row in enumerate([table.columns, *table.rows], 1):
        cells = "".join(_cell(f"{col}{number}", v) for col, v in zip(letters, row, strict=True))
        rows.append(f'<row r="{number}">{cells}</row>')
    sheet = f'{_XML}<worksheet xmlns="{_MAIN}"><sheetData>{"".join(rows)}</sheetData></worksheet>'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as book:
        for name, text in [*_XLSX_PARTS.items(), ("xl/worksheets/sheet1.xml", sheet)]:
            info = zipfile.ZipInfo(name, date_time=_XLSX_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            book.writestr(info, text)
    return out.getvalue()


WRITERS = {".csv": csv_bytes, ".parquet": parquet_bytes, ".xlsx": xlsx_bytes}


class Remote:
    """A local DVC remote directory, written as `dvc push` would leave it (DVC 3's layout,
    `files/md5/<first 2 hex>/<other 30 hex>`), one object per distinct content."""

    def __init__(self, root: Path):
        self.root = root
        self._made: set[str] = set()

    def put(self, data: bytes) -> str:
        """Store `data`; its md5."""
        md5 = hashlib.md5(data).hexdigest()
        folder = self.root / "files" / "md5" / md5[:2]
        if md5[:2] not in self._made:
            folder.mkdir(parents=True, exist_ok=True)
            self._made.add(md5[:2])
        (folder / md5[2:]).write_bytes(data)
        return md5
