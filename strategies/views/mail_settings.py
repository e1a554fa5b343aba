"""The member's notification settings: the page every reminder mail links to."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from strategies.auth import AuthenticatedHttpRequest
from strategies.services import mail_preferences


class MailSettingsForm(forms.Form):
    reminders = forms.BooleanField(
        label=gettext_lazy("寄送填報提醒信（預催、稽催、待核定）"), required=False
    )


@login_required
def notification_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    # An unticked box posts nothing: bind on the method, not on the data.
    form = MailSettingsForm(
        request.POST if request.method == "POST" else None,
        initial={"reminders": mail_preferences.reminder_mail_on(request.user)},
    )
    if request.method == "POST" and form.is_valid():
        enabled = form.cleaned_data["reminders"]
        mail_preferences.set_reminder_mail(user=request.user, enabled=enabled)
        messages.success(
            request, _("已開啟提醒信。") if enabled else _("已關閉提醒信，系統不會再寄提醒給您。")
        )
        return redirect("strategies:notification-settings")
    return render(
        request,
        "strategies/notification_settings.html",
        {"form": form, "email": request.user.email},
    )
