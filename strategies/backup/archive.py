"""Writing an archive and reading one back, checked member by member (see the package
docstring for the layout)."""

import datetime as dt
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import timezone

from strategies.auth import User
from strategies.backup.specs import USER_FIELDS, Spec
from strategies.bounded_files import load_json, open_zip
from strategies.errors import DomainError
from strategies.models import (
    Item,
    Organization,
    Year,
)

FORMAT = "perfreport-backup"
FORMAT_VERSION = 1


class BackupError(DomainError):
    """The archive is refused: nothing has been written."""


# --- values ---------------------------------------------------------------------------------


def dump_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def load_value(model: type[models.Model], name: str, value: Any) -> Any:
    if value is None:
        return None
    field_ = model._meta.get_field(name)
    if isinstance(field_, models.DecimalField):
        return Decimal(value)
    if isinstance(field_, models.DateTimeField):
        return dt.datetime.fromisoformat(value)
    return value


def sha256_hex(data: bytes) -> str:
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
                record[name] = dump_value(getattr(obj, name))
            for name, kind in spec.refs.items():
                record[name] = local(kind, getattr(obj, f"{name}_id"))
            for name, kind in spec.m2m.items():
                record[name] = sorted(local(kind, o.pk) for o in getattr(obj, name).all())
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
            if isinstance(obj, Item) and obj.copied_from_id and obj.copied_from is not None:
                record["copied_from_path"] = _item_path(obj.copied_from)
            rows.append(record)
        records[spec.name] = rows

    history = _collect_history(specs, ids, year, lambda pk: local("user", pk))

    user_rows = []
    for user in User.objects.filter(pk__in=users).order_by("username"):
        user_rows.append(
            {"id": users[user.pk], **{f: dump_value(getattr(user, f)) for f in USER_FIELDS}}
        )
    # Renumber users by username so the archive does not depend on the order they were met in.
    order = {row["id"]: n for n, row in enumerate(user_rows, start=1)}
    for row in user_rows:
        row["id"] = order[row["id"]]
    for spec in specs:
        for record in records[spec.name] + history.get(spec.name, []):
            for name, kind in spec.refs.items():
                if kind == "user" and record[name] is not None:
                    record[name] = order.get(record[name])
    for rows_ in history.values():
        for record in rows_:
            if record["user"] is not None:
                record["user"] = order.get(record["user"])  # None: the user was deleted

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
        "history": history,
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
        "checksums": {name: sha256_hex(content) for name, content in sorted(members.items())},
    }
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("manifest.json", manifest_bytes)
        archive.writestr("manifest.sha256", sha256_hex(manifest_bytes) + "  manifest.json\n")
        for name, content in sorted(members.items()):
            archive.writestr(name, content)
    return out.getvalue()


def history_model(model: type[models.Model]) -> type[Any] | None:
    """The django-simple-history model of `model`, if it keeps one (built at run time by the
    library, which ships no types: its rows are read as Any)."""
    attribute = getattr(model._meta, "simple_history_manager_attribute", None)
    return getattr(model, attribute).model if attribute else None


def m2m_history_model(model: type[models.Model], name: str) -> type[Any]:
    hm = history_model(model)
    assert hm is not None
    return apps.get_model(hm._meta.app_label, f"{hm.__name__}_{name}")


def m2m_target_attname(model: type[models.Model], name: str) -> str:
    """The column of the m2m history rows that holds the related object (unit_id for host_units)."""
    related = model._meta.get_field(name).related_model
    through = m2m_history_model(model, name)
    for field_ in through._meta.fields:
        if isinstance(field_, models.ForeignKey) and field_.related_model is related:
            return field_.attname
    raise LookupError(f"{through.__name__} has no column for {name}")


def _collect_history(
    specs: list[Spec],
    ids: dict[str, dict[int, int]],
    year: Year,
    user_id: Callable[[int | None], int | None],
) -> dict[str, list[dict[str, Any]]]:
    """The audit trail of every archived object (and of the year), in a key-free order.

    A history row's references point at archived objects by their archive ids; a reference to
    something outside the archive (a deleted object, another year) is kept as null.
    """
    history: dict[str, list[dict[str, Any]]] = {}
    year_rows = Year.history.filter(id=year.pk).order_by("history_date", "history_id")
    history["year"] = [
        {
            **_history_head(row, user_id),
            "status": row.status,
            "deadline_day": row.deadline_day,
        }
        for row in year_rows
    ]
    for spec in specs:
        hm = history_model(spec.model)
        if hm is None:
            continue
        local_ids = ids[spec.name]
        rows = sorted(
            hm.objects.filter(id__in=list(local_ids)),
            key=lambda r: (local_ids[r.id], r.history_date, r.history_id),
        )
        m2m: dict[str, dict[int, list[int]]] = {}
        for name, kind in spec.m2m.items():
            through = m2m_history_model(spec.model, name)
            grouped: dict[int, list[int]] = {}
            target = m2m_target_attname(spec.model, name)
            for link in through.objects.filter(history_id__in=[r.history_id for r in rows]):
                mapped = ids[kind].get(getattr(link, target))
                if mapped is not None:
                    grouped.setdefault(link.history_id, []).append(mapped)
            m2m[name] = grouped
        out = []
        for row in rows:
            record = {**_history_head(row, user_id), "of": local_ids[row.id]}
            for name in spec.fields:
                record[name] = dump_value(getattr(row, name))
            for name, kind in spec.refs.items():
                pk = getattr(row, f"{name}_id")
                record[name] = user_id(pk) if kind == "user" else ids[kind].get(pk)
            for name in spec.m2m:
                record[name] = sorted(m2m[name].get(row.history_id, []))
            out.append(record)
        history[spec.name] = out
    return history


