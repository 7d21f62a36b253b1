"""The personal-data scan: values confirmed by their rules, masked in the evidence, and the
column names that announce personal data."""

from __future__ import annotations

import json
from datetime import date

from tests.catalogue.releases.helpers import findings

CLEAN = """period,ward_code,ward_name,age_band,households,rate_per_1000,report_date
2024-03,E05013116,Abbey Ward,16-24,120,4.51,2024-03-31
2024-03,E05013117,Bank Ward,25-34,85,3.02,2024-03-31
2024-06,E05013116,Abbey Ward,16-24,131,4.90,2024-06-30
2024-06,E05013117,Bank Ward,25-34,97,3.37,2024-06-30
"""


def test_emails_and_ni_numbers_fail_with_masked_evidence(scan):
    content = ("ward,contact,ni,households\n"
               "Abbey,jane.smith@norfolk.gov.uk,AB123456C,12\n"
               "Bank,tom.jones@example-council.org.uk,CE 12 34 56 D,15\n"
               "Castle,,,20\n")
    personal, _ = scan("clients.csv", content)

    assert personal.name == "personal-data"
    assert personal.outcome == "fail"
    found = findings(personal, "fail")
    assert found[("contact", "email")]["matches"] == 2
    assert found[("contact", "email")]["rows_scanned"] == 3
    assert found[("contact", "email")]["sample"] == "j***@n***.gov.uk"
    assert found[("ni", "ni_number")]["matches"] == 2
    assert found[("ni", "ni_number")]["sample"] == "AB ** ** ** C"
    assert "email addresses in column 'contact' (2 of 3 rows)" in personal.summary
    text = json.dumps(personal.to_dict())
    for raw in ("jane.smith", "norfolk.gov.uk", "tom.jones", "AB123456C", "12 34 56"):
        assert raw not in text


def test_only_nhs_numbers_with_a_valid_check_digit_count(scan):
    content = ("case,nhs_number\n"
               "1,943 476 5919\n"   # valid
               "2,4010232137\n"     # valid
               "3,450-557-7104\n"   # valid
               "4,9434765918\n"     # check digit wrong
               "5,6541239874\n")    # check digit wrong
    personal, _ = scan("patients.csv", content)

    found = findings(personal, "fail")
    assert found[("nhs_number", "nhs_number")]["matches"] == 3
    assert found[("nhs_number", "nhs_number")]["sample"] == "943 *** ****"
    assert personal.outcome == "fail"


def test_invalid_nhs_numbers_alone_are_not_personal_data(scan):
    personal, _ = scan("refs.csv", "case,reference\n1,9434765918\n2,6541239874\n")

    assert personal.outcome == "pass", personal.summary
    assert personal.evidence["findings"] == []


def test_a_clean_aggregated_table_passes(scan):
    personal, disclosure = scan("aggregate.csv", CLEAN)

    assert personal.outcome == "pass", personal.summary
    assert personal.evidence["rows_scanned"] == 4
    assert personal.evidence["findings"] == []
    assert disclosure.outcome == "pass", disclosure.summary


def test_uk_phone_numbers_are_confirmed_by_phonenumbers(scan):
    content = ("office,notes\n"
               "A,call 07812 345678 after 5\n"
               "B,+44 20 7946 0018\n"
               "C,drama number 07700 900123\n"   # Ofcom's drama range: not a real number
               "D,opened 2024-03-31\n")
    personal, _ = scan("calls.csv", content)

    found = findings(personal, "fail")
    assert found[("notes", "phone")]["matches"] == 2
    assert found[("notes", "phone")]["sample"] == "0781 *******"


def test_full_postcodes_fail_but_districts_do_not(scan):
    personal, _ = scan("places.csv", "site,postcode\nA,SW1A 1AA\nB,nr1 2ab\n")
    assert findings(personal, "fail")[("postcode", "postcode")]["matches"] == 2
    assert findings(personal)[("postcode", "postcode")]["sample"] == "SW1A ***"

    districts, _ = scan("districts.csv", "district,households\nSW1A,120\nNR1,85\n")
    assert districts.outcome == "pass", districts.summary


def test_a_letter_pair_never_issued_is_not_a_national_insurance_number(scan):
    # QQ 12 34 56 C is HMRC's own example: Q is never used, nor are the prefixes BG, GB…
    personal, _ = scan("example.csv", "note\nQQ123456C\nGB123456A\nAB123456E\n")

    assert personal.outcome == "pass", personal.summary


