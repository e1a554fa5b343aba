"""Admin pages: the plan editor of one year (strategies, methods, items, indicators)."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, QuerySet
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from strategies.access import check_org_admin
from strategies.auth import AuthenticatedHttpRequest
from strategies.errors import DomainError
from strategies.filters import item_keyword_q
from strategies.forms_manage import (
    IndicatorForm,
    ItemForm,
    MethodForm,
    PlanSearchForm,
    StrategyForm,
)
from strategies.models import Dimension, Indicator, Item, Method, Strategy, Year
from strategies.selectors.manage import (
    PLAN_PAGE_SIZE,
    plan_page_of,
    plan_strategies,
    plan_tree,
    year_history,
)
from strategies.services import plan as plan_service
from strategies.views.manage_common import admin_year, form_page, refused

STRATEGIES = Strategy.objects.select_related("dimension__year__organization")
METHODS = Method.objects.select_related("strategy__dimension__year__organization")
ITEMS = Item.objects.select_related("method__strategy__dimension__year__organization")
KINDS: dict[str, QuerySet[Strategy | Method | Item]] = {
    "strategy": STRATEGIES,
    "method": METHODS,
    "item": ITEMS,
}


def _node[N: Dimension | Strategy | Method | Item | Indicator](
    request: AuthenticatedHttpRequest, queryset: QuerySet[N], pk: int
) -> tuple[N, Year]:
    """The node and its year, for the organization's admin only (404 strangers, 403 others)."""
    node = get_object_or_404(queryset, pk=pk)
    year = plan_service.year_of(node)
    check_org_admin(request.user, year.organization)
    return node, year


def _strategy_of(anchor: str) -> Strategy | None:
    """The strategy whose page shows the node named by the anchor ("item-12", "dim-3")."""
    kind, _sep, pk = anchor.partition("-")
    strategies = Strategy.objects.select_related("dimension__year")
    if kind == "strategy":
        return strategies.filter(pk=pk).first()
    if kind == "method":
        return strategies.filter(methods=int(pk)).first()
    if kind == "item":
        return strategies.filter(methods__items=int(pk)).first()
    if kind == "dim":
        return strategies.filter(dimension=int(pk)).order_by("-order", "-pk").first()
    return None


def _plan_url(year: Year, anchor: str = "") -> str:
    """The plan editor's page holding the node, scrolled to it."""
    url = reverse("manage:plan", args=[year.pk])
    strategy = _strategy_of(anchor) if anchor else None
    if strategy is not None and (page := plan_page_of(strategy)) > 1:
        url += f"?page={page}"
    return url + (f"#{anchor}" if anchor else "")


