"""Every page at 1x, 10x and 100x the seed: queries, server time and HTML size.

    python benchmarks/pages.py [--scale 1 10 100] [--repeat 2] [--hq 7 200]
                               [--database-url postgres://...]

In-process (Django's test client, no network): each scale is its own organization holding an
open year of the seed's shape at that multiple (synthetic.build_year: 47 items at 1x, 4,700 at
100x) with an entry for every (item, host unit, month) up to November (synthetic.fill_entries:
225,600 entries at 100x) and 10 members per 1x. Then every page is requested as the role that
uses it; the figures are the best of --repeat runs. Last, the headquarters comparison with
--hq organizations of seed size (one closed, scored year each).

SQLite in a temporary directory by default. With --database-url the database given is FLUSHED
(every row deleted) and migrated: give it a database of its own (e.g. wt_perf_bench).

Aims (issue "fast at any size"): time at 100x <= 2x the time at 1x, HTML <= 300 KB at any size
(the report page is a document and is exempt: its size is printed).
"""

import argparse
import atexit
import gc
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


TMP = tempfile.mkdtemp(prefix="perfreport-pages-")  # the SQLite file and media; removed at exit
atexit.register(shutil.rmtree, TMP, ignore_errors=True)


def configure(database_url: str | None) -> str:
    tmp = TMP
    os.environ["DJANGO_SETTINGS_MODULE"] = "perfreport.settings"
    os.environ["PERFREPORT_TESTING"] = "1"
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{tmp}/pages.sqlite3"
    os.environ.setdefault("MEDIA_ROOT", f"{tmp}/media")
    import django

    django.setup()
    return os.environ["DATABASE_URL"]


def build_scale(scale: int, roc_year: int):  # type: ignore[no-untyped-def]
    """An organization with a year `scale` times the seed, filled, and its four actors."""
    from django.contrib.auth import get_user_model

    from benchmarks import synthetic
    from strategies.models import Membership, Organization, Unit, Year

    User = get_user_model()
    hq = Organization.objects.get(code="hq")
    org = Organization.objects.create(
        code=f"s{scale}", name=f"合成分局（{scale} 倍）", short_name=f"合成{scale}倍", parent=hq
    )
    year = synthetic.build_year(org, roc_year, scale=scale, status=Year.Status.OPEN)
    entries = synthetic.fill_entries(year)
    unit = Unit.objects.get(organization=org, name="度量衡科")
    units = list(Unit.objects.filter(organization=org).order_by("order"))
    Role = Membership.Role
    actors = {}
    for role in (Role.STAFF, Role.HEAD, Role.AUDITOR, Role.ADMIN):
        user = User.objects.create(username=f"s{scale}-{role}", first_name=f"{role} {scale}")
        Membership.objects.create(
            user=user,
            organization=org,
            unit=unit if role in (Role.STAFF, Role.HEAD) else None,
            role=role,
        )
        actors[role] = user
    # The users page: 10 members per 1x (plus the four above).
    people = User.objects.bulk_create(
        User(username=f"s{scale}-member-{n:05d}", first_name=f"同仁{n}", last_name="王")
        for n in range(10 * scale)
    )
    Membership.objects.bulk_create(
        Membership(
            user=user, organization=org, unit=units[n % len(units)], role=Membership.Role.STAFF
        )
        for n, user in enumerate(people)
    )
    return org, year, actors, entries


def pages(org, year, actors) -> list[tuple[str, str, object]]:  # type: ignore[no-untyped-def]
    """(label, url, user) of every page, as the role that uses it."""
    from django.urls import reverse

    from strategies.models import Item, Membership, MonthlyEntry

    Role = Membership.Role
    staff = actors[Role.STAFF]
    unit_id = staff.membership.unit_id
    entry = (
        MonthlyEntry.objects.filter(item__method__strategy__dimension__year=year, unit_id=unit_id)
        .order_by("item__pk", "month")
        .first()
    )
    item = Item.objects.get(pk=entry.item_id)
    code, roc = org.code, year.roc_year
    return [
        ("home: staff", reverse("home"), staff),
        ("home: head", reverse("home"), actors[Role.HEAD]),
        ("home: auditor", reverse("home"), actors[Role.AUDITOR]),
        ("home: admin", reverse("home"), actors[Role.ADMIN]),
        ("my work: staff", reverse("strategies:my-work"), staff),
        ("my work: admin", reverse("strategies:my-work"), actors[Role.ADMIN]),
        (
            "entry form",
            reverse("strategies:entry-edit", args=[item.pk, unit_id, entry.month]),
            staff,
        ),
        ("item history", reverse("strategies:item-history", args=[item.pk]), staff),
        ("review page", reverse("scoring:review", args=[code, roc]), actors[Role.AUDITOR]),
        ("score sheet", reverse("scoring:score-sheet", args=[code, roc]), actors[Role.AUDITOR]),
        ("plan editor", reverse("manage:plan", args=[year.pk]), actors[Role.ADMIN]),
        ("users", reverse("manage:users"), actors[Role.ADMIN]),
        ("report page", reverse("reports:report", args=[code, roc]), actors[Role.AUDITOR]),
    ]


