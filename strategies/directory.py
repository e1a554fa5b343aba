"""Directory sign-in: the LDAP backend, first-sign-in roles from groups, users waiting for one.

A directory user is authenticated by the directory on every sign-in (django-auth-ldap): the
local account it creates has no usable password, so a user removed from the directory, or
excluded by the user filter (a disabled account), can no longer sign in, while their entries
and history stay. A first-time directory user has no membership and so no role: they see
nothing until an admin of the directory's organization (settings.LDAP_ORGANIZATION) gives them
one, unless one of their groups is mapped to a role (DirectoryGroupMapping).
"""

from collections.abc import Iterable
from typing import Protocol

from django.conf import settings
from django.db import IntegrityError
from django.db.models import QuerySet
from django.utils.translation import gettext
from django_auth_ldap.backend import LDAPBackend

from strategies.auth import User
from strategies.errors import DomainError
from strategies.models import DirectoryGroupMapping, Membership, Organization, Unit
from strategies.services.users import give_membership

Role = Membership.Role

# The most powerful mapped role wins when a user is in several mapped groups.
ROLE_POWER: dict[str, int] = {Role.STAFF: 1, Role.HEAD: 2, Role.AUDITOR: 3, Role.ADMIN: 4}


def directory_organization_code() -> str:
    """The code of the organization whose directory signs users in ('' when it is off)."""
    return getattr(settings, "LDAP_ORGANIZATION", "")


def directory_organization() -> Organization | None:
    code = directory_organization_code()
    if not code:
        return None
    return Organization.objects.filter(code=code).first()


def _normalize_dn(dn: str) -> str:
    return ",".join(part.strip() for part in dn.split(",")).lower()


def membership_from_groups(*, user: User, group_dns: set[str]) -> Membership | None:
    """Give a user without a membership the role of their most powerful mapped group.

    A user who already has a membership keeps it unchanged (the admin's decision stands).
    """
    organization = directory_organization()
    if organization is None or Membership.objects.filter(user=user).exists():
        return None
    wanted = {_normalize_dn(dn) for dn in group_dns}
    mappings = [
        m
        for m in DirectoryGroupMapping.objects.filter(organization=organization).select_related(
            "unit"
        )
        if _normalize_dn(m.group_dn) in wanted and (m.unit is None or m.unit.is_active)
    ]
    if not mappings:
        return None
    best = max(mappings, key=lambda m: (ROLE_POWER[m.role], -m.pk))
    try:
        return give_membership(
            user=user,
            organization=organization,
            role=best.role,
            unit=best.unit,
            by=None,
            reason=f"目錄群組對應：{best.group_dn}",
        )
    except (DomainError, IntegrityError):
        return None  # a concurrent sign-in created it first, or the unit was retired


class DirectoryUser(Protocol):
    """What the backend reads of django-auth-ldap's directory user (its `_LDAPUser`)."""

    group_dns: Iterable[str]


class DirectoryBackend(LDAPBackend):
    """django-auth-ldap, plus the first-sign-in role from the user's directory groups."""

    def authenticate_ldap_user(self, ldap_user: DirectoryUser, password: str) -> User | None:
        user = super().authenticate_ldap_user(ldap_user, password)
        if user is not None and self.settings.GROUP_SEARCH is not None:
            membership_from_groups(user=user, group_dns=set(ldap_user.group_dns))
        return user


def waiting_users(organization: Organization) -> QuerySet[User]:
    """Active accounts with no role yet, shown to the admins of the directory's organization.

    One query; empty for every other organization.
    """
    if organization.code != directory_organization_code():
        return User.objects.none()
    return User.objects.filter(
        membership__isnull=True, is_active=True, is_superuser=False, is_staff=False
    ).order_by("username")


def assign_role(
    *, user: User, organization: Organization, role: str, unit: Unit | None, by: User
) -> Membership:
    """Give a waiting user their membership (role and unit) in the directory's organization."""
    if not waiting_users(organization).filter(pk=user.pk).exists():
        raise DomainError(gettext("這個帳號已有角色，或不在等待指派的名單上。"))
    try:
        return give_membership(
            user=user,
            organization=organization,
            role=role,
            unit=unit,
            by=by,
            reason=f"指派角色：{Role(role).label}",
        )
    except IntegrityError:
        raise DomainError(gettext("這個帳號剛剛已被指派角色。")) from None


def add_group_mapping(
    *, organization: Organization, group_dn: str, role: str, unit: Unit | None
) -> DirectoryGroupMapping:
    group_dn = (group_dn or "").strip()
    if "=" not in group_dn:
        raise DomainError(gettext("請填寫群組的完整 DN，例如 cn=perf-staff,ou=groups,dc=example。"))
    if role not in Role.values or (role in {Role.STAFF, Role.HEAD} and unit is None):
        raise DomainError(gettext("承辦人與主管必須指定所屬單位。"))
    if unit is not None and unit.organization_id != organization.pk:
        raise DomainError(
            gettext("「%(unit)s」不是%(organization)s的單位。")
            % {"unit": unit.name, "organization": organization.short_name}
        )
    existing = DirectoryGroupMapping.objects.filter(organization=organization)
    if any(_normalize_dn(m.group_dn) == _normalize_dn(group_dn) for m in existing):
        raise DomainError(gettext("群組「%(group)s」已有對應。") % {"group": group_dn})
    mapping = DirectoryGroupMapping(
        organization=organization, group_dn=group_dn, role=role, unit=unit
    )
    mapping.full_clean()
    mapping.save()
    return mapping
