"""Reads of organizations and years, built to a fixed number of queries."""

from django.db.models import Q, QuerySet

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
