"""Draft or issued: the one place the spreadsheets and documents ask which one a file is.

A file rendered while the report is issued carries its version and sign-off date; every other
render is a draft (草稿／未發布), marked on its first row and in the header of every printed page.
"""

from perfreport.reports.selectors import Release, ReportData

DRAFT = "草稿／未發布"


def release_of(data: ReportData) -> Release | None:
    """The issued version this render belongs to, or None for a draft."""
    return data.release


def status_text(data: ReportData) -> str:
    """草稿／未發布, or 第 2 版（2025-01-15 簽核）."""
    release = release_of(data)
    if release is None:
        return DRAFT
    return f"第 {release.version} 版（{release.signed_off_on.isoformat()} 簽核）"


def print_header(data: ReportData) -> str:
    """The text on top of every printed page."""
    return f"{data.organization_short_name or data.organization_name} {data.roc_year} 年度　{status_text(data)}"
