"""Backup and restore of one organization-year: a versioned, compressed, checksummed archive.

The archive is a zip file:

    manifest.json     format, format version, organization, year, counts, and the SHA-256
                      of every other member
    manifest.sha256   the SHA-256 of manifest.json itself
    data.json         the records, model by model, with archive-local ids instead of database
                      keys, so a restore works in any database (empty or holding other
                      organizations) and a backup of the restored year is byte-identical
    files/<n>         the evidence files

This module is the engine plus the strategies side of the data (`STRATEGIES_SPECS`). It never
imports scoring: the scoring side adds its own specs (scoring/backup_specs.py) and the backup
and restore commands, which live in scoring, pass both lists. Restore validates the whole
archive before it writes anything, then writes in one transaction.

Not included: the audit history (django-simple-history rows), and issued reports.
"""

import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone

from strategies.errors import DomainError
from strategies.models import (
    Dimension,
    EntryComment,
    Evidence,
    Indicator,
    IndicatorValue,
    Item,
    Membership,
    Method,
    MonthLock,
    MonthlyEntry,
    Organization,
    Strategy,
    Unit,
    Year,
)

FORMAT = "perfreport-backup"
FORMAT_VERSION = 1
User = get_user_model()

ITEM_PATH = (
    "item__method__strategy__dimension__number",
    "item__method__strategy__order",
    "item__method__order",
    "item__order",
)
ENTRY_PATH = tuple(f"entry__{p}" for p in ITEM_PATH) + ("entry__unit__name", "entry__month")


class BackupError(DomainError):
    """The archive is refused: nothing has been written."""


@dataclass(frozen=True)
class Spec:
    """How one model goes into the archive and comes back.

    `refs` maps a foreign key to the spec it points at ("user" for users); `m2m` likewise.
    `select(organization, year)` lists the rows in an order that does not depend on database
    keys. `times` are auto_now / auto_now_add fields, restored after the insert.
    """

    name: str
    model: type[models.Model]
    fields: tuple[str, ...]
    select: Callable[[Organization, Year], Iterable[models.Model]]
    refs: dict[str, str] = field(default_factory=dict)
    m2m: dict[str, str] = field(default_factory=dict)
    times: tuple[str, ...] = ()
    file_field: str = ""


def _by_year(model: type[models.Model], path: str, *order: str):  # type: ignore[no-untyped-def]
    return lambda organization, year: model.objects.filter(**{path: year}).order_by(*order)


