"""The sample deployment files in deploy/ say what docs/deploy.md says, and nginx accepts its config."""

from __future__ import annotations

import configparser
import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio

from tests.conftest import free_port

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
NGINX_SAMPLE = DEPLOY / "nginx" / "ptsp.conf"


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


def find_nginx() -> str:
    """Return nginx's path; skip without it, fail in CI (.ci/run installs nginx-light, so there it must run)."""
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        message = "nginx is not installed (apt-get install nginx-light to check the sample config)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI must check it")
        pytest.skip(message)
    return nginx


def throwaway_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for localhost, 127.0.0.1 and the sample's name, signed by a throwaway CA (`ca.pem`, what a
    client trusts), made with openssl: the way an office's own certificate authority would issue one."""
    if shutil.which("openssl") is None:
        if os.environ.get("CI"):
            pytest.fail("openssl is not installed; CI must check the TLS sample (.ci/run installs it)")
        pytest.skip("openssl is not installed (apt-get install openssl)")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    ca, ca_key, csr = folder / "ca.pem", folder / "ca-key.pem", folder / "server.csr"
    cert, key = folder / "fullchain.pem", folder / "privkey.pem"
    (folder / "server.ext").write_text("basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n"
                                       "extendedKeyUsage=serverAuth\n"
                                       "subjectAltName=DNS:localhost,DNS:antrian.example.go.id,IP:127.0.0.1\n")
    for command in (
        ["req", "-x509", *ec, "-days", "2", "-subj", "/CN=PTSP test CA", "-keyout", ca_key, "-out", ca],
        ["req", "-new", *ec, "-subj", "/CN=localhost", "-keyout", key, "-out", csr],
        ["x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-days", "2",
         "-extfile", folder / "server.ext", "-out", cert],
    ):
        subprocess.run(["openssl", *map(str, command)], check=True, capture_output=True, cwd=folder)
    return cert, key


def sample_in(folder: Path, ports: dict[str, int] | None = None) -> Path:
    """Write an nginx.conf under `folder` that includes the TLS sample, its certificate paths pointing at a
    throwaway certificate; with `ports` (http, https, upstream), on those ports of 127.0.0.1 only."""
    cert, key = throwaway_certificate(folder)
    (folder / "logs").mkdir(exist_ok=True)
    (folder / "acme" / ".well-known" / "acme-challenge").mkdir(parents=True, exist_ok=True)
    conf = NGINX_SAMPLE.read_text()
    conf = re.sub(r"ssl_certificate\s+/etc/letsencrypt/\S+;", f"ssl_certificate {cert};", conf)
    conf = re.sub(r"ssl_certificate_key\s+/etc/letsencrypt/\S+;", f"ssl_certificate_key {key};", conf)
    conf = conf.replace("root /var/www/letsencrypt;", f"root {folder / 'acme'};")
    if ports:
        conf = re.sub(r"^\s*listen \[::\].*$", "", conf, flags=re.M)
        conf = conf.replace("listen 80;", f"listen 127.0.0.1:{ports['http']};")
        conf = conf.replace("listen 443 ssl", f"listen 127.0.0.1:{ports['https']} ssl")
        conf = re.sub(r"(server 127\.0\.0\.1:)\d+", rf"\g<1>{ports['upstream']}", conf)
    (folder / "ptsp.conf").write_text(conf)
    user = "user root;\n" if os.geteuid() == 0 else ""  # as root, workers must read files under tmp_path
    main = folder / "nginx.conf"
    main.write_text(f"{user}daemon off;\npid {folder}/nginx.pid;\nerror_log {folder}/logs/error.log;\n"
                    f"events {{}}\nhttp {{\n access_log off;\n client_body_temp_path {folder}/body;\n"
                    f" proxy_temp_path {folder}/proxy;\n include {folder / 'ptsp.conf'};\n}}\n")
    return main