def measure(client, url: str, repeat: int) -> tuple[int, float, int]:  # type: ignore[no-untyped-def]
    """(queries, best seconds, bytes) of GET url, after one unmeasured request (warm-up)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    best = None
    for _ in range(repeat):
        gc.collect()
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - start
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
        figures = (len(ctx.captured_queries), elapsed, len(response.content))
        if best is None or figures[1] < best[1]:
            best = figures
    return best  # type: ignore[return-value]


def hq_figures(counts: list[int], repeat: int) -> list[tuple[int, int, float, int]]:
    """The headquarters comparison with each number of branches of seed size."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from benchmarks import synthetic
    from strategies.models import Membership, Organization

    hq = Organization.objects.create(
        code="nat", name="全國總局", short_name="總局", is_headquarters=True
    )
    user = get_user_model().objects.create(username="nat-auditor")
    Membership.objects.create(user=user, organization=hq, role=Membership.Role.AUDITOR)
    client = Client()
    client.force_login(user)
    made, rows = 0, []
    for count in sorted(counts):
        for n in range(made, count):
            branch = Organization.objects.create(
                code=f"b{n:03d}", name=f"第{n}分局", short_name=f"分局{n}", parent=hq
            )
            synthetic.build_year(branch, 112)
        made = count
        queries, seconds, size = measure(client, reverse("scoring:hq-comparison"), repeat)
        rows.append((count, queries, seconds, size))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--repeat", type=int, default=2, help="runs per page (best)")
    parser.add_argument("--hq", type=int, nargs="*", default=[7, 200], help="branches (0: skip)")
    parser.add_argument("--database-url", help="a database of its own: it is flushed")
    args = parser.parse_args()
    if not all(1 <= s <= 200 for s in args.scale):
        parser.error("scales 1..200")
    url = configure(args.database_url)

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from strategies import deadlines
    from strategies.models import Organization

    call_command("migrate", verbosity=0)
    if args.database_url:
        call_command("flush", interactive=False, verbosity=0)
    Organization.objects.create(
        code="hq", name="合成總局", short_name="合成總局", is_headquarters=True
    )
    roc_year = deadlines.today_in_taipei().year - deadlines.ROC_OFFSET
    print(f"database: {connection.vendor} ({url.split('@')[-1]})")
    print(
        f"year: an open ROC {roc_year} (today {deadlines.today_in_taipei()}), best of {args.repeat}"
    )

    results: dict[int, dict[str, tuple[int, float, int]]] = {}
    labels: list[str] = []
    for scale in args.scale:
        start = time.perf_counter()
        org, year, actors, entries = build_scale(scale, roc_year)
        print(f"{scale}x: {entries:,} entries, built in {time.perf_counter() - start:.1f} s")
        results[scale] = {}
        for label, page_url, user in pages(org, year, actors):
            client = Client()
            client.force_login(user)
            results[scale][label] = measure(client, page_url, args.repeat)
            if label not in labels:
                labels.append(label)

    scales = args.scale
    head = f"\n{'page':16}" + "".join(
        f" {f'{s}x q':>6} {f'{s}x ms':>9} {f'{s}x KB':>8}" for s in scales
    )
    if len(scales) > 1:
        head += f" {f'{scales[-1]}x/{scales[0]}x':>9}"
    print(head)
    for label in labels:
        line = f"{label:16}"
        for s in scales:
            q, t, size = results[s][label]
            line += f" {q:>6} {t * 1000:>9.1f} {size / 1024:>8.1f}"
        if len(scales) > 1:
            ratio = results[scales[-1]][label][1] / results[scales[0]][label][1]
            line += f" {ratio:>9.2f}"
        print(line)

    hq = [c for c in args.hq if c > 0]
    if hq:
        print(f"\n{'HQ comparison':16} {'queries':>8} {'ms':>9} {'KB':>8}")
        figures = hq_figures(hq, args.repeat)
        for count, q, t, size in figures:
            print(f"{f'{count} branches':16} {q:>8} {t * 1000:>9.1f} {size / 1024:>8.1f}")
        if len(figures) > 1:
            print(
                f"time {figures[-1][0]}/{figures[0][0]} branches: {figures[-1][2] / figures[0][2]:.2f}"
            )


if __name__ == "__main__":
    main()
