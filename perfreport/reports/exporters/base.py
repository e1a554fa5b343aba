"""The shape every export shares: an identifier, a label, and `render(data)` returning
`(filename, content_type, bytes)`. The browser download, the management command and issuing
all go through `EXPORTERS`, so a format is written by exactly one piece of code."""

from typing import ClassVar

from perfreport.reports.selectors import ReportData

Rendered = tuple[str, str, bytes]


class Exporter:
    identifier: ClassVar[str]
    label: ClassVar[str]
    extension: ClassVar[str]
    content_type: ClassVar[str]
    # The JSON file carries the monthly entries; the documents do not need them.
    needs_entries: ClassVar[bool] = False
    # Takes seconds: the browser starts it as a background job and follows its progress.
    runs_in_background: ClassVar[bool] = False

    def filename(self, data: ReportData) -> str:
        return f"{data.slug}.{self.extension}"

    def render(self, data: ReportData) -> Rendered:
        return self.filename(data), self.content_type, self.render_bytes(data)

    def render_bytes(self, data: ReportData) -> bytes:
        raise NotImplementedError
