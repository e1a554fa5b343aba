"""The access policy: every "may this member do that to this thing" is decided here, once.

Services enforce (the `check_*` helpers raise Http404 for strangers - another organization -
and PermissionDenied for members without the right); views, templates, dashboards, reminders
and history pages ask the same functions only to show or hide. Nothing else compares roles,
organizations or who submitted what (tests/test_access_policy.py keeps it so).

Each rule is also registered with django-rules under its name (`strategies.<rule>`, listed in
RULES at the end): templates ask `{% load rules %}{% test_rule "strategies.run_year" user year
as may_run %}`, and `user.has_perm("strategies.run_year", year)` answers through rules'
ObjectPermissionBackend. Pages use test_rule, not has_perm: Django answers has_perm with yes
for every active superuser, and an account of the admin site runs no organization by that.
"""

from collections.abc import Callable
from typing import Protocol, TypeGuard

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from rules.permissions import add_perm
from rules.predicates import Predicate, predicate
from rules.rulesets import add_rule

from strategies import year_lifecycle
from strategies.auth import User
from strategies.models import Item, Membership, MonthlyEntry, Organization, Unit, Year

Role = Membership.Role


def membership_of(user: User | AnonymousUser | None) -> Membership | None:
    """The user's membership with its organization and unit, cached on the user object (one
    query per request at most: every page's header shows all three)."""
    # Templates may ask about no user at all (a page rendered outside a request).
    if not isinstance(user, User) or not user.is_authenticated:
        return None
    if not _MEMBERSHIP_OF_USER.is_cached(user):
        _MEMBERSHIP_OF_USER.set_cached_value(
            user,
            Membership.objects.select_related("organization", "unit").filter(user=user).first(),
        )
    try:
        return user.membership
    except Membership.DoesNotExist:
        return None


# The reverse side of Membership.user (`user.membership`), whose cache membership_of fills.
_MEMBERSHIP_OF_USER = Membership._meta.get_field("user").remote_field


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


class ReviewedEntry(Protocol):
    """What the review rules read of an entry: a MonthlyEntry, or a dashboard's EntryRef
    with its unit."""

    @property
    def unit(self) -> Unit | None: ...

    @property
    def unit_id(self) -> int: ...

    @property
    def submitted_by_id(self) -> int | None: ...


def reviews_as_deputy(membership: Membership | None, entry: ReviewedEntry) -> bool:
    """The organization's own admin approves or returns in place of the unit's heads (a unit
    with a single head, a head away), and is recorded as deputy. Headquarters admins do not."""
    return entry.unit is not None and is_organization_admin(membership, entry.unit.organization_id)


def is_reviewer_of(membership: Membership | None, entry: ReviewedEntry) -> bool:
    """The roles that review the entry: a head of its unit, or its organization's admin."""
    if membership is None:
        return False
    is_head = membership.role == Role.HEAD and membership.unit_id == entry.unit_id
    return is_head or reviews_as_deputy(membership, entry)


def is_entry_submitter(membership: Membership | None, entry: ReviewedEntry) -> bool:
    """Did this member submit the entry last? (Reads entry.submitted_by_id, no query.)"""
    return (
        membership is not None
        and entry.submitted_by_id is not None
        and entry.submitted_by_id == membership.user_id
    )


def can_review_entry(membership: Membership | None, entry: ReviewedEntry) -> bool:
    """Who may approve or return the entry - the one "who may approve" rule, asked by the entry
    page, the review service, the reminders and the head's dashboard alike. Four-eyes: a
    reviewer of the entry who is not the person who last submitted it."""
    return is_reviewer_of(membership, entry) and not is_entry_submitter(membership, entry)


def is_own_submission(membership: Membership | None, entry: MonthlyEntry) -> bool:
    """A reviewer looking at what they submitted themselves: another reviewer must act. The
    service refuses it with a message that says so, rather than with a bare 403."""
    return is_reviewer_of(membership, entry) and not can_review_entry(membership, entry)


