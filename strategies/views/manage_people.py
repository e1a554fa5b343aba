"""Admin pages: the organization's units and users."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from strategies import directory
from strategies.access import check_member_admin, check_org_admin
from strategies.auth import AuthenticatedHttpRequest
from strategies.errors import DomainError
from strategies.forms_manage import (
    MemberForm,
    NewUserForm,
    PasswordResetForm,
    UnitForm,
    UserSearchForm,
)
from strategies.models import Membership, Unit
from strategies.selectors.manage import locked_out_usernames, members_of, units_of
from strategies.services import units as unit_service
from strategies.services import users as user_service
from strategies.views.manage_common import form_page, own_admin, refused

USERS_PAGE_SIZE = 50


def _unit(request: AuthenticatedHttpRequest, pk: int) -> Unit:
    unit = get_object_or_404(Unit.objects.select_related("organization"), pk=pk)
    check_org_admin(request.user, unit.organization)
    return unit


def _member(request: AuthenticatedHttpRequest, pk: int) -> Membership:
    member = get_object_or_404(
        Membership.objects.select_related("user", "unit", "organization"), pk=pk
    )
    check_member_admin(request.user, member)
    return member


# --- units ----------------------------------------------------------------------------------


@login_required
def units(request: AuthenticatedHttpRequest) -> HttpResponse:
    membership = own_admin(request)
    organization = membership.organization
    form = UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            unit = unit_service.add_unit(
                organization=organization,
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                user=request.user,
            )
        except DomainError as error:
            refused(request, form, error)
        else:
            messages.success(request, _("已新增單位「%(name)s」。") % {"name": unit.name})
            return redirect("manage:units")
    return render(
        request,
        "strategies/manage/units.html",
        {"organization": organization, "units": units_of(organization), "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def unit_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    unit = _unit(request, pk)
    form = UnitForm(request.POST or None, initial={"name": unit.name, "kind": unit.kind})
    if request.method == "POST" and form.is_valid():
        try:
            unit_service.rename_unit(
                unit=unit,
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                user=request.user,
            )
        except DomainError as error:
            refused(request, form, error)
        else:
            messages.success(request, _("已修改單位。"))
            return redirect("manage:units")
    return form_page(
        request,
        form,
        title=_("修改單位｜%(name)s") % {"name": unit.name},
        back_url=reverse("manage:units"),
    )


@login_required
@require_POST
def unit_retire(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    unit = _unit(request, pk)
    restore = request.POST.get("restore") == "1"
    try:
        if restore:
            unit_service.restore_unit(unit=unit, user=request.user)
        else:
            unit_service.retire_unit(unit=unit, user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        done = _("已恢復使用「%(name)s」。") if restore else _("已停用「%(name)s」。")
        messages.success(request, done % {"name": unit.name})
    return redirect("manage:units")


# --- users ----------------------------------------------------------------------------------


@login_required
def users(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The organization's members, USERS_PAGE_SIZE a page; `q` matches account, name, email
    or unit."""
    membership = own_admin(request)
    organization = membership.organization
    form = UserSearchForm(request.GET or None)
    keyword = form.cleaned_data["q"].strip() if form.is_valid() else ""
    members = members_of(organization)
    if keyword:
        members = members.filter(
            Q(user__username__icontains=keyword)
            | Q(user__first_name__icontains=keyword)
            | Q(user__last_name__icontains=keyword)
            | Q(user__email__icontains=keyword)
            | Q(unit__name__icontains=keyword)
        )
    page = Paginator(members, USERS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "strategies/manage/users.html",
        {
            "organization": organization,
            "members": page.object_list,
            "page_obj": page,
            "form": form,
            "keyword": keyword,
            "locked_out": locked_out_usernames(organization),
            "directory_on": organization.code == directory.directory_organization_code(),
            "waiting": directory.waiting_users(organization),
        },
    )


@login_required
def user_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    membership = own_admin(request)
    organization = membership.organization
    form = NewUserForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = user_service.create_user(
                organization=organization,
                username=data["username"],
                full_name=data["full_name"],
                email=data["email"],
                role=data["role"],
                unit=data["unit"],
                password=data["password1"],
                by=request.user,
            )
        except DomainError as error:
            refused(request, form, error)
        else:
            messages.success(
                request, _("已建立帳號「%(username)s」。") % {"username": user.username}
            )
            return redirect("manage:users")
    return form_page(request, form, title=_("新增使用者"), back_url=reverse("manage:users"))


@login_required
def user_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    form = MemberForm(
        request.POST or None,
        organization=member.organization,
        initial={
            "full_name": member.user.first_name,
            "email": member.user.email,
            "role": member.role,
            "unit": member.unit,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user_service.update_membership(
                membership=member,
                full_name=data["full_name"],
                email=data["email"],
                role=data["role"],
                unit=data["unit"],
                by=request.user,
            )
        except DomainError as error:
            refused(request, form, error)
        else:
            messages.success(
                request, _("已更新「%(username)s」。") % {"username": member.user.username}
            )
            return redirect("manage:users")
    return form_page(
        request,
        form,
        title=_("修改使用者｜%(username)s") % {"username": member.user.username},
        back_url=reverse("manage:users"),
    )


@login_required
@require_POST
def user_active(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    active = request.POST.get("active") == "1"
    try:
        user_service.set_active(membership=member, active=active, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        done = _("已啟用帳號「%(username)s」。") if active else _("已停用帳號「%(username)s」。")
        messages.success(request, done % {"username": member.user.username})
    return redirect("manage:users")


@login_required
@require_POST
def user_unlock(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Lift a member's sign-in lock-out before the cool-off ends (recorded in history)."""
    member = _member(request, pk)
    user_service.unlock_sign_in(membership=member, by=request.user)
    messages.success(
        request, _("已解除「%(username)s」的登入鎖定。") % {"username": member.user.username}
    )
    return redirect("manage:users")


@login_required
def user_password(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user_service.reset_password(
                membership=member, password=form.cleaned_data["password1"], by=request.user
            )
        except DomainError as error:
            refused(request, form, error)
        else:
            messages.success(
                request,
                _("已重設「%(username)s」的密碼，請以安全方式告知本人並請其登入後更改。")
                % {"username": member.user.username},
            )
            return redirect("manage:users")
    return form_page(
        request,
        form,
        title=_("重設密碼｜%(username)s") % {"username": member.user.username},
        back_url=reverse("manage:users"),
        submit=_("重設密碼"),
    )
