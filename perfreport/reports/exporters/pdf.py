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
from xml.etree.ElementTree import SubElement, fromstring, tostring

import weasyprint
from django.utils import timezone
from weasyprint.css import ColorProfile
from weasyprint.pdf.metadata import NS, DocumentMetadata

from perfreport.reports.exporters.base import Exporter
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


def archival_pdf(html: str, *, title: str, author: str, about: str, created: datetime) -> bytes:
    """The HTML as PDF/A-3a with the report's metadata."""
    options = {"pdf_variant": PDF_VARIANT, "output_intent": _OUTPUT_INTENT}
    document = weasyprint.HTML(string=html).render(**options)
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
    return document.write_pdf(**options)


class PdfExporter(Exporter):
    identifier = "pdf"
    runs_in_background = True
    label = "PDF"
    extension = "pdf"
    content_type = "application/pdf"

    def render_bytes(self, data: ReportData) -> bytes:
        return archival_pdf(
            render_document(data),
            title=data.title,
            author=data.organization_name,
            about=subject(data),
            created=timezone.localtime(data.signed_off_at or timezone.now()),
        )
