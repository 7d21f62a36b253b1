"""Finance's demo datasets."""

from __future__ import annotations

from catalogue.demo import data_finance as data
from catalogue.demo.spec import dataset, metadata

FINANCE = [
    dataset("finance/council-tax-collection", metadata(
        "Council tax collection by band", "gareth sophie", "council tax, collection, income",
        """
        Net collectable debit and the amount collected so far this financial year, by band, as
        an Excel workbook (sheet `Collection`) for the monthly budget monitoring pack.
        """, update_frequency="Monthly", temporal_coverage="Current financial year to date"),
        [(265, "gareth", "Add council tax collection to {month}"),
         (25, "sophie", "Council tax collection to {month}")], data.council_tax_collection),
    dataset("finance/spend-over-500", metadata(
        "Spend over £500", "sophie gareth", "spending, transparency, suppliers",
        """
        Every payment to a supplier of £500 or more, as the Local Government Transparency
        Code 2015 requires. Payments to individuals are excluded.
        """, update_frequency="Monthly", temporal_coverage="Latest 12 months",
        source_system="Unit4 ERP (accounts payable)"),
        [(245, "sophie", "Add payments over £500 for {month}"),
         (140, "gareth", "Add payments over £500 for {month}"),
         (20, "sophie", "Add payments over £500 for {month}")], data.spend_over_500),
    dataset("finance/council-tax-base", metadata(
        "Council tax base by ward and band", "gareth", "council tax, tax base, dwellings",
        "Dwellings, single person discounts and Band D equivalents, from the CTB return.",
        update_frequency="Annually", temporal_coverage="October of the current year"),
        [(225, "gareth", "Add council tax base (CTB return)")], data.council_tax_base),
]