def submitted_by(membership: Membership) -> Q:
    """`is_entry_submitter` as a filter on entries: the head's approval lists leave these out."""
    return Q(submitted_by_id=membership.user_id)


def unit_reviewers(unit_id: object = None, *, via: str = "") -> Q:
    """Memberships (as a query) that review the unit's entries in the first place: its heads.
    `unit_id` may be an OuterRef, or None for every unit's; `via` reaches memberships through a
    relation ("members__" from a unit). The admin's deputy role is the exception, not a
    recipient."""
    rule = Q(**{f"{via}role": Role.HEAD})
    return rule if unit_id is None else rule & Q(**{f"{via}unit_id": unit_id})


def is_reminded_to_enter(membership: Membership) -> bool:
    """Staff are reminded of months due soon and overdue (heads enter too, but are not chased)."""
    return membership.role == Role.STAFF


def is_reminded_to_review(membership: Membership) -> bool:
    """Heads are reminded of the entries waiting for their approval."""
    return membership.role == Role.HEAD


ENTRY_REMINDED_ROLES = (Role.STAFF, Role.HEAD)
"""The roles `send_reminders` reads slots for (as a query filter)."""


def dashboard_kind(membership: Membership) -> str | None:
    """Which home board the member sees: staff and heads of a unit their unit's, auditors and
    admins the organization's."""
    if membership.role in {Role.STAFF, Role.HEAD}:
        return membership.role if membership.unit_id else None
    return membership.role


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


# --- The year-end text of an item (執行績效與成果). ---


def can_read_item(membership: Membership | None, item: Item) -> bool:
    """The item's history and year-end page: auditors and admins, and the host units."""
    if can_read_all(membership):
        return True
    return membership is not None and hosts(membership.unit, item)


def check_item_readable(membership: Membership | None, item: Item) -> None:
    if not can_read_item(membership, item):
        raise PermissionDenied


def can_edit_results(membership: Membership | None, item: Item, year: Year) -> bool:
    """Staff and heads of a host unit, while the year is open."""
    return (
        year_lifecycle.takes_entries(year.status)
        and membership is not None
        and membership.unit is not None
        and can_edit_entry(membership, item, membership.unit)
    )


def can_review_results(membership: Membership | None, item: Item, year: Year) -> bool:
    """A head of a host unit, while the year is open (four eyes: `is_last_results_author`)."""
    return (
        can_edit_results(membership, item, year)
        and membership is not None
        and membership.role == Role.HEAD
    )


def is_last_results_author(user: User, item: Item) -> bool:
    """Four-eyes for the year-end text: who last edited or submitted it may not approve it."""
    return item.results_edited_by_id is not None and item.results_edited_by_id == user.pk


def can_accept_results(membership: Membership | None, year: Year) -> bool:
    """The organization's admin may accept a text that was not approved, with a reason."""
    return year_lifecycle.takes_entries(year.status) and is_year_admin(membership, year)


# --- Scoring a year: who enters which round, edits bands, signs off, reopens. ---


def is_organization_admin(membership: Membership | None, organization_id: int) -> bool:
    """The admin of this very organization (headquarters admins see a branch, never run it)."""
    return is_admin(membership) and membership.organization_id == organization_id


def is_year_admin(membership: Membership | None, year: Year) -> bool:
    """The admin of the year's own organization: self-assessment, grade bands, reopening."""
    return is_organization_admin(membership, year.organization_id)


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


def can_enter_round(membership: Membership | None, year: Year, round_: str) -> bool:
    """The organization's admin enters the self-assessment ("self"); an auditor the review."""
    if round_ == "self":
        return is_year_admin(membership, year)
    return is_year_auditor(membership, year)


def can_download_year(membership: Membership | None, year: Year) -> bool:
    """The year's report files (exports, issued versions, jobs): auditors and admins who see
    the organization; staff and heads read the report page only."""
    return can_read_all(membership) and sees_organization(membership, year.organization)


def check_year_right(
    user: User, year: Year, rule: Callable[[Membership, Year], bool]
) -> Membership:
    """404 for strangers, 403 unless `rule(membership, year)` allows it."""
    membership = get_year_for_user(user, year)
    if not rule(membership, year):
        raise PermissionDenied
    return membership


