"""The sample deployment files in deploy/ say what docs/deploy.md says, and nginx accepts its config."""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read(DEPLOY / "systemd" / name)
    return parser


def test_nginx_sample_is_sticky_and_upgrades_websockets():
    conf = (DEPLOY / "nginx" / "ptsp.conf").read_text()
    upstream = re.search(r"upstream ptsp \{(.*?)\}", conf, re.S).group(1)
    assert re.search(r"^\s*ip_hash;", upstream, re.M)
    assert len(re.findall(r"^\s*server 127\.0\.0\.1:\d+", upstream, re.M)) >= 2
    socket_block = re.search(r"location /socket\.io/ \{(.*?)\n    \}", conf, re.S).group(1)
    for line in ("proxy_http_version 1.1;", "proxy_set_header Upgrade $http_upgrade;",
                 "proxy_set_header Connection $ptsp_connection;", "proxy_set_header X-Forwarded-For"):
        assert line in socket_block
    timeout = int(re.search(r"proxy_read_timeout (\d+)s;", socket_block).group(1))
    assert timeout > 25 + 20, "must outlast Engine.IO's ping interval plus its timeout"


def test_nginx_accepts_the_sample_config(tmp_path):
    """`nginx -t` on the sample, wrapped in a minimal nginx.conf.

    Skipped where nginx is not installed; CI installs nginx-light (.ci/run), so there it must run.
    """
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        message = "nginx is not installed (apt-get install nginx-light to check the sample config)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI must check it")
        pytest.skip(message)
    (tmp_path / "logs").mkdir()
    conf = tmp_path / "nginx.conf"
    conf.write_text(f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/logs/error.log;\nevents {{}}\n"
                    f"http {{\n access_log off;\n client_body_temp_path {tmp_path};\n"
                    f" include {DEPLOY / 'nginx' / 'ptsp.conf'};\n}}\n")
    done = subprocess.run([nginx, "-t", "-c", str(conf), "-p", str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "syntax is ok" in done.stderr


def test_systemd_template_runs_one_process_per_port_from_the_shared_environment():
    unit = _unit("ptsp@.service")
    service = unit["Service"]
    assert re.search(r"ptsp run --host 127\.0\.0\.1 --port %i$", service["ExecStart"])
    assert service["EnvironmentFile"] == "/etc/ptsp/ptsp.env"
    assert service["Restart"] == "always"
    assert int(service["LimitNOFILE"]) >= 10_000
    target = _unit("ptsp.target")
    ports = re.findall(r"ptsp@(\d+)\.service", target["Unit"]["Wants"])
    nginx_ports = re.findall(r"server 127\.0\.0\.1:(\d+)", (DEPLOY / "nginx" / "ptsp.conf").read_text())
    assert ports == nginx_ports, "the target starts the processes nginx sends to"
    for name in ("ptsp-expire", "ptsp-backup", "ptsp-retention"):
        assert "OnCalendar" in _unit(f"{name}.timer")["Timer"]
        assert _unit(f"{name}.service")["Service"]["Type"] == "oneshot"


def test_sample_environment_names_only_settings_the_server_reads():
    config = (DEPLOY.parent / "ptsp" / "config.py").read_text()
    keys = re.findall(r"^(PTSP_\w+)=", (DEPLOY / "ptsp.env.example").read_text(), re.M)
    assert {"PTSP_SECRET_KEY", "PTSP_DATABASE_URL", "PTSP_REDIS_URL", "PTSP_PROXY_HOPS"} <= set(keys)
    unknown = [k for k in keys if f'"{k}"' not in config and k != "PTSP_BACKUP_DATABASE_URL"]
    assert not unknown
