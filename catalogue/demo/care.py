"""Demo datasets of Adult Social Care (one imported from the NHS trust), Children's Services."""

from __future__ import annotations

from catalogue.demo import data_care as data
from catalogue.demo.spec import dataset, metadata

ADULT_SOCIAL_CARE = [
    dataset("adult-social-care/care-packages", metadata(
        "Adult social care packages and costs", "margaret david", "social care, care packages",
        """
        Long-term care packages funded by the council at each month end, by service type and
        primary support reason, with the average weekly cost per package.

        ## Source
        - Mosaic case management system; costs from the Controcc payments system.

        ## Caveats
        - Packages for people who fund their own care are not included.
        """, update_frequency="Monthly", temporal_coverage="Latest 18 months"),
        [(270, "margaret", "Add care packages to {month}"),
         (160, "david", "Add care packages to {month}; 2026/27 fee uplift applied"),
         (50, "margaret", "Add care packages to {month}")], data.care_packages),
    dataset("adult-social-care/care-home-placements", metadata(
        "Care homes: beds, fees and council-funded residents", "david",
        "care homes, CQC, social care",
        "Care homes in the borough with their CQC rating, registered beds, council-funded "
        "residents and the council's usual weekly fee.",
        update_frequency="Quarterly", derived_from=["https://www.cqc.org.uk/about-us/transparency/using-cqc-data"]),
        [(240, "david", "Add care home placements and fees")], data.care_home_placements),
    dataset("adult-social-care/safeguarding-concerns", metadata(
        "Adult safeguarding concerns and enquiries", "margaret", "safeguarding, social care",
        """
        Safeguarding concerns received and Section 42 enquiries started, by type of abuse.
        Aggregated, but small counts could identify people: **do not share outside the
        department** without the Safeguarding Adults Board's agreement.
        """, classification="OFFICIAL-SENSITIVE", update_frequency="Quarterly",
        temporal_coverage="Latest eight financial quarters", discoverable=True),
        [(220, "margaret", "Add safeguarding concerns to {quarter}"),
         (120, "margaret", "Add safeguarding concerns to {quarter}")],
        data.safeguarding_concerns),
    dataset("adult-social-care/care-provider-directory", metadata(
        "Care provider directory", "david", "providers, home care, directory",
        "Providers the council commissions, as JSON for the *Find care* web pages.",
        update_frequency="When providers change"),
        [(205, "david", "Add care provider directory (JSON for the Find care pages)")],
        data.care_provider_directory),
    dataset("adult-social-care/hospital-discharge-delays", metadata(
        "Hospital discharge delays (Riverbank NHS FT)", "david margaret",
        "hospital discharge, NHS, social care",
        """
        Patients medically fit for discharge from Riverbank hospitals but still in a bed,
        by discharge pathway and reason, **imported with `dvc import`** from the Riverbank NHS
        Foundation Trust's registry under the data sharing agreement.

        Update with `dvc update hospital-discharge-delays/delayed_discharges.csv.dvc`.
        """, update_frequency="Weekly", temporal_coverage="Latest 26 weeks",
        spatial_coverage="Northmere residents in Riverbank NHS Foundation Trust hospitals",
        data_sharing_agreement="DSA-2025-014 (Riverbank NHS FT and Northmere BC)"),
        [(15, "david", "Import delayed discharges from the Riverbank NHS FT registry")],
        imports=("integrated-care/delayed-discharges/delayed_discharges.csv",
                 "delayed_discharges.csv")),
]


CHILDRENS_SERVICES = [
    dataset("childrens-services/children-in-care", metadata(
        "Children in care: placements (child level)", "hannah yusuf",
        "looked after children, placements, children's services",
        """
        One row per child looked after by the council on the snapshot date (the SSDA903
        return's population): legal status, placement type and distance from home.

        ## Handling
        - **Personal data** about children: pseudonymised (`child_ref`), but dates of birth and
          placement details make re-identification possible.
        - Visible to Children's Services only. Never release; publish only the DfE aggregates.
        """, classification="OFFICIAL-SENSITIVE", personal_data=True, visibility="department",
        update_frequency="Monthly", temporal_coverage="Month-end snapshot",
        retention="Until the child's 75th birthday (Children Act 1989 records)"),
        [(260, "hannah", "Add children in care snapshot at the end of {month}"),
         (150, "yusuf", "Monthly children in care snapshot for {month}"),
         (45, "hannah", "Children in care snapshot for {month}")], data.looked_after_children),
    dataset("childrens-services/school-places", metadata(
        "School places: capacity, pupils on roll and forecasts", "yusuf hannah",
        "schools, school places, SCAP, education",
        """
        Capacity and pupils on roll for every state-funded school, by planning area, as sent to
        the DfE in the School Capacity (SCAP) survey.

        ## Columns
        - `basis`: `October census`, `January census` or `Forecast`.
        - `surplus_pct`: the DfE expects 2–5% surplus for parental choice.
        """, update_frequency="Termly", temporal_coverage="Current academic year and forecasts"),
        [(285, "yusuf", "Add school capacity (SCAP) for {academic_year}"),
         (190, "hannah", "Update pupils on roll from the January census"),
         (70, "yusuf", "Add five-year pupil place forecasts")], data.school_places),
    dataset("childrens-services/early-years-funding", metadata(
        "Funded early education for two-year-olds: take-up", "hannah",
        "early years, childcare, funded places",
        "Eligible two-year-olds (from the DWP list) and funded places taken, by ward.",
        update_frequency="Termly", temporal_coverage="Spring term"),
        [(200, "hannah", "Add spring term take-up of funded places for two-year-olds")],
        data.early_years_take_up),
    dataset("childrens-services/ehcp-plans", metadata(
        "Education, health and care plans by primary need", "yusuf", "SEND, EHCP, education",
        "EHC plans maintained each January and new plans issued, by primary need (SEN2).",
        update_frequency="Annually", temporal_coverage="Latest five calendar years"),
        [(175, "yusuf", "Add EHC plans by primary need (SEN2 return)")], data.send_ehcps),
]
