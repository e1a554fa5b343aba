"""HTML: a self-contained document in the seed's layout (its stylesheet inlined), printable as is.

The PDF renders the same document, so the two cannot differ in content."""

from functools import cache
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from perfreport.reports.exporters.base import Exporter
from perfreport.reports.selectors import ReportData

STYLESHEET = Path(__file__).resolve().parent.parent / "static" / "reports" / "report.css"


@cache
def stylesheet() -> str:
    return STYLESHEET.read_text(encoding="utf-8")


def render_document(data: ReportData) -> str:
    """The standalone report document (also the PDF's source), always in the seed's language
    so that a file does not depend on who downloaded it."""
    with translation.override(settings.LANGUAGE_CODE):
        return _render(data)


def _render(data: ReportData) -> str:
    return render_to_string(
        "reports/document.html",
        {
            "report": data,
            "stylesheet": stylesheet(),
            "font_family": settings.PDF_FONT_FAMILY,
            "standalone": True,
        },
    )


class HtmlExporter(Exporter):
    identifier = "html"
    label = "HTML"
    extension = "html"
    content_type = "text/html; charset=utf-8"

    def render_bytes(self, data: ReportData) -> bytes:
        return render_document(data).encode("utf-8")
