"""A printer on the network, spoken to over raw TCP (usually port 9100)."""

from __future__ import annotations

import socket

from printers.errors import Deadline, PrinterOffline, PrintTimeout
from printers.status import PrinterStatus, query_status


class NetworkPrinter:
    """A network printer, connected to for one job and closed right after."""

    def __init__(self, host: str, port: int = 9100, *, query_status: bool = True) -> None:
        self.host = host
        self.port = port
        self.query_status = query_status
        self.name = f"network printer {host}:{port}"

    def send(self, data: bytes, timeout: float) -> None:
        """Send one job, giving up with a PrintError once ``timeout`` seconds have passed."""
        deadline = Deadline(timeout)
        with self._connect(deadline) as sock:
            view = memoryview(data)
            sent = 0
            while sent < len(view):
                progress = f"{sent} of {len(view)} bytes"
                sock.settimeout(
                    deadline.remaining(
                        f"sending to {self.name} ({progress} taken)", may_have_printed=sent > 0
                    )
                )
                try:
                    sent += sock.send(view[sent:])
                except TimeoutError:
                    raise PrintTimeout(
                        f"{self.name} took only {progress} within {timeout:g} s: "
                        "it accepts connections but is not reading",
                        may_have_printed=sent > 0,
                    ) from None
                except OSError as exc:
                    raise PrinterOffline(
                        f"connection to {self.name} broke after {progress}: {exc}",
                        may_have_printed=sent > 0,
                    ) from exc

    def status(self, timeout: float) -> PrinterStatus:
        """Ask the printer for its real-time status (DLE EOT 1 and 4)."""
        if not self.query_status:
            return PrinterStatus.UNKNOWN
        deadline = Deadline(timeout)
        with self._connect(deadline) as sock:
            try:
                return query_status(lambda request: self._exchange(sock, request, deadline))
            except (TimeoutError, PrintTimeout):
                raise PrintTimeout(
                    f"{self.name} accepted the connection but did not answer the status "
                    f"request within {timeout:g} s; if this model cannot report its status, "
                    "add ':nostatus' to its printer setting"
                ) from None
            except OSError as exc:
                raise PrinterOffline(
                    f"connection to {self.name} broke during the status request: {exc}"
                ) from exc

    def _connect(self, deadline: Deadline) -> socket.socket:
        wait = deadline.remaining(f"connecting to {self.name}")
        try:
            return socket.create_connection((self.host, self.port), timeout=wait)
        except ConnectionRefusedError:
            raise PrinterOffline(
                f"{self.name} refused the connection: is it switched on, "
                f"and is {self.port} its raw printing port?"
            ) from None
        except TimeoutError:
            raise PrinterOffline(
                f"{self.name} did not accept a connection within {deadline.timeout:g} s"
            ) from None
        except OSError as exc:
            raise PrinterOffline(f"cannot reach {self.name}: {exc}") from exc

    def _exchange(self, sock: socket.socket, request: bytes, deadline: Deadline) -> int:
        sock.settimeout(deadline.remaining("the status request"))
        sock.sendall(request)
        sock.settimeout(deadline.remaining("the status request"))
        answer = sock.recv(1)
        if not answer:
            raise PrinterOffline(f"{self.name} closed the connection during the status request")
        return answer[0]
