"""History reasons in the reader's language.

The reasons the application itself records (copying a year, signing off) are stored in Chinese,
like the rest of the data; they are shown in the reader's language. A reason a person typed is
shown as written.
"""

import re

from django.utils.translation import gettext, gettext_noop

SYSTEM_REASONS = (
    gettext_noop("複製後開放填報"),
    gettext_noop("完成複評，年度鎖定"),
    gettext_noop("新年度：預設等第區間"),
)
COPIED_FROM = re.compile(r"複製自 (\d+) 年度")


def reason_text(reason: str | None) -> str:
    """複製自 112 年度 -> Copied from year 112 in English; a typed reason as it is."""
    if not reason:
        return ""
    if reason in SYSTEM_REASONS:
        return gettext(reason)
    if match := COPIED_FROM.fullmatch(reason):
        return gettext("複製自 %(year)s 年度") % {"year": match[1]}
    return reason
