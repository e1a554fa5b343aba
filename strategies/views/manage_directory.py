"""Admin pages for directory sign-in: give waiting users a role, map directory groups to roles."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from strategies import directory
from strategies.auth import AuthenticatedHttpRequest
from strategies.errors import DomainError
from strategies.forms_manage import GroupMappingForm, RoleForm
from strategies.models import DirectoryGroupMapping
from strategies.views.manage_common import form_page, own_admin, refused


@login_required
def assign_role(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    organization = own_admin(request).organization
    waiting = get_object_or_404(directory.waiting_users(organization), pk=user_id)
    form = RoleForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        try:
            directory.assign_role(
                user=waiting,
                organization=organization,
                role=form.cleaned_data["role"],
                unit=form.cleaned_data["unit"],
                by=request.user,
            )
        except DomainError as error:
            refused(request, form, error)
        else:
            messages.success(
                request, _("已為「%(username)s」指派角色。") % {"username": waiting.username}
            )
            return redirect("manage:users")
    return form_page(
        request,
        form,
        title=_("指派角色｜%(username)s") % {"username": waiting.username},
        back_url=reverse("manage:users"),
        submit=_("指派角色"),
        status=400 if form.errors else 200,
    )


@login_required
def group_mappings(request: AuthenticatedHttpRequest) -> HttpResponse:
    organization = own_admin(request).organization
    if organization.code != directory.directory_organization_code():
        raise Http404
    form = GroupMappingForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        try:
            directory.add_group_mapping(
                organization=organization,
                group_dn=form.cleaned_data["group_dn"],
                role=form.cleaned_data["role"],
                unit=form.cleaned_data["unit"],
            )
        except DomainError as error:
            refused(request, form, error)
        else:
            messages.success(request, _("已新增群組對應。"))
            return redirect("manage:directory-groups")
    mappings = DirectoryGroupMapping.objects.filter(organization=organization).select_related(
        "unit"
    )
    return render(
        request,
        "strategies/manage/directory_groups.html",
        {"organization": organization, "mappings": mappings, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def group_mapping_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organization = own_admin(request).organization
    mapping = get_object_or_404(DirectoryGroupMapping, pk=pk, organization=organization)
    mapping.delete()
    messages.success(request, _("已刪除群組對應「%(dn)s」。") % {"dn": mapping.group_dn})
    return redirect("manage:directory-groups")
