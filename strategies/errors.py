"""Domain errors raised by services, with a message a person can act on."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the models import services' errors; the type is only read by mypy
    from strategies.models import MonthlyEntry


class DomainError(Exception):
    """A refused write. `message` is shown to the user as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StaleVersionError(DomainError):
    """Someone else saved first; `current` is what they saved."""

    def __init__(self, message: str, current: "MonthlyEntry | None" = None) -> None:
        super().__init__(message)
        self.current = current
