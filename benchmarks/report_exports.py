"""Time the year-end report's exports: the 112 report and a synthetic year ten times its size.

    python benchmarks/report_exports.py [--repeat N]

Uses a temporary SQLite database (migrated, khh_112 loaded, a 10x year built in a second
branch so that neither year has earlier years). Prints per format and size: queries, time
(best of N), file size; the 10x/1x time ratio (aim <= 12, i.e. linear or better); and the PDF
overhead: our PDF export (selector + template + WeasyPrint) over WeasyPrint's own render of the
same HTML string (aim <= 1.2), the issued (signed) PDF's, and the PDF rendered in five parts and
joined, as a year of more than PDF_PART_ROWS rows is (aim <= 1.1).
"""

import argparse
import gc
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = tempfile.mkdtemp(prefix="perfreport-bench-")
os.environ["DJANGO_SETTINGS_MODULE"] = "perfreport.settings"
os.environ["PERFREPORT_TESTING"] = "1"
os.environ["DATABASE_URL"] = f"sqlite:///{TMP}/bench.sqlite3"
os.environ.setdefault("MEDIA_ROOT", f"{TMP}/media")
# Issued PDFs are signed: a throwaway self-signed key in the temporary folder.
os.environ["SIGNING_PKCS12"] = f"{TMP}/bench-signing.p12"
BENCH_PASSPHRASE = "benchmark"  # noqa: S105 - a throwaway key made for this run
os.environ["SIGNING_PKCS12_PASSPHRASE"] = BENCH_PASSPHRASE

import django  # noqa: E402
import weasyprint  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from benchmarks import synthetic  # noqa: E402
from perfreport.reports.demo_key import write_self_signed_pkcs12  # noqa: E402
from perfreport.reports.exporters import EXPORTERS, pdf_parts  # noqa: E402
from perfreport.reports.exporters.html import render_document  # noqa: E402
from perfreport.reports.exporters.pdf import PDF_VARIANT, html_to_pdf  # noqa: E402
from perfreport.reports.selectors import build_report  # noqa: E402
from perfreport.reports.signing import sign_pdf  # noqa: E402
from strategies.models import Item, Organization, Year  # noqa: E402


def export(year: Year, identifier: str) -> tuple[int, float, int]:
    """(queries, seconds, bytes) of one export from the database to the file's bytes."""
    exporter = EXPORTERS[identifier]
    gc.collect()
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        data = build_report(year, include_entries=exporter.needs_entries)
        _name, _type, content = exporter.render(data)
        elapsed = time.perf_counter() - start
    return len(ctx.captured_queries), elapsed, len(content)


