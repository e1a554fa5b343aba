"""Reads of organizations and years, built to a fixed number of queries."""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from strategies.models import Membership, Organization, Year


def visible_organizations(membership: Membership | None) -> QuerySet[Organization]:
    """The member's organization, plus its branches for a headquarters member."""
    if membership is None:
        return Organization.objects.none()
    org = membership.organization
    if org.is_headquarters:
        return Organization.objects.filter(Q(pk=org.pk) | Q(parent=org))
    return Organization.objects.filter(pk=org.pk)


def years_for(membership: Membership | None) -> QuerySet[Year]:
    """Years the member may see, newest first (one query)."""
    return (
        Year.objects.filter(organization__in=visible_organizations(membership))
        .select_related("organization")
        .order_by("organization__code", "-roc_year")
    )


def year_or_404(org_code: str, roc_year: int) -> Year:
    """The year of an organization's code and ROC year, with its organization (1 query), or
    Http404: the URL form every year page uses (/scoring/khh/112/)."""
    return get_object_or_404(
        Year.objects.select_related("organization"), organization__code=org_code, roc_year=roc_year
    )
