from strategies.models.directory import DirectoryGroupMapping
from strategies.models.entries import (
    NARRATIVE_MAX_LENGTH,
    EntryComment,
    Evidence,
    IndicatorValue,
    MonthLock,
    MonthlyEntry,
)
from strategies.models.mail import MailPreference
from strategies.models.notifications import Notification
from strategies.models.organization import Membership, Organization, Unit
from strategies.models.plan import Dimension, Indicator, Item, Method, Strategy, Year
from strategies.models.reminders import ReminderLog
from strategies.models.tallies import DoneTally, PairTally, TallyState

__all__ = [
    "NARRATIVE_MAX_LENGTH",
    "Dimension",
    "DoneTally",
    "DirectoryGroupMapping",
    "EntryComment",
    "Evidence",
    "Indicator",
    "IndicatorValue",
    "Item",
    "MailPreference",
    "Membership",
    "Method",
    "MonthLock",
    "MonthlyEntry",
    "Notification",
    "Organization",
    "PairTally",
    "ReminderLog",
    "Strategy",
    "TallyState",
    "Unit",
    "Year",
]
