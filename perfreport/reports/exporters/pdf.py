"""PDF: the HTML document through WeasyPrint, A4 landscape, the TrueType Kai font embedded.

Why "AR PL UKai TW" (settings.PDF_FONT_FAMILY): a TrueType font that WeasyPrint subsets in a
fraction of the time an OpenType/CFF font such as Noto Sans CJK TC takes (see README.md), with
Taiwanese glyph forms, in the Kai style of official documents.

The file is archival and accessible: PDF/A-3a (WeasyPrint's `pdf_variant`; level A implies a
tagged structure tree, so screen readers read the tables in order) with XMP metadata: title,
author (the organization), subject, language (zh-Hant-TW, from `<html lang>`) and creation date.
An issued file is then signed (`perfreport.reports.signing`) in an incremental update that
keeps the PDF/A declaration."""

from datetime import datetime
from functools import cache
from importlib.resources import files
from io import BytesIO
from typing import BinaryIO
from xml.etree.ElementTree import SubElement, fromstring, tostring

import weasyprint
from django.conf import settings
from django.utils import timezone
from weasyprint.css import ColorProfile
from weasyprint.pdf.metadata import NS, DocumentMetadata

from perfreport.reports.exporters.base import Exporter, Progress
from perfreport.reports.exporters.html import render_document
from perfreport.reports.selectors import ReportData

PDF_VARIANT = "pdf/a-3a"
GENERATOR = "perfreport"
# PDF/A needs an output intent. WeasyPrint's own "srgb" opens its ICC file and never closes it
# (a ResourceWarning per render), so the same profile is given here from bytes read once.
_OUTPUT_INTENT = "perfreport-srgb"


@cache
def _srgb_profile() -> bytes:
    return (files("weasyprint.pdf") / "sRGB2014.icc").read_bytes()


def html_to_pdf(html: str) -> bytes:
    """WeasyPrint's own render of an HTML string (the benchmark compares against this)."""
    return weasyprint.HTML(string=html).write_pdf()


class ArchivalMetadata(DocumentMetadata):
    """WeasyPrint's XMP, plus the document language as dc:language (WeasyPrint writes the
    language only into the catalog's /Lang)."""

    def generate_rdf_metadata(
        self, variant: str, version: int | None, conformance: str | None
    ) -> bytes:
        # WeasyPrint's own XML, not outside input.
        rdf = fromstring(super().generate_rdf_metadata(variant, version, conformance))  # noqa: S314
        if self.lang:
            description = SubElement(rdf, f"{{{NS['rdf']}}}Description")
            description.attrib[f"{{{NS['rdf']}}}about"] = ""
            bag = SubElement(
                SubElement(description, f"{{{NS['dc']}}}language"), f"{{{NS['rdf']}}}Bag"
            )
            SubElement(bag, f"{{{NS['rdf']}}}li").text = self.lang
        return tostring(rdf, encoding="utf-8")


def subject(data: ReportData) -> str:
    """經濟部標準檢驗局高雄分局 112 年度提升服務效能自行考核報告（第 1 版．2024-01-15 完成複評發布）"""
    return (
        f"{data.organization_name} {data.roc_year} 年度提升服務效能自行考核報告"
        f"（{data.issue_label}）"
    )


ARCHIVAL_OPTIONS = {"pdf_variant": PDF_VARIANT, "output_intent": _OUTPUT_INTENT}


def archival_document(
    html: str, *, title: str, author: str, about: str, created: datetime
) -> weasyprint.Document:
    """The HTML laid out by WeasyPrint as a PDF/A-3a document with the report's metadata;
    `write_pdf(**ARCHIVAL_OPTIONS)` writes it."""
    document = weasyprint.HTML(string=html).render(**ARCHIVAL_OPTIONS)
    document.color_profiles[_OUTPUT_INTENT] = ColorProfile(
        BytesIO(_srgb_profile()), "sRGB2014.icc", "relative-colorimetric", (["r"], ["g"], ["b"])
    )
    metadata = vars(document.metadata).copy()
    metadata.update(
        title=title,
        authors=[author],
        description=about,
        generator=GENERATOR,
        created=created.isoformat(timespec="seconds"),
    )
    document.metadata = ArchivalMetadata(**metadata)
    return document


def archival_pdf(html: str, *, title: str, author: str, about: str, created: datetime) -> bytes:
    """The HTML as PDF/A-3a with the report's metadata."""
    document = archival_document(html, title=title, author=author, about=about, created=created)
    return document.write_pdf(**ARCHIVAL_OPTIONS)


class PdfExporter(Exporter):
    identifier = "pdf"
    runs_in_background = True
    label = "PDF"
    extension = "pdf"
    content_type = "application/pdf"

    def render_bytes(self, data: ReportData) -> bytes:
        """One WeasyPrint render of the whole document, or (a large year) one per part, the
        parts joined (pdf_parts.py): the same pages either way."""
        buffer = BytesIO()
        self.write_bytes(data, buffer)
        return buffer.getvalue()

    def write_bytes(
        self, data: ReportData, stream: BinaryIO, progress: Progress | None = None
    ) -> None:
        from perfreport.reports.exporters import pdf_parts

        title, author, about = data.title, data.organization_name, subject(data)
        created = timezone.localtime(data.signed_off_at or timezone.now())
        parts = pdf_parts.split(data, settings.PDF_PART_ROWS)
        if len(parts) == 1:
            html = render_document(data)
            pdf = archival_pdf(html, title=title, author=author, about=about, created=created)
            stream.write(pdf)
        else:
            pdf_parts.render_joined(
                data,
                parts,
                stream,
                title=title,
                author=author,
                about=about,
                created=created,
                progress=progress,
            )