STRATEGIES_SPECS: list[Spec] = [
    Spec(
        "unit",
        Unit,
        ("name", "kind", "order", "is_active"),
        lambda org, year: Unit.objects.filter(organization=org).order_by("name"),
    ),
    Spec(
        "membership",
        Membership,
        ("role",),
        lambda org, year: Membership.objects.filter(organization=org).order_by("user__username"),
        refs={"user": "user", "unit": "unit"},
    ),
    Spec(
        "dimension",
        Dimension,
        ("number", "name", "max_score"),
        _by_year(Dimension, "year", "number"),
    ),
    Spec(
        "strategy",
        Strategy,
        ("order", "title", "is_retired"),
        _by_year(Strategy, "dimension__year", "dimension__number", "order"),
        refs={"dimension": "dimension"},
    ),
    Spec(
        "method",
        Method,
        ("order", "title", "description", "is_retired"),
        _by_year(
            Method,
            "strategy__dimension__year",
            "strategy__dimension__number",
            "strategy__order",
            "order",
        ),
        refs={"strategy": "strategy"},
    ),
    Spec(
        "item",
        Item,
        (
            "order",
            "title",
            "host_label",
            "planned_actions",
            "results",
            "shortfall_note",
            "is_retired",
        ),
        lambda org, year: (
            Item.objects.filter(method__strategy__dimension__year=year)
            .select_related("copied_from__method__strategy__dimension__year")
            .prefetch_related("host_units")
            .order_by(*(p[6:] for p in ITEM_PATH))
        ),
        refs={"method": "method"},
        m2m={"host_units": "unit"},
    ),
    Spec(
        "indicator",
        Indicator,
        ("order", "name", "measure", "target", "aggregation", "allows_decimals", "reported_actual"),
        _by_year(Indicator, "item__method__strategy__dimension__year", *ITEM_PATH, "order"),
        refs={"item": "item"},
    ),
    Spec(
        "monthly_entry",
        MonthlyEntry,
        (
            "month",
            "narrative",
            "status",
            "return_reason",
            "version",
            "updated_at",
            "submitted_at",
            "approved_at",
        ),
        _by_year(
            MonthlyEntry,
            "item__method__strategy__dimension__year",
            *ITEM_PATH,
            "unit__name",
            "month",
        ),
        refs={"item": "item", "unit": "unit", "created_by": "user", "updated_by": "user"},
        times=("updated_at",),
    ),
    Spec(
        "indicator_value",
        IndicatorValue,
        ("value",),
        _by_year(
            IndicatorValue,
            "entry__item__method__strategy__dimension__year",
            *ENTRY_PATH,
            "indicator__order",
        ),
        refs={"entry": "monthly_entry", "indicator": "indicator"},
    ),
    Spec(
        "entry_comment",
        EntryComment,
        ("body", "created_at"),
        _by_year(
            EntryComment,
            "entry__item__method__strategy__dimension__year",
            *ENTRY_PATH,
            "created_at",
            "body",
        ),
        refs={"entry": "monthly_entry", "author": "user"},
        times=("created_at",),
    ),
    Spec(
        "evidence",
        Evidence,
        ("original_name", "content_type", "size", "sha256", "uploaded_at"),
        _by_year(
            Evidence,
            "entry__item__method__strategy__dimension__year",
            *ENTRY_PATH,
            "uploaded_at",
            "original_name",
        ),
        refs={"entry": "monthly_entry", "uploaded_by": "user"},
        times=("uploaded_at",),
        file_field="file",
    ),
    Spec(
        "month_lock",
        MonthLock,
        ("month", "locked_at"),
        _by_year(MonthLock, "year", "month"),
        refs={"locked_by": "user"},
        times=("locked_at",),
    ),
]

USER_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "is_active",
    "password",
    "date_joined",
)


# --- values ---------------------------------------------------------------------------------


def _dump_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _load_value(model: type[models.Model], name: str, value: Any) -> Any:
    if value is None:
        return None
    field_ = model._meta.get_field(name)
    if isinstance(field_, models.DecimalField):
        return Decimal(value)
    if isinstance(field_, models.DateTimeField):
        return dt.datetime.fromisoformat(value)
    return value


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- backup ---------------------------------------------------------------------------------


def _item_path(item: Item) -> list[int]:
    method = item.method
    return [
        method.strategy.dimension.year.roc_year,
        method.strategy.dimension.number,
        method.strategy.order,
        method.order,
        item.order,
    ]


