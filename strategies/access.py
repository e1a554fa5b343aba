"""Who may see or change what. One helper per object kind; views call these, never re-derive.

Strangers (another organization) get 404, members without the right get 403.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from strategies.models import Item, Membership, MonthlyEntry, Organization, Unit, Year

Role = Membership.Role


def membership_of(user: AbstractBaseUser | AnonymousUser) -> Membership | None:
    """The user's membership, cached on the user object (one query per request at most)."""
    if not user.is_authenticated:
        return None
    try:
        return user.membership  # type: ignore[union-attr]
    except Membership.DoesNotExist:
        return None


def sees_organization(membership: Membership | None, organization: Organization) -> bool:
    """Members see their own organization; headquarters users see every branch under it."""
    if membership is None:
        return False
    if membership.organization_id == organization.pk:
        return True
    return membership.organization.is_headquarters and organization.parent_id == (
        membership.organization_id
    )


def get_year_for_user(user, year: Year) -> Membership:  # type: ignore[no-untyped-def]
    """The membership that lets the user see the year; 404 for strangers."""
    membership = membership_of(user)
    if not sees_organization(membership, year.organization):
        raise Http404
    assert membership is not None
    return membership


def is_admin(membership: Membership | None) -> bool:
    return membership is not None and membership.role == Role.ADMIN


def is_auditor(membership: Membership | None) -> bool:
    return membership is not None and membership.role == Role.AUDITOR


def can_read_all(membership: Membership | None) -> bool:
    """Auditors and admins read everything of their organization."""
    return membership is not None and membership.role in {Role.AUDITOR, Role.ADMIN}


def hosts(unit: Unit | None, item: Item) -> bool:
    """Does the unit host the item? Uses prefetched host units when present."""
    if unit is None:
        return False
    return any(u.pk == unit.pk for u in item.host_units.all())


def can_edit_entry(membership: Membership | None, item: Item, unit: Unit) -> bool:
    """Staff and heads edit entries of items their unit hosts, for their own unit only."""
    return (
        membership is not None
        and membership.role in {Role.STAFF, Role.HEAD}
        and membership.unit_id == unit.pk
        and hosts(unit, item)
    )


def can_review_entry(membership: Membership | None, entry: MonthlyEntry) -> bool:
    """A unit head approves or returns their own unit's entries."""
    return (
        membership is not None
        and membership.role == Role.HEAD
        and membership.unit_id == entry.unit_id
    )


def can_view_entry(membership: Membership | None, item: Item, unit: Unit) -> bool:
    return can_read_all(membership) or can_edit_entry(membership, item, unit)


def check_entry_access(user, item: Item, unit: Unit, *, write: bool) -> Membership:  # type: ignore[no-untyped-def]
    """404 for another organization, 403 for a member without the right."""
    membership = get_year_for_user(user, item.method.strategy.dimension.year)
    allowed = (
        can_edit_entry(membership, item, unit) if write else can_view_entry(membership, item, unit)
    )
    if not allowed:
        raise PermissionDenied
    return membership


# --- Scoring a year (issue 4): who enters which round, edits bands, signs off, reopens. ---


def is_year_admin(membership: Membership | None, year: Year) -> bool:
    """The admin of the year's own organization: self-assessment, grade bands, reopening."""
    return is_admin(membership) and membership.organization_id == year.organization_id  # type: ignore[union-attr]


def is_year_auditor(membership: Membership | None, year: Year) -> bool:
    """An auditor who sees the year's organization (its own or headquarters): review, sign-off."""
    return is_auditor(membership) and sees_organization(membership, year.organization)


def can_read_year_review(membership: Membership | None, year: Year) -> bool:
    """The auditor's whole-year review page: auditors and admins who see the organization."""
    return is_year_auditor(membership, year) or is_year_admin(membership, year)


def can_see_unsigned_review(membership: Membership | None, year: Year) -> bool:
    """The auditor's review round before sign-off (scores and comments): auditors and the
    organization's admins only; everyone sees it once the year is signed off."""
    return can_read_year_review(membership, year)


# --- Managing an organization (issue 6): years, plan, units and users. ---


def check_org_admin(user, organization: Organization) -> Membership:  # type: ignore[no-untyped-def]
    """The admin of this very organization: 404 for strangers, 403 for its other members (and
    for headquarters members, who see a branch but do not run it)."""
    membership = membership_of(user)
    if not sees_organization(membership, organization):
        raise Http404
    assert membership is not None
    if not (is_admin(membership) and membership.organization_id == organization.pk):
        raise PermissionDenied
    return membership


def check_hq_reader(user) -> Membership:  # type: ignore[no-untyped-def]
    """Headquarters auditors and admins compare the branches; everyone else gets 403."""
    membership = membership_of(user)
    if not (
        membership is not None
        and membership.organization.is_headquarters
        and can_read_all(membership)
    ):
        raise PermissionDenied
    return membership
