"""Test data with explicit defaults. The seed fixture (khh_112) is for tests that pin the seed."""

from decimal import Decimal

from django.contrib.auth import get_user_model

from scoring.models import GradeBands, ScoreSheet
from strategies.models import (
    Dimension,
    Indicator,
    Item,
    Membership,
    Method,
    Organization,
    Strategy,
    Unit,
    Year,
)

User = get_user_model()
PASSWORD = "test-pass-123"  # noqa: S105

DIMENSIONS = [
    (1, "基礎服務", 200),
    (2, "服務遞送", 300),
    (3, "服務量能", 200),
    (4, "服務評價", 200),
    (5, "開放創新", 100),
]


def make_org(code: str = "khh", name: str = "經濟部標準檢驗局高雄分局", **kw) -> Organization:
    kw.setdefault("short_name", name[-4:])
    return Organization.objects.create(code=code, name=name, **kw)


def make_unit(org: Organization, name: str, kind: str = Unit.Kind.SECTION, order: int = 0) -> Unit:
    return Unit.objects.create(organization=org, name=name, kind=kind, order=order)


def make_year(org: Organization, roc_year: int = 113, status: str = Year.Status.OPEN, **kw) -> Year:
    """A year with the five dimensions, default grade bands and an empty score sheet."""
    year = Year.objects.create(organization=org, roc_year=roc_year, status=status, **kw)
    for number, name, max_score in DIMENSIONS:
        Dimension.objects.create(year=year, number=number, name=name, max_score=max_score)
    GradeBands.objects.create(year=year)
    ScoreSheet.objects.create(year=year)
    return year


def make_item(
    year: Year,
    *,
    hosts: list[Unit],
    dimension: int = 1,
    title: str = "",
    planned_actions: str = "預計舉辦 9 場次教育訓練",
    results: str = "",
    target: Decimal | int | None = 9,
    measure: str = "場次",
    aggregation: str = Indicator.Aggregation.SUM,
) -> Item:
    """An item under a new strategy and method of the given dimension, with one indicator."""
    dim = year.dimensions.get(number=dimension)
    strategy = Strategy.objects.create(
        dimension=dim, order=dim.strategies.count() + 1, title="服務一致及正確性"
    )
    method = Method.objects.create(
        strategy=strategy, order=1, title="提高服務人員專業度", description="強化專業"
    )
    item = Item.objects.create(
        method=method,
        order=1,
        title=title,
        host_label="、".join(u.name for u in hosts),
        planned_actions=planned_actions,
        results=results,
    )
    item.host_units.set(hosts)
    if measure:
        Indicator.objects.create(
            item=item,
            order=1,
            name="教育訓練",
            measure=measure,
            target=target,
            aggregation=aggregation,
        )
    return item


def make_user(
    username: str,
    org: Organization,
    role: str,
    unit: Unit | None = None,
    **kw,
):
    user = User.objects.create_user(username=username, password=PASSWORD, **kw)
    Membership.objects.create(user=user, organization=org, unit=unit, role=role)
    return user
