"""JSON: the whole organization-year in the documented, versioned schema (json_schema.py)."""

import io
from typing import BinaryIO

from perfreport.reports import json_schema
from perfreport.reports.exporters.base import Exporter, Progress
from perfreport.reports.selectors import ReportData


class JsonExporter(Exporter):
    identifier = "json"
    label = "JSON"
    extension = "json"
    content_type = "application/json"
    needs_entries = True

    def write_bytes(
        self, data: ReportData, stream: BinaryIO, progress: Progress | None = None
    ) -> None:
        # Written piece by piece: the issuing job streams a year's 100 MB straight to its file.
        json_schema.write(json_schema.to_document(data), stream)

    def render_bytes(self, data: ReportData) -> bytes:
        # Into one buffer, whose bytes are returned without a copy.
        buffer = io.BytesIO()
        self.write_bytes(data, buffer)
        return buffer.getvalue()
