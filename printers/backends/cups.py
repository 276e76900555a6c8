"""A printer behind a CUPS queue, given the job raw through the ``lp`` client."""

from __future__ import annotations

import subprocess

from printers.errors import Deadline, PrinterOffline, PrintTimeout
from printers.status import PrinterStatus


class CupsPrinter:
    """A CUPS queue that passes ESC/POS bytes to the printer untouched."""

    def __init__(self, queue: str) -> None:
        self.queue = queue
        self.name = f"CUPS queue {queue}"

    def send(self, data: bytes, timeout: float) -> None:
        """Hand one job to CUPS, giving up with a PrintError after ``timeout`` seconds."""
        deadline = Deadline(timeout)
        command = ["lp", "-d", self.queue, "-o", "raw", "-t", "PTSP ticket"]
        try:
            result = subprocess.run(
                command,
                input=data,
                capture_output=True,
                timeout=deadline.remaining(f"handing the job to {self.name}"),
                check=False,
            )
        except FileNotFoundError:
            raise PrinterOffline(
                "the CUPS client 'lp' is not installed (Debian: apt-get install cups-client)"
            ) from None
        except subprocess.TimeoutExpired:
            # lp may have queued the job before it was stopped.
            raise PrintTimeout(
                f"{self.name} did not accept the job within {timeout:g} s",
                may_have_printed=True,
            ) from None
        if result.returncode != 0:
            detail = result.stderr.decode("utf-8", "replace").strip() or f"exit {result.returncode}"
            raise PrinterOffline(f"{self.name} refused the job: {detail}")

    def status(self, timeout: float) -> PrinterStatus:
        """Report that CUPS, which queues jobs, does not relay the paper state."""
        return PrinterStatus.UNKNOWN
