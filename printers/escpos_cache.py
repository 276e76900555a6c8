"""Where python-escpos keeps its capabilities cache: a folder of ours, not a new temporary folder per process.

python-escpos 3.1 loads its printer database when `escpos.capabilities` is first imported and pickles it
into ESCPOS_CAPABILITIES_PICKLE_DIR. It evaluates `mkdtemp()` as the default of that lookup, so every
process leaves an empty temporary folder behind even when the variable is set. `load()` imports the
module once, with the variable set (a value the user chose is kept) and `tempfile.mkdtemp` standing in
for our folder only during that import. The folder is the user's cache (XDG_CACHE_HOME, else ~/.cache:
one line of the XDG rule, not worth a dependency), per python-escpos version, so a pickle written by
another version is never read. Import this before anything imports escpos (printers/__init__.py does).

python-escpos writes the pickle in place (`open(path, "wb")` then `pickle.dump`), so a second process that
starts at the same moment (two test workers, a server and a cron job) can read a half-written file and fail
with `EOFError` on import. Here the pickle only ever appears whole: when it is missing or stale, this process
lets python-escpos write it into a private folder inside the cache folder, then renames it into place
(`os.replace` is atomic on POSIX and Windows); a process that finds it reads a complete file.
"""

from __future__ import annotations

import os
import platform
import shutil
import sys
import tempfile
from importlib.metadata import version
from importlib.resources import files
from pathlib import Path

PICKLE_DIR = "ESCPOS_CAPABILITIES_PICKLE_DIR"


def cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "ptsp" / f"escpos-{version('python-escpos')}"


def _pickle_is_current(folder: str) -> bool:
    """python-escpos's own test: the pickle exists and is newer than the capabilities file it came from."""
    pickle = Path(folder) / f"{platform.python_version()}.capabilities.pickle"
    source = files("escpos") / "capabilities.json"
    return pickle.exists() and pickle.stat().st_mtime >= Path(str(source)).stat().st_mtime


def load() -> None:
    """Import escpos.capabilities with its cache in our folder; nothing to do once imported."""
    if "escpos.capabilities" in sys.modules:
        return
    folder = os.environ.setdefault(PICKLE_DIR, str(cache_folder()))
    os.makedirs(folder, exist_ok=True)
    private = None if _pickle_is_current(folder) else tempfile.mkdtemp(prefix="writing-", dir=folder)
    target = private or folder
    make_temp_folder = tempfile.mkdtemp
    tempfile.mkdtemp = lambda *_args, **_kwargs: target  # type: ignore[assignment]
    os.environ[PICKLE_DIR] = target
    try:
        import escpos.capabilities  # noqa: F401
    finally:
        tempfile.mkdtemp = make_temp_folder
        os.environ[PICKLE_DIR] = folder
        if private is not None:
            for written in Path(private).glob("*.capabilities.pickle"):
                os.replace(written, Path(folder) / written.name)
            shutil.rmtree(private, ignore_errors=True)


load()
