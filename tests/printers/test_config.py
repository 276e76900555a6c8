import pytest

from printers.backends import (
    CupsPrinter,
    FilePrinter,
    NetworkPrinter,
    PreviewPrinter,
    SerialPrinter,
    UsbPrinter,
    printer_from_config,
)


def test_network_setting_with_default_port():
    printer = printer_from_config("network:192.168.1.50")
    assert isinstance(printer, NetworkPrinter)
    assert (printer.host, printer.port, printer.query_status) == ("192.168.1.50", 9100, True)


def test_network_setting_with_port_ipv6_and_no_status():
    printer = printer_from_config("network:[fe80::1]:9101:nostatus")
    assert (printer.host, printer.port, printer.query_status) == ("fe80::1", 9101, False)


def test_usb_setting_reads_hex_ids():
    printer = printer_from_config("usb:0x0416:5011")
    assert isinstance(printer, UsbPrinter)
    assert (printer.vendor_id, printer.product_id) == (0x0416, 0x5011)


def test_serial_setting_with_baud_rate():
    printer = printer_from_config("serial:/dev/ttyUSB0:19200")
    assert isinstance(printer, SerialPrinter)
    assert (printer.device, printer.baudrate, printer.query_status) == ("/dev/ttyUSB0", 19200, True)
    assert printer_from_config("serial:COM3").baudrate == 9600


def test_cups_file_and_preview_settings():
    assert isinstance(printer_from_config("cups:Kiosk_Printer"), CupsPrinter)
    file_printer = printer_from_config("file:/dev/usb/lp0")
    assert isinstance(file_printer, FilePrinter)
    assert file_printer.path == "/dev/usb/lp0"
    assert isinstance(printer_from_config("preview"), PreviewPrinter)


@pytest.mark.parametrize(
    "setting",
    [
        "network:",
        "network:10.0.0.9:99999",
        "usb:0416",
        "usb:zz:01",
        "cups:Queue With Spaces",
        "cups:-o",
        "file:",
        "preview:many",
        "bluetooth:aa:bb",
    ],
)
def test_bad_settings_are_refused_with_a_reason(setting):
    with pytest.raises(ValueError, match="expected|unknown|range"):
        printer_from_config(setting)
