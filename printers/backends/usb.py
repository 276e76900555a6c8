"""A printer on USB, driven through pyusb and libusb.

On Linux the kernel's usblp driver usually exposes the same printer as
/dev/usb/lp0, which ``FilePrinter`` drives with no extra library.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from printers.errors import Deadline, PrinterOffline, PrintTimeout
from printers.status import PrinterStatus, query_status

if TYPE_CHECKING:
    from types import ModuleType


class UsbPrinter:
    """A USB printer found by vendor and product id, claimed for one job."""

    def __init__(self, vendor_id: int, product_id: int, *, query_status: bool = True) -> None:
        self.vendor_id = vendor_id
        self.product_id = product_id
        self.query_status = query_status
        self.name = f"USB printer {vendor_id:04x}:{product_id:04x}"

    def send(self, data: bytes, timeout: float) -> None:
        """Write one job, giving up with a PrintError once ``timeout`` seconds have passed."""
        usb = _pyusb()
        deadline = Deadline(timeout)
        device, out_ep, _ = self._open(usb)
        try:
            out_ep.write(data, timeout=_millis(deadline.remaining(f"writing to {self.name}")))
        except usb.core.USBTimeoutError:
            raise PrintTimeout(
                f"{self.name} did not take the whole job within {timeout:g} s",
                may_have_printed=True,
            ) from None
        except usb.core.USBError as exc:
            raise PrinterOffline(f"writing to {self.name} failed: {exc}") from exc
        finally:
            usb.util.dispose_resources(device)

    def status(self, timeout: float) -> PrinterStatus:
        """Ask the printer for its real-time status (DLE EOT 1 and 4) when it has an IN endpoint."""
        if not self.query_status:
            return PrinterStatus.UNKNOWN
        usb = _pyusb()
        deadline = Deadline(timeout)
        device, out_ep, in_ep = self._open(usb)
        try:
            if in_ep is None:
                return PrinterStatus.UNKNOWN

            def exchange(request: bytes) -> int:
                out_ep.write(request, timeout=_millis(deadline.remaining("the status request")))
                answer = in_ep.read(
                    in_ep.wMaxPacketSize, timeout=_millis(deadline.remaining("the status request"))
                )
                if len(answer) == 0:
                    raise PrintTimeout(f"{self.name} sent an empty status answer")
                return int(answer[0])

            return query_status(exchange)
        except usb.core.USBTimeoutError:
            raise PrintTimeout(
                f"{self.name} did not answer the status request within {timeout:g} s; if this "
                "model cannot report its status, add ':nostatus' to its printer setting"
            ) from None
        except usb.core.USBError as exc:
            raise PrinterOffline(f"talking to {self.name} failed: {exc}") from exc
        finally:
            usb.util.dispose_resources(device)

    def _open(self, usb: ModuleType) -> tuple[Any, Any, Any]:
        try:
            device = usb.core.find(idVendor=self.vendor_id, idProduct=self.product_id)
        except usb.core.NoBackendError:
            raise PrinterOffline(
                "pyusb found no libusb on this machine: install libusb-1.0"
            ) from None
        if device is None:
            raise PrinterOffline(f"{self.name} is not connected: is it plugged in and switched on?")
        try:
            if device.is_kernel_driver_active(0):
                device.detach_kernel_driver(0)
        except (NotImplementedError, usb.core.USBError):
            # Not every platform or backend can detach a kernel driver; claiming may still work.
            pass
        try:
            device.set_configuration()
            interface = device.get_active_configuration()[(0, 0)]
        except usb.core.USBError as exc:
            usb.util.dispose_resources(device)
            raise PrinterOffline(f"cannot claim {self.name}: {exc}") from exc
        out_ep = _endpoint(usb, interface, usb.util.ENDPOINT_OUT)
        if out_ep is None:
            usb.util.dispose_resources(device)
            raise PrinterOffline(f"{self.name} has no output endpoint; is it a printer?")
        return device, out_ep, _endpoint(usb, interface, usb.util.ENDPOINT_IN)


def _endpoint(usb: ModuleType, interface: Any, direction: int) -> Any:
    return usb.util.find_descriptor(
        interface,
        custom_match=lambda ep: usb.util.endpoint_direction(ep.bEndpointAddress) == direction,
    )


def _millis(seconds: float) -> int:
    return max(1, int(seconds * 1000))


def _pyusb() -> ModuleType:
    try:
        import usb.core
        import usb.util
    except ImportError:
        raise PrinterOffline(
            "USB printers need pyusb and libusb (pip install pyusb); on Linux, "
            "'file:/dev/usb/lp0' drives the same printer without them"
        ) from None
    return usb
