"""Read back the ESC/POS commands a ticket uses, to check what a printer would print."""

from __future__ import annotations

from dataclasses import dataclass, field

ESC, GS, DLE, LF = 0x1B, 0x1D, 0x10, 0x0A

# ESC t numbers in the Epson table, for the pages these tests use.
CODEPAGES = {0: "cp437", 16: "cp1252", 19: "cp858"}
ALIGNS = {0: "left", 1: "center", 2: "right"}


@dataclass(frozen=True)
class PrintedLine:
    text: str
    bold: bool
    size: int
    align: str


@dataclass
class Printout:
    lines: list[PrintedLine] = field(default_factory=list)
    qr_payloads: list[str] = field(default_factory=list)
    codepages: list[str] = field(default_factory=list)
    cuts: int = 0
    status_requests: list[int] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        return [line.text for line in self.lines]


def parse_escpos(data: bytes) -> Printout:
    """Walk the bytes command by command; fail on anything the renderer should not send."""
    out = Printout()
    codepage, bold, size, align = "cp437", False, 1, "left"
    text = bytearray()
    stored_qr: bytes | None = None
    pos = 0
    while pos < len(data):
        byte = data[pos]
        if byte == LF:
            out.lines.append(PrintedLine(text.decode(codepage), bold, size, align))
            text.clear()
            pos += 1
        elif byte == ESC:
            command, arg = data[pos + 1], data[pos + 2] if pos + 2 < len(data) else None
            if command == ord("@"):
                codepage, bold, size, align = "cp437", False, 1, "left"
                pos += 2
                continue
            if command == ord("t"):
                codepage = CODEPAGES[arg]
                out.codepages.append(codepage)
            elif command == ord("E"):
                bold = bool(arg)
            elif command == ord("a"):
                align = ALIGNS[arg]
            elif command == ord("d"):
                pass  # print and feed n lines
            else:
                raise ValueError(f"unexpected ESC {command:#x} at byte {pos}")
            pos += 3
        elif byte == GS:
            command = data[pos + 1]
            if command == ord("!"):
                width, height = (data[pos + 2] >> 4) + 1, (data[pos + 2] & 0x0F) + 1
                if width != height:
                    raise ValueError(f"uneven text size {width}x{height} at byte {pos}")
                size = width
                pos += 3
            elif command == ord("(") and data[pos + 2] == ord("k"):
                length = data[pos + 3] | data[pos + 4] << 8
                body = data[pos + 5 : pos + 5 + length]
                if body[0] != ord("1"):
                    raise ValueError(f"2D code other than QR at byte {pos}")
                if body[1] == ord("P"):
                    stored_qr = body[3:]
                elif body[1] == ord("Q"):
                    if stored_qr is None:
                        raise ValueError("QR printed before any data was stored")
                    out.qr_payloads.append(stored_qr.decode("utf-8"))
                pos += 5 + length
            elif command == ord("V"):
                out.cuts += 1
                pos += 3 if data[pos + 2] in (0, 1, 48, 49) else 4
            else:
                raise ValueError(f"unexpected GS {command:#x} at byte {pos}")
        elif byte == DLE and data[pos + 1] == 0x04:
            out.status_requests.append(data[pos + 2])
            pos += 3
        elif byte < 0x20:
            raise ValueError(f"unexpected control byte {byte:#x} at byte {pos}")
        else:
            text.append(byte)
            pos += 1
    if text:
        raise ValueError(f"text left unprinted at the end: {bytes(text)!r}")
    return out
