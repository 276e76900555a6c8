"""python-escpos caches its printer capabilities in a folder of ours, never in a new temporary one per process."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

PTSP = Path(sys.executable).with_name("ptsp")


def run_ptsp(tmp_path: Path, *args: str, **env: str) -> tuple[Path, subprocess.CompletedProcess]:
    """Run `ptsp ARGS` (which builds the app, so imports python-escpos) with TMPDIR an empty folder."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    environ = {k: v for k, v in os.environ.items() if k != "ESCPOS_CAPABILITIES_PICKLE_DIR"}
    environ.update(TMPDIR=str(temp), XDG_CACHE_HOME=str(tmp_path / "cache"), PTSP_ENV="development",
                   PTSP_DATABASE_URL=f"sqlite:///{tmp_path / 'ptsp.db'}", **env)
    done = subprocess.run([str(PTSP), "db", "upgrade", *args], env=environ, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return temp, done


def test_a_ptsp_command_leaves_no_temporary_folder_behind(tmp_path):
    temp, _ = run_ptsp(tmp_path)
    assert list(temp.iterdir()) == []
    assert list((tmp_path / "cache" / "ptsp").glob("escpos-*/*.capabilities.pickle"))


def test_a_pickle_folder_the_user_chose_is_kept(tmp_path):
    chosen = tmp_path / "mine"
    chosen.mkdir()
    temp, _ = run_ptsp(tmp_path, ESCPOS_CAPABILITIES_PICKLE_DIR=str(chosen))
    assert list(temp.iterdir()) == []
    assert list(chosen.glob("*.capabilities.pickle"))
    assert not (tmp_path / "cache").exists()


def test_processes_that_start_together_on_an_empty_cache_all_import_python_escpos(tmp_path):
    """python-escpos writes its pickle in place; a process reading it half-written failed with EOFError
    (two test workers did, on a fresh clone). Twelve processes start at once on an empty cache folder."""
    cache = tmp_path / "cache"
    environ = {k: v for k, v in os.environ.items() if k != "ESCPOS_CAPABILITIES_PICKLE_DIR"}
    environ.update(XDG_CACHE_HOME=str(cache), TMPDIR=str(tmp_path))
    code = "import printers, escpos.capabilities as c; assert c.CAPABILITIES['profiles']"
    runs = [subprocess.Popen([sys.executable, "-c", code], env=environ, stderr=subprocess.PIPE, text=True)
            for _ in range(12)]
    errors = [run.communicate(timeout=120)[1] for run in runs]
    assert [run.returncode for run in runs] == [0] * 12, "\n".join(errors)
    (folder,) = (cache / "ptsp").iterdir()
    assert [p.name for p in folder.iterdir()] == [f"{platform.python_version()}.capabilities.pickle"]
