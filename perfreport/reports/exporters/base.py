"""The shape every export shares: an identifier, a label, and `render(data)` returning
`(filename, content_type, bytes)`; `filename` is the Chinese name offered to the browser and
`ascii_filename(data)` its ASCII fallback. Every format marks a draft (`data.is_draft`) on each
page or sheet with `data.issue_label`, and an issued version with the same label. The browser download, the management command and issuing
all go through `EXPORTERS`, so a format is written by exactly one piece of code."""

from collections.abc import Callable
from typing import BinaryIO, ClassVar

from django.conf import settings
from django.utils import translation

from perfreport.reports.selectors import ReportData

Rendered = tuple[str, str, bytes]
# Told (parts done, parts) by a format rendered in parts (a large year's PDF): the job's page.
Progress = Callable[[int, int], None]


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
        """The name offered to the browser: 高雄分局112年度提升服務效能執行績效與成果-v1.pdf
        (a draft ends in "-draft")."""
        return f"{data.file_stem}.{self.extension}"

    def ascii_filename(self, data: ReportData) -> str:
        """Its ASCII fallback and the name on disk: khh-112-service-performance-v1.pdf."""
        return f"{data.ascii_file_stem}.{self.extension}"

    def render(self, data: ReportData) -> Rendered:
        """Always in the seed's language: a file does not depend on who downloaded it."""
        with translation.override(settings.LANGUAGE_CODE):
            return self.filename(data), self.content_type, self.render_bytes(data)

    def write(self, data: ReportData, stream: BinaryIO, progress: Progress | None = None) -> None:
        """The file's bytes written to a binary stream (the issuing job's file), in the seed's
        language. A format that can write piece by piece overrides `write_bytes`, so that a
        large file is never held whole in memory."""
        with translation.override(settings.LANGUAGE_CODE):
            self.write_bytes(data, stream, progress)

    def write_bytes(
        self, data: ReportData, stream: BinaryIO, progress: Progress | None = None
    ) -> None:
        stream.write(self.render_bytes(data))

    def render_bytes(self, data: ReportData) -> bytes:
        raise NotImplementedError
