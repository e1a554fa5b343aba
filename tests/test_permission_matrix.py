"""The permission matrix: every URL name of the project, every actor, every relevant method.

One test walks the whole URLconf (namespaces included) and asks each actor for each page: GET,
and a POST of one unknown field where the view takes POSTs (it proves the permission check runs
before any form is read). The expected outcome of every cell is written in MATRIX below.

A URL name that is missing from MATRIX fails the test: a new page must say who may open it.
A name in MATRIX that no longer exists fails it too, so the table never lies.

Outcomes: "L" = redirect to the login page; a number = that HTTP status. Every cell runs inside
a savepoint that is rolled back, so a POST accepted in one cell cannot change the next one.

Skipped URL names, with the reason:
- `admin:*` - Django's own admin site; it has its own is_staff check and tests upstream.
- static files - served by WhiteNoise middleware, not by a URL pattern (none to walk).
"""

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from perfreport.reports.models import ExportJob, IssuedReport, IssuedVersion
from strategies.models import EntryComment, Evidence, Membership, MonthlyEntry, Notification
from tests import factories


def drain(response) -> None:  # type: ignore[no-untyped-def]
    """Read a streamed response to its end, so the test client closes its file.

    Never call response.close() in a test: it sends request_finished with Django's
    close_old_connections attached, which closes the PostgreSQL connection mid-test.
    """
    if response.streaming:
        b"".join(response.streaming_content)


# A POST carrying one unknown field: forms are bound (and invalid), nothing meaningful is sent.
PROBE = {"matrix-probe": "1"}
ACTORS = ("anon", "staff_a", "staff_b", "head_a", "auditor", "admin", "outsider", "hq")
SKIPPED_NAMESPACES = {"admin"}
SKIPPED_NAMES: set[str] = set()


@dataclass(frozen=True)
class Row:
    """One URL name (or one variant of its kwargs) and the expected outcome per actor.

    `get` and `post` list one outcome per actor, in ACTORS order. `post=None`: the view does not
    take POSTs and only GET is walked.
    """

    get: str
    post: str | None = None
    kwargs: Callable[[Any], dict[str, Any]] = lambda w: {}
    label: str = ""


# Shorthands for the rows that repeat.
#                 anon staff_a staff_b head_a auditor admin outsider hq
PUBLIC = "200 200 200 200 200 200 200 200"
MEMBERS = "L 200 200 200 200 200 200 200"
POST_ONLY = "L 405 405 405 405 405 405 405"
NOT_ALLOWED = "405 405 405 405 405 405 405 405"
# The organization admin's own pages (no object in the URL): everyone else is a member of *some*
# organization they cannot run, so 403, never 404.
OWN_ADMIN = "L 403 403 403 403 200 403 403"
# An object of khh in the URL: strangers get 404, khh members and HQ without the right 403.
ORG_ADMIN = "L 403 403 403 403 200 404 403"
# An object of *another* organization (tpe) in the URL: khh members are strangers (404); the
# outsider is a member of tpe without the admin right and HQ sees tpe but does not run it (403).
OTHER_ORG_ADMIN = "L 404 404 404 404 404 403 403"
# Readable by the host unit (staff and head of unit A) and by those who read everything.
ITEM_READERS = "L 200 403 200 200 200 404 200"
ENTRY_WRITERS = "L 400 403 400 403 403 404 403"
# Report files: the organization's admins and auditors, and headquarters auditors.
DOWNLOADERS = "L 403 403 403 200 200 404 200"


def _org_admin_post(admin: str) -> str:
    return f"L 403 403 403 403 {admin} 404 403"


def _own_admin_post(admin: str) -> str:
    return f"L 403 403 403 403 {admin} 403 403"


# Accounts an organization's admin may not manage look like no account at all (404): Django
# superusers and is_staff members of khh (run from /admin/ only), and members of another
# organization.
ABOVE_THE_ADMIN = "L 403 403 403 403 404 404 403"


def _above_the_admin(*, get: bool, post: bool) -> list[Row]:
    targets = [
        ("a Django superuser of khh", lambda w: {"pk": w.superuser.membership.pk}, ABOVE_THE_ADMIN),
        (
            "an is_staff member of khh",
            lambda w: {"pk": w.site_staff.membership.pk},
            ABOVE_THE_ADMIN,
        ),
        (
            "a member of another organization",
            lambda w: {"pk": w.outsider.membership.pk},
            OTHER_ORG_ADMIN,
        ),
    ]
    return [
        Row(
            label=label,
            kwargs=kwargs,
            get=outcome if get else POST_ONLY,
            post=outcome if post else None,
        )
        for label, kwargs, outcome in targets
    ]


