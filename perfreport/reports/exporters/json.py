"""JSON: the whole organization-year in the documented, versioned schema (json_schema.py)."""

from perfreport.reports import json_schema
from perfreport.reports.exporters.base import Exporter
from perfreport.reports.selectors import ReportData


class JsonExporter(Exporter):
    identifier = "json"
    label = "JSON"
    extension = "json"
    content_type = "application/json"
    needs_entries = True

    def render_bytes(self, data: ReportData) -> bytes:
        return json_schema.dumps(json_schema.to_document(data))