def best(func, repeat: int):  # type: ignore[no-untyped-def]
    results = [func() for _ in range(repeat)]
    return min(results, key=lambda r: r[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (best)")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    call_command("loaddata", "khh_112", verbosity=0)
    seed = Year.objects.get(organization__code="khh", roc_year=112)
    khh = seed.organization
    branch = Organization.objects.create(
        code="big", name="合成分局（10 倍）", short_name="合成分局", parent=khh.parent
    )
    small_branch = Organization.objects.create(
        code="one", name="合成分局（1 倍）", short_name="合成一倍", parent=khh.parent
    )
    small = synthetic.build_year(small_branch, 112, scale=1, with_entries=True)
    start = time.perf_counter()
    large = synthetic.build_year(branch, 112, scale=10, with_entries=True)
    built = time.perf_counter() - start
    years = {"seed": seed, "1x": small, "10x": large}
    items = {
        label: Item.objects.filter(method__strategy__dimension__year=y).count()
        for label, y in years.items()
    }
    print(f"database: {TMP}/bench.sqlite3 (SQLite)")
    print(
        f"seed: khh 112, {items['seed']} items; 1x and 10x: synthetic years of the seed's shape, "
        f"{items['1x']} and {items['10x']} items, one monthly entry each "
        f"(10x built in {built:.1f} s)"
    )
    # The first WeasyPrint render loads fonts and caches; keep it out of the figures.
    html_to_pdf(render_document(build_report(seed)))
    print(f"best of {args.repeat} runs; 10x/1x compares the synthetic years (same text)\n")
    print(
        f"{'format':6} {'queries seed/1x/10x':>20} {'time seed':>10} {'1x':>8} {'10x':>8}"
        f" {'10x/1x':>7} {'size seed':>10} {'1x':>9} {'10x':>10}"
    )
    for identifier in EXPORTERS:
        figures = {
            label: best(lambda y=y, i=identifier: export(y, i), args.repeat)
            for label, y in years.items()
        }
        queries = "/".join(str(figures[label][0]) for label in years)
        t = {label: f[1] for label, f in figures.items()}
        size = {label: f[2] for label, f in figures.items()}
        print(
            f"{identifier:6} {queries:>20} {t['seed']:>9.3f}s {t['1x']:>7.3f}s {t['10x']:>7.3f}s"
            f" {t['10x'] / t['1x']:>7.2f} {size['seed']:>10,} {size['1x']:>9,} {size['10x']:>10,}"
        )

    print("\nPDF overhead (our export / WeasyPrint alone on the same HTML string, interleaved;")
    print("our part = selector + template, measured on its own):")
    weasy_alone = {}
    for label, year in years.items():
        html = render_document(build_report(year))
        ours, weasy, own = [], [], []
        for _ in range(args.repeat):
            ours.append(_timed(lambda year=year: EXPORTERS["pdf"].render(build_report(year))))
            weasy.append(_timed(lambda html=html: html_to_pdf(html)))
            own.append(_timed(lambda year=year: render_document(build_report(year))))
        weasy_alone[label] = min(weasy)
        print(
            f"  {label:4}: ours {min(ours):.3f} s, WeasyPrint {min(weasy):.3f} s, "
            f"ratio {min(ours) / min(weasy):.3f}; our part {min(own):.3f} s, "
            f"(WeasyPrint + our part) / WeasyPrint = {(min(weasy) + min(own)) / min(weasy):.3f}"
        )
    print(f"  WeasyPrint alone, 10x/1x: {weasy_alone['10x'] / weasy_alone['1x']:.2f}")

    # A year of more than PDF_PART_ROWS rows renders in parts, joined (pdf_parts.py); the 1x
    # and 10x years are one part each at the default, so the parts are forced smaller here.
    print(
        "\nThe PDF in parts (the parts' renders, the page furniture and the join) over"
        "\nWeasyPrint alone on the whole HTML, CPU time of this process:"
    )
    for label, rows in PARTS_ROWS.items():
        year = years[label]
        html = render_document(build_report(year))
        with override_settings(PDF_PART_ROWS=rows):
            data = build_report(year)
            parts = len(pdf_parts.split(data, rows))
            weasy, joined = [], []
            for _ in range(args.repeat):
                weasy.append(_cpu(lambda html=html: html_to_pdf(html)))
                joined.append(_cpu(lambda year=year: EXPORTERS["pdf"].render(build_report(year))))
        print(
            f"  {label:4}: {parts} parts of <= {rows} rows {min(joined):.3f} s, "
            f"WeasyPrint {min(weasy):.3f} s, "
            f"ratio {min(joined) / min(weasy):.3f}"
        )

    print(
        "\nThe issued PDF: ours (PDF/A-3a, tagged) + the PAdES signature, over WeasyPrint alone;"
        "\nCPU time of this process (the machine is shared: wall-clock ratios swing by ±30 %):"
    )
    write_self_signed_pkcs12(
        Path(os.environ["SIGNING_PKCS12"]), passphrase=BENCH_PASSPHRASE, organization=khh.name
    )
    for label, year in years.items():
        html = render_document(build_report(year))
        pdf = EXPORTERS["pdf"].render(build_report(year))[2]
        weasy, weasy_a, signed = [], [], []
        for _ in range(args.repeat):
            weasy.append(_cpu(lambda html=html: html_to_pdf(html)))
            weasy_a.append(
                _cpu(lambda html=html: weasyprint.HTML(string=html).write_pdf(**ARCHIVAL))
            )
            signed.append(
                _cpu(
                    lambda year=year: sign_pdf(
                        EXPORTERS["pdf"].render(build_report(year))[2], reason="benchmark"
                    )
                )
            )
        sign_alone = min(_cpu(lambda pdf=pdf: sign_pdf(pdf, reason="benchmark")) for _ in range(3))
        print(
            f"  {label:4}: issued {min(signed):.3f} s, WeasyPrint {min(weasy):.3f} s, "
            f"ratio {min(signed) / min(weasy):.3f}; WeasyPrint with PDF/A-3a (tagged) "
            f"{min(weasy_a):.3f} s, ratio {min(signed) / min(weasy_a):.3f}; "
            f"the signature alone {sign_alone:.3f} s"
        )


# Rows per part for the parts' lines: five parts each (the default bound makes both one part).
PARTS_ROWS = {"1x": 10, "10x": 100}

# WeasyPrint's own render with the same archival options (its sRGB output intent).
ARCHIVAL = {"pdf_variant": PDF_VARIANT}


def _cpu(func) -> float:  # type: ignore[no-untyped-def]
    gc.collect()
    start = time.process_time()
    func()
    return time.process_time() - start


def _timed(func) -> float:  # type: ignore[no-untyped-def]
    gc.collect()
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