MATRIX: dict[str, list[Row]] = {
    # --- project ---------------------------------------------------------------------------
    "home": [Row(get=MEMBERS)],
    # Liveness for load balancers: public, GET only, no database.
    "healthz": [Row(get=PUBLIC, post=NOT_ALLOWED)],
    # The language switch: public (the login page has it); members also get it remembered.
    "set_language": [Row(get=NOT_ALLOWED, post="302 302 302 302 302 302 302 302")],
    "login": [Row(get=PUBLIC, post=PUBLIC)],
    # Changing one's own password: members; resetting a forgotten one by email: anyone.
    "password_change": [Row(get=MEMBERS, post=MEMBERS)],
    "password_change_done": [Row(get=MEMBERS)],
    "password_reset": [Row(get=PUBLIC, post=PUBLIC)],
    "password_reset_done": [Row(get=PUBLIC)],
    "password_reset_confirm": [
        Row(
            label="a link that is not valid: a page saying so",
            kwargs=lambda w: {"uidb64": "MQ", "token": "not-a-token"},
            get=PUBLIC,
            post=PUBLIC,
        )
    ],
    "password_reset_complete": [Row(get=PUBLIC)],
    # Django's LogoutView takes POST only; afterwards everyone is on the login page.
    "logout": [Row(get=NOT_ALLOWED, post="L L L L L L L L")],
    # --- strategies: monthly entry ------------------------------------------------------
    "strategies:my-work": [Row(get=MEMBERS)],
    # Everyone's own mail settings (the link in every reminder).
    "strategies:notification-settings": [Row(get=MEMBERS, post="L 302 302 302 302 302 302 302")],
    "strategies:entry-edit": [
        Row(
            kwargs=lambda w: {"item_id": w.item.pk, "unit_id": w.unit_a.pk, "month": 1},
            get=ITEM_READERS,
            post=ENTRY_WRITERS,
        ),
        Row(
            label="an item both units host: unit B's entry",
            kwargs=lambda w: {"item_id": w.shared_item.pk, "unit_id": w.unit_b.pk, "month": 1},
            get="L 403 200 403 200 200 404 200",
            post="L 403 400 403 403 403 404 403",
        ),
        Row(
            label="unit B is not a host of the item",
            kwargs=lambda w: {"item_id": w.item.pk, "unit_id": w.unit_b.pk, "month": 1},
            get="L 403 403 403 200 200 404 200",
            post="L 403 403 403 403 403 404 403",
        ),
        Row(
            label="a unit of another organization in a khh URL",
            kwargs=lambda w: {"item_id": w.item.pk, "unit_id": w.other_unit.pk, "month": 1},
            get="L 404 404 404 404 404 404 404",
            post="L 404 404 404 404 404 404 404",
        ),
    ],
    # The unit's head, and the organization's admin as deputy (four-eyes: never the person
    # who submitted it, which the service refuses with a message).
    "strategies:entry-review": [
        Row(
            kwargs=lambda w: {"entry_id": w.entry.pk},
            get=POST_ONLY,
            post="L 403 403 302 403 302 404 403",
        )
    ],
    "strategies:entry-reopen": [
        Row(
            kwargs=lambda w: {"entry_id": w.entry.pk},
            get=POST_ONLY,
            post="L 403 403 403 403 302 404 403",
        )
    ],
    "strategies:entry-comment": [
        Row(
            kwargs=lambda w: {"entry_id": w.entry.pk},
            get=POST_ONLY,
            # Headquarters comments on a branch's entries only where the branch allows it.
            post="L 302 403 302 302 302 404 403",
        )
    ],
    "strategies:item-history": [Row(kwargs=lambda w: {"item_id": w.item.pk}, get=ITEM_READERS)],
    "strategies:item-results": [
        # Every field of the results form is optional (the text may be emptied), so the host
        # unit's POST is a valid edit: 302.
        Row(
            kwargs=lambda w: {"item_id": w.item.pk},
            get=ITEM_READERS,
            post="L 302 403 302 403 403 404 403",
        )
    ],
    "strategies:evidence-download": [
        Row(kwargs=lambda w: {"evidence_id": w.evidence.pk}, get=ITEM_READERS)
    ],
    "strategies:month-locks": [
        Row(
            kwargs=lambda w: {"year_id": w.year.pk},
            get="L 403 403 403 403 200 404 403",
            post="L 403 403 403 403 400 404 403",
        ),
        Row(
            label="another organization's year",
            kwargs=lambda w: {"year_id": w.other_year.pk},
            get=OTHER_ORG_ADMIN,
            post=OTHER_ORG_ADMIN,
        ),
    ],
    # --- notifications: a member's own inbox; another member's notice is a 404 --------------
    "strategies:notifications": [Row(get=MEMBERS, post="L 405 405 405 405 405 405 405")],
    "strategies:notification-read": [
        Row(
            kwargs=lambda w: {"pk": w.notification.pk},
            get=POST_ONLY,
            post="L 302 404 404 404 404 404 404",
        )
    ],
    "strategies:notifications-read-all": [Row(get=POST_ONLY, post="L 302 302 302 302 302 302 302")],
    # --- manage: the organization admin's pages -----------------------------------------
    "manage:years": [Row(get=OWN_ADMIN)],
    "manage:year-status": [
        Row(kwargs=lambda w: {"pk": w.year.pk}, get=POST_ONLY, post=_org_admin_post("302"))
    ],
    "manage:plan": [
        Row(kwargs=lambda w: {"pk": w.year.pk}, get=ORG_ADMIN),
        Row(
            label="another organization's year",
            kwargs=lambda w: {"pk": w.other_year.pk},
            get=OTHER_ORG_ADMIN,
        ),
    ],
    "manage:plan-export": [Row(kwargs=lambda w: {"pk": w.year.pk}, get=ORG_ADMIN)],
    "manage:plan-import": [
        Row(kwargs=lambda w: {"pk": w.year.pk}, get=ORG_ADMIN, post=_org_admin_post("200"))
    ],
    "manage:plan-import-apply": [
        Row(kwargs=lambda w: {"pk": w.year.pk}, get=POST_ONLY, post=_org_admin_post("302"))
    ],
    "manage:strategy-add": [
        Row(kwargs=lambda w: {"pk": w.dimension.pk}, get=ORG_ADMIN, post=_org_admin_post("200"))
    ],
    "manage:strategy-edit": [
        Row(kwargs=lambda w: {"pk": w.strategy.pk}, get=ORG_ADMIN, post=_org_admin_post("200"))
    ],
    "manage:method-add": [
        Row(kwargs=lambda w: {"pk": w.strategy.pk}, get=ORG_ADMIN, post=_org_admin_post("200"))
    ],
    "manage:method-edit": [
        Row(kwargs=lambda w: {"pk": w.method.pk}, get=ORG_ADMIN, post=_org_admin_post("200"))
    ],
    "manage:item-add": [
        Row(kwargs=lambda w: {"pk": w.method.pk}, get=ORG_ADMIN, post=_org_admin_post("200"))
    ],
    "manage:item-edit": [
        Row(kwargs=lambda w: {"pk": w.item.pk}, get=ORG_ADMIN, post=_org_admin_post("200"))
    ],
    "manage:indicator-add": [
        Row(kwargs=lambda w: {"pk": w.item.pk}, get=ORG_ADMIN, post=_org_admin_post("200"))
    ],
    "manage:indicator-edit": [
        Row(kwargs=lambda w: {"pk": w.indicator.pk}, get=ORG_ADMIN, post=_org_admin_post("200"))
    ],
    "manage:indicator-remove": [
        Row(kwargs=lambda w: {"pk": w.indicator.pk}, get=POST_ONLY, post=_org_admin_post("302"))
    ],
    "manage:node-move": [
        Row(
            kwargs=lambda w: {"kind": "item", "pk": w.item.pk},
            get=POST_ONLY,
            post=_org_admin_post("302"),
        ),
        Row(
            label="an unknown kind of node",
            kwargs=lambda w: {"kind": "year", "pk": w.year.pk},
            get=POST_ONLY,
            post="L 404 404 404 404 404 404 404",
        ),
    ],
    "manage:node-retire": [
        Row(
            kwargs=lambda w: {"kind": "method", "pk": w.method.pk},
            get=POST_ONLY,
            post=_org_admin_post("302"),
        )
    ],
    "manage:units": [Row(get=OWN_ADMIN, post=_own_admin_post("400"))],
    "manage:unit-edit": [
        Row(kwargs=lambda w: {"pk": w.unit_a.pk}, get=ORG_ADMIN, post=_org_admin_post("200")),
        Row(
            label="a unit of another organization",
            kwargs=lambda w: {"pk": w.other_unit.pk},
            get=OTHER_ORG_ADMIN,
            post=OTHER_ORG_ADMIN,
        ),
    ],
    "manage:unit-retire": [
        Row(kwargs=lambda w: {"pk": w.unit_b.pk}, get=POST_ONLY, post=_org_admin_post("302"))
    ],
    "manage:users": [Row(get=OWN_ADMIN)],
    "manage:user-add": [Row(get=OWN_ADMIN, post=_own_admin_post("200"))],
    "manage:user-edit": [
        Row(
            kwargs=lambda w: {"pk": w.staff_a.membership.pk},
            get=ORG_ADMIN,
            post=_org_admin_post("200"),
        ),
        *_above_the_admin(get=True, post=True),
    ],
    "manage:user-active": [
        Row(
            kwargs=lambda w: {"pk": w.staff_a.membership.pk},
            get=POST_ONLY,
            post=_org_admin_post("302"),
        ),
        *_above_the_admin(get=False, post=True),
    ],
    # Directory sign-in is off in the matrix (no LDAP_ORGANIZATION): its pages are a 404 even
    # for the admin; tests/test_directory_sign_in.py opens them with a real directory.
    "manage:user-assign-role": [
        Row(
            kwargs=lambda w: {"user_id": w.staff_a.pk},
            get=_own_admin_post("404"),
            post=_own_admin_post("404"),
        )
    ],
    "manage:directory-groups": [
        Row(get=_own_admin_post("404"), post=_own_admin_post("404")),
    ],
    "manage:directory-group-remove": [
        Row(kwargs=lambda w: {"pk": 1}, get=POST_ONLY, post=_own_admin_post("404")),
    ],
    "manage:user-password": [
        Row(
            kwargs=lambda w: {"pk": w.staff_a.membership.pk},
            get=ORG_ADMIN,
            post=_org_admin_post("200"),
        ),
        *_above_the_admin(get=True, post=True),
    ],
    "manage:user-unlock": [
        Row(
            kwargs=lambda w: {"pk": w.staff_a.membership.pk},
            get=POST_ONLY,
            post=_org_admin_post("302"),
        ),
        *_above_the_admin(get=False, post=True),
    ],
    # --- reports: every member reads the page; admins and auditors download -------
    "reports:index": [Row(get=MEMBERS)],
    "reports:report": [
        Row(kwargs=lambda w: {"org": "khh", "roc_year": 113}, get="L 200 200 200 200 200 404 200"),
        Row(
            label="another organization's report",
            kwargs=lambda w: {"org": "tpe", "roc_year": 113},
            get="L 404 404 404 404 404 200 200",
        ),
    ],
    "reports:download": [
        *[
            Row(
                label=f"format {fmt}",
                kwargs=lambda w, fmt=fmt: {"org": "khh", "roc_year": 113, "format": fmt},
                get=DOWNLOADERS,
            )
            for fmt in ("html", "pdf", "xlsx", "ods", "json")
        ],
        Row(
            label="an unknown format",
            kwargs=lambda w: {"org": "khh", "roc_year": 113, "format": "exe"},
            get="L 404 404 404 404 404 404 404",
        ),
    ],
    "reports:issued-file": [
        Row(
            kwargs=lambda w: {"org": "khh", "roc_year": 113, "pk": w.issued.pk},
            get=DOWNLOADERS,
        ),
        Row(
            label="another organization's issued file through a khh URL",
            kwargs=lambda w: {"org": "khh", "roc_year": 113, "pk": w.other_issued.pk},
            get="L 403 403 403 404 404 404 404",
        ),
    ],
    # Background exports: started by those who download; a job is its requester's alone.
    "reports:export-start": [
        Row(
            kwargs=lambda w: {"org": "khh", "roc_year": 113, "format": "pdf"},
            get=POST_ONLY,
            post="L 403 403 403 302 302 404 302",
        )
    ],
    **{
        name: [Row(kwargs=lambda w: {"pk": w.job.pk}, get="L 404 404 404 200 404 404 404")]
        for name in (
            "reports:export-job",
            "reports:export-job-status",
            "reports:export-job-download",
        )
    },
    # Auditors: GET (and a POST without confirmed=1) shows the confirmation page.
    "reports:sign-off": [
        Row(
            kwargs=lambda w: {"org": "khh", "roc_year": 113},
            get="L 403 403 403 200 403 404 200",
            post="L 403 403 403 200 403 404 200",
        )
    ],
    # An issued version's progress: those who download; a retry is the auditors' (404 unless
    # the issuing failed).
    "reports:issue-progress": [
        Row(kwargs=lambda w: {"org": "khh", "roc_year": 113, "pk": w.version.pk}, get=DOWNLOADERS)
    ],
    "reports:issue-retry": [
        Row(
            kwargs=lambda w: {"org": "khh", "roc_year": 113, "pk": w.version.pk},
            get=POST_ONLY,
            post="L 403 403 403 404 403 404 404",
        )
    ],
    # --- scoring ------------------------------------------------------------------------
    # Headquarters' comparison of its branches: HQ auditors and admins only.
    "scoring:hq-comparison": [Row(get="L 403 403 403 403 403 403 200")],
    "scoring:hq-comparison-xlsx": [Row(get="L 403 403 403 403 403 403 200")],
    "scoring:copy-year": [Row(get=POST_ONLY, post=_own_admin_post("302"))],
    "scoring:index": [Row(get=MEMBERS)],
    "scoring:score-sheet": [
        Row(kwargs=lambda w: {"org": "khh", "roc_year": 113}, get="L 200 200 200 200 200 404 200"),
        Row(
            label="another organization's sheet",
            kwargs=lambda w: {"org": "tpe", "roc_year": 113},
            get="L 404 404 404 404 404 200 200",
        ),
    ],
    "scoring:score-edit": [
        Row(
            label="self-assessment round: the organization's admin",
            kwargs=lambda w: {"org": "khh", "roc_year": 113, "round": "self"},
            get="L 403 403 403 403 200 404 403",
            post="L 403 403 403 403 400 404 403",
        ),
        Row(
            label="review round: auditors (their own and headquarters')",
            kwargs=lambda w: {"org": "khh", "roc_year": 113, "round": "review"},
            get="L 403 403 403 200 403 404 200",
            post="L 403 403 403 400 403 404 400",
        ),
    ],
    "scoring:bands-edit": [
        Row(
            kwargs=lambda w: {"org": "khh", "roc_year": 113},
            get="L 403 403 403 403 200 404 403",
            post="L 403 403 403 403 400 404 403",
        )
    ],
    "scoring:review": [
        Row(kwargs=lambda w: {"org": "khh", "roc_year": 113}, get="L 403 403 403 200 200 404 200")
    ],
    "scoring:reopen": [
        Row(
            kwargs=lambda w: {"org": "khh", "roc_year": 113},
            get="L 403 403 403 403 200 404 403",
            post="L 403 403 403 403 400 404 403",
        )
    ],
}


