"""History reasons in the reader's language.

The reasons the application itself records (copying a year, signing off, approving or returning
an entry) are stored in Chinese,
like the rest of the data; they are shown in the reader's language. A reason a person typed is
shown as written.
"""

import re

from django.utils.translation import gettext, gettext_noop, pgettext_lazy

SYSTEM_REASONS = (
    gettext_noop("複製後開放填報"),
    gettext_noop("完成複評，年度鎖定"),
    gettext_noop("新年度：預設等第區間"),
)
COPIED_FROM = re.compile(r"複製自 (\d+) 年度")
# The entry workflow, the year-end text and month locks record these words as they happen.
HISTORY_REASONS = {
    "新增草稿": pgettext_lazy("history reason", "新增草稿"),
    "儲存草稿": pgettext_lazy("history reason", "儲存草稿"),
    "送出": pgettext_lazy("history reason", "送出"),
    "修正後再送出": pgettext_lazy("history reason", "修正後再送出"),
    "核定": pgettext_lazy("history reason", "核定"),
    "管理者代理核定": pgettext_lazy("history reason", "管理者代理核定"),
    "清除數值": pgettext_lazy("history reason", "清除數值"),
    "移除佐證資料": pgettext_lazy("history reason", "移除佐證資料"),
    "依核定的月填報更新草稿": pgettext_lazy("history reason", "依核定的月填報更新草稿"),
    "月填報有變動，保留已修改的文字並標示待更新": pgettext_lazy(
        "history reason", "月填報有變動，保留已修改的文字並標示待更新"
    ),
    "修改執行績效與成果": pgettext_lazy("history reason", "修改執行績效與成果"),
    "採用由月填報彙整的草稿": pgettext_lazy("history reason", "採用由月填報彙整的草稿"),
    "送出執行績效與成果，待主管核定": pgettext_lazy(
        "history reason", "送出執行績效與成果，待主管核定"
    ),
    "核定執行績效與成果": pgettext_lazy("history reason", "核定執行績效與成果"),
    "鎖定月份": pgettext_lazy("history reason", "鎖定月份"),
}
# "<what the application did>：<what the person typed>": the first part is translated, the
# typed part shown as written.
HISTORY_PREFIXES = {
    "退回": pgettext_lazy("history reason", "退回"),
    "管理者代理退回": pgettext_lazy("history reason", "管理者代理退回"),
    "管理者重新開放": pgettext_lazy("history reason", "管理者重新開放"),
    "重新開放": pgettext_lazy("history reason", "重新開放"),
    "退回執行績效與成果": pgettext_lazy("history reason", "退回執行績效與成果"),
    "管理者接受執行績效與成果": pgettext_lazy("history reason", "管理者接受執行績效與成果"),
}
LATE_SUBMISSION = re.compile(r"逾期送出（逾期 (\d+) 天）：(.*)", re.DOTALL)


def reason_text(reason: str | None) -> str:
    """複製自 112 年度 -> Copied from year 112 in English; a typed reason as it is."""
    if not reason:
        return ""
    if reason in SYSTEM_REASONS:
        return gettext(reason)
    if reason in HISTORY_REASONS:
        return str(HISTORY_REASONS[reason])
    if match := COPIED_FROM.fullmatch(reason):
        return gettext("複製自 %(year)s 年度") % {"year": match[1]}
    if match := LATE_SUBMISSION.fullmatch(reason):
        return gettext("逾期送出（逾期 %(days)s 天）：%(then)s") % {
            "days": match[1],
            "then": reason_text(match[2]),
        }
    prefix, colon, typed = reason.partition("：")
    if colon and prefix in HISTORY_PREFIXES:
        return gettext("%(what)s：%(reason)s") % {"what": HISTORY_PREFIXES[prefix], "reason": typed}
    return reason
