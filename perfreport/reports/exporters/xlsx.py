"""Excel: the shared sheet layout written by the app's one workbook writer
(strategies.workbook): text stays text, formulas carry their computed values, rows fit their
wrapped text, A4 landscape fitted to the page width with the header rows repeated, a draft or
version mark on the first row and in every printed page's header."""

from perfreport.reports.exporters.base import Exporter
from perfreport.reports.exporters.sheets import build_sheets, properties
from perfreport.reports.selectors import ReportData
from strategies.workbook import write_xlsx


class XlsxExporter(Exporter):
    identifier = "xlsx"
    label = "Excel"
    extension = "xlsx"
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    def render_bytes(self, data: ReportData) -> bytes:
        return write_xlsx(build_sheets(data), properties(data))
