"""What a column's name says: personal data (and which kind), or a count.

Names are normalised before they are judged: case, camelCase, spaces and punctuation are
ignored, so `Date of Birth`, `dateOfBirth`, `DATE_OF_BIRTH` and `date-of-birth` are one name.
A name is judged on its words (`words`) and on its letters run together (`compact`), so that
`e-mail`, `E Mail` and `email` agree. The rules are deliberately narrow: `ward_name` or
`school_name` is not a person's name, `postcode_district` is not a full postcode.
"""

from __future__ import annotations

import re

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")

# kinds of personal data that a column's name can point to
EMAIL = "email"
PHONE = "phone"
NI_NUMBER = "ni_number"
NHS_NUMBER = "nhs_number"
POSTCODE = "postcode"
UPN = "upn"  # a pupil's Unique Pupil Number
DATE_OF_BIRTH = "date_of_birth"
PERSON_NAME = "person_name"  # surname, first_name…: values in it are people's names
NAME = "name"  # a bare `name`: a person's, or a park's; values alone cannot tell
ADDRESS = "address"


def words(name: str) -> list[str]:
    """`Date of Birth` → ['date', 'of', 'birth']; `nhsNo` → ['nhs', 'no']."""
    spaced = _CAMEL.sub(" ", name.strip())
    return [w for w in _NOT_ALNUM.split(spaced.lower()) if w]


def compact(name: str) -> str:
    return "".join(words(name))


_PERSON_NAMES = {"firstname", "firstnames", "forename", "forenames", "surname", "surnames",
                 "lastname", "fullname", "givenname", "givennames", "familyname", "middlename",
                 "middlenames", "maidenname", "preferredname", "christianname", "birthname"}
_PEOPLE = {"patient", "client", "resident", "person", "child", "parent", "carer", "tenant",
           "applicant", "customer", "claimant", "pupil", "student", "learner", "victim",
           "offender", "member", "serviceuser", "user", "guardian", "mother", "father",
           "employee", "individual", "occupant", "householder", "deceased", "contact"}
_NOT_FULL_POSTCODE = {"district", "sector", "area", "outward", "outcode", "prefix", "region"}
_NOT_PERSONAL_ADDRESS = {"ip", "web", "url", "mac", "site", "internet", "email"}


def personal_kind(name: str) -> str | None:
    """The kind of personal data a column called `name` would hold, or None."""
    w, c = words(name), compact(name)
    if not w:
        return None
    if "email" in c or c in {"mail", "emailaddress"}:
        return EMAIL
    if "nhs" in w or c.startswith(("nhsnumber", "nhsno")) or c.endswith(("nhsnumber", "nhsno")):
        return NHS_NUMBER
    if "nationalinsurance" in c or c in {"nino", "ninumber", "ninum"} or \
            c.endswith(("ninumber", "nino")) or (w[0] == "ni" and w[-1] in {"no", "number"}):
        return NI_NUMBER
    if ("postcode" in c or "postalcode" in c or c in {"zip", "zipcode"}) and \
            not _NOT_FULL_POSTCODE.intersection(w):
        return POSTCODE
    if c in {"upn", "uniquepupilnumber", "pupilnumber"} or c.endswith("upn"):
        return UPN
    if c in {"dob", "birthday", "birthdate", "dateofbirth", "dateofbirths"} or "dob" in w or \
            "dateofbirth" in c or "birthdate" in c:
        return DATE_OF_BIRTH
    if {"phone", "telephone", "tel", "landline", "fax", "phonenumber", "telno"} & set(w) or \
            c in {"mobile", "mobileno", "mobilenumber", "mobilephone", "telno", "phoneno"} or \
            c.endswith(("phonenumber", "phoneno", "mobilenumber", "mobileno", "telephone")):
        return PHONE
    if c in _PERSON_NAMES or c.endswith(tuple(_PERSON_NAMES)) or \
            (w[-1] == "name" and len(w) >= 2 and compact("".join(w[:-1])) in _PEOPLE):
        return PERSON_NAME
    if c in {"name", "names"}:
        return NAME
    if ("address" in w or c.startswith(("address", "homeaddress", "addressline")) or
            "addressline" in c or c in {"addr", "street_address", "streetaddress"}) and \
            not _NOT_PERSONAL_ADDRESS.intersection(w):
        return ADDRESS
    return None


