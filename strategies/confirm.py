"""What a dangerous action will do, shown on a confirmation page before it is done.

Sign-off, closing, locking and reopening a year each build a `Confirmation`: the consequences
in plain words ("locks year 113 for every unit ..."), the preconditions with whether each holds,
and the button's label. `templates/confirm.html` shows it as a form that works without
JavaScript; the action runs only when the form comes back with `confirmed=1`.
"""

from dataclasses import dataclass, field

from django.http import QueryDict


@dataclass(frozen=True)
class Precondition:
    text: str
    met: bool
    detail: str = ""  # why it does not hold, when it does not


@dataclass
class Confirmation:
    title: str
    button: str
    consequences: list[str] = field(default_factory=list)
    preconditions: list[Precondition] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return all(p.met for p in self.preconditions)


CONFIRM_FIELD = "confirmed"


def confirmed(post: QueryDict) -> bool:
    """Did the form come back from the confirmation page?"""
    return post.get(CONFIRM_FIELD) == "1"
