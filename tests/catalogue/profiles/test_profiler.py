"""The profiler on real files of each kind, good and bad: every one gives a profile or a plain
reason (Unprofilable), never another exception."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from catalogue.profiles.profiler import Unprofilable, profile_stream
from catalogue.profiles.stats import EXACT_DISTINCT


def profile(data: bytes, name: str, **kwargs):
    return profile_stream(io.BytesIO(data), name, **kwargs)


def columns(p) -> dict[str, dict]:
    return {c["name"]: c for c in p.columns}


def test_a_csv_gets_types_nulls_distinct_ranges_top_values_and_a_sample():
    data = (b"ward,households,rate,report_date,note,active\n"
            b"Abbey,12,1.5,2024-01-31,,yes\n"
            b"Castle,7,2.25,2024-02-29,Provisional,no\n"
            b"Abbey,3,0.5,2023-12-31,Provisional,yes\n")
    p = profile(data, "counts.csv")
    assert (p.format, p.rows, p.encoding) == ("csv", 3, "utf-8")
    c = columns(p)
    assert [c[n]["type"] for n in c] == ["text", "integer", "number", "date", "text", "boolean"]
    assert (c["households"]["min"], c["households"]["max"]) == (3, 12)
    assert c["households"]["mean"] == pytest.approx(22 / 3, rel=1e-4)
    assert c["households"]["quantiles"]["0.5"] == 7
    histogram = c["households"]["histogram"]
    assert histogram["edges"][0] == 3 and histogram["edges"][-1] == 12
    assert sum(histogram["counts"]) == 3 and len(histogram["counts"]) == 10
    assert (c["report_date"]["min"], c["report_date"]["max"]) == ("2023-12-31", "2024-02-29")
    assert c["note"]["nulls"] == 1 and c["note"]["distinct"] == 1
    assert c["ward"]["top"][0] == {"value": "Abbey", "count": 2}
    assert p.tables[0]["sample"]["rows"][1] == ["Castle", "7", "2.25", "2024-02-29",
                                                "Provisional", "no"]


def test_a_type_widens_when_a_later_chunk_disagrees():
    rows = "".join(f"{i},{i}\n" for i in range(30_000))
    data = ("n,m\n" + rows + "1.5,unknown\n").encode()
    c = columns(profile(data, "wide.csv", chunk_bytes=64 * 1024))
    assert c["n"]["type"] == "number" and c["n"]["max"] == 29_999
    assert c["m"]["type"] == "text" and c["m"]["min"] is None


def test_distinct_is_exact_below_the_limit_and_approximate_above_it():
    n = EXACT_DISTINCT * 3
    data = ("id,group\n" + "".join(f"ID-{i:07d},{i % 5}\n" for i in range(n))).encode()
    c = columns(profile(data, "ids.csv", chunk_bytes=256 * 1024))
    assert c["group"] == {**c["group"], "distinct": 5, "distinct_approximate": False}
    assert c["id"]["distinct_approximate"] is True
    assert abs(c["id"]["distinct"] - n) / n < 0.05
    assert c["id"]["top"] == []  # every value once: no "most common"


def test_tsv_and_utf8_with_a_byte_order_mark():
    p = profile("\ufeffname\tcount\nÉlise\t4\n".encode(), "people.tsv")
    assert (p.format, p.encoding) == ("tsv", "utf-8-sig")
    assert columns(p)["name"]["top"][0]["value"] == "Élise"


def test_cp1252_text_is_read_as_cp1252_and_said_so():
    data = "place,cost\nCaf\u00e9 Royal,\u00a312\n".encode("cp1252")
    p = profile(data, "cafes.csv")
    assert p.encoding == "cp1252"
    assert columns(p)["place"]["top"][0]["value"] == "Café Royal"
    assert any("cp1252" in note for note in p.notes)


def test_a_ragged_csv_is_profiled_and_its_bad_rows_counted():
    data = b"a,b\n1,2\n3,4,5,6\n7,8\n"
    p = profile(data, "ragged.csv")
    assert p.rows == 2
    assert any("1 rows" in note and "could not be split" in note for note in p.notes)


def test_an_empty_file_is_an_empty_profile():
    p = profile(b"", "empty.csv")
    assert (p.rows, p.columns, p.size) == (0, [], 0)
    assert p.notes == ["the file is empty"]


def test_a_header_without_rows():
    p = profile(b"a,b\n", "header.csv")
    assert p.rows == 0 and [c["name"] for c in p.columns] == ["a", "b"]
    assert columns(p)["a"]["type"] == "empty"


def test_bytes_that_are_not_what_their_name_says_give_a_plain_reason():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)
    with pytest.raises(Unprofilable, match="not text"):
        profile(png, "picture.csv")
    with pytest.raises(Unprofilable, match="not a readable Parquet file"):
        profile(b"a,b\n1,2\n", "table.parquet")
    with pytest.raises(Unprofilable, match="not a readable Excel workbook"):
        profile(b"a,b\n1,2\n", "book.xlsx")
    with pytest.raises(Unprofilable, match=r"\.xls"):
        profile(b"\xd0\xcf\x11\xe0", "old.xls")
    with pytest.raises(Unprofilable, match="line 2 is not JSON"):
        profile(b'{"a": 1}\nnot json\n', "rows.jsonl")
    with pytest.raises(Unprofilable, match="not a table"):
        profile(b"%PDF-1.4", "report.pdf")


def test_an_excel_workbook_of_ten_sheets_is_profiled_sheet_by_sheet(tmp_path: Path):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for i in range(10):
        sheet = book.create_sheet(f"Ward {i}")
        sheet.append(["month", "visits"])
        for m in range(1, 4 + i):
            sheet.append([f"2024-{m:02d}", m * 10 + i])
    path = tmp_path / "wards.xlsx"
    book.save(path)
    p = profile(path.read_bytes(), "wards.xlsx")
    assert p.format == "excel" and p.encoding is None
    assert [t["name"] for t in p.tables] == [f"Ward {i}" for i in range(10)]
    assert [t["rows"] for t in p.tables] == [3 + i for i in range(10)]
    assert p.rows == sum(3 + i for i in range(10))
    assert {c["name"]: c["type"] for c in p.tables[9]["columns"]} == {
        "month": "text", "visits": "integer"}


def test_a_parquet_file_with_nested_columns_keeps_its_own_types(tmp_path: Path):
    table = pa.table({
        "id": pa.array([1, 2, 3], pa.int64()),
        "address": pa.array([{"street": "High St", "town": "Ely"}, None,
                             {"street": "Mill Ln", "town": "Ely"}]),
        "visits": pa.array([[1, 2], [], [3]], pa.list_(pa.int32())),
        "when": pa.array([1_700_000_000_000, 1_700_086_400_000, None], pa.timestamp("ms")),
    })
    path = tmp_path / "nested.parquet"
    pq.write_table(table, path)
    with path.open("rb") as handle:
        p = profile_stream(handle, "nested.parquet")
    c = columns(p)
    assert p.rows == 3 and p.format == "parquet"
    assert {n: c[n]["type"] for n in c} == {"id": "integer", "address": "nested",
                                            "visits": "nested", "when": "datetime"}
    assert c["address"]["nulls"] == 1
    assert c["when"]["min"].startswith("2023-11-14")


def test_json_lines_and_json_documents():
    lines = b"\n".join(json.dumps({"ward": w, "n": i}).encode() for i, w in
                       enumerate(["Abbey", "Castle", "Abbey"]))
    p = profile(lines, "rows.jsonl")
    assert p.rows == 3 and columns(p)["n"]["type"] == "integer"
    doc = json.dumps({"data": [{"a": 1}, {"a": 2, "b": "x"}]}).encode()
    p = profile(doc, "doc.json")
    assert p.rows == 2 and columns(p)["b"]["nulls"] == 1
