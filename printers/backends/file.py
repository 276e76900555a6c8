"""A printer reached through a device file, such as /dev/usb/lp0 from the usblp driver."""

from __future__ import annotations

import errno
import os
import select

from printers.errors import Deadline, PrinterOffline, PrintTimeout
from printers.status import PrinterStatus


class FilePrinter:
    """A device file (or any writable file) opened for one job without blocking."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.name = f"file printer {path}"

    def send(self, data: bytes, timeout: float) -> None:
        """Write one job, giving up with a PrintError once ``timeout`` seconds have passed."""
        deadline = Deadline(timeout)
        fd = self._open()
        try:
            view = memoryview(data)
            sent = 0
            while sent < len(view):
                try:
                    sent += os.write(fd, view[sent:])
                except BlockingIOError:
                    self._wait_writable(fd, deadline, sent, len(view))
                except OSError as exc:
                    raise PrinterOffline(
                        f"writing to {self.name} failed after {sent} of {len(view)} bytes: "
                        f"{exc.strerror}",
                        may_have_printed=sent > 0,
                    ) from exc
            # A driver may drop a write still in flight when the file is closed
            # (usblp does), so wait until the device has taken the last chunk.
            self._wait_writable(fd, deadline, sent, len(view))
        finally:
            os.close(fd)

    def status(self, timeout: float) -> PrinterStatus:
        """Report that a device file cannot tell its status."""
        return PrinterStatus.UNKNOWN

    def _open(self) -> int:
        flags = os.O_WRONLY | os.O_APPEND | os.O_NONBLOCK | os.O_NOCTTY
        try:
            return os.open(self.path, flags)
        except FileNotFoundError:
            raise PrinterOffline(
                f"{self.path} does not exist: is the printer plugged in and switched on?"
            ) from None
        except OSError as exc:
            if exc.errno == errno.ENXIO:
                raise PrinterOffline(f"no device is behind {self.path}") from exc
            raise PrinterOffline(f"cannot open {self.path}: {exc.strerror}") from exc

    def _wait_writable(self, fd: int, deadline: Deadline, sent: int, total: int) -> None:
        what = f"writing to {self.name} ({sent} of {total} bytes taken)"
        wait = deadline.remaining(what, may_have_printed=sent > 0)
        _, writable, _ = select.select([], [fd], [], wait)
        if not writable:
            raise PrintTimeout(
                f"{what} did not finish within {deadline.timeout:g} s",
                may_have_printed=sent > 0,
            )
