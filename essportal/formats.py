"""Dates as Dutch readers write them (dd-mm-jjjj), defined once for pages, mails, PDFs and forms."""

import datetime

DATE_FORMAT = "%d-%m-%Y"
# What date fields accept: the Dutch way, ISO, and with slashes. No two-digit years: "01-02-03"
# is no way to enter a birth date.
DATE_INPUT_FORMATS = [DATE_FORMAT, "%Y-%m-%d", "%d/%m/%Y"]


def format_date(value: datetime.date) -> str:
    return value.strftime(DATE_FORMAT)
