"""JSON: the whole organization-year in the documented, versioned schema (json_schema.py)."""

import io

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
        # Written piece by piece into one buffer, whose bytes are returned without a copy.
        buffer = io.BytesIO()
        json_schema.write(json_schema.to_document(data), buffer)
        return buffer.getvalue()
