"""Members change their own password, and reset a forgotten one by email: Django's views, in
the app's layout and languages.

The reset link is built from SITE_URL, never from the request's Host header, so a forged Host
cannot send someone a link to another site. Django's reset form answers the same whether or not
the address is known, and mails only active users with a usable password (not directory users
who sign in through LDAP).
"""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

FORM = "registration/password_form.html"

change = auth_views.PasswordChangeView.as_view(
    template_name=FORM,
    extra_context={"heading": _("變更密碼"), "submit": _("變更密碼")},
)
change_done = auth_views.PasswordChangeDoneView.as_view(
    template_name="registration/password_change_done.html"
)


class _ResetView(auth_views.PasswordResetView):
    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        self.extra_email_context = {"site_url": settings.SITE_URL.rstrip("/")}
        return super().form_valid(form)


reset = _ResetView.as_view(
    template_name=FORM,
    email_template_name="registration/password_reset_email.txt",
    subject_template_name="registration/password_reset_subject.txt",
    extra_context={
        "heading": _("忘記密碼"),
        "intro": _("請輸入帳號登記的電子郵件，我們會寄出重設密碼的連結。"),
        "submit": _("寄出重設連結"),
    },
)
reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="registration/password_reset_done.html"
)
reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="registration/password_reset_confirm.html",
    extra_context={"heading": _("設定新密碼"), "submit": _("設定新密碼")},
)
reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="registration/password_reset_complete.html"
)