@login_required
def plan(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The year's plan, PLAN_PAGE_SIZE strategies a page; `q` keeps the matching items only."""
    _membership, year = admin_year(request, pk)
    form = PlanSearchForm(request.GET or None)
    keyword = form.cleaned_data["q"] if form.is_valid() else ""
    strategies = plan_strategies(year)
    item_ids = None
    if keyword:
        matching = Item.objects.filter(method__strategy__dimension__year=year).filter(
            item_keyword_q(year, keyword)
        )
        item_ids = set(matching.values_list("pk", flat=True))
        strategies = strategies.filter(
            Exists(Item.objects.filter(method__strategy=OuterRef("pk"), pk__in=item_ids))
        )
    page = Paginator(strategies.values_list("pk", flat=True), PLAN_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "strategies/manage/plan.html",
        {
            "year": year,
            "tree": plan_tree(year, strategy_ids=set(page.object_list), item_ids=item_ids),
            "form": form,
            "keyword": keyword,
            "page_obj": page,
            "editable": year.status == Year.Status.PLANNING,
            "history": year_history(year),
        },
    )


def _edit(
    request: AuthenticatedHttpRequest,
    *,
    form: Form,
    save: Callable[[dict[str, Any]], object],
    title: str,
    back: str,
    success: str,
) -> HttpResponse:
    """The shared GET/POST round of every add and edit page."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except DomainError as error:
            refused(request, form, error)
        else:
            messages.success(request, success)
            return redirect(back)
    return form_page(request, form, title=title, back_url=back)


@login_required
def strategy_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    dimension, year = _node(request, Dimension.objects.select_related("year__organization"), pk)
    form = StrategyForm(request.POST or None)
    return _edit(
        request,
        form=form,
        save=lambda d: plan_service.add_strategy(
            dimension=dimension, title=d["title"], user=request.user
        ),
        title=_("新增執行策略｜%(dimension)s") % {"dimension": dimension},
        back=_plan_url(year, f"dim-{dimension.pk}"),
        success=_("已新增執行策略。"),
    )


@login_required
def strategy_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    strategy, year = _node(request, STRATEGIES, pk)
    form = StrategyForm(request.POST or None, initial={"title": strategy.title})
    return _edit(
        request,
        form=form,
        save=lambda d: plan_service.update_strategy(
            strategy=strategy, title=d["title"], user=request.user
        ),
        title=_("修改執行策略"),
        back=_plan_url(year, f"strategy-{strategy.pk}"),
        success=_("已修改執行策略。"),
    )


@login_required
def method_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    strategy, year = _node(request, STRATEGIES, pk)
    form = MethodForm(request.POST or None)
    return _edit(
        request,
        form=form,
        save=lambda d: plan_service.add_method(
            strategy=strategy, title=d["title"], description=d["description"], user=request.user
        ),
        title=_("新增執行方法｜%(strategy)s") % {"strategy": strategy.title},
        back=_plan_url(year, f"strategy-{strategy.pk}"),
        success=_("已新增執行方法。"),
    )


@login_required
def method_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    method, year = _node(request, METHODS, pk)
    form = MethodForm(
        request.POST or None, initial={"title": method.title, "description": method.description}
    )
    return _edit(
        request,
        form=form,
        save=lambda d: plan_service.update_method(
            method=method, title=d["title"], description=d["description"], user=request.user
        ),
        title=_("修改執行方法"),
        back=_plan_url(year, f"method-{method.pk}"),
        success=_("已修改執行方法。"),
    )


@login_required
def item_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    method, year = _node(request, METHODS, pk)
    form = ItemForm(request.POST or None, organization=year.organization)
    return _edit(
        request,
        form=form,
        save=lambda d: plan_service.add_item(
            method=method,
            title=d["title"],
            host_units=list(d["host_units"]),
            host_label=d["host_label"],
            planned_actions=d["planned_actions"],
            user=request.user,
        ),
        title=_("新增填報項目｜%(method)s") % {"method": method.title},
        back=_plan_url(year, f"method-{method.pk}"),
        success=_("已新增填報項目。"),
    )


@login_required
def item_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item, year = _node(request, ITEMS, pk)
    form = ItemForm(
        request.POST or None,
        organization=year.organization,
        initial={
            "title": item.title,
            "host_units": list(item.host_units.all()),
            "host_label": item.host_label,
            "planned_actions": item.planned_actions,
        },
    )
    return _edit(
        request,
        form=form,
        save=lambda d: plan_service.update_item(
            item=item,
            title=d["title"],
            host_units=list(d["host_units"]),
            host_label=d["host_label"],
            planned_actions=d["planned_actions"],
            user=request.user,
        ),
        title=_("修改填報項目"),
        back=_plan_url(year, f"item-{item.pk}"),
        success=_("已修改填報項目。"),
    )


@login_required
def indicator_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item, year = _node(request, ITEMS, pk)
    form = IndicatorForm(request.POST or None, initial={"aggregation": "sum"})
    return _edit(
        request,
        form=form,
        save=lambda d: plan_service.add_indicator(item=item, user=request.user, **d),
        title=_("新增量化指標｜%(item)s") % {"item": item},
        back=_plan_url(year, f"item-{item.pk}"),
        success=_("已新增量化指標。"),
    )


@login_required
def indicator_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    indicator, year = _node(
        request, Indicator.objects.select_related("item__method__strategy__dimension__year"), pk
    )
    form = IndicatorForm(
        request.POST or None,
        initial={
            "name": indicator.name,
            "measure": indicator.measure,
            "target": indicator.target,
            "aggregation": indicator.aggregation,
            "allows_decimals": indicator.allows_decimals,
        },
    )
    return _edit(
        request,
        form=form,
        save=lambda d: plan_service.update_indicator(indicator=indicator, user=request.user, **d),
        title=_("修改量化指標｜%(item)s") % {"item": indicator.item},
        back=_plan_url(year, f"item-{indicator.item_id}"),
        success=_("已修改量化指標（目標值）。"),
    )


@login_required
@require_POST
def indicator_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    indicator, year = _node(
        request, Indicator.objects.select_related("item__method__strategy__dimension__year"), pk
    )
    try:
        plan_service.remove_indicator(indicator=indicator, user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已刪除量化指標「%(name)s」。") % {"name": indicator.name})
    return redirect(_plan_url(year, f"item-{indicator.item_id}"))


@login_required
@require_POST
def node_move(request: AuthenticatedHttpRequest, kind: str, pk: int) -> HttpResponse:
    if kind not in KINDS:
        raise Http404
    node, year = _node(request, KINDS[kind], pk)
    try:
        plan_service.move(node=node, direction=request.POST.get("direction", ""), user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(_plan_url(year, f"{kind}-{node.pk}"))


@login_required
@require_POST
def node_retire(request: AuthenticatedHttpRequest, kind: str, pk: int) -> HttpResponse:
    if kind not in KINDS:
        raise Http404
    node, year = _node(request, KINDS[kind], pk)
    retired = request.POST.get("retired") == "1"
    try:
        plan_service.set_retired(node=node, retired=retired, user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        done = _("已停用「%(node)s」。") if retired else _("已恢復「%(node)s」。")
        messages.success(request, done % {"node": node})
    return redirect(_plan_url(year, f"{kind}-{node.pk}"))
