"""Who may see or change what. One helper per object kind; views call these, never re-derive.

Strangers (another organization) get 404, members without the right get 403.
"""

from collections.abc import Callable
from typing import TypeGuard

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from strategies.auth import User
from strategies.models import Item, Membership, MonthlyEntry, Organization, Unit, Year

Role = Membership.Role


def membership_of(user: User | AnonymousUser) -> Membership | None:
    """The user's membership, cached on the user object (one query per request at most)."""
    if not user.is_authenticated:
        return None
    try:
        return user.membership
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


def get_year_for_user(user: User, year: Year) -> Membership:
    """The membership that lets the user see the year; 404 for strangers."""
    membership = membership_of(user)
    if not sees_organization(membership, year.organization):
        raise Http404
    assert membership is not None
    return membership


def is_admin(membership: Membership | None) -> TypeGuard[Membership]:
    return membership is not None and membership.role == Role.ADMIN


def is_auditor(membership: Membership | None) -> TypeGuard[Membership]:
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


def _comments_allowed(membership: Membership, item: Item) -> bool:
    """Members comment in their own organization; headquarters only where the branch allows."""
    organization = item.method.strategy.dimension.year.organization
    return membership.organization_id == organization.pk or organization.headquarters_may_comment


def can_comment_entry(membership: Membership | None, item: Item, unit: Unit) -> bool:
    """Who may see the entry may add to its review thread; headquarters members only where the
    branch allows it (Organization.headquarters_may_comment, off by default)."""
    return (
        membership is not None
        and can_view_entry(membership, item, unit)
        and _comments_allowed(membership, item)
    )


def check_comment_access(user: User, item: Item, unit: Unit) -> Membership:
    """404 for another organization, 403 for a member who may not comment on the entry."""
    membership = check_entry_access(user, item, unit, write=False)
    if not _comments_allowed(membership, item):
        raise PermissionDenied
    return membership


# --- Reviewing a monthly entry: four-eyes. ---


def reviews_as_deputy(membership: Membership | None, entry: MonthlyEntry) -> bool:
    """The organization's own admin approves or returns in place of the unit's heads (a unit
    with a single head, a head away), and is recorded as deputy. Headquarters admins do not."""
    return is_admin(membership) and membership.organization_id == entry.unit.organization_id


def is_reviewer_of(membership: Membership | None, entry: MonthlyEntry) -> bool:
    """The roles that review the entry: a head of its unit, or its organization's admin."""
    if membership is None:
        return False
    is_head = membership.role == Role.HEAD and membership.unit_id == entry.unit_id
    return is_head or reviews_as_deputy(membership, entry)


def is_entry_submitter(membership: Membership | None, entry: MonthlyEntry) -> bool:
    """Did this member submit the entry last? (Reads entry.submitted_by_id, no query.)"""
    return (
        membership is not None
        and entry.submitted_by_id is not None
        and entry.submitted_by_id == membership.user_id
    )


def can_review_entry(membership: Membership | None, entry: MonthlyEntry) -> bool:
    """Four-eyes: a reviewer of the entry who is not the person who last submitted it."""
    return is_reviewer_of(membership, entry) and not is_entry_submitter(membership, entry)


def can_view_entry(membership: Membership | None, item: Item, unit: Unit | None) -> bool:
    """The entry page's rule, and that of every page, export and feed that shows what an entry
    holds (narrative, values, files, comments, return reasons): auditors and admins read every
    unit's entries, staff and heads their own unit's for the items it hosts. An entry whose unit
    is gone is shown to auditors and admins only."""
    if unit is None:
        return can_read_all(membership)
    return can_read_all(membership) or can_edit_entry(membership, item, unit)


def entry_reader(membership: Membership | None, item: Item) -> Callable[[Unit | None], bool]:
    """`can_view_entry` for one member and one item, remembered per unit: for pages that filter
    many entries of the item (its history), at most one host-unit query in all."""
    answers: dict[int | None, bool] = {}

    def may_read(unit: Unit | None) -> bool:
        key = None if unit is None else unit.pk
        if key not in answers:
            answers[key] = can_view_entry(membership, item, unit)
        return answers[key]

    return may_read


def check_entry_access(user: User, item: Item, unit: Unit, *, write: bool) -> Membership:
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
    return is_admin(membership) and membership.organization_id == year.organization_id


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


def check_org_admin(user: User, organization: Organization) -> Membership:
    """The admin of this very organization: 404 for strangers, 403 for its other members (and
    for headquarters members, who see a branch but do not run it)."""
    membership = membership_of(user)
    if not sees_organization(membership, organization):
        raise Http404
    assert membership is not None
    if not (is_admin(membership) and membership.organization_id == organization.pk):
        raise PermissionDenied
    return membership


def can_manage_member(acting: Membership | None, target: Membership) -> bool:
    """An organization's admin manages the members of that organization who hold no more power
    than they do. Accounts of Django's admin site (superusers, is_staff) hold more than any
    organization role: they are run from /admin/ only, never from an organization's pages."""
    return (
        is_admin(acting)
        and acting.organization_id == target.organization_id
        and not target.user.is_superuser
        and not target.user.is_staff
    )


def check_member_admin(user: User, member: Membership) -> Membership:
    """The admin who may manage this member: 404 for strangers and for accounts above any
    organization role (they look like no account at all), 403 for other members."""
    acting = check_org_admin(user, member.organization)
    if not can_manage_member(acting, member):
        raise Http404
    return acting


def check_hq_reader(user: User) -> Membership:
    """Headquarters auditors and admins compare the branches; everyone else gets 403."""
    membership = membership_of(user)
    if not (
        membership is not None
        and membership.organization.is_headquarters
        and can_read_all(membership)
    ):
        raise PermissionDenied
    return membership