def project_url_names() -> set[str]:
    """Every named URL of the project, with its namespace, minus the skipped ones."""
    names: set[str] = set()

    def walk(patterns, namespace: str) -> None:  # type: ignore[no-untyped-def]
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = pattern.namespace
                if ns in SKIPPED_NAMESPACES:
                    continue
                walk(pattern.url_patterns, f"{namespace}{ns}:" if ns else namespace)
            elif (
                isinstance(pattern, URLPattern)
                and pattern.name
                and pattern.name not in SKIPPED_NAMES
            ):
                names.add(f"{namespace}{pattern.name}")

    walk(get_resolver().url_patterns, "")
    return names


@dataclass
class World:
    year: Any
    item: Any
    unit_a: Any
    unit_b: Any
    other_unit: Any
    dimension: Any
    strategy: Any
    method: Any
    indicator: Any
    entry: Any
    evidence: Any
    staff_a: Any
    issued: Any
    version: Any
    other_issued: Any
    other_year: Any
    outsider: Any
    shared_item: Any
    job: Any
    superuser: Any
    site_staff: Any
    notification: Any


def _issued(year, content: bytes) -> IssuedReport:
    IssuedVersion.objects.create(
        year=year, version=1, status=IssuedVersion.Status.DONE, progress=100
    )
    report = IssuedReport(
        year=year,
        version=1,
        format=IssuedReport.Format.JSON,
        filename=f"{year.organization.code}-{year.roc_year}-service-performance-v1.json",
        content_type="application/json",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        issued_at=timezone.now(),
    )
    report.file.save(f"issued/{year.pk}/v1/report.json", ContentFile(content), save=False)
    report.save()
    return report


