"""Loading a checked archive into this database, all or nothing."""

import datetime as dt
import io
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist, SuspiciousOperation, ValidationError
from django.core.files.base import ContentFile
from django.db import DataError, IntegrityError, models, transaction
from django.db.models.fields.files import FieldFile

from strategies import evidence as evidence_rules
from strategies import tallies
from strategies.auth import User
from strategies.backup.archive import (
    Archive,
    BackupError,
    history_model,
    load_value,
    m2m_history_model,
    m2m_target_attname,
    read_archive,
    sha256_hex,
)
from strategies.backup.specs import USER_FIELDS, Spec
from strategies.errors import DomainError
from strategies.models import (
    Item,
    Membership,
    Organization,
    Unit,
    Year,
)
from strategies.models.audit import RecordsHistory

Role = Membership.Role


# --- restore --------------------------------------------------------------------------------


@dataclass
class Restored:
    year: Year
    counts: dict[str, int]
    # Admin accounts created without the archive's password hash (they must be given one).
    without_password: list[str] = field(default_factory=list)


# What a malformed data.json raises on the way in: turned into one line, never a traceback.
_MALFORMED = (
    KeyError,
    IndexError,
    TypeError,
    ValueError,
    AttributeError,
    ValidationError,
    IntegrityError,
    DataError,
    SuspiciousOperation,
)


def restore_backup(
    *, content: bytes, specs: list[Spec], keep_admin_passwords: bool = False
) -> Restored:
    """Load the archive into this database, all or nothing.

    The organization (and its headquarters) are found by code or created; units by name;
    users by username (a username that belongs to another organization is refused). The year
    must not exist yet. Evidence files are checked as an upload is (strategies.evidence), stored
    under a name of ours, and removed again if the transaction fails.

    An archive can be written by anyone, so it never brings a way into an admin account: admin
    accounts it creates get no usable password (listed in `without_password`) unless
    `keep_admin_passwords`; it never creates a superuser or staff user (those flags are not
    read). Anything malformed is a BackupError of one line.
    """
    archive = read_archive(content)
    data = archive.data
    _check_year(data)
    written_files: list[Any] = []
    try:
        with transaction.atomic():
            restored = _restore(archive, data, specs, written_files, keep_admin_passwords)
            # Rows were written in bulk, past the models: the dashboards recount when read.
            tallies.mark_stale([restored.year.pk])
    except Exception as error:
        for stored in written_files:
            stored.storage.delete(stored.name)
        if isinstance(error, _MALFORMED):
            raise BackupError(
                f"備份檔內容不合規則（{_describe(error)}），未還原任何資料。"
            ) from error
        raise
    return restored