def _history_head(row: Any, user_id: Callable[[int | None], int | None]) -> dict[str, Any]:
    return {
        "date": dump_value(row.history_date),
        "type": row.history_type,
        "reason": row.history_change_reason,
        "user": user_id(row.history_user_id),
    }


# --- reading and checking an archive ----------------------------------------------------------


@dataclass
class Archive:
    manifest: dict[str, Any]
    data: dict[str, Any]
    files: dict[str, bytes]


# Limits checked on the zip before any member is read (each member by its declared size).
MAX_MEMBERS = 100_000
MAX_MANIFEST_BYTES = 1024 * 1024
MAX_DATA_BYTES = 200 * 1024 * 1024  # data.json: records and history, no files
MAX_TOTAL_BYTES = 20 * 1024 * 1024 * 1024
MAX_DEPTH = 16  # data.json nests 5 deep
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$")


def _unsafe_name(name: str) -> bool:
    """An absolute path, a "../" step, a backslash or a drive: never in an archive of ours."""
    return not _SAFE_NAME.match(name) or any(part in {".", ".."} for part in name.split("/"))


def _member_limit(name: str) -> int:
    if name.startswith("files/"):
        return settings.EVIDENCE_MAX_BYTES
    if name == "data.json":
        return MAX_DATA_BYTES
    return MAX_MANIFEST_BYTES


def _load(body: bytes, name: str, max_bytes: int) -> Any:
    return load_json(
        body,
        max_bytes=max_bytes,
        max_depth=MAX_DEPTH,
        refuse=lambda message: BackupError(f"備份檔中的「{name}」：{message}未還原任何資料。"),
    )


def read_archive(content: bytes) -> Archive:
    """The checked archive; BackupError when anything is damaged, missing, unknown or over a
    limit. Member names are checked before anything is read (no "../", no name of our own
    invention), and every member's declared size before it is inflated."""
    try:
        archive = open_zip(
            content,
            max_members=MAX_MEMBERS,
            member_limit=_member_limit,
            max_total=MAX_TOTAL_BYTES,
            refuse=lambda message: BackupError(f"備份檔超出系統上限：{message}未還原任何資料。"),
        )
        for name in archive.namelist():
            if _unsafe_name(name):
                raise BackupError(
                    f"備份檔含有不該有的成員名稱「{name[:80]}」（不是 backup 產生的檔案），"
                    "未還原任何資料。"
                )
        names = set(archive.namelist())
        if archive.testzip() is not None:
            raise BackupError("備份檔已損毀（壓縮內容校驗失敗），未還原任何資料。")
        if not {"manifest.json", "manifest.sha256", "data.json"} <= names:
            raise BackupError("這不是 perfreport 的備份檔（缺少 manifest.json 或 data.json）。")
        manifest_bytes = archive.read("manifest.json")
        recorded = archive.read("manifest.sha256").decode("ascii", "replace").split()[:1]
        if recorded != [sha256_hex(manifest_bytes)]:
            raise BackupError(
                "備份檔的清單（manifest.json）校驗碼不符，檔案已損毀，未還原任何資料。"
            )
        manifest = _load(manifest_bytes, "manifest.json", MAX_MANIFEST_BYTES)
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise BackupError("這不是 perfreport 的備份檔。")
        version = manifest.get("format_version")
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise BackupError(
                f"備份檔格式版本 {version} 比本系統支援的 {FORMAT_VERSION} 新，請先更新系統。"
            )
        checksums = manifest.get("checksums", {})
        if not isinstance(checksums, dict):
            raise BackupError("備份檔的清單（manifest.json）格式不對，未還原任何資料。")
        extra = names - set(checksums) - {"manifest.json", "manifest.sha256"}
        if extra:
            raise BackupError(f"備份檔含有清單以外的檔案（{sorted(extra)[0]}），未還原任何資料。")
        members = {}
        for name, checksum in checksums.items():
            if name not in names:
                raise BackupError(f"備份檔缺少「{str(name)[:80]}」，未還原任何資料。")
            body = archive.read(name)
            if sha256_hex(body) != checksum:
                raise BackupError(f"備份檔中「{name}」的校驗碼不符，檔案已損毀，未還原任何資料。")
            members[name] = body
        data = _load(members.pop("data.json"), "data.json", MAX_DATA_BYTES)
        if not isinstance(data, dict):
            raise BackupError("備份檔中的 data.json 格式不對，未還原任何資料。")
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
