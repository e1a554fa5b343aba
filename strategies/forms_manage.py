"""Forms of the admin pages. They only read and check input; the services do the writing."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from strategies.models import Indicator, Membership, Organization, Unit, Year

MAX_PLAN_FILE_BYTES = 10 * 1024 * 1024


class PlanSearchForm(forms.Form):
    q = forms.CharField(
        label=_("關鍵字"),
        required=False,
        max_length=100,
        help_text=_("項目名稱、編號（如 一(二)1）、填報內容或填報人"),
    )


class UserSearchForm(forms.Form):
    q = forms.CharField(
        label=_("關鍵字"),
        required=False,
        max_length=100,
        help_text=_("帳號、姓名、電子郵件或單位"),
    )


class YearStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("改為"), choices=Year.Status.choices)
    reason = forms.CharField(label=_("原因"), required=False, max_length=500)


def _model_choices(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    """The form's choice field `name`, whose choices depend on the organization."""
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    return field


class _YearChoice(forms.ModelChoiceField[Year]):
    def label_from_instance(self, obj: Year) -> str:
        return f"{obj.roc_year} 年度"


class CopyYearForm(forms.Form):
    from_year = _YearChoice(label=_("來源年度"), queryset=Year.objects.none())
    to_roc_year = forms.IntegerField(label=_("新年度（民國）"), min_value=1, max_value=999)
    open_year = forms.BooleanField(label=_("複製後直接開放填報"), required=False)

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _model_choices(self, "from_year").queryset = Year.objects.filter(
            organization=organization
        ).order_by("-roc_year")


class StrategyForm(forms.Form):
    title = forms.CharField(label=_("執行策略"), max_length=200)


class MethodForm(forms.Form):
    title = forms.CharField(label=_("執行方法"), max_length=200)
    description = forms.CharField(
        label=_("說明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class _UnitChoices(forms.ModelMultipleChoiceField[Unit]):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class ItemForm(forms.Form):
    title = forms.CharField(
        label=_("項目"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("執行方法下的 (1)(2)… 子項；沒有子項時留空。"),
    )
    host_units = _UnitChoices(
        label=_("主辦單位"), queryset=Unit.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    host_label = forms.CharField(
        label=_("主辦單位（報告上的寫法）"),
        required=False,
        max_length=200,
        help_text=_("例如「各科、辦事處」；留空時依勾選的單位列出。"),
    )
    planned_actions = forms.CharField(
        label=_("具體作法"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _model_choices(self, "host_units").queryset = Unit.objects.filter(
            organization=organization, is_active=True
        ).order_by("order", "name")


class IndicatorForm(forms.Form):
    name = forms.CharField(label=_("指標名稱"), max_length=100)
    measure = forms.CharField(label=_("單位"), max_length=10, help_text=_("場次、件、家、人次…"))
    target = forms.DecimalField(
        label=_("目標值"), required=False, min_value=Decimal(0), max_digits=12, decimal_places=2
    )
    aggregation = forms.ChoiceField(label=_("彙總方式"), choices=Indicator.Aggregation.choices)
    allows_decimals = forms.BooleanField(label=_("可填小數"), required=False)


class UnitForm(forms.Form):
    name = forms.CharField(label=_("單位名稱"), max_length=50)
    kind = forms.ChoiceField(label=_("類別"), choices=Unit.Kind.choices)


class _ActiveUnitChoice(forms.ModelChoiceField[Unit]):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class MemberForm(forms.Form):
    full_name = forms.CharField(label=_("姓名"), max_length=150)
    email = forms.EmailField(label=_("電子郵件"), required=False)
    role = forms.ChoiceField(label=_("角色"), choices=Membership.Role.choices)
    unit = _ActiveUnitChoice(
        label=_("單位"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("承辦人與主管必須指定單位。"),
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _model_choices(self, "unit").queryset = Unit.objects.filter(
            organization=organization, is_active=True
        ).order_by("order", "name")


class _PasswordPair(forms.Form):
    password1 = forms.CharField(
        label=_("密碼"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("再輸入一次密碼"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("兩次輸入的密碼不一致。"))
        return data


class NewUserForm(MemberForm, _PasswordPair):
    username = forms.CharField(label=_("帳號"), max_length=150)

    field_order = ["username", "full_name", "email", "role", "unit", "password1", "password2"]


class PasswordResetForm(_PasswordPair):
    pass


class PlanFileForm(forms.Form):
    file = forms.FileField(
        label=_("計畫檔（Excel .xlsx）"),
        help_text=_(
            "每個構面一個工作表（構面一…構面五），欄位：執行策略、執行方法、主辦單位、具體作法。"
        ),
    )


class RoleForm(forms.Form):
    """The role (and unit) given to a directory user waiting for one."""

    role = forms.ChoiceField(label=_("角色"), choices=Membership.Role.choices)
    unit = _ActiveUnitChoice(
        label=_("單位"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("承辦人與主管必須指定單位。"),
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _model_choices(self, "unit").queryset = Unit.objects.filter(
            organization=organization, is_active=True
        ).order_by("order", "name")


class GroupMappingForm(RoleForm):
    group_dn = forms.CharField(
        label=_("目錄群組 DN"),
        max_length=255,
        help_text=_("例如 cn=perf-staff,ou=groups,dc=example,dc=gov,dc=tw（不分大小寫）。"),
    )

    field_order = ["group_dn", "role", "unit"]
