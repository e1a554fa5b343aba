"""PDF: the HTML document through WeasyPrint, A4 landscape, the TrueType Kai font embedded.

Why "AR PL UKai TW" (settings.PDF_FONT_FAMILY): a TrueType font that WeasyPrint subsets in a
fraction of the time an OpenType/CFF font such as Noto Sans CJK TC takes (see README.md), with
Taiwanese glyph forms, in the Kai style of official documents."""

import weasyprint

from perfreport.reports.exporters.base import Exporter
from perfreport.reports.exporters.html import render_document
from perfreport.reports.selectors import ReportData


def html_to_pdf(html: str) -> bytes:
    """WeasyPrint's own render of an HTML string (the benchmark compares against this)."""
    return weasyprint.HTML(string=html).write_pdf()


class PdfExporter(Exporter):
    identifier = "pdf"
    runs_in_background = True
    label = "PDF"
    extension = "pdf"
    content_type = "application/pdf"

    def render_bytes(self, data: ReportData) -> bytes:
        return html_to_pdf(render_document(data))
