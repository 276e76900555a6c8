"""What a real installation needs: a wheel that carries its files, and clear errors instead of tracebacks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import ptsp.migrate
from ptsp.cli import cli
from ptsp.db import make_engine
from ptsp.migrate import MigrationsMissing, upgrade

ROOT = Path(__file__).resolve().parents[1]
PTSP = [sys.executable, "-c", "from ptsp.cli import main; main()"]


@pytest.mark.slow
def test_a_built_wheel_carries_templates_static_files_translations_and_migrations(tmp_path):
    # Built from a copy of the tracked files, so the build writes only under tmp_path.
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    source = tmp_path / "src"
    for name in tracked.splitlines():
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(tmp_path / "dist"), str(source)], check=True, capture_output=True, text=True)
    (wheel,) = (tmp_path / "dist").glob("ptsp-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = [name for name in tracked.splitlines()
                if name.startswith(("ptsp/", "kiosk/", "display/", "counter/", "printers/"))
                and not name.endswith(".py") and "/__pycache__/" not in name]
    expected += [name for name in tracked.splitlines() if name.startswith("ptsp/migrations/versions/")]
    assert any(name.endswith("templates/kiosk/kiosk.html") for name in expected)  # the check checks something
    missing = sorted(set(expected) - names)
    assert missing == [], f"the wheel lacks {len(missing)} data file(s), e.g. {missing[:5]}"


def test_upgrade_without_migration_scripts_refuses_instead_of_reporting_success(tmp_path, monkeypatch):
    scripts = tmp_path / "migrations"
    shutil.copytree(ptsp.migrate.MIGRATIONS, scripts, ignore=shutil.ignore_patterns("versions", "__pycache__"))
    (scripts / "versions").mkdir()
    monkeypatch.setattr(ptsp.migrate, "MIGRATIONS", scripts)
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(MigrationsMissing, match="incomplete"):
        upgrade(engine)
    engine.dispose()
    assert not (tmp_path / "empty.db").exists() or os.path.getsize(tmp_path / "empty.db") == 0


def test_a_command_without_a_secret_key_in_production_says_so_in_one_line(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("PTSP_")}
    env |= {"PTSP_ENV": "production", "PTSP_DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}",
            "PTSP_PASSWORD_HASH_METHOD": os.environ.get("PTSP_PASSWORD_HASH_METHOD", "")}
    done = subprocess.run([*PTSP, "db", "upgrade"], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("Error: ") and "PTSP_SECRET_KEY" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_backup_into_a_missing_folder_is_refused_plainly(tmp_path, monkeypatch, sqlite_url):
    monkeypatch.setenv("PTSP_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("PTSP_SECRET_KEY", "cli-test")
    monkeypatch.setenv("PTSP_ENV", "testing")
    target = tmp_path / "no-such-folder" / "ptsp.db"
    result = CliRunner().invoke(cli, ["db", "backup", str(target)])
    assert result.exit_code == 1, result.output
    assert "does not exist" in result.output
    assert not target.parent.exists()