def test_nginx_accepts_the_sample_config(tmp_path):
    """`nginx -t` on the TLS sample, wrapped in a minimal nginx.conf, with a throwaway certificate to load."""
    nginx = find_nginx()
    conf = sample_in(tmp_path)
    done = subprocess.run([nginx, "-t", "-c", str(conf), "-p", str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "syntax is ok" in done.stderr


def server_blocks(conf: str) -> list[str]:
    """The top-level `server { }` blocks of an nginx config (braces balanced)."""
    blocks, depth, start = [], 0, None
    for match in re.finditer(r"^server \{|\{|\}", conf, re.M):
        if match.group() == "server {" and depth == 0:
            start = match.start()
        if match.group().endswith("{"):
            depth += 1
        else:
            depth -= 1
            if depth == 0 and start is not None:
                blocks.append(conf[start:match.end()])
                start = None
    return blocks


def test_nginx_sample_serves_tls_redirects_plain_http_and_sends_hsts():
    conf = NGINX_SAMPLE.read_text()
    plain, tls = server_blocks(conf)
    assert re.search(r"^\s*listen 80;", plain, re.M) and "ssl" not in plain
    assert "return 301 https://$server_name$request_uri;" in plain
    assert "location ^~ /.well-known/acme-challenge/" in plain
    assert re.search(r"^\s*listen 443 ssl http2;", tls, re.M)
    assert re.search(r"^\s*ssl_certificate\s+\S+fullchain\.pem;", tls, re.M)
    assert re.search(r"^\s*ssl_certificate_key\s+\S+privkey\.pem;", tls, re.M)
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in tls
    hsts = re.search(r'add_header Strict-Transport-Security "max-age=(\d+)[^"]*" always;', tls)
    assert hsts and int(hsts.group(1)) >= 182 * 24 * 3600, "HSTS for at least six months"
    assert "/socket.io/" in tls and "proxy_pass" not in plain, "everything is served over TLS only"
    for location in re.findall(r"location [^{]*\{(.*?)\n    \}", tls, re.S):
        assert "proxy_set_header X-Forwarded-Proto $scheme;" in location
        assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in location
    assert "PTSP_PROXY_HOPS=1" in conf  # ProxyFix reads X-Forwarded-* only with it


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


def wait_for_port(port: int, proc: subprocess.Popen, folder: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"nginx did not start: {(folder / 'logs' / 'error.log').read_text(errors='replace')[-2000:]}")


def test_the_tls_sample_in_front_of_a_live_server_redirects_sends_hsts_and_carries_websockets(server, tmp_path):
    """The sample itself, on free ports with a throwaway certificate, in front of `ptsp run` behind one proxy."""
    nginx = find_nginx()
    server.stop()
    server.env["PTSP_PROXY_HOPS"] = "1"  # what docs/deploy.md sets behind nginx
    server.start()
    folder = tmp_path / "nginx"
    folder.mkdir()
    ports = {"http": free_port(), "https": free_port(), "upstream": server.port}
    conf = sample_in(folder, ports)
    proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(folder)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        wait_for_port(ports["https"], proc, folder)
        check_through_nginx(server, folder, ports)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def check_through_nginx(server: Any, folder: Path, ports: dict[str, int]) -> None:
    plain, https = f"http://127.0.0.1:{ports['http']}", f"https://localhost:{ports['https']}"
    moved = requests.get(f"{plain}/kiosk/?lang=en", allow_redirects=False, timeout=10)
    assert moved.status_code == 301
    assert moved.headers["Location"] == "https://antrian.example.go.id/kiosk/?lang=en"
    (folder / "acme" / ".well-known" / "acme-challenge" / "probe").write_text("acme-ok")
    challenge = requests.get(f"{plain}/.well-known/acme-challenge/probe", allow_redirects=False, timeout=10)
    assert (challenge.status_code, challenge.text) == (200, "acme-ok")

    tls = requests.Session()
    tls.verify = str(folder / "ca.pem")  # real TLS, the certificate checked against its CA
    tls.trust_env = False  # or REQUESTS_CA_BUNDLE, where set, would replace that CA
    kiosk = {"Authorization": f"Bearer {server.kiosk}"}
    offices = tls.get(f"{https}/api/v1/offices", headers=kiosk, timeout=10)
    assert offices.status_code == 200
    assert offices.headers["Strict-Transport-Security"] == "max-age=31536000"
    refused = tls.get(f"{https}/api/v1/auth/me", timeout=10)
    assert refused.status_code == 401 and "Strict-Transport-Security" in refused.headers  # `always`

    display = socketio.Client(reconnection=False, http_session=tls)
    events: list[str] = []
    display.on("*", lambda event, data=None: events.append(event))
    display.connect(https, auth={"token": server.display}, transports=["websocket"], wait_timeout=10)
    try:
        assert display.transport() == "websocket"
        assert "seq" in display.call("resync", {}, timeout=10)
        office = offices.json()[0]["id"]
        service = tls.get(f"{https}/api/v1/offices/{office}/queue", headers=kiosk, timeout=10).json()["services"][0]
        issued = tls.post(f"{https}/api/v1/tickets", headers=kiosk, timeout=10,
                          json={"office": office, "service": service["id"]})
        assert issued.status_code == 201, issued.text
        # The app knew the kiosk came over https (X-Forwarded-Proto and Host through ProxyFix): the QR code says so.
        assert issued.json()["status_url"].startswith(f"https://localhost:{ports['https']}/t/")
        deadline = time.monotonic() + 10
        while "ticket_issued" not in events and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "ticket_issued" in events, events
    finally:
        display.disconnect()
