"""Tables, one module per part of the office; import them from here (`from ptsp.models import Ticket`)."""

from .accountability import Referral, ReferralEvent, Violation, ViolationAnswer, ViolationNotice
from .alerts import AlertSent, AlertSubscription
from .appointments import Appointment, AppointmentSettings
from .base import NAMING, Base, UTCDateTime
from .feedback import Complaint, ComplaintEvent, PointsLedgerEntry, Rating
from .office import (
    AccountEvent,
    Agency,
    AuditEntry,
    ConfigVersion,
    Counter,
    Department,
    Device,
    DisciplineSettings,
    Office,
    OfficeClosedDay,
    PairingCode,
    Service,
    Staff,
    counter_services,
)
from .outreach import OutreachEvent, OutreachRequest
from .printing import PrintJob, TicketPrinter
from .tickets import (
    CounterSession,
    DisplayPresence,
    OfficeSequence,
    ProcessedCommand,
    Ticket,
    TicketEvent,
    TicketNumber,
)
from .urgent import UrgentCase

__all__ = [
    "AlertSent",
    "AlertSubscription",
    "AccountEvent",
    "Agency",
    "Appointment",
    "AppointmentSettings",
    "AuditEntry",
    "NAMING",
    "Base",
    "UTCDateTime",
    "Complaint",
    "ComplaintEvent",
    "ConfigVersion",
    "Counter",
    "CounterSession",
    "Department",
    "Device",
    "DisciplineSettings",
    "DisplayPresence",
    "Office",
    "OfficeClosedDay",
    "OfficeSequence",
    "OutreachEvent",
    "OutreachRequest",
    "PairingCode",
    "PointsLedgerEntry",
    "PrintJob",
    "ProcessedCommand",
    "Rating",
    "Referral",
    "ReferralEvent",
    "Service",
    "Staff",
    "Ticket",
    "TicketEvent",
    "TicketNumber",
    "TicketPrinter",
    "UrgentCase",
    "Violation",
    "ViolationAnswer",
    "ViolationNotice",
    "counter_services",
]
