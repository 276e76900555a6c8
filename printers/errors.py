"""Printing faults and the deadline that bounds every printer call."""

from __future__ import annotations

import time


class PrintError(Exception):
    """A ticket could not be printed.

    ``may_have_printed`` is true when some bytes of the job may already have
    reached the printer, so a blind retry could print the ticket twice.
    """

    code = "error"

    def __init__(self, message: str, *, may_have_printed: bool = False) -> None:
        super().__init__(message)
        self.may_have_printed = may_have_printed


class PrinterOffline(PrintError):
    """The printer cannot be reached or reports itself offline."""

    code = "offline"


class PaperOut(PrintError):
    """The printer reports that its paper roll is empty."""

    code = "paper_out"


class PrintTimeout(PrintError):
    """The printer stopped answering or taking data before the deadline."""

    code = "timeout"


class Deadline:
    """A point in monotonic time after which a printer call must give up."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._end = time.monotonic() + timeout

    def remaining(self, what: str, *, may_have_printed: bool = False) -> float:
        """Return the seconds left, or raise PrintTimeout naming what ran out of time."""
        left = self._end - time.monotonic()
        if left <= 0:
            raise PrintTimeout(
                f"{what} did not finish within {self.timeout:g} s",
                may_have_printed=may_have_printed,
            )
        return left