# ---- counts ---------------------------------------------------------------------------------

_COUNT_WORDS = {
    "count", "counts", "total", "totals", "tally", "frequency", "freq", "headcount", "n",
    "population", "people", "persons", "individuals", "residents", "households", "families",
    "cases", "clients", "children", "adults", "pupils", "students", "learners", "patients",
    "referrals", "applications", "applicants", "claimants", "deaths", "births", "admissions",
    "users", "sleepers", "visitors", "attendees", "attendances", "incidents", "victims",
    "offenders", "tenants", "carers", "employees", "staff", "recipients", "participants",
    "respondents", "members", "enrolments", "placements", "assessments", "contacts",
    "complaints", "crimes", "offences", "arrests", "exclusions", "absences", "claims",
    "homeless", "occupants", "migrants", "refugees", "veterans", "men", "women", "boys",
    "girls", "males", "females", "male", "female", "all",
}
_TIDY_VALUES = {"value", "values", "observation", "observations", "obs", "obsvalue", "number"}
_NOT_COUNTS = {
    "id", "ids", "uid", "uuid", "key", "code", "codes", "ref", "reference", "urn", "uprn",
    "usrn", "lsoa", "msoa", "oa", "ons", "gss", "year", "years", "yr", "fy", "month",
    "months", "week", "weeks", "day", "days", "date", "time", "quarter", "period", "age",
    "rank", "ranking", "order", "index", "idx", "seq", "sequence", "version", "row", "line",
    "percent", "percentage", "pct", "per", "rate", "ratio", "proportion", "share", "score",
    "decile", "quintile", "quartile", "centile", "percentile", "band", "level", "tier",
    "stage", "grade", "priority", "amount", "cost", "costs", "spend", "price", "gbp",
    "pounds", "income", "salary", "budget", "lat", "latitude", "lon", "long",
    "longitude", "easting", "northing", "x", "y", "phone", "telephone", "mobile", "nhs",
    "ni", "postcode", "house", "flat", "building", "room", "floor", "unit",
    "account", "invoice", "case", "flag", "indicator", "mean", "median", "average", "avg",
    "min", "max", "minimum", "maximum", "std", "sd", "change", "difference", "diff",
}
# a wide table's column headed by a period, an age band or a category holds its measure
_PERIOD = re.compile(r"^(fy|q[1-4]|y)?\s*(19|20)\d\d([-/ ]?(\d\d|q[1-4]))?$|"
                     r"^(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*[-/ ]?\d{2,4}$")
_AGE_BAND = re.compile(r"^(age[ds]?\s*)?(\d{1,3}\s*(-|to)\s*\d{1,3}|\d{1,3}\s*\+|"
                       r"(under|over)\s*\d{1,3}|\d{1,3}\s*(and|&)\s*(over|under))(\s*years?)?$")


def is_count_name(name: str) -> bool:
    """Whether a column called `name` holds counts of people or events, if its values are
    non-negative integers: a count word (`households`, `number_of_cases`, `total`), the
    value column of a tidy table (`value`, `obs_value`), or the header of a wide table's
    column (a period such as `2019/20` or `Q1 2024`, an age band such as `16-64` or `85+`);
    never an identifier, code, year, date, rank, rate, money or coordinate."""
    text = name.strip().lower()
    if _PERIOD.match(text) or _AGE_BAND.match(text):
        return True
    w = words(name)
    if not w:
        return False
    if compact(name) in _TIDY_VALUES:
        return True
    if set(w) & _NOT_COUNTS:
        return False
    if set(w) & _COUNT_WORDS:
        return True
    # number_of_x, no_of_x, num_x, n_x
    for i, word in enumerate(w[:-1]):
        if word in {"number", "no", "num", "nbr", "n"} and \
                (w[i + 1] == "of" or word in {"num", "nbr", "n"}):
            return True
    return compact(name) in {"numberof", "noof"}