def build_backup(*, organization: Organization, roc_year: int, specs: list[Spec]) -> bytes:
    """The archive of one organization-year (see the module docstring)."""
    year = (
        Year.objects.select_related("organization__parent", "copied_from")
        .filter(organization=organization, roc_year=roc_year)
        .first()
    )
    if year is None:
        raise DomainError(f"{organization.short_name}沒有 {roc_year} 年度，無法備份。")
    ids: dict[str, dict[int, int]] = {}
    users: dict[int, int] = {}
    records: dict[str, list[dict[str, Any]]] = {}
    files: dict[str, bytes] = {}

    def local(kind: str, pk: int | None) -> int | None:
        if pk is None:
            return None
        if kind == "user":
            return users.setdefault(pk, len(users) + 1)
        try:
            return ids[kind][pk]
        except KeyError:
            raise DomainError(f"備份資料不一致：{kind} #{pk} 不屬於此年度。") from None

    for spec in specs:
        ids[spec.name] = {}
        rows = []
        for n, obj in enumerate(spec.select(organization, year), start=1):
            ids[spec.name][obj.pk] = n
            record: dict[str, Any] = {"id": n}
            for name in spec.fields:
                record[name] = _dump_value(getattr(obj, name))
            for name, kind in spec.refs.items():
                record[name] = local(kind, getattr(obj, f"{name}_id"))
            for name, kind in spec.m2m.items():
                record[name] = sorted(local(kind, o.pk) for o in getattr(obj, name).all())  # type: ignore[type-var]
            if spec.file_field:
                content = getattr(obj, spec.file_field)
                try:
                    with content.open("rb") as handle:
                        data = handle.read()
                except OSError as error:
                    raise DomainError(
                        f"佐證檔「{content.name}」在儲存區找不到，備份未完成；請先修復檔案。"
                    ) from error
                member = f"files/{spec.name}-{n}"
                files[member] = data
                record[spec.file_field] = member
            if spec.name == "item" and obj.copied_from_id:  # type: ignore[attr-defined]
                record["copied_from_path"] = _item_path(obj.copied_from)  # type: ignore[attr-defined]
            rows.append(record)
        records[spec.name] = rows

    user_rows = []
    for user in User.objects.filter(pk__in=users).order_by("username"):
        user_rows.append(
            {"id": users[user.pk], **{f: _dump_value(getattr(user, f)) for f in USER_FIELDS}}
        )
    # Renumber users by username so the archive does not depend on the order they were met in.
    order = {row["id"]: n for n, row in enumerate(user_rows, start=1)}
    for row in user_rows:
        row["id"] = order[row["id"]]
    for spec in specs:
        for record in records[spec.name]:
            for name, kind in spec.refs.items():
                if kind == "user" and record[name] is not None:
                    record[name] = order[record[name]]

    parent = organization.parent
    data = {
        "organization": {
            "code": organization.code,
            "name": organization.name,
            "short_name": organization.short_name,
            "is_headquarters": organization.is_headquarters,
            "parent": None
            if parent is None
            else {
                "code": parent.code,
                "name": parent.name,
                "short_name": parent.short_name,
                "is_headquarters": parent.is_headquarters,
            },
        },
        "year": {
            "roc_year": year.roc_year,
            "status": year.status,
            "deadline_day": year.deadline_day,
            "copied_from_roc_year": year.copied_from.roc_year if year.copied_from else None,
        },
        "user": user_rows,
        **records,
    }
    payload = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    members = {"data.json": payload, **files}
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": timezone.now().astimezone(dt.UTC).isoformat(),
        "organization": organization.code,
        "roc_year": roc_year,
        "counts": {"user": len(user_rows), **{k: len(v) for k, v in records.items()}},
        "checksums": {name: _sha256(content) for name, content in sorted(members.items())},
    }
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("manifest.json", manifest_bytes)
        archive.writestr("manifest.sha256", _sha256(manifest_bytes) + "  manifest.json\n")
        for name, content in sorted(members.items()):
            archive.writestr(name, content)
    return out.getvalue()


# --- reading and checking an archive ----------------------------------------------------------


@dataclass
class Archive:
    manifest: dict[str, Any]
    data: dict[str, Any]
    files: dict[str, bytes]


