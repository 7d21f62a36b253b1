"""The masked preview a reviewer sees of a table's first rows."""

import io

from catalogue.releases.preview import masked_preview

TABLE = (b"ward,email,ni_number,note,households_count\n"
         b"Abbey,jo.bloggs@northmere.gov.uk,AB123456C,ring 0161 496 0000 about SW1A 1AA,3\n"
         b"Castle,,,nothing here,12\n")


def test_personal_values_are_masked_and_the_rest_shown():
    preview = masked_preview(io.BytesIO(TABLE), "t.csv")
    assert preview["columns"] == ["ward", "email", "ni_number", "note", "households_count"]
    assert preview["masked_columns"] == ["email", "ni_number"]
    first, second = preview["rows"]
    assert first[0] == "Abbey" and first[4] == "3"
    assert first[1] == "j***@n***.gov.uk" and first[2] == "AB ** ** ** C"
    assert "SW1A 1AA" not in first[3] and first[3].startswith("ring ")
    assert second == ["Castle", "", "", "nothing here", "12"]
    assert "jo.bloggs" not in str(preview) and "AB123456C" not in str(preview)


def test_only_the_first_rows_and_a_clear_answer_for_what_is_not_a_table():
    many = b"n\n" + b"".join(f"{i}\n".encode() for i in range(1000))
    assert len(masked_preview(io.BytesIO(many), "n.csv", rows=5)["rows"]) == 5
    assert "not read as a table" in masked_preview(io.BytesIO(b"%PDF-1.7"), "a.pdf")["error"]
