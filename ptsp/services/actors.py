"""Who is acting: a staff member, a device, a resident holding a ticket, or the system."""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("clerk", "supervisor", "manager", "admin")
DEVICE_KINDS = ("kiosk", "display", "agent", "tablet")  # tablet: the counter-side rating screen


@dataclass(frozen=True, slots=True)
class Actor:
    kind: str  # staff, device, resident, system
    id: int | None = None  # staff or device id; for a resident's status page, its ticket's id
    role: str | None = None  # staff role, or device kind
    office_id: int | None = None
    agency_id: int | None = None  # staff scoped to one agency of their office (see agency_scope)

    @property
    def staff_id(self) -> int | None:
        return self.id if self.kind == "staff" else None

    @property
    def device_id(self) -> int | None:
        return self.id if self.kind == "device" else None

    def at_least(self, role: str) -> bool:
        """Tell whether this is staff holding `role` or a higher one."""
        return self.kind == "staff" and ROLES.index(self.role or "clerk") >= ROLES.index(role)


def agency_scope(actor: Actor) -> int | None:
    """Return the one agency a supervisor or manager is limited to, or None for the whole office scope.

    Only staff carry an agency; a clerk's agency is where they work, not a limit on what they read, and an
    admin is never limited. Readers (leaderboard, dashboard) add `Service.agency_id == scope` when not None.
    """
    if actor.kind != "staff" or actor.role in ("admin", "clerk"):
        return None
    return actor.agency_id


SYSTEM = Actor(kind="system")
