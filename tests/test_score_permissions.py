"""Who may read and write the score sheet: 404 strangers, 403 members without the right,
login for anonymous users."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from scoring import services
from scoring.models import DimensionScore, GradeBands
from tests.conftest import login

SEED = {1: "184", 2: "284", 3: "182", 4: "186", 5: "84"}
POST = {f"score_{n}": v for n, v in SEED.items()}


def url(name, year, **extra):
    return reverse(
        f"scoring:{name}",
        kwargs={"org": year.organization.code, "roc_year": year.roc_year, **extra},
    )


PAGES = [
    ("score-sheet", {}),
    ("score-edit", {"round": "self"}),
    ("score-edit", {"round": "review"}),
    ("bands-edit", {}),
    ("review", {}),
    ("reopen", {}),
]


@pytest.mark.parametrize(("name", "extra"), PAGES)
def test_anonymous_users_are_sent_to_login(client, year, name, extra):
    response = client.get(url(name, year, **extra))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("name", "extra"), PAGES)
def test_another_organization_sees_nothing(client, year, outsider, name, extra):
    assert login(client, outsider).get(url(name, year, **extra)).status_code == 404


def test_an_unknown_year_or_organization_is_404(client, year, auditor):
    login(client, auditor)
    assert client.get(reverse("scoring:score-sheet", args=["khh", 199])).status_code == 404
    assert client.get(reverse("scoring:score-sheet", args=["nope", 113])).status_code == 404
    assert client.get(url("score-edit", year, round="other")).status_code == 404


@pytest.mark.parametrize("who", ["staff_a", "head_a", "auditor", "admin_user", "hq_auditor"])
def test_every_member_and_headquarters_reads_the_sheet(client, year, who, request):
    response = login(client, request.getfixturevalue(who)).get(url("score-sheet", year))
    assert response.status_code == 200
    assert "考核結果統計表" in response.content.decode()


@pytest.mark.parametrize(
    ("who", "round_", "allowed"),
    [
        ("admin_user", "self", True),
        ("auditor", "self", False),
        ("staff_a", "self", False),
        ("head_a", "self", False),
        ("hq_auditor", "self", False),
        ("auditor", "review", True),
        ("hq_auditor", "review", True),
        ("admin_user", "review", False),
        ("staff_a", "review", False),
        ("head_a", "review", False),
    ],
)
def test_only_the_admin_enters_self_and_only_auditors_the_review(
    client, year, who, round_, allowed, request
):
    login(client, request.getfixturevalue(who))
    assert client.get(url("score-edit", year, round=round_)).status_code == (
        200 if allowed else 403
    )
    response = client.post(url("score-edit", year, round=round_), POST)
    assert response.status_code == (302 if allowed else 403)
    saved = DimensionScore.objects.filter(dimension__year=year, round=round_).count()
    assert saved == (5 if allowed else 0)


@pytest.mark.parametrize("who", ["auditor", "staff_a", "head_a", "hq_auditor"])
def test_only_the_admin_edits_the_bands(client, year, who, request):
    login(client, request.getfixturevalue(who))
    post = {"excellent_min": "880", "a_min": "800", "b_min": "700", "c_min": "600"}
    assert client.get(url("bands-edit", year)).status_code == 403
    assert client.post(url("bands-edit", year), post).status_code == 403
    assert GradeBands.objects.get(year=year).excellent_min == 900


@pytest.mark.parametrize(
    ("who", "status"),
    [("auditor", 200), ("hq_auditor", 200), ("admin_user", 200), ("staff_a", 403), ("head_a", 403)],
)
def test_the_review_page_is_for_auditors_and_the_admin(client, year, who, status, request):
    response = login(client, request.getfixturevalue(who)).get(url("review", year))
    assert response.status_code == status


@pytest.mark.parametrize("who", ["auditor", "staff_a", "head_a", "hq_auditor"])
def test_only_the_admin_reopens(client, year, who, request):
    login(client, request.getfixturevalue(who))
    assert client.get(url("reopen", year)).status_code == 403
    assert client.post(url("reopen", year), {"reason": "x", "status": "open"}).status_code == 403


def test_read_only_members_see_no_edit_buttons(client, year, staff_a, admin_user):
    services.save_scores(year=year, round="self", scores=SEED, user=admin_user)
    page = login(client, staff_a).get(url("score-sheet", year)).content.decode()
    assert "920" in page
    assert url("score-edit", year, round="self") not in page
    assert url("score-edit", year, round="review") not in page
    assert "完成複評並鎖定年度" not in page


@pytest.mark.parametrize(
    ("call", "who"),
    [
        ("self_round", "auditor"),
        ("review_round", "admin_user"),
        ("bands", "auditor"),
        ("sign_off", "admin_user"),
        ("reopen", "auditor"),
    ],
)
def test_scoring_services_enforce_the_rules_themselves(request, year, call, who):
    """The pages only show or hide: called directly, each scoring service asks the same rule
    (strategies.access) and refuses, writing nothing."""
    user = request.getfixturevalue(who)
    calls = {
        "self_round": lambda: services.save_scores(
            year=year, round="self", scores={1: "100"}, user=user
        ),
        "review_round": lambda: services.save_scores(
            year=year, round="review", scores={1: "100"}, user=user
        ),
        "bands": lambda: services.update_grade_bands(
            year=year,
            values={"excellent_min": "910", "a_min": "800", "b_min": "700", "c_min": "600"},
            user=user,
        ),
        "sign_off": lambda: services.sign_off_review(year=year, user=user),
        "reopen": lambda: services.reopen_year(year=year, user=user, reason="test"),
    }
    with pytest.raises(PermissionDenied):
        calls[call]()
    year.refresh_from_db()
    assert not DimensionScore.objects.filter(dimension__year=year).exists()
    assert year.status != "locked"