def _describe(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "；".join(error.messages)[:200]
    if isinstance(error, KeyError):
        return f"缺少欄位 {error.args[0]!r}"[:200]
    return f"{type(error).__name__}: {error}"[:200]


def _check_year(data: dict[str, Any]) -> None:
    """The parts read before anything is written, with a message of their own."""
    if not isinstance(data.get("organization"), dict) or not isinstance(data.get("year"), dict):
        raise BackupError("備份檔的 data.json 缺少機關或年度資料，未還原任何資料。")
    status = data["year"].get("status")
    if status not in Year.Status.values:
        allowed = "、".join(Year.Status.values)
        raise BackupError(
            f"備份檔的年度狀態「{str(status)[:40]}」不是可用的值（{allowed}），未還原任何資料。"
        )
    for key in ("roc_year", "deadline_day"):
        value = data["year"].get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            raise BackupError(f"備份檔的年度欄位 {key} 應為整數，收到「{str(value)[:40]}」。")


def _evidence_file(row: dict[str, Any], body: bytes) -> evidence_rules.Sniffed:
    """The archived file, checked exactly as an upload is: type by content, size, extension."""
    name = str(row.get("original_name") or "file")
    try:
        sniffed = evidence_rules.check_file(name, len(body), io.BytesIO(body))
    except DomainError as error:
        raise BackupError(f"備份檔中的佐證檔：{error.message}未還原任何資料。") from None
    if row.get("content_type") != sniffed.content_type:
        raise BackupError(
            f"備份檔中的佐證檔「{name[:80]}」紀錄的類型「{str(row.get('content_type'))[:60]}」"
            f"與內容（{sniffed.content_type}）不符，未還原任何資料。"
        )
    return sniffed


def _restore(
    archive: Archive,
    data: dict[str, Any],
    specs: list[Spec],
    written: list[FieldFile],
    keep_admin_passwords: bool,
) -> Restored:
    org_data = data["organization"]
    parent = None
    if org_data["parent"]:
        p = org_data["parent"]
        parent = Organization.objects.filter(code=p["code"]).first() or Organization.objects.create(
            code=p["code"],
            name=p["name"],
            short_name=p["short_name"],
            is_headquarters=p["is_headquarters"],
        )
    organization = Organization.objects.filter(code=org_data["code"]).first()
    if organization is None:
        organization = Organization(
            code=org_data["code"],
            name=org_data["name"],
            short_name=org_data["short_name"],
            is_headquarters=org_data["is_headquarters"],
            parent=parent,
        )
        organization.full_clean()
        organization.save()
    year_data = data["year"]
    if Year.objects.filter(organization=organization, roc_year=year_data["roc_year"]).exists():
        raise BackupError(
            f"{organization.short_name}已有 {year_data['roc_year']} 年度，不會覆寫；未還原任何資料。"
        )
    copied_from = None
    if year_data["copied_from_roc_year"]:
        copied_from = Year.objects.filter(
            organization=organization, roc_year=year_data["copied_from_roc_year"]
        ).first()
    year = Year(
        organization=organization,
        roc_year=year_data["roc_year"],
        status=year_data["status"],
        deadline_day=year_data["deadline_day"],
        copied_from=copied_from,
    )
    year._change_reason = "由備份還原"
    # An archive with an audit trail brings its own: the restore itself writes none.
    keep_history = "history" in data
    if keep_history:
        year.skip_history_when_saving = True
    year.full_clean()
    year.save()

    pks: dict[str, dict[int, int]] = {"user": {}}
    # Members of the organization must not belong elsewhere; other users named in the archive
    # (a headquarters auditor who signed off, the author of a history row) are reused as they are.
    members = {row["user"] for row in data.get("membership", [])}
    admins = {row["user"] for row in data.get("membership", []) if row["role"] == Role.ADMIN}
    without_password = []
    for row in data["user"]:
        user = User.objects.filter(username=row["username"]).first()
        if user is None:
            # Only these fields are read: an archive cannot make a superuser or staff user.
            user = User(**{f: load_value(User, f, row[f]) for f in USER_FIELDS})
            if row["id"] in admins and not keep_admin_passwords:
                user.set_unusable_password()
                without_password.append(user.username)
            user.save()
        elif row["id"] in members:
            other = Membership.objects.filter(user=user).exclude(organization=organization).first()
            if other is not None:
                raise BackupError(
                    f"帳號「{user.username}」已屬於{other.organization.short_name}，"
                    f"不能併入{organization.short_name}；未還原任何資料。"
                )
        pks["user"][row["id"]] = user.pk

    counts = {"user": len(data["user"])}
    created: dict[str, dict[int, models.Model]] = {}
    for spec in specs:
        pks[spec.name] = {}
        created[spec.name] = {}
        rows = data.get(spec.name, [])
        counts[spec.name] = len(rows)
        for row in rows:
            values = {
                name: load_value(spec.model, name, _stored(spec, row, name))
                for name in spec.fields
                if name not in spec.times
            }
            for name, kind in spec.refs.items():
                ref = row.get(name)
                values[f"{name}_id"] = pks[kind][ref] if ref is not None else None
            if _has_year_fk(spec.model):  # rows that hang on the year itself
                values["year"] = year
            obj = _find_existing(spec, organization, values)
            if obj is None:
                obj = spec.model(**values)
                if isinstance(obj, Unit | Membership):  # the "unit" and "membership" specs
                    obj.organization = organization
                if spec.file_field:
                    body = archive.files[row[spec.file_field]]
                    if sha256_hex(body) != row.get("sha256", sha256_hex(body)):
                        raise BackupError(f"佐證檔「{row.get('original_name')}」內容與紀錄不符。")
                    sniffed = _evidence_file(row, body)
                    # As for an upload, the stored name is ours, never the archived name.
                    getattr(obj, spec.file_field).save(
                        f"{uuid.uuid4().hex}{sniffed.extension}", ContentFile(body), save=False
                    )
                    written.append(getattr(obj, spec.file_field))
                if isinstance(obj, Item) and row.get("copied_from_path"):
                    obj.copied_from = _item_at(organization, row["copied_from_path"])
                if isinstance(obj, RecordsHistory):
                    obj._change_reason = "由備份還原"
                    if keep_history:
                        obj.skip_history_when_saving = True
                # Types, choices and lengths as a form would check them; no query (relations
                # are checked by the database, files above).
                obj.clean_fields(exclude=_not_checked(spec))
                obj.save()
                created[spec.name][row["id"]] = obj
            pks[spec.name][row["id"]] = obj.pk
            for name, kind in spec.m2m.items():
                getattr(obj, name).set([pks[kind][n] for n in row[name]])
            if spec.times:
                spec.model._default_manager.filter(pk=obj.pk).update(
                    **{name: load_value(spec.model, name, row[name]) for name in spec.times}
                )
    if keep_history:
        _restore_history(data["history"], specs, pks, created, year)
    return Restored(year, counts, without_password)


def _tracked(history: type[models.Model], obj: models.Model) -> dict[str, Any]:
    """The object's current value of every field its history model tracks."""
    values = {}
    for field_ in history._meta.fields:
        if field_.name.startswith("history_"):
            continue
        value = getattr(obj, field_.attname)
        values[field_.attname] = value.name if isinstance(value, FieldFile) else value
    return values


def _head(record: dict[str, Any], users: dict[int, int]) -> dict[str, Any]:
    return {
        "history_date": _when(record["date"]),
        "history_type": record["type"],
        "history_change_reason": record["reason"],
        "history_user_id": users.get(record["user"]) if record["user"] is not None else None,
    }


def _stored(spec: Spec, row: dict[str, Any], name: str) -> Any:
    """The archived value, or for a field added after the archive was made the value the spec
    gives it (an older archive has no year-end text state: its items get a draft)."""
    if name in row:
        return row[name]
    if name not in spec.added_later:  # a field every archive carries: its absence is an error
        raise KeyError(name)
    return spec.added_later[name]


def _when(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _restore_history(
    history: dict[str, list[dict[str, Any]]],
    specs: list[Spec],
    pks: dict[str, dict[int, int]],
    created: dict[str, dict[int, models.Model]],
    year: Year,
) -> None:
    """Write back the archived audit trail of every object the restore created."""
    users = pks["user"]
    year_history = history_model(Year)
    assert year_history is not None
    year_history.objects.bulk_create(
        [
            year_history(
                **{
                    **_tracked(year_history, year),
                    **_head(record, users),
                    "status": record["status"],
                    "deadline_day": record["deadline_day"],
                }
            )
            for record in history.get("year", [])
        ]
    )
    for spec in specs:
        model_history = history_model(spec.model)
        if model_history is None:
            continue
        pairs = []
        for record in history.get(spec.name, []):
            obj = created[spec.name].get(record["of"])
            if obj is None:  # an object that already existed keeps its own trail
                continue
            values = _tracked(model_history, obj)
            for name in spec.fields:
                values[name] = load_value(spec.model, name, _stored(spec, record, name))
            for name, kind in spec.refs.items():
                ref = record.get(name)
                values[f"{name}_id"] = pks[kind].get(ref) if ref is not None else None
            pairs.append((model_history(**values, **_head(record, users)), record))
        rows = model_history.objects.bulk_create([row for row, _ in pairs])
        for name, kind in spec.m2m.items():
            through = m2m_history_model(spec.model, name)
            target = m2m_target_attname(spec.model, name)
            own = next(
                f.attname
                for f in through._meta.fields
                if isinstance(f, models.ForeignKey) and f.related_model is spec.model
            )
            # The link's own id: the current link row's, when the link still exists.
            live = getattr(spec.model, name).through
            link_ids = {
                (getattr(link, own), getattr(link, target)): link.pk
                for link in live._default_manager.filter(**{f"{own}__in": [row.id for row in rows]})
            }
            through.objects.bulk_create(
                [
                    through(
                        history=row,
                        id=link_ids.get((row.id, pks[kind][ref]), 0),
                        **{own: row.id, target: pks[kind][ref]},
                    )
                    for row, (_, record) in zip(rows, pairs, strict=True)
                    for ref in record[name]
                    if ref in pks[kind]
                ]
            )


def _not_checked(spec: Spec) -> list[str]:
    return [f.name for f in spec.model._meta.fields if f.is_relation or f.name == spec.file_field]


def _has_year_fk(model: type[models.Model]) -> bool:
    try:
        field_ = model._meta.get_field("year")
    except FieldDoesNotExist:  # the model hangs on something else
        return False
    return (
        isinstance(field_, models.ForeignKey | models.OneToOneField)
        and field_.related_model is Year
    )


def _find_existing(
    spec: Spec, organization: Organization, values: dict[str, Any]
) -> models.Model | None:
    """Units and memberships already in the organization are reused, not duplicated."""
    if spec.name == "unit":
        return Unit.objects.filter(organization=organization, name=values["name"]).first()
    if spec.name == "membership":
        return Membership.objects.filter(user_id=values["user_id"]).first()
    return None


def _item_at(organization: Organization, path: list[int]) -> Item | None:
    roc_year, dimension, strategy, method, order = path
    return Item.objects.filter(
        method__strategy__dimension__year__organization=organization,
        method__strategy__dimension__year__roc_year=roc_year,
        method__strategy__dimension__number=dimension,
        method__strategy__order=strategy,
        method__order=method,
        order=order,
    ).first()
