"""Print one ticket in bounded time and say how it went."""

from __future__ import annotations

from dataclasses import dataclass

from printers.backends import Printer
from printers.errors import Deadline, PaperOut, PrinterOffline, PrintError
from printers.escpos_render import DEFAULT_CODEPAGE, render_escpos
from printers.layout import TicketPrintData, ticket_layout
from printers.status import PrinterStatus


@dataclass(frozen=True)
class PrintResult:
    """The outcome of one print attempt.

    ``failure`` is the PrintError code ("offline", "paper_out", "timeout", "error");
    ``may_have_printed`` tells a retry whether the ticket might already be on paper.
    """

    ok: bool
    status: PrinterStatus
    reason: str = ""
    failure: str | None = None
    may_have_printed: bool = False


def print_ticket(
    printer: Printer,
    data: TicketPrintData,
    width_chars: int,
    timeout: float,
    *,
    status_timeout: float | None = None,
    codepage: str = DEFAULT_CODEPAGE,
) -> PrintResult:
    """Check the printer, render the ticket and send it, all within ``timeout`` seconds.

    Printer faults come back as a failed result, never as an exception. The status
    check gets ``status_timeout`` seconds, by default a third of the whole budget.
    """
    deadline = Deadline(timeout)
    status = PrinterStatus.UNKNOWN
    try:
        budget = timeout / 3 if status_timeout is None else status_timeout
        status = printer.status(min(budget, deadline.remaining("the status check")))
        if status is PrinterStatus.PAPER_OUT:
            raise PaperOut(f"{printer.name} reports that its paper has run out")
        if status is PrinterStatus.OFFLINE:
            raise PrinterOffline(
                f"{printer.name} reports that it is offline (cover open or an error)"
            )
        payload = render_escpos(ticket_layout(data, width_chars), codepage=codepage)
        printer.send(payload, deadline.remaining("the print job"))
    except PrintError as exc:
        if isinstance(exc, PrinterOffline) and status is PrinterStatus.UNKNOWN:
            status = PrinterStatus.OFFLINE
        return PrintResult(
            ok=False,
            status=status,
            reason=str(exc),
            failure=exc.code,
            may_have_printed=exc.may_have_printed,
        )
    return PrintResult(ok=True, status=status)
