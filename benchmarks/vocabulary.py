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
# For corpora of more than 440 datasets a department (make_registry's `more_variants`)
MORE_VARIANTS = ["-annual", "-historic", "-cumulative", "-revised"]
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

# The columns of each subject's files (benchmarks.make_registry): what a council's extracts hold,
# so that column names are realistic search targets. Each file also has a time column (unless
# its breakdown is by month or quarter), its breakdown's columns and UNIQUE_COLUMN.
SUBJECT_COLUMNS: dict[str, list[str]] = {
    # housing
    "rough-sleeping": ["people_sleeping_rough", "new_to_rough_sleeping",
                       "long_term_rough_sleepers", "offered_accommodation"],
    "homelessness-applications": ["applications_received", "prevention_duty_owed",
                                  "relief_duty_owed", "main_duty_accepted"],
    "temporary-accommodation": ["households_in_temporary_accommodation",
                                "households_with_children", "bed_and_breakfast_placements",
                                "average_stay_days"],
    "housing-register": ["households_on_register", "band_a", "band_b", "band_c",
                         "average_wait_days"],
    "empty-homes": ["empty_properties", "long_term_empty", "empty_homes_premium_charged",
                    "brought_back_into_use"],
    "repairs-requests": ["repairs_raised", "emergency_repairs", "completed_within_target",
                         "average_days_to_complete"],
    "affordable-housing-completions": ["social_rent_completions", "affordable_rent_completions",
                                       "shared_ownership_completions", "total_completions"],
    "hmo-licences": ["licence_applications", "licences_granted", "licensed_hmos",
                     "inspections_carried_out"],
    "disabled-facilities-grants": ["grants_approved", "grant_value_gbp",
                                   "average_days_to_approve", "adaptations_completed"],
    "tenancy-audits": ["tenancies_audited", "fraud_cases_found", "properties_recovered"],
    "rent-arrears": ["tenancies_in_arrears", "arrears_gbp", "average_arrears_gbp",
                     "notices_served"],
    # adult social care
    "care-packages": ["packages_started", "packages_ended", "service_users",
                      "weekly_cost_gbp"],
    "safeguarding-referrals": ["concerns_raised", "section_42_enquiries",
                               "risk_removed_or_reduced"],
    "home-care-hours": ["hours_commissioned", "hours_delivered", "clients_receiving_care",
                        "unmet_hours"],
    "residential-placements": ["placements", "nursing_placements", "new_admissions",
                               "average_weekly_fee_gbp"],
    "carers-assessments": ["assessments_completed", "carers_supported",
                           "support_plans_agreed"],
    "direct-payments": ["recipients", "payments_gbp", "average_payment_gbp"],
    "hospital-discharges": ["discharges", "delayed_discharges", "delayed_days",
                            "discharged_to_usual_residence"],
    "reablement-outcomes": ["referrals", "completed_reablement", "at_home_after_91_days"],
    "dols-applications": ["applications_received", "authorisations_granted",
                          "awaiting_assessment", "average_days_to_decision"],
    "day-services-attendance": ["attendances", "unique_attendees", "sessions_offered"],
    # children's services
    "school-places": ["places_available", "pupils_on_roll", "surplus_places",
                      "forecast_pupils"],
    "school-admissions": ["applications", "first_preference_offers", "offers_made",
                          "appeals_lodged"],
    "looked-after-children": ["children_looked_after", "new_entrants", "ceased_care",
                              "placement_moves"],
    "early-help-referrals": ["referrals_received", "assessments_completed",
                             "stepped_up_to_social_care"],
    "send-plans": ["ehcp_requests", "ehcps_issued", "issued_within_20_weeks", "total_ehcps"],
    "school-attendance": ["sessions_possible", "authorised_absence_pct",
                          "unauthorised_absence_pct", "persistent_absentees"],
    "child-protection-plans": ["plans_started", "plans_ended", "children_on_plans",
                               "second_or_subsequent_plans"],
    "youth-service-contacts": ["young_people_contacted", "sessions_delivered",
                               "outcomes_recorded"],
    "free-school-meals": ["pupils_on_roll", "eligible_pupils", "take_up_pct"],
    "childcare-sufficiency": ["childcare_places", "funded_two_year_olds",
                              "funded_three_and_four_year_olds", "vacancies"],
    # public health
    "air-quality": ["monitoring_site", "no2_ugm3", "pm10_ugm3", "pm2_5_ugm3", "exceedances"],
    "smoking-cessation": ["quit_dates_set", "four_week_quits", "quit_rate_pct"],
    "health-checks": ["invited", "health_checks_received", "uptake_pct"],
    "childhood-immunisations": ["cohort_size", "mmr1_pct", "mmr2_pct", "dtap_ipv_hib_pct"],
    "sexual-health-clinic-visits": ["attendances", "first_attendances", "tests_performed",
                                    "diagnoses"],
    "drug-and-alcohol-treatment": ["in_treatment", "new_presentations",
                                   "successful_completions", "re_presentations"],
    "obesity-prevalence": ["children_measured", "healthy_weight_pct", "overweight_pct",
                           "obese_pct"],
    "physical-activity": ["respondents", "active_pct", "fairly_active_pct", "inactive_pct"],
    "excess-winter-deaths": ["winter_deaths", "non_winter_deaths", "excess_winter_deaths",
                             "excess_winter_mortality_index"],
    "mental-health-referrals": ["referrals", "accepted_referrals", "first_appointments",
                                "waiting_over_18_weeks"],
    # finance
    "council-tax-collection": ["properties_billed", "amount_due_gbp", "amount_collected_gbp",
                               "collection_rate_pct"],
    "business-rates": ["hereditaments", "rateable_value_gbp", "reliefs_gbp",
                       "net_collectable_gbp"],
    "spend-over-500": ["supplier_name", "expense_type", "transaction_date", "amount_gbp"],
    "procurement-contracts": ["contract_reference", "supplier_name", "contract_start_date",
                              "contract_value_gbp"],
    "budget-monitoring": ["cost_centre", "budget_gbp", "forecast_outturn_gbp", "variance_gbp"],
    "debt-recovery": ["invoices_outstanding", "debt_gbp", "debt_over_90_days_gbp",
                      "written_off_gbp"],
    "grant-payments": ["recipient_name", "grant_scheme", "amount_gbp"],
    "housing-benefit-claims": ["claims_in_payment", "new_claims", "average_days_to_process",
                               "weekly_award_gbp"],
    "capital-programme": ["scheme_name", "approved_budget_gbp", "spend_to_date_gbp",
                          "forecast_outturn_gbp"],
    "invoice-payment-times": ["invoices_paid", "paid_within_30_days", "paid_within_30_days_pct",
                              "average_days_to_pay"],
    # planning
    "planning-applications": ["applications_received", "decisions_made", "approved",
                              "refused", "decided_within_target"],
    "planning-appeals": ["appeals_lodged", "appeals_allowed", "appeals_dismissed"],
    "building-control-inspections": ["inspections", "applications_deposited",
                                     "completion_certificates"],
    "tree-preservation-orders": ["tpos_made", "works_applications", "works_approved"],
    "conservation-areas": ["area_name", "designation_date", "area_hectares",
                           "listed_buildings"],
    "housing-land-supply": ["site_reference", "site_name", "net_dwellings",
                            "deliverable_within_5_years"],
    "brownfield-register": ["site_reference", "site_name", "site_hectares", "min_dwellings",
                            "max_dwellings", "planning_status"],
    "enforcement-cases": ["cases_opened", "cases_closed", "breaches_found", "notices_served"],
    "section-106-agreements": ["agreement_reference", "obligation_type", "amount_gbp",
                               "amount_received_gbp"],
    "local-plan-responses": ["respondent_type", "policy_reference", "responses", "support",
                             "objection"],
    # waste and street scene
    "household-waste-tonnage": ["residual_tonnes", "recycled_tonnes", "composted_tonnes",
                                "kg_per_household"],
    "recycling-rates": ["collected_tonnes", "recycled_tonnes", "recycling_rate_pct",
                        "contamination_pct"],
    "fly-tipping-incidents": ["incidents", "incidents_cleared", "enforcement_actions",
                              "fixed_penalty_notices"],
    "missed-bin-collections": ["collections_scheduled", "missed_collections",
                               "missed_per_100000", "put_right_within_48_hours"],
    "garden-waste-subscriptions": ["subscriptions", "new_subscriptions", "bins_collected",
                                   "income_gbp"],
    "bulky-waste-collections": ["bookings", "items_collected", "collected_within_10_days"],
    "street-cleansing-inspections": ["inspections", "grade_a_pct", "below_grade_b_pct",
                                     "litter_pct"],
    "commercial-waste-contracts": ["contracts", "customers", "lifts", "income_gbp"],
    "reuse-centre-visits": ["visits", "tonnes_received", "tonnes_reused", "reuse_rate_pct"],
    "litter-fines": ["fixed_penalty_notices", "paid", "paid_within_14_days", "prosecutions"],
}

