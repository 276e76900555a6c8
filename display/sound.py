"""Sound made on the server: the call chime (generated) and, where installed, espeak-ng speech."""

from __future__ import annotations

import io
import math
import shutil
import subprocess
import wave
from functools import cache

RATE = 22050


@cache
def chime_wav() -> bytes:
    """Return a two-note "ding-dong" (E6 then C6, 0.9 s, 16-bit mono WAV) to precede each call."""
    samples = bytearray()
    for freq, seconds in ((1318.5, 0.4), (1046.5, 0.5)):
        count = int(RATE * seconds)
        for i in range(count):
            t = i / RATE
            envelope = math.exp(-4.5 * t) * min(1.0, i / 200)
            value = envelope * (0.8 * math.sin(2 * math.pi * freq * t) + 0.2 * math.sin(4 * math.pi * freq * t))
            samples += int(value * 0.6 * 32767).to_bytes(2, "little", signed=True)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(bytes(samples))
    return buffer.getvalue()


def espeak_available() -> bool:
    """Tell whether espeak-ng is installed for server-side Indonesian speech."""
    return shutil.which("espeak-ng") is not None


def espeak_wav(text: str) -> bytes:
    """Speak `text` in Indonesian with espeak-ng and return the WAV bytes."""
    binary = shutil.which("espeak-ng")
    if binary is None:
        raise FileNotFoundError("espeak-ng is not installed")
    result = subprocess.run([binary, "-v", "id", "-s", "140", "--stdout", text], capture_output=True, timeout=10,
                            check=True)
    return result.stdout