@pytest.fixture
def world(year, item, unit_a, unit_b, staff_a, outsider, other_org, auditor):
    entry = MonthlyEntry.objects.create(
        item=item,
        unit=unit_a,
        month=1,
        narrative="辦理教育訓練 1 場次",
        status=MonthlyEntry.Status.SUBMITTED,
        created_by=staff_a,
        updated_by=staff_a,
    )
    EntryComment.objects.create(entry=entry, author=staff_a, body="請主管核定")
    evidence = Evidence(
        entry=entry,
        original_name="簽到表.pdf",
        content_type="application/pdf",
        size=9,
        sha256="0" * 64,
        uploaded_by=staff_a,
    )
    evidence.file.save("sign-in.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    evidence.save()
    method = item.method
    other_year = factories.make_year(other_org, 113)
    notification = Notification.objects.create(
        recipient=staff_a, kind=Notification.Kind.ENTRY_APPROVED, key="matrix", params={}
    )
    return World(
        year=year,
        item=item,
        unit_a=unit_a,
        unit_b=unit_b,
        other_unit=outsider.membership.unit,
        dimension=method.strategy.dimension,
        strategy=method.strategy,
        method=method,
        indicator=item.indicators.get(),
        entry=entry,
        evidence=evidence,
        staff_a=staff_a,
        issued=_issued(year, b"{}"),
        version=IssuedVersion.objects.get(year=year),
        other_issued=_issued(other_year, b"{}"),
        other_year=other_year,
        outsider=outsider,
        shared_item=factories.make_item(year, hosts=[unit_a, unit_b], dimension=2),
        job=ExportJob.objects.create(
            year=year,
            format="pdf",
            requested_by=auditor,
            status=ExportJob.Status.DONE,
            progress=100,
            filename="khh-113-service-performance.pdf",
            content_type="application/pdf",
            content=b"%PDF-1.7\n",
        ),
        superuser=factories.make_user(
            "root", year.organization, Membership.Role.ADMIN, is_superuser=True, is_staff=True
        ),
        site_staff=factories.make_user(
            "site_staff", year.organization, Membership.Role.STAFF, unit_b, is_staff=True
        ),
        notification=notification,
    )


@pytest.fixture
def actors(staff_a, staff_b, head_a, auditor, admin_user, outsider, hq_auditor):
    return {
        "anon": None,
        "staff_a": staff_a,
        "staff_b": staff_b,
        "head_a": head_a,
        "auditor": auditor,
        "admin": admin_user,
        "outsider": outsider,
        "hq": hq_auditor,
    }


def _outcome(response) -> str:  # type: ignore[no-untyped-def]
    login_url = reverse("login")
    if response.status_code == 302 and response.url.split("?")[0] == login_url:
        return "L"
    return str(response.status_code)


SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\s(on[a-z]+|style)\s*=", re.IGNORECASE)


def page_problems(response) -> list[str]:  # type: ignore[no-untyped-def]
    """Every response carries the standard security headers and the CSP; an HTML page has no
    inline script, event handler or style attribute (the CSP would block them)."""
    problems = [
        f"{header} is {response.get(header)!r}"
        for header, value in SECURITY_HEADERS.items()
        if response.get(header) != value
    ]
    csp = response.get("Content-Security-Policy", "")
    if "script-src 'self'" not in csp or "unsafe-inline" in csp:
        problems.append(f"CSP is {csp!r}")
    if not response.streaming and response.get("Content-Type", "").startswith("text/html"):
        html = response.content.decode()
        problems += [f"inline {m.group(0)[:60]!r}" for m in INLINE_SCRIPT.finditer(html)]
        problems += [f"inline {m.group(0)[:80]!r}" for m in INLINE_HANDLER.finditer(html)]
    return problems


class Actor:
    """One client per actor, logged in once. Every cell runs in a savepoint that is rolled back
    (the session row included), and the session cookie is put back afterwards, so a cell that
    logs out or rotates the session cannot leak into the next one."""

    def __init__(self, user) -> None:  # type: ignore[no-untyped-def]
        self.client = Client()
        if user is not None:
            self.client.force_login(user)
        self.cookies = {key: morsel.value for key, morsel in self.client.cookies.items()}
        self.header_problems: list[str] = []
        self.signed_in = user is not None

    def request(self, method: str, url: str) -> str:
        with transaction.atomic():
            try:
                send = self.client.get if method == "GET" else self.client.post
                response = send(url, PROBE if method == "POST" else None)
            except Exception as exc:  # noqa: BLE001 - a crashing view is a matrix cell too
                outcome = f"500:{type(exc).__name__}"
            else:
                outcome = _outcome(response)
                self.header_problems.extend(f"{method} {url}: {p}" for p in page_problems(response))
                # Every page and download a signed-in person gets stays out of caches (a
                # logout, "L", leaves them signed out).
                if self.signed_in and outcome != "L":
                    cache_control = response.get("Cache-Control", "")
                    if "no-store" not in cache_control:
                        self.header_problems.append(
                            f"{method} {url}: Cache-Control is {cache_control!r}"
                        )
                drain(response)
            transaction.set_rollback(True)
        self.client.cookies.clear()
        for key, value in self.cookies.items():
            self.client.cookies[key] = value
        return outcome


def test_every_url_name_is_in_the_matrix():
    names = project_url_names()
    missing = sorted(names - MATRIX.keys())
    stale = sorted(MATRIX.keys() - names)
    assert not missing, f"URL names without a row in MATRIX (add who may open them): {missing}"
    assert not stale, f"MATRIX rows for URL names that no longer exist: {stale}"


def test_permission_matrix(world, actors):
    clients = {name: Actor(user) for name, user in actors.items()}
    mismatches = []
    cells = 0
    for name in sorted(project_url_names() & MATRIX.keys()):
        for row in MATRIX[name]:
            url = reverse(name, kwargs=row.kwargs(world))
            for method, expected_line in (("GET", row.get), ("POST", row.post)):
                if expected_line is None:
                    continue
                expected = expected_line.split()
                assert len(expected) == len(ACTORS), f"{name} {method}: one outcome per actor"
                observed = [clients[a].request(method, url) for a in ACTORS]
                cells += len(ACTORS)
                if observed != expected:
                    mismatches.append(
                        f"{name} {method} {url} {row.label}\n"
                        f"    actors   {' '.join(f'{a:>8}' for a in ACTORS)}\n"
                        f"    expected {' '.join(f'{e:>8}' for e in expected)}\n"
                        f"    observed {' '.join(f'{o:>8}' for o in observed)}"
                    )
    assert cells > 400
    assert not mismatches, "permission matrix mismatches:\n" + "\n".join(mismatches)
    problems = sorted({p for actor in clients.values() for p in actor.header_problems})
    assert not problems, "security headers / inline code:\n" + "\n".join(problems)


def test_every_post_is_refused_without_a_csrf_token(world, actors):
    """A POST without the CSRF token is refused (403) before any view runs, even for the actor
    the view would otherwise accept."""
    checked = []
    for name in sorted(project_url_names() & MATRIX.keys()):
        for row in MATRIX[name]:
            if row.post is None:
                continue
            outcomes = dict(zip(ACTORS, row.post.split(), strict=True))
            # The most privileged actor the view accepts (or anyone, for a view nobody may use).
            actor = next(
                (a for a in ACTORS if outcomes[a] not in {"L", "403", "404", "405"}), "admin"
            )
            url = reverse(name, kwargs=row.kwargs(world))
            with transaction.atomic():
                client = Client(enforce_csrf_checks=True)
                if actors[actor] is not None:
                    client.force_login(actors[actor])
                response = client.post(url, PROBE)
                transaction.set_rollback(True)
            assert response.status_code == 403, (name, actor, response.status_code)
            assert "CSRF" in response.content.decode(), (name, actor)
            checked.append(name)
    assert len(set(checked)) > 30


# A headquarters *admin*: reads every branch like an HQ auditor, runs only headquarters' own
# pages. A branch's months, entries, plan, people and scores are run by the branch's own admin
# (strategies.access.check_org_admin: "headquarters members see a branch but do not run it").
# (GET, POST) per URL name, for the first row of MATRIX; None: the view takes no POST.
HQ_ADMIN: dict[str, tuple[str, str | None]] = {
    "healthz": ("200", "405"),
    "home": ("200", None),
    "login": ("200", "200"),
    "password_change": ("200", "200"),
    "password_change_done": ("200", None),
    "password_reset": ("200", "200"),
    "password_reset_done": ("200", None),
    "password_reset_confirm": ("200", "200"),
    "password_reset_complete": ("200", None),
    "logout": ("405", "L"),
    "set_language": ("405", "302"),
    "strategies:my-work": ("200", None),
    "strategies:entry-edit": ("200", "403"),
    "strategies:entry-review": ("405", "403"),
    "strategies:entry-reopen": ("405", "403"),
    "strategies:entry-comment": ("405", "403"),
    "strategies:item-history": ("200", None),
    "strategies:item-results": ("200", "403"),
    "strategies:evidence-download": ("200", None),
    "strategies:month-locks": ("403", "403"),
    # Their own inbox; staff_a's notice is not theirs.
    "strategies:notifications": ("200", "405"),
    "strategies:notification-read": ("405", "404"),
    "strategies:notifications-read-all": ("405", "302"),
    # Headquarters' own admin pages (its own organization): allowed.
    "manage:years": ("200", None),
    "manage:units": ("200", "400"),
    "manage:users": ("200", None),
    "strategies:notification-settings": ("200", "302"),
    **dict.fromkeys(["manage:user-assign-role", "manage:directory-groups"], ("404", "404")),
    "manage:directory-group-remove": ("405", "404"),
    "manage:user-add": ("200", "200"),
    "scoring:copy-year": ("405", "302"),
    # A branch's plan, units and members: not headquarters' to run.
    **dict.fromkeys(
        [
            "manage:strategy-add",
            "manage:strategy-edit",
            "manage:method-add",
            "manage:method-edit",
            "manage:item-add",
            "manage:item-edit",
            "manage:indicator-add",
            "manage:indicator-edit",
            "manage:unit-edit",
            "manage:user-edit",
            "manage:user-password",
            "manage:plan-import",
        ],
        ("403", "403"),
    ),
    **dict.fromkeys(["manage:plan", "manage:plan-export"], ("403", None)),
    **dict.fromkeys(
        [
            "manage:year-status",
            "manage:indicator-remove",
            "manage:node-move",
            "manage:node-retire",
            "manage:unit-retire",
            "manage:user-active",
            "manage:user-unlock",
            "manage:plan-import-apply",
            "reports:issue-retry",
        ],
        ("405", "403"),
    ),
    "reports:sign-off": ("403", "403"),
    "reports:export-start": ("405", "302"),
    **dict.fromkeys(
        ["reports:export-job", "reports:export-job-status", "reports:export-job-download"],
        ("404", None),
    ),
    **dict.fromkeys(
        [
            "reports:index",
            "reports:report",
            "reports:download",
            "reports:issued-file",
            "reports:issue-progress",
            "scoring:index",
            "scoring:score-sheet",
            "scoring:hq-comparison",
            "scoring:hq-comparison-xlsx",
        ],
        ("200", None),
    ),
    "scoring:review": ("403", None),
    **dict.fromkeys(["scoring:score-edit", "scoring:bands-edit", "scoring:reopen"], ("403", "403")),
}


def test_a_headquarters_admin_reads_a_branch_but_does_not_run_it(world, hq):
    actor = Actor(factories.make_user("hq_admin", hq, Membership.Role.ADMIN))
    assert HQ_ADMIN.keys() == MATRIX.keys()
    mismatches = []
    for name in sorted(project_url_names() & MATRIX.keys()):
        row = MATRIX[name][0]
        url = reverse(name, kwargs=row.kwargs(world))
        expected_get, expected_post = HQ_ADMIN[name]
        observed = (
            actor.request("GET", url),
            actor.request("POST", url) if row.post else None,
        )
        if observed != (expected_get, expected_post):
            mismatches.append(
                f"{name} {url}: expected {(expected_get, expected_post)}, got {observed}"
            )
    assert not mismatches, "headquarters admin:\n" + "\n".join(mismatches)


def test_the_item_history_shows_only_the_entries_each_actor_may_open(world, actors):
    """For an item hosted by two units, every actor sees in the item's history exactly the
    entries whose page they may open: no other unit's narrative, comment or file name."""
    item = world.shared_item
    texts = {}
    for unit, staff in ((world.unit_a, actors["staff_a"]), (world.unit_b, actors["staff_b"])):
        entry = MonthlyEntry.objects.create(
            item=item,
            unit=unit,
            month=2,
            narrative=f"{unit.name}二月的執行情形",
            status=MonthlyEntry.Status.RETURNED,
            return_reason=f"{unit.name}的退回原因",
            created_by=staff,
            updated_by=staff,
        )
        EntryComment.objects.create(entry=entry, author=staff, body=f"{unit.name}的審核意見")
        texts[unit.pk] = [entry.narrative, entry.return_reason, f"{unit.name}的審核意見"]
    history_url = reverse("strategies:item-history", args=[item.pk])
    checked = 0
    for name, user in actors.items():
        if user is None:
            continue
        client = Client()
        client.force_login(user)
        page = client.get(history_url)
        for unit in (world.unit_a, world.unit_b):
            opens = client.get(reverse("strategies:entry-edit", args=[item.pk, unit.pk, 2]))
            may_open = opens.status_code == 200
            if page.status_code != 200:
                assert not may_open, (name, unit.name)
                continue
            html = page.content.decode()
            for text in texts[unit.pk]:
                assert (text in html) == may_open, (name, unit.name, text, may_open)
                checked += 1
    assert checked >= 12
