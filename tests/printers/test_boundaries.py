import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_printers_package_loads_without_database_or_web_framework():
    probe = (
        "import sys, pkgutil, importlib, printers\n"
        "for module in pkgutil.walk_packages(printers.__path__, 'printers.'):\n"
        "    importlib.import_module(module.name)\n"
        "banned = {'flask', 'flask_socketio', 'sqlalchemy', 'ptsp'}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in banned))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert run.stdout.strip() == "[]"