WARDS = ["Abbey", "Brookside", "Castle", "Daleview", "Eastgate", "Fernhill", "Greenbank",
         "Harbour", "Ironbridge", "Kingsmead", "Longmoor", "Millfield", "Northmoor Central",
         "Oakwood", "Priory", "Queensway", "Riverside", "St Anne's", "Thornton", "Westfield"]
PROVIDERS = ["Northmoor Care Partnership", "Brightwater Homecare", "Hillcrest Support Ltd",
             "Moorland Community Trust", "Evergreen Living", "Northmoor NHS Trust",
             "Castle Housing Association", "Riverside Family Services"]
# The breakdown each qualifier of a slug stands for: its columns, and the values of its rows.
BREAKDOWNS: dict[str, tuple[list[str], list[list[str]]]] = {
    "by-ward": (["ward_code", "ward_name"],
                [[f"E05{20931 + i:06d}", w] for i, w in enumerate(WARDS)]),
    "by-lsoa": (["lsoa_code", "lsoa_name"],
                [[f"E01{33000 + i:06d}", f"Northmoor {i // 4 + 1:03d}{'ABCD'[i % 4]}"]
                 for i in range(60)]),
    "by-age-band": (["age_band"],
                    [[a] for a in ("0-15", "16-24", "25-34", "35-44", "45-54", "55-64",
                                   "65-74", "75-84", "85+")]),
    "by-tenure": (["tenure"],
                  [[t] for t in ("Owner occupied", "Private rented", "Council rented",
                                 "Housing association", "Temporary accommodation", "Other")]),
    "by-provider": (["provider_name"], [[p] for p in PROVIDERS]),
    "by-month": (["month"], []),  # the months before the version's date
    "by-quarter": (["quarter"], []),
    "by-locality": (["locality"],
                    [[x] for x in ("North", "South", "East", "West", "Central",
                                   "Northmoor Town", "Moorside Villages")]),
    "by-ethnicity": (["ethnic_group"],
                     [[e] for e in ("Asian or Asian British",
                                    "Black, Black British, Caribbean or African",
                                    "Mixed or multiple ethnic groups", "White",
                                    "Other ethnic group", "Not stated")]),
    "by-postcode-sector": (["postcode_sector"],
                           [[f"NM{d} {s}"] for d in range(1, 9) for s in range(1, 7)]),
}
TIME_COLUMNS = ["period", "reporting_period", "financial_year", "snapshot_date"]
# In every generated file and nowhere else in the corpus's text: a search for it counts the
# datasets whose column names are in the search index.
UNIQUE_COLUMN = "benchmark_row_id"
