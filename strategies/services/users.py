"""Users of an organization, managed by its admin: create, role and unit, deactivate, reset the
password. There is no self-registration: every account starts here (or in Django's admin).

The user table has no history of its own; every change is recorded on the membership's history
with the admin as its author and a reason saying what happened.
"""

from axes.utils import reset as reset_failed_logins
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from strategies import access
from strategies.auth import User
from strategies.errors import DomainError
from strategies.models import Membership, Organization, Unit

Role = Membership.Role


def _record(membership: Membership, by: User | None, reason: str) -> None:
    membership._history_user = by
    membership._change_reason = reason
    try:
        membership.full_clean()
    except ValidationError as error:
        raise DomainError("；".join(error.messages)) from error
    membership.save()


def _locked_for_change(membership: Membership, by: User) -> Membership:
    """The member's row, locked, once `by` is known to be allowed to manage it."""
    membership = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
    if not access.can_manage_member(access.membership_of(by), membership):
        raise PermissionDenied
    return membership


def _check_role_and_unit(organization: Organization, role: str, unit: Unit | None) -> None:
    if role not in Role.values:
        raise DomainError(_("請選擇角色。"))
    if role in {Role.STAFF, Role.HEAD} and unit is None:
        raise DomainError(_("承辦人與主管必須指定所屬單位。"))
    if unit is not None:
        if unit.organization_id != organization.pk:
            raise DomainError(
                _("「%(unit)s」不是%(organization)s的單位。")
                % {"unit": unit.name, "organization": organization.short_name}
            )
        if not unit.is_active:
            raise DomainError(_("「%(unit)s」已停用，不能指派成員。") % {"unit": unit.name})


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise DomainError(
            _("密碼不符合規則：%(problems)s") % {"problems": "".join(error.messages)}
        ) from error


def create_user(
    *,
    organization: Organization,
    username: str,
    full_name: str,
    email: str = "",
    role: str,
    unit: Unit | None,
    password: str,
    by: User,
) -> User:
    """A new active account in the organization, with its role and (for staff and heads) unit."""
    username = (username or "").strip()
    if not username:
        raise DomainError(_("請填寫帳號。"))
    _check_role_and_unit(organization, role, unit)
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise DomainError(
                _("帳號「%(username)s」已有人使用，請換一個。") % {"username": username}
            )
        user = User(username=username, first_name=(full_name or "").strip(), email=email or "")
        _check_password(password, user)
        user.set_password(password)
        try:
            user.full_clean()
        except ValidationError as error:
            raise DomainError("；".join(error.messages)) from error
        user.save()
        membership = Membership(
            user=user,
            organization=organization,
            unit=unit,
            role=role,
        )
        _record(membership, by, "新增帳號")
    return user


def update_membership(
    *, membership: Membership, full_name: str, email: str, role: str, unit: Unit | None, by: User
) -> Membership:
    """Change a member's name, role and unit. An admin cannot take away their own admin role."""
    _check_role_and_unit(membership.organization, role, unit)
    if membership.user_id == by.pk and role != Role.ADMIN:
        raise DomainError(_("不能取消自己的管理者角色，請由另一位管理者操作。"))
    with transaction.atomic():
        membership = _locked_for_change(membership, by)
        user = membership.user
        user.first_name = (full_name or "").strip()
        user.email = email or ""
        user.save(update_fields=["first_name", "email"])
        changes = []
        if membership.role != role:
            changes.append(f"角色 {membership.get_role_display()} → {Role(role).label}")
        if membership.unit_id != (unit.pk if unit else None):
            changes.append(f"單位 {membership.unit or '—'} → {unit or '—'}")
        membership.role = role
        membership.unit = unit
        _record(membership, by, "；".join(changes) or "修改帳號資料")
    return membership


def set_active(*, membership: Membership, active: bool, by: User) -> Membership:
    """Deactivate (停用) or reactivate an account. Nothing is deleted: a deactivated user's
    entries and history stay, they just cannot sign in."""
    if membership.user_id == by.pk and not active:
        raise DomainError(_("不能停用自己的帳號。"))
    with transaction.atomic():
        membership = _locked_for_change(membership, by)
        membership.user.is_active = active
        membership.user.save(update_fields=["is_active"])
        _record(membership, by, "啟用帳號" if active else "停用帳號")
    return membership


def reset_password(*, membership: Membership, password: str, by: User) -> Membership:
    """The admin sets a new password for a member (who should change it after signing in)."""
    with transaction.atomic():
        membership = _locked_for_change(membership, by)
        _check_password(password, membership.user)
        membership.user.set_password(password)
        membership.user.save(update_fields=["password"])
        _record(membership, by, "管理者重設密碼")
    return membership


def unlock_sign_in(*, membership: Membership, by: User) -> int:
    """Lift a sign-in lock-out of the member (every address) before the cool-off ends.
    Returns how many locked (user name, address) records were cleared; recorded in history."""
    with transaction.atomic():
        membership = _locked_for_change(membership, by)
        cleared = reset_failed_logins(username=membership.user.get_username())
        _record(membership, by, "管理者解除登入鎖定")
    return cleared


def give_membership(
    *,
    user: User,
    organization: Organization,
    role: str,
    unit: Unit | None,
    by: User | None,
    reason: str,
) -> Membership:
    """A membership for an account that has none yet (a directory user's first role)."""
    _check_role_and_unit(organization, role, unit)
    membership = Membership(user=user, organization=organization, role=role, unit=unit)
    with transaction.atomic():
        _record(membership, by, reason)
    return membership
