"""Where python-escpos keeps its capabilities cache: a folder of ours, not a new temporary folder per process.

python-escpos 3.1 loads its printer database when `escpos.capabilities` is first imported and pickles it
into ESCPOS_CAPABILITIES_PICKLE_DIR. It evaluates `mkdtemp()` as the default of that lookup, so every
process leaves an empty temporary folder behind even when the variable is set. `load()` imports the
module once, with the variable set (a value the user chose is kept) and `tempfile.mkdtemp` standing in
for our folder only during that import. The folder is the user's cache (XDG_CACHE_HOME, else ~/.cache:
one line of the XDG rule, not worth a dependency), per python-escpos version, so a pickle written by
another version is never read. Import this before anything imports escpos (printers/__init__.py does).
"""

from __future__ import annotations

import os
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

PICKLE_DIR = "ESCPOS_CAPABILITIES_PICKLE_DIR"


def cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "ptsp" / f"escpos-{version('python-escpos')}"


def load() -> None:
    """Import escpos.capabilities with its cache in our folder; nothing to do once imported."""
    if "escpos.capabilities" in sys.modules:
        return
    folder = os.environ.setdefault(PICKLE_DIR, str(cache_folder()))
    os.makedirs(folder, exist_ok=True)
    make_temp_folder = tempfile.mkdtemp
    tempfile.mkdtemp = lambda *_args, **_kwargs: folder  # type: ignore[assignment]
    try:
        import escpos.capabilities  # noqa: F401
    finally:
        tempfile.mkdtemp = make_temp_folder


load()
