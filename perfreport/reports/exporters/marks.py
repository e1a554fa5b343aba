"""Draft or issued: the one place the spreadsheets and documents ask which one a file is.

A file rendered by the issuing job carries its version and sign-off date; every other render is
a draft (草稿／未發布), marked on its first row and in the header of every printed page. The
words are ReportData.issue_label, the same as the PDF's and the HTML page's.
"""

from perfreport.reports.selectors import ReportData


def status_text(data: ReportData) -> str:
    """草稿／未發布, or 第 2 版．2024-01-15 完成複評發布."""
    return data.issue_label


def print_header(data: ReportData) -> str:
    """The text on top of every printed page."""
    return f"{data.organization_short_name or data.organization_name} {data.roc_year} 年度　{status_text(data)}"
