"""Forms of the score sheet. They carry what the person typed; the services decide what is valid,
so the page and the management of scores share one set of rules and messages."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from scoring.selectors import SheetData
from strategies import number_format, year_lifecycle
from strategies.models import Year


def _number_input(**attrs: str) -> forms.TextInput:
    # Text, not type=number: the browser must not block 201 before the server can explain why.
    return forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", **attrs})


class ScoreForm(forms.Form):
    """One round's five scores with a comment each, plus the sheet's assessing body and month."""

    assessed_by = forms.CharField(label=_("實施考核機關"), max_length=100, required=False)
    assessed_month = forms.CharField(
        label=_("考核年月"),
        max_length=10,
        required=False,
        help_text=_("民國年.月，例如 113.1"),
    )

    def __init__(self, *args: Any, sheet: SheetData, round: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sheet = sheet
        self.round = round
        self.dimension_fields: list[tuple[object, forms.BoundField, forms.BoundField]] = []
        for line in sheet.dimensions:
            score_name, comment_name = f"score_{line.number}", f"comment_{line.number}"
            own = line.review_score if round == "review" else line.self_score
            comment = line.review_comment if round == "review" else line.self_comment
            if own is None and round == "review":
                own = line.self_score  # the auditor starts from the self-assessment
            self.fields[score_name] = forms.CharField(
                label=_("%(label)s、%(name)s（%(max)s 分）")
                % {
                    "label": line.label,
                    "name": line.name,
                    "max": number_format.one_decimal(line.maximum),
                },
                required=False,
                initial=number_format.one_decimal(own),
                widget=_number_input(
                    **{
                        "data-max": number_format.one_decimal(line.maximum),
                        "data-dimension": _("構面%(label)s（%(name)s）")
                        % {"label": line.label, "name": line.name},
                        "class": "score-input",
                        "size": "6",
                    }
                ),
            )
            self.fields[comment_name] = forms.CharField(
                label=_("評語"),
                required=False,
                initial=comment,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.fields["assessed_by"].initial = sheet.assessed_by
        self.fields["assessed_month"].initial = sheet.assessed_month

    def rows(self) -> list[tuple[object, forms.BoundField, forms.BoundField]]:
        return [
            (line, self[f"score_{line.number}"], self[f"comment_{line.number}"])
            for line in self.sheet.dimensions
        ]

    def scores(self) -> dict[int, str]:
        return {
            line.number: self.data.get(f"score_{line.number}", "") for line in self.sheet.dimensions
        }

    def comments(self) -> dict[int, str]:
        return {
            line.number: self.cleaned_data.get(f"comment_{line.number}", "")
            for line in self.sheet.dimensions
        }


class BandsForm(forms.Form):
    excellent_min = forms.CharField(label=_("優（以上）"), widget=_number_input(size="6"))
    a_min = forms.CharField(label=_("甲（以上）"), widget=_number_input(size="6"))
    b_min = forms.CharField(label=_("乙（以上）"), widget=_number_input(size="6"))
    c_min = forms.CharField(label=_("丙（以上）"), widget=_number_input(size="6"))
    reason = forms.CharField(label=_("調整原因"), max_length=60, required=False)


class ReopenForm(forms.Form):
    status = forms.ChoiceField(
        label=_("重新開放後的狀態"),
        choices=[(target, target.label) for target in year_lifecycle.reopen_targets()],
        initial=Year.Status.OPEN,
    )
    reason = forms.CharField(
        label=_("重新開放原因"), max_length=100, widget=forms.Textarea(attrs={"rows": 3})
    )