def test_a_column_named_for_dates_of_birth_fails_with_the_decade_only(scan):
    content = "client,dob\n1,1984-03-12\n2,02/11/1990\n"
    personal, _ = scan("dob.csv", content)

    found = findings(personal, "fail")
    assert found[("dob", "date_of_birth")]["matches"] == 2
    assert found[("dob", "date_of_birth")]["sample"] == "198*-**-**"
    assert "1984-03-12" not in json.dumps(personal.to_dict())


def test_report_dates_are_not_dates_of_birth(scan):
    rows = "".join(f"{y}-{m:02d}-28,{10 + m}\n" for y in range(2015, 2025) for m in range(1, 13))
    personal, _ = scan("series.csv", "report_date,households\n" + rows)

    assert personal.outcome == "pass", personal.summary


def test_dates_that_look_like_births_in_an_unnamed_column_warn(scan):
    rows = "".join(f"{i},{1940 + i}-{i % 12 + 1:02d}-{i % 28 + 1:02d}\n" for i in range(60))
    personal, _ = scan("people.csv", "id,when\n" + rows, today=date(2025, 1, 1))

    assert personal.outcome == "warn", personal.summary
    entry = findings(personal, "warn")[("when", "date_of_birth")]
    assert entry["matches"] == 60
    assert "dates of birth" in entry["reason"]


def test_name_columns(scan):
    personal, _ = scan("names.csv", "ward_name,surname,name\nAbbey,Smith,Jane Smith\n")

    assert personal.outcome == "fail"
    assert findings(personal, "fail")[("surname", "person_name")]["sample"] == "S***"
    assert findings(personal, "warn")[("name", "name")]["sample"] == "J*** S***"
    assert not [f for f in personal.evidence["findings"] if f["column"] == "ward_name"]


def test_redacted_names_are_not_names(scan):
    personal, _ = scan("redacted.csv", "surname,households\nREDACTED,12\n*,14\n")

    assert personal.outcome == "warn", personal.summary
    entry = findings(personal, "warn")[("surname", "person_name")]
    assert entry["matches"] == 0


def test_a_column_named_like_personal_data_without_such_values_warns(scan):
    personal, _ = scan("empty.csv", "ward,Email Address,Telephone\nAbbey,,withheld\n")

    assert personal.outcome == "warn"
    named = findings(personal, "warn")
    assert named[("Email Address", "email")]["reason"] == \
        "named like email addresses, but it is empty"
    assert named[("Telephone", "phone")]["reason"] == \
        "named like UK phone numbers, but it holds no values recognised as such"


def test_personal_data_in_the_column_names_themselves(scan):
    personal, _ = scan("wide.csv", "ward,jane.smith@norfolk.gov.uk\nAbbey,12\n")

    assert personal.outcome == "fail"
    assert findings(personal, "fail")[("(column names)", "email")]["matches"] == 1


def test_a_column_of_identifiers_is_not_a_column_of_nhs_numbers(scan):
    """Ten-digit identifiers pass the NHS check digit about one time in eleven by chance."""
    numbers = [str(1_000_000_007 + 7_919 * i) for i in range(200)]
    personal, _ = scan("uprn.csv", "uprn\n" + "\n".join(numbers) + "\n")

    assert personal.outcome == "pass", personal.summary
    (discounted,) = personal.evidence["discounted"]
    assert discounted["kind"] == "nhs_number"
    assert 0 < discounted["valid"] < discounted["candidates"] / 2


def test_unique_pupil_numbers_are_confirmed_by_their_check_letter(scan):
    personal, _ = scan("pupils.csv", "school,upn\nA,B801200005001\nB,A801200005001\n")

    found = findings(personal, "fail")
    assert found[("upn", "upn")]["matches"] == 1
    assert found[("upn", "upn")]["sample"] == "B801 *********"


def test_a_number_in_a_column_named_for_nhs_numbers_is_not_also_a_phone_number(scan):
    personal, _ = scan("nhs.csv", "nhs_number\n0800123456\n9434765919\n")

    kinds = {kind for (_, kind) in findings(personal)}
    assert kinds == {"nhs_number"}


def test_past_ten_thousand_distinct_values_matches_are_estimated(scan):
    rows = "".join(f"{i},person{i}@norfolk.gov.uk\n" for i in range(12_000))
    personal, _ = scan("many.csv", "id,contact\n" + rows, chunk_bytes=64 * 1024)

    entry = findings(personal, "fail")[("contact", "email")]
    assert entry["matches"] == 12_000
    assert entry["estimated_matches"] == 2_000