def read_archive(content: bytes) -> Archive:
    """The checked archive; BackupError when anything is damaged, missing or unknown."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        names = set(archive.namelist())
        if archive.testzip() is not None:
            raise BackupError("備份檔已損毀（壓縮內容校驗失敗），未還原任何資料。")
        if not {"manifest.json", "manifest.sha256", "data.json"} <= names:
            raise BackupError("這不是 perfreport 的備份檔（缺少 manifest.json 或 data.json）。")
        manifest_bytes = archive.read("manifest.json")
        recorded = archive.read("manifest.sha256").decode("ascii", "replace").split()[:1]
        if recorded != [_sha256(manifest_bytes)]:
            raise BackupError(
                "備份檔的清單（manifest.json）校驗碼不符，檔案已損毀，未還原任何資料。"
            )
        manifest = json.loads(manifest_bytes)
        if manifest.get("format") != FORMAT:
            raise BackupError("這不是 perfreport 的備份檔。")
        version = manifest.get("format_version")
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise BackupError(
                f"備份檔格式版本 {version} 比本系統支援的 {FORMAT_VERSION} 新，請先更新系統。"
            )
        checksums: dict[str, str] = manifest.get("checksums", {})
        extra = names - set(checksums) - {"manifest.json", "manifest.sha256"}
        if extra:
            raise BackupError(f"備份檔含有清單以外的檔案（{sorted(extra)[0]}），未還原任何資料。")
        members = {}
        for name, checksum in checksums.items():
            if name not in names:
                raise BackupError(f"備份檔缺少「{name}」，未還原任何資料。")
            body = archive.read(name)
            if _sha256(body) != checksum:
                raise BackupError(f"備份檔中「{name}」的校驗碼不符，檔案已損毀，未還原任何資料。")
            members[name] = body
        data = json.loads(members.pop("data.json"))
    except BackupError:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        KeyError,
        ValueError,
        EOFError,
        OSError,
    ) as error:
        raise BackupError("備份檔已損毀或不是 zip 壓縮檔，未還原任何資料。") from error
    return Archive(manifest, data, members)


# --- restore --------------------------------------------------------------------------------


@dataclass
class Restored:
    year: Year
    counts: dict[str, int]


def restore_backup(*, content: bytes, specs: list[Spec]) -> Restored:
    """Load the archive into this database, all or nothing.

    The organization (and its headquarters) are found by code or created; units by name;
    users by username (a username that belongs to another organization is refused). The year
    must not exist yet. Evidence files are written to storage and removed again if the
    transaction fails.
    """
    archive = read_archive(content)
    data = archive.data
    written_files: list[Any] = []
    try:
        with transaction.atomic():
            restored = _restore(archive, data, specs, written_files)
    except Exception:
        for stored in written_files:
            stored.storage.delete(stored.name)
        raise
    return restored


def _restore(archive: Archive, data: dict[str, Any], specs: list[Spec], written: list) -> Restored:  # type: ignore[type-arg]
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
    year._change_reason = "由備份還原"  # type: ignore[attr-defined]
    year.full_clean()
    year.save()

    pks: dict[str, dict[int, int]] = {"user": {}}
    for row in data["user"]:
        user = User.objects.filter(username=row["username"]).first()
        if user is None:
            user = User(**{f: _load_value(User, f, row[f]) for f in USER_FIELDS})
            user.save()
        else:
            other = Membership.objects.filter(user=user).exclude(organization=organization).first()
            if other is not None:
                raise BackupError(
                    f"帳號「{user.username}」已屬於{other.organization.short_name}，"
                    f"不能併入{organization.short_name}；未還原任何資料。"
                )
        pks["user"][row["id"]] = user.pk

    counts = {"user": len(data["user"])}
    for spec in specs:
        pks[spec.name] = {}
        rows = data.get(spec.name, [])
        counts[spec.name] = len(rows)
        for row in rows:
            values = {
                name: _load_value(spec.model, name, row[name])
                for name in spec.fields
                if name not in spec.times
            }
            for name, kind in spec.refs.items():
                values[f"{name}_id"] = pks[kind][row[name]] if row[name] is not None else None
            if _has_year_fk(spec.model):  # rows that hang on the year itself
                values["year"] = year
            obj = _find_existing(spec, organization, values)
            if obj is None:
                obj = spec.model(**values)
                if spec.name == "unit":
                    obj.organization = organization  # type: ignore[attr-defined]
                if spec.name == "membership":
                    obj.organization = organization  # type: ignore[attr-defined]
                if spec.file_field:
                    body = archive.files[row[spec.file_field]]
                    if _sha256(body) != row.get("sha256", _sha256(body)):
                        raise BackupError(f"佐證檔「{row.get('original_name')}」內容與紀錄不符。")
                    getattr(obj, spec.file_field).save(
                        row.get("original_name") or "file", ContentFile(body), save=False
                    )
                    written.append(getattr(obj, spec.file_field))
                if spec.name == "item" and row.get("copied_from_path"):
                    obj.copied_from = _item_at(organization, row["copied_from_path"])  # type: ignore[attr-defined]
                obj._change_reason = "由備份還原"  # type: ignore[attr-defined]
                obj.save()
            pks[spec.name][row["id"]] = obj.pk
            for name, kind in spec.m2m.items():
                getattr(obj, name).set([pks[kind][n] for n in row[name]])
            if spec.times:
                spec.model.objects.filter(pk=obj.pk).update(
                    **{name: _load_value(spec.model, name, row[name]) for name in spec.times}
                )
    return Restored(year, counts)


def _has_year_fk(model: type[models.Model]) -> bool:
    try:
        field_ = model._meta.get_field("year")
    except FieldDoesNotExist:  # the model hangs on something else
        return False
    return (
        isinstance(field_, models.ForeignKey | models.OneToOneField)
        and field_.related_model is Year
    )


def _find_existing(spec: Spec, organization: Organization, values: dict[str, Any]):  # type: ignore[no-untyped-def]
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
