"""The report's exporters, by identifier, in the order the report page offers them."""

from perfreport.reports.exporters.base import Exporter, Rendered
from perfreport.reports.exporters.docx import DocxExporter
from perfreport.reports.exporters.html import HtmlExporter
from perfreport.reports.exporters.json import JsonExporter
from perfreport.reports.exporters.ods import OdsExporter
from perfreport.reports.exporters.odt import OdtExporter
from perfreport.reports.exporters.pdf import PdfExporter
from perfreport.reports.exporters.xlsx import XlsxExporter

EXPORTERS: dict[str, Exporter] = {
    exporter.identifier: exporter
    for exporter in (
        HtmlExporter(),
        PdfExporter(),
        XlsxExporter(),
        OdsExporter(),
        OdtExporter(),
        DocxExporter(),
        JsonExporter(),
    )
}

__all__ = ["EXPORTERS", "Exporter", "Rendered", "get_exporter"]


def get_exporter(identifier: str) -> Exporter:
    """The exporter for a format; KeyError names the known ones."""
    try:
        return EXPORTERS[identifier]
    except KeyError:
        known = "、".join(EXPORTERS)
        raise KeyError(f"不支援的格式「{identifier}」，可用的格式：{known}") from None
