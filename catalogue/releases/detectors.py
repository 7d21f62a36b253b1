"""Personal values in cells: a pattern finds candidates, a library (or the issuing body's rule)
confirms them, and a mask shows one without giving it away.

The patterns run vectorised (pyarrow's RE2 kernels) over a batch's distinct values; only the
few cells a pattern picks out reach Python, where the confirmation runs:

- email address: the pattern, then `email_validator.validate_email` (syntax only, no DNS);
- UK phone number: 0… or +44… with 9–10 more digits, then `phonenumbers` must say it is a
  valid GB number (Ofcom's drama ranges, such as 07700 900xxx, are not valid numbers);
- National Insurance number: two letters, six digits, A–D, then HMRC's allocation rules
  (python-stdnum has no UK NI module): neither letter D, F, I, Q, U or V, the second not O,
  and not the unallocated prefixes BG, GB, KN, NK, NT, TN, ZZ. So QQ 12 34 56 C, HMRC's own
  example, is not counted;
- NHS number: ten digits (3-3-4 with optional spaces or dashes), then `nhs_number.is_valid`:
  the modulus-11 check digit, and a real date in a Scottish CHI number's first six digits;
- full postcode: outward and inward code in Royal Mail's letter rules, the area (the leading
  letters) one of the 124 UK postcode areas. A district (`SW1A`) or sector alone is not one;
- Unique Pupil Number (English schools): a letter and twelve characters, then
  `stdnum.gb.upn.is_valid`: its check letter and a known local authority number.

Masks keep enough to recognise the kind: `j***@n***.gov.uk`, `AB ** ** ** C`, `943 *** ****`,
`0791 *******`, `SW1A ***`, `B801 *********`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import nhs_number
import phonenumbers
from email_validator import EmailNotValidError, validate_email
from stdnum.gb import upn

from catalogue.releases import names

_LEFT = r"(?:^|[^0-9A-Za-z])"
_RIGHT = r"(?:$|[^0-9A-Za-z])"


@dataclass(frozen=True)
class Detector:
    """One kind of personal value. `pattern` (RE2, one named group `v`) finds candidates in
    a cell; `relaxed` is used instead in a column named for this kind (lower case, looser
    spacing); `confirm` says whether a candidate is real; `mask` hides it."""

    kind: str
    label: str
    pattern: str
    relaxed: str
    confirm: Callable[[str], bool]
    mask: Callable[[str], str]


def _email_ok(value: str) -> bool:
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def mask_email(value: str) -> str:
    local, _, domain = value.rpartition("@")
    labels = domain.split(".")
    head = f"{labels[0][:1]}***" if len(labels) > 1 else "***"
    return f"{local[:1]}***@" + ".".join([head, *labels[1:]])


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def _phone_ok(value: str) -> bool:
    try:
        number = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException:
        return False
    return number.country_code == 44 and phonenumbers.is_valid_number(number)


def mask_phone(value: str) -> str:
    digits = _digits(value)
    national = "0" + digits[2:] if value.lstrip().startswith(("+", "00")) else digits
    if national.startswith("00"):
        national = "0" + national[4:]
    return f"{national[:4]} {'*' * max(len(national) - 4, 3)}"


_NI_FIRST = set("ABCEGHJKLMNOPRSTWXYZ")
_NI_SECOND = set("ABCEGHJKLMNPRSTWXYZ")
_NI_UNUSED = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}


def _compact_upper(value: str) -> str:
    return "".join(ch for ch in value if ch.isalnum()).upper()


def _ni_ok(value: str) -> bool:
    number = _compact_upper(value)
    return (len(number) == 9 and number[0] in _NI_FIRST and number[1] in _NI_SECOND
            and number[:2] not in _NI_UNUSED and number[2:8].isdigit() and number[8] in "ABCD")


def mask_ni(value: str) -> str:
    number = _compact_upper(value)
    return f"{number[:2]} ** ** ** {number[-1:]}"


def _nhs_ok(value: str) -> bool:
    digits = _digits(value)
    return len(digits) == 10 and nhs_number.is_valid(digits)


def mask_nhs(value: str) -> str:
    return f"{_digits(value)[:3]} *** ****"


POSTCODE_AREAS = frozenset("""
AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY
E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L LA LD LE
LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL
SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE
""".split())
_OUTWARD = re.compile(r"^([A-Z]{1,2})[0-9][0-9A-Z]?$")


def _postcode_parts(value: str) -> tuple[str, str]:
    code = _compact_upper(value)
    return code[:-3], code[-3:]


_INWARD = re.compile(r"^[0-9][ABD-HJLNP-UW-Z]{2}$")


def _postcode_ok(value: str) -> bool:
    outward, inward = _postcode_parts(value)
    match = _OUTWARD.match(outward)
    return bool(match and _INWARD.match(inward)) and match.group(1) in POSTCODE_AREAS


def mask_postcode(value: str) -> str:
    return f"{_postcode_parts(value)[0]} ***"


def _upn_ok(value: str) -> bool:
    return upn.is_valid(_compact_upper(value))


def mask_upn(value: str) -> str:
    return f"{_compact_upper(value)[:4]} *********"


def mask_date(value: str) -> str:
    """`1984-03-12` → `198*-**-**`, `12/03/1984` → `**/**/198*`: the decade, nothing more."""
    year = re.search(r"(19|20)\d\d", value)
    masked = re.sub(r"\d", "*", value)
    if year:
        masked = masked[:year.start()] + year.group()[:3] + masked[year.start() + 3:]
    return masked


def mask_name(value: str) -> str:
    """`Jane Smith` → `J*** S***`."""
    return " ".join(f"{part[:1]}***" for part in value.split()[:4]) or "***"


DETECTORS: tuple[Detector, ...] = (
    Detector(
        names.EMAIL, "email addresses",
        r"(?P<v>[A-Za-z0-9._%+'-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
        r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,})",
        r"(?P<v>[A-Za-z0-9._%+'-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
        r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,})",
        _email_ok, mask_email),
    Detector(
        names.NI_NUMBER, "National Insurance numbers",
        _LEFT + r"(?P<v>[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?"
        r"[A-D])" + _RIGHT,
        _LEFT + r"(?P<v>(?i)[a-z]{2}[ -]?[0-9]{2}[ -]?[0-9]{2}[ -]?[0-9]{2}[ -]?[a-d])" + _RIGHT,
        _ni_ok, mask_ni),
    Detector(
        names.NHS_NUMBER, "NHS numbers",
        r"(?:^|[^0-9A-Za-z+])(?P<v>[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4})(?:$|[^0-9A-Za-z])",
        r"(?:^|[^0-9A-Za-z+])(?P<v>[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4})(?:$|[^0-9A-Za-z])",
        _nhs_ok, mask_nhs),
    Detector(
        names.PHONE, "UK phone numbers",
        r"(?:^|[^0-9A-Za-z+])(?P<v>(?:(?:\+|00)44[ -]?(?:\(0\)[ -]?)?|\(?0)[1-9][0-9]{1,4}\)?"
        r"[ -]?[0-9]{3,4}[ -]?[0-9]{3,4})(?:$|[^0-9A-Za-z])",
        r"(?:^|[^0-9A-Za-z+])(?P<v>(?:(?:\+|00)44[ -.]?(?:\(0\)[ -.]?)?|\(?0)[1-9][0-9]{1,4}\)?"
        r"[ -.]?[0-9]{2,4}[ -.]?[0-9]{2,4}[ -.]?[0-9]{0,4})(?:$|[^0-9A-Za-z])",
        _phone_ok, mask_phone),
    Detector(
        names.POSTCODE, "full postcodes",
        _LEFT + r"(?P<v>[A-PR-UWYZ][A-HK-Y]?[0-9][A-HJKMNPR-Y0-9]? ?[0-9][ABD-HJLNP-UW-Z]{2})"
        + _RIGHT,
        _LEFT + r"(?P<v>(?i)[a-z]{1,2}[0-9][a-z0-9]? *[0-9][a-z]{2})" + _RIGHT,
        _postcode_ok, mask_postcode),
    Detector(
        names.UPN, "Unique Pupil Numbers",
        _LEFT + r"(?P<v>[A-HJ-NP-RT-Z][0-9]{11}[0-9A-HJ-NP-RT-Z])" + _RIGHT,
        _LEFT + r"(?P<v>(?i)[a-z][0-9]{11}[0-9a-z])" + _RIGHT,
        _upn_ok, mask_upn),
)
BY_KIND = {d.kind: d for d in DETECTORS}
# one pass that rules out a cell no detector would match: most cells of most tables
ANY = "|".join(d.pattern.replace("(?P<v>", "(?:") for d in DETECTORS)
