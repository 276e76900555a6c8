"""A printer on a serial port (RS-232 or a USB serial adapter), through pyserial."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from printers.errors import Deadline, PrinterOffline, PrintTimeout
from printers.status import PrinterStatus, query_status

if TYPE_CHECKING:
    from types import ModuleType

    from serial import Serial


class SerialPrinter:
    """A serial printer, opened for one job and closed right after."""

    def __init__(self, device: str, baudrate: int = 9600, *, query_status: bool = True) -> None:
        self.device = device
        self.baudrate = baudrate
        self.query_status = query_status
        self.name = f"serial printer {device}"

    def send(self, data: bytes, timeout: float) -> None:
        """Write one job, giving up with a PrintError once ``timeout`` seconds have passed."""
        serial = _pyserial()
        deadline = Deadline(timeout)
        port = self._open()
        try:
            port.write_timeout = deadline.remaining(f"writing to {self.name}")
            port.write(data)
            self._drain(port, deadline)
        except serial.SerialTimeoutException:
            raise PrintTimeout(
                f"{self.name} did not take the whole job within {timeout:g} s",
                may_have_printed=True,
            ) from None
        except serial.SerialException as exc:
            raise PrinterOffline(f"writing to {self.name} failed: {exc}") from exc
        finally:
            port.close()

    def status(self, timeout: float) -> PrinterStatus:
        """Ask the printer for its real-time status (DLE EOT 1 and 4)."""
        if not self.query_status:
            return PrinterStatus.UNKNOWN
        serial = _pyserial()
        deadline = Deadline(timeout)
        port = self._open()
        try:
            port.reset_input_buffer()
            return query_status(lambda request: self._exchange(port, request, deadline))
        except serial.SerialTimeoutException:
            raise PrintTimeout(
                f"{self.name} did not take the status request within {timeout:g} s"
            ) from None
        except serial.SerialException as exc:
            raise PrinterOffline(f"talking to {self.name} failed: {exc}") from exc
        finally:
            port.close()

    def _open(self) -> Serial:
        serial = _pyserial()
        try:
            return serial.Serial(self.device, self.baudrate, timeout=0, write_timeout=0)
        except (serial.SerialException, ValueError) as exc:
            raise PrinterOffline(f"cannot open {self.name}: {exc}") from exc

    def _drain(self, port: Serial, deadline: Deadline) -> None:
        # Closing a port with bytes still queued can block for the driver's
        # closing_wait (30 s by default), so wait here, within the deadline.
        while port.out_waiting:
            try:
                deadline.remaining(f"writing to {self.name}", may_have_printed=True)
            except PrintTimeout:
                port.reset_output_buffer()
                raise
            time.sleep(0.01)

    def _exchange(self, port: Serial, request: bytes, deadline: Deadline) -> int:
        port.write_timeout = deadline.remaining("the status request")
        port.write(request)
        port.timeout = deadline.remaining("the status request")
        answer = port.read(1)
        if not answer:
            raise PrintTimeout(
                f"{self.name} did not answer the status request within "
                f"{deadline.timeout:g} s; if this model cannot report its status, "
                "add ':nostatus' to its printer setting"
            )
        return answer[0]


def _pyserial() -> ModuleType:
    try:
        import serial
    except ImportError:
        raise PrinterOffline(
            "serial printers need pyserial: pip install pyserial"
        ) from None
    return serial
