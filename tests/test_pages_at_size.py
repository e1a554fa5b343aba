"""Every page reads the same number of queries at 1x, 10x and 100x the seed, and stays small.

A synthetic open year of the seed's shape (benchmarks.synthetic) with entries in four
months of every (item, host unit), built in bulk; each page requested as the role that uses it.
The staff and head home pages show each list a page at a time, so they are size-checked too.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from benchmarks import synthetic
from strategies import deadlines
from strategies.models import Item, Membership, MonthlyEntry, Unit, Year
from tests import factories

Role = Membership.Role
MAX_HTML = 300 * 1024
# Queries per page, the same at every size.
# Per page, no session write (it is written at most once a minute: perfreport/session_refresh.py)
# and the membership read with its organization and unit (the header) in one query.
PINNED = {  # each page's count includes the nav badge's unread-notice count (1)
    # each list a page at a time, counted from the stored counts, the plan items and entries
    # of every list's rows read once (see test_dashboard_queries)
    "home: staff": 21,
    "home: head": 22,
    "home: auditor": 23,
    "home: admin": 19,  # the overdue pairs paged as the staff's; deputy list; plan items once
    # all its (item, unit) ids in one query, paged in Python (no count query)
    "my work: staff": 14,
    "my work: admin": 14,
    "my work: keyword": 15,
    "my work: overdue": 14,
    "entry form": 14,  # the unit from the item's host units
    "item history": 12,
    "review page": 15,
    "score sheet": 11,
    "plan editor": 15,  # every strategy's place as plain rows, the page's in full
    "users": 7,  # with the directory users waiting for a role
}
NOT_SIZE_CHECKED: set[str] = set()


def build(hq, scale: int):
    org = factories.make_org(f"s{scale}", f"合成分局（{scale} 倍）", short_name="合成", parent=hq)
    roc_year = deadlines.today_in_taipei().year - deadlines.ROC_OFFSET
    year = synthetic.build_year(org, roc_year, scale=scale, status=Year.Status.OPEN)
    synthetic.fill_entries(year, months=(1, 9, 10, 11))
    unit = Unit.objects.get(organization=org, name="度量衡科")
    actors = {
        role: factories.make_user(
            f"s{scale}-{role}", org, role, unit if role in (Role.STAFF, Role.HEAD) else None
        )
        for role in (Role.STAFF, Role.HEAD, Role.AUDITOR, Role.ADMIN)
    }
    people = factories.User.objects.bulk_create(
        factories.User(username=f"s{scale}-m{n}", first_name=f"同仁{n}") for n in range(10 * scale)
    )
    Membership.objects.bulk_create(
        Membership(user=user, organization=org, unit=unit, role=Role.STAFF) for user in people
    )
    return org, year, actors


def pages(org, year, actors):
    staff = actors[Role.STAFF]
    entry = MonthlyEntry.objects.filter(
        item__method__strategy__dimension__year=year, unit=staff.membership.unit
    ).order_by("item_id", "month")[0]
    item = Item.objects.get(pk=entry.item_id)
    code, roc = org.code, year.roc_year
    my_work = reverse("strategies:my-work")
    return [
        ("home: staff", reverse("home"), staff),
        ("home: head", reverse("home"), actors[Role.HEAD]),
        ("home: auditor", reverse("home"), actors[Role.AUDITOR]),
        ("home: admin", reverse("home"), actors[Role.ADMIN]),
        ("my work: staff", my_work, staff),
        ("my work: admin", my_work, actors[Role.ADMIN]),
        ("my work: keyword", my_work + "?q=子項", staff),
        ("my work: overdue", my_work + "?status=overdue&page=2", staff),
        ("entry form", reverse("strategies:entry-edit", args=[item.pk, entry.unit_id, 1]), staff),
        ("item history", reverse("strategies:item-history", args=[item.pk]), staff),
        ("review page", reverse("scoring:review", args=[code, roc]), actors[Role.AUDITOR]),
        ("score sheet", reverse("scoring:score-sheet", args=[code, roc]), actors[Role.AUDITOR]),
        ("plan editor", reverse("manage:plan", args=[year.pk]), actors[Role.ADMIN]),
        ("users", reverse("manage:users"), actors[Role.ADMIN]),
    ]


def check(client, hq, scale):
    org, year, actors = build(hq, scale)
    found = {}
    for label, url, user in pages(org, year, actors):
        client.force_login(user)
        client.get(url)  # the session's first save is not the page's
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, label
        found[label] = len(ctx)
        if label not in NOT_SIZE_CHECKED:
            assert len(response.content) <= MAX_HTML, f"{label}: {len(response.content):,} bytes"
    assert found == PINNED


@pytest.mark.parametrize("scale", [1, 10])
def test_pages_at_1x_and_10x(client, hq, scale):
    check(client, hq, scale)


@pytest.mark.slow
def test_pages_at_100x(client, hq):
    check(client, hq, 100)
