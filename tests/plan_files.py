"""Helpers for the plan import tests: the seed's plan, a second organization, edited workbooks."""

import io
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from openpyxl import load_workbook

from strategies.models import Organization, Unit, Year
from tests import factories

SEED = Path(settings.BASE_DIR) / "fixtures" / "khh_112.json"


def load_seed() -> Year:
    call_command("loaddata", str(SEED), verbosity=0)
    return Year.objects.get(organization__code="khh", roc_year=112)


def branch_with_same_units(source: Organization, code: str = "hsz") -> Organization:
    """A new branch whose units carry the same names as the source's."""
    org = factories.make_org(code, "經濟部標準檢驗局新竹分局", parent=source.parent)
    for unit in Unit.objects.filter(organization=source).order_by("order"):
        Unit.objects.create(organization=org, name=unit.name, kind=unit.kind, order=unit.order)
    return org


def edited(data: bytes, change) -> bytes:  # type: ignore[no-untyped-def]
    """The workbook after `change(workbook)`."""
    workbook = load_workbook(io.BytesIO(data))
    change(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def snapshot() -> tuple:  # type: ignore[type-arg]
    from strategies.models import Indicator, Item, Method, Strategy

    return (
        Year.objects.count(),
        Strategy.objects.count(),
        Method.objects.count(),
        list(
            Item.objects.order_by("pk").values_list("pk", "order", "is_retired", "planned_actions")
        ),
        list(Indicator.objects.order_by("pk").values_list("pk", "target")),
    )
