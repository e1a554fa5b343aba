"""HTML: a self-contained document in the seed's layout (its stylesheet inlined), printable as is.

The PDF renders the same document, so the two cannot differ in content."""

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from perfreport.reports.exporters.base import Exporter
from perfreport.reports.selectors import ReportData

if TYPE_CHECKING:
    from perfreport.reports.exporters.pdf_parts import Part

STYLESHEET = Path(__file__).resolve().parent.parent / "static" / "reports" / "report.css"


@cache
def stylesheet() -> str:
    return STYLESHEET.read_text(encoding="utf-8")


def render_document(data: ReportData, *, part: "Part | None" = None) -> str:
    """The standalone report document (also the PDF's source), always in the seed's language
    so that a file does not depend on who downloaded it. With `part`, only that part's sections
    (a large year's PDF is rendered in parts: pdf_parts.py), without the pages' header and
    footer."""
    return _render_in_seed_language("reports/document.html", data, standalone=True, part=part)


def render_page_furniture(data: ReportData, pages: int, page_css: str) -> str:
    """`pages` empty pages with the document's running header and page footer (the report's own
    @page rules, then `page_css`), to be stamped onto a PDF joined from parts."""
    return _render_in_seed_language(
        "reports/page_furniture.html", data, breaks=range(pages - 1), page_css=page_css
    )


def _render_in_seed_language(template: str, data: ReportData, **context: object) -> str:
    """A report template with the document's stylesheet and font, in the seed's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(
            template,
            {
                "report": data,
                "stylesheet": stylesheet(),
                "font_family": settings.PDF_FONT_FAMILY,
                **context,
            },
        )


class HtmlExporter(Exporter):
    identifier = "html"
    label = "HTML"
    extension = "html"
    content_type = "text/html; charset=utf-8"

    def render_bytes(self, data: ReportData) -> bytes:
        return render_document(data).encode("utf-8")
