"""Forms of monthly entry. They check shape (numbers, lengths, files present); the services
check everything again and decide (a form is never the only guard)."""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.forms import BoundField
from django.utils.translation import gettext_lazy as _

from strategies.models import NARRATIVE_MAX_LENGTH, Evidence, Indicator
from strategies.services.entries import COMMENT_MAX_LENGTH, REASON_MAX_LENGTH
from strategies.services.results import RESULTS_MAX_LENGTH


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


def value_field_name(indicator: Indicator) -> str:
    return f"value_{indicator.pk}"


class EntryForm(forms.Form):
    SAVE, SUBMIT = "save", "submit"

    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    narrative = forms.CharField(
        label=_("執行情形"),
        required=False,
        max_length=NARRATIVE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("本月辦理情形；送出前必填。"),
    )
    evidence = MultipleFileField(
        label=_("佐證資料"),
        required=False,
        help_text=_("PDF、JPG、PNG、ODT、ODS、DOCX、XLSX，每個檔案 10 MB 以內。"),
    )
    remove_evidence = forms.TypedMultipleChoiceField(
        label=_("移除佐證資料"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    confirm_outliers = forms.BooleanField(
        label=_("我已確認上列數值正確"), required=False, widget=forms.CheckboxInput
    )
    action = forms.ChoiceField(
        choices=[(SAVE, _("儲存草稿")), (SUBMIT, _("送出"))], widget=forms.HiddenInput
    )

    def __init__(
        self,
        *args: Any,
        indicators: list[Indicator],
        evidence: Iterable[Evidence] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        # Only the entry's own files can be chosen; anything else is an invalid choice.
        self.remove_evidence_field.choices = [(e.pk, e.original_name) for e in evidence]
        for indicator in indicators:
            step = "0.01" if indicator.allows_decimals else "1"
            self.fields[value_field_name(indicator)] = forms.DecimalField(
                label=f"{indicator.name}（{indicator.measure}）",
                required=False,
                min_value=Decimal(0),
                max_digits=12,
                decimal_places=2,
                widget=forms.NumberInput(attrs={"min": "0", "step": step, "inputmode": "decimal"}),
            )

    @property
    def remove_evidence_field(self) -> forms.TypedMultipleChoiceField:
        field = self.fields["remove_evidence"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        return field

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        for indicator in self.indicators:
            name = value_field_name(indicator)
            value = cleaned.get(name)
            if value is not None and not indicator.allows_decimals and value != int(value):
                self.add_error(name, _("請填整數。"))
        if cleaned.get("action") == self.SUBMIT and not (cleaned.get("narrative") or "").strip():
            self.add_error("narrative", _("送出前請填寫執行情形。"))
        # Errors on fields the page does not show (hidden, or no files to remove) would leave
        # the person with a refusal and no reason: say it where every error is listed.
        unseen = ["version", "action"]
        if not self.remove_evidence_field.choices:
            unseen.append("remove_evidence")
        if any(name in self.errors for name in unseen):
            self.add_error(
                None, _("表單內容不完整或已被修改，沒有存入任何資料；請重新載入頁面後再試。")
            )
        return cleaned

    def values(self) -> dict[int, Decimal | None]:
        return {ind.pk: self.cleaned_data.get(value_field_name(ind)) for ind in self.indicators}

    def value_fields(self) -> list[BoundField]:
        return [self[value_field_name(ind)] for ind in self.indicators]


class ReviewForm(forms.Form):
    APPROVE, RETURN = "approve", "return"

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=[(APPROVE, _("核定")), (RETURN, _("退回"))])
    reason = forms.CharField(
        label=_("退回原因"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("action") == self.RETURN and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("退回時請寫明原因。"))
        return cleaned


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("意見"), max_length=COMMENT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReasonForm(forms.Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        label=_("原因"), max_length=REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
    )


class MonthLockForm(forms.Form):
    LOCK, REOPEN = "lock", "reopen"

    month = forms.IntegerField(label=_("月份"), min_value=1, max_value=12)
    action = forms.ChoiceField(choices=[(LOCK, _("鎖定")), (REOPEN, _("重新開放"))])
    reason = forms.CharField(label=_("原因"), required=False, max_length=REASON_MAX_LENGTH)


class ResultsForm(forms.Form):
    results = forms.CharField(
        label=_("執行績效與成果"),
        required=False,
        max_length=RESULTS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 12}),
    )
    shortfall_note = forms.CharField(
        label=_("未達目標說明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    reason = forms.CharField(label=_("修改原因"), required=False, max_length=200)
