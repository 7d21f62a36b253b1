"""Words for the benchmark corpus: a fictional borough's departments, their datasets and staff.

Plausible enough that the pages and the indexer see what a council's registry really holds:
long hyphenated slugs, owners' emails, Markdown descriptions, a mix of file formats.
"""

from __future__ import annotations

COUNCIL = "Northmoor Borough Council"
AREA = "the Borough of Northmoor"
EMAIL_DOMAIN = "northmoor.example.gov.uk"

DEPARTMENTS: dict[str, tuple[str, list[str], list[str]]] = {
    "housing": (
        "Housing",
        ["rough-sleeping", "homelessness-applications", "temporary-accommodation",
         "housing-register", "empty-homes", "repairs-requests", "affordable-housing-completions",
         "hmo-licences", "disabled-facilities-grants", "tenancy-audits", "rent-arrears"],
        ["the housing management system", "the homelessness case system", "the lettings team"],
    ),
    "adult-social-care": (
        "Adult Social Care",
        ["care-packages", "safeguarding-referrals", "home-care-hours", "residential-placements",
         "carers-assessments", "direct-payments", "hospital-discharges", "reablement-outcomes",
         "dols-applications", "day-services-attendance"],
        ["the social care record", "the brokerage team", "the NHS discharge return"],
    ),
    "childrens-services": (
        "Children's Services",
        ["school-places", "school-admissions", "looked-after-children", "early-help-referrals",
         "send-plans", "school-attendance", "child-protection-plans", "youth-service-contacts",
         "free-school-meals", "childcare-sufficiency"],
        ["the school census", "the children's case system", "the admissions portal"],
    ),
    "public-health": (
        "Public Health",
        ["air-quality", "smoking-cessation", "health-checks", "childhood-immunisations",
         "sexual-health-clinic-visits", "drug-and-alcohol-treatment", "obesity-prevalence",
         "physical-activity", "excess-winter-deaths", "mental-health-referrals"],
        ["the diffusion tube network", "the provider returns", "the GP extract"],
    ),
    "finance": (
        "Finance",
        ["council-tax-collection", "business-rates", "spend-over-500", "procurement-contracts",
         "budget-monitoring", "debt-recovery", "grant-payments", "housing-benefit-claims",
         "capital-programme", "invoice-payment-times"],
        ["the finance system", "the revenues and benefits system", "the contracts register"],
    ),
    "planning": (
        "Planning",
        ["planning-applications", "planning-appeals", "building-control-inspections",
         "tree-preservation-orders", "conservation-areas", "housing-land-supply",
         "brownfield-register", "enforcement-cases", "section-106-agreements",
         "local-plan-responses"],
        ["the planning back office", "the GIS team", "the consultation portal"],
    ),
    "waste": (
        "Waste and Street Scene",
        ["household-waste-tonnage", "recycling-rates", "fly-tipping-incidents",
         "missed-bin-collections", "garden-waste-subscriptions", "bulky-waste-collections",
         "street-cleansing-inspections", "commercial-waste-contracts", "reuse-centre-visits",
         "litter-fines"],
        ["the collection rounds system", "the weighbridge", "the contact centre"],
    ),
}

QUALIFIERS = ["by-ward", "by-lsoa", "by-age-band", "by-tenure", "by-provider", "by-month",
              "by-quarter", "by-locality", "by-ethnicity", "by-postcode-sector"]
VARIANTS = ["", "-summary", "-detail", "-provisional"]
ACRONYMS = {"hmo": "HMO", "send": "SEND", "dols": "DoLS", "lsoa": "LSOA", "nhs": "NHS",
            "gp": "GP"}

FORMATS = [(".csv", 80), (".parquet", 12), (".xlsx", 8)]
FREQUENCIES = ["weekly", "monthly", "monthly", "quarterly", "quarterly", "annual"]

FIRST_NAMES = [
    "Asha", "Ben", "Cara", "Dev", "Eleanor", "Farah", "Gareth", "Hannah", "Imran", "Joanne",
    "Kwame", "Laura", "Mohammed", "Niamh", "Oliver", "Priya", "Rhys", "Sophie", "Tomasz",
    "Usha", "Victoria", "William", "Yasmin", "Zoe", "Adebayo", "Bethan", "Callum", "Deborah",
    "Ewan", "Fiona", "Grace", "Harpreet", "Isla", "Jamal", "Katarzyna", "Liam", "Megan", "Nadia",
]
LAST_NAMES = [
    "Patel", "Okafor", "Jones", "Sharma", "Walsh", "Hussain", "Evans", "Clarke", "Khan",
    "Robinson", "Mensah", "Taylor", "Ali", "O'Brien", "Hughes", "Kaur", "Davies", "Wright",
    "Nowak", "Begum", "Thompson", "Williams", "Ahmed", "Green", "Adeyemi", "Morgan", "Fraser",
    "Campbell", "Murray", "Reid", "Lewis", "Singh", "Macdonald", "Bailey", "Kowalski", "Doyle",
]

UPDATE_MESSAGES = [
    "Update {title}: {period} extract",
    "Add {period} figures to {title}",
    "Refresh {title} from {source}",
    "Reload {title} after a fix in {source}",
    "Correct duplicate rows in {title}, {period}",
    "{title}: {period} data",
]
METADATA_MESSAGES = [
    "Describe the caveats of {title}",
    "Add tags to {title}",
    "Hand {title} over to a new owner",
    "Set the update frequency of {title}",
]
CAVEATS = [
    "Counts below five are suppressed.",
    "Figures for the latest period are provisional and may be revised.",
    "Ward boundaries changed in May 2022; earlier rows use the old wards.",
    "Rows are one per case; a person may appear more than once.",
    "Totals may not sum because of rounding.",
]
