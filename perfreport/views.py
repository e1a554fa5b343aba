from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from strategies.access import membership_of
from strategies.selectors import years_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    membership = membership_of(request.user)
    return render(request, "home.html", {"years": years_for(membership)})