# --- Managing an organization: years, plan, units and users. ---


def check_org_admin(user: User, organization: Organization) -> Membership:
    """The admin of this very organization: 404 for strangers, 403 for its other members (and
    for headquarters members, who see a branch but do not run it)."""
    membership = membership_of(user)
    if not sees_organization(membership, organization):
        raise Http404
    assert membership is not None
    if not can_manage_organization(membership, organization):
        raise PermissionDenied
    return membership


def can_manage_organization(
    membership: Membership | None, organization: Organization | None = None
) -> bool:
    """The manage pages of the organization (the member's own when none is named)."""
    if membership is None:
        return False
    return is_organization_admin(
        membership, membership.organization_id if organization is None else organization.pk
    )


def can_manage_member(acting: Membership | None, target: Membership) -> bool:
    """An organization's admin manages the members of that organization who hold no more power
    than they do. Accounts of Django's admin site (superusers, is_staff) hold more than any
    organization role: they are run from /admin/ only, never from an organization's pages."""
    return (
        is_organization_admin(acting, target.organization_id)
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


def can_compare_branches(membership: Membership | None) -> bool:
    """Headquarters auditors and admins compare the branches."""
    return (
        membership is not None
        and membership.organization.is_headquarters
        and can_read_all(membership)
    )


def check_hq_reader(user: User) -> Membership:
    """Headquarters auditors and admins compare the branches; everyone else gets 403."""
    membership = membership_of(user)
    if not can_compare_branches(membership):
        raise PermissionDenied
    assert membership is not None
    return membership


# --- The named rules, for templates and user.has_perm (django-rules). -----------------------


def _asks_membership(name: str, rule: Callable[..., bool]) -> Predicate:
    """A django-rules predicate `(user, obj)` that asks `rule(membership, obj)`."""

    def asks(user: User | AnonymousUser | None, obj: object = None) -> bool:
        return bool(rule(membership_of(user), obj))

    return predicate(asks, name=name)


def _year_of_item(item: Item) -> Year:
    return item.method.strategy.dimension.year


# Each rule calls the function above by its name when asked, so the function is the one place
# to change (and what a test replaces).
RULES: dict[str, Callable[..., bool]] = {
    # the monthly entry (object: the entry)
    "view_entry": lambda m, entry: can_view_entry(m, entry.item, entry.unit),
    "edit_entry": lambda m, entry: can_edit_entry(m, entry.item, entry.unit),
    "comment_entry": lambda m, entry: can_comment_entry(m, entry.item, entry.unit),
    "approve_entry": lambda m, entry: can_review_entry(m, entry),
    "reopen_entry": lambda m, entry: is_year_admin(m, _year_of_item(entry.item)),
    # the item and its year-end text (object: the item)
    "read_item": lambda m, item: can_read_item(m, item),
    "edit_results": lambda m, item: can_edit_results(m, item, _year_of_item(item)),
    "approve_results": lambda m, item: can_review_results(m, item, _year_of_item(item)),
    "accept_results": lambda m, item: can_accept_results(m, _year_of_item(item)),
    # the year (object: the year)
    "run_year": lambda m, year: is_year_admin(m, year),
    "audit_year": lambda m, year: is_year_auditor(m, year),
    "read_year_review": lambda m, year: can_read_year_review(m, year),
    "see_unsigned_review": lambda m, year: can_see_unsigned_review(m, year),
    "download_year": lambda m, year: can_download_year(m, year),
    # the organization's people (object: the membership) and headquarters (no object)
    "manage_member": lambda m, member: can_manage_member(m, member),
    "manage_organization": lambda m, organization=None: can_manage_organization(m, organization),
    "compare_branches": lambda m, _obj=None: can_compare_branches(m),
}


for _name, _rule in RULES.items():
    add_rule(f"strategies.{_name}", _asks_membership(_name, _rule))
    add_perm(f"strategies.{_name}", _asks_membership(_name, _rule))
