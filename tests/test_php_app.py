"""The demo PHP app and its user data, checked with the real tools.

- cloud-init's own schema validation of the user data the stack renders;
- ``php -l`` on every PHP file;
- the app itself (two ``php -S`` processes) against a real PostgreSQL and a real Valkey/Redis on
  loopback: /healthz turns 200 only once both are up, and a session written through one process
  is read through the other.

A missing tool skips these tests locally and fails them under CI (``CI`` set), so CI can never
pass by skipping them; ``.ci/apt-packages`` lists the Debian packages.
"""

from __future__ import annotations

import base64
import datetime
import gzip
import http.client
import json
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from components.compute import user_data
from tests.support.synth import synth
from tests.support.system_tools import require
from tests.support.tokens import EC2_LAUNCH_TEMPLATE
from tools.mockcloud import Synthesis

PUBLIC = user_data.APP_DIR / "public"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {port}")


# --- user data ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "tiers"),
    [
        pytest.param(None, 1, id="web"),
        pytest.param({"webstack:appTier": {"enabled": True}}, 2, id="app-tier"),
        pytest.param({"webstack:database": {"engine": "mysql"}}, 1, id="mysql"),
    ],
)
def test_cloud_init_accepts_the_rendered_user_data(
    overrides: dict | None, tiers: int, tmp_path: Path
) -> None:
    cloud_init = require("cloud-init", "cloud-init")
    stack: Synthesis = synth("dev", overrides, preview=False)
    templates = stack.of_type(EC2_LAUNCH_TEMPLATE)
    assert len(templates) == tiers  # one launch template per instance tier
    for template in templates:
        text = gzip.decompress(base64.b64decode(template.get("userData"))).decode()
        path = tmp_path / f"{template.name}.yaml"
        path.write_text(text)
        result = subprocess.run(
            [cloud_init, "schema", "--config-file", str(path)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Valid cloud-config" in result.stdout


def test_every_php_file_parses() -> None:
    php = require("php", "php-cli")
    files = user_data.app_files()
    assert len(files) == 5
    for path in files:
        result = subprocess.run([php, "-l", str(path)], capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, result.stdout + result.stderr


def test_the_rds_iam_auth_token_matches_botocores() -> None:
    """The app's SigV4-presigned `Action=connect` (for an IAM-authenticated RDS Proxy) is the
    token the AWS SDK would generate for the same credentials, host, user and time."""
    php = require("php", "php-cli")
    botocore_session = pytest.importorskip("botocore.session")
    from unittest import mock

    import botocore.auth

    host, port, user, region = (
        "db-proxy.proxy-abc.us-east-1.rds.amazonaws.com",
        5432,
        "app",
        "us-east-1",
    )
    credentials = {
        "AccessKeyId": "AKIDEXAMPLE",
        "SecretAccessKey": "wJalrXUtnFEMI",
        "Token": "to/k+en=",
    }
    moment = 1767225600  # 2026-01-01T00:00:00Z
    script = (
        f"require {json.dumps(str(user_data.APP_DIR / 'src' / 's3.php'))};"
        f"echo webstack_rds_auth_token({json.dumps(host)}, {port}, {json.dumps(user)}, "
        f"{json.dumps(region)}, json_decode({json.dumps(json.dumps(credentials))}, true), "
        f"{moment});"
    )
    result = subprocess.run([php, "-r", script], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr

    session = botocore_session.get_session()
    session.set_credentials(
        credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["Token"]
    )
    client = session.create_client("rds", region_name=region)
    frozen = datetime.datetime.fromtimestamp(moment, datetime.UTC).replace(tzinfo=None)
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=frozen):
        expected = client.generate_db_auth_token(host, port, user, Region=region)

    def parts(token: str) -> tuple[str, dict[str, list[str]]]:
        base, _, query = token.partition("?")
        return base, urllib.parse.parse_qs(query)

    assert parts(result.stdout) == parts(expected)


# --- the app against real servers ---------------------------------------------------------


class PostgreSQL:
    """A throwaway cluster in a temp dir, trust auth, loopback only."""

    def __init__(self) -> None:
        self.initdb = require("initdb", "postgresql", "/usr/lib/postgresql/*/bin/initdb")
        self.pg_ctl = str(Path(self.initdb).resolve().parent / "pg_ctl")
        # Outside pytest's per-user tmp (mode 0700), which the postgres user could not enter.
        self.root = Path(tempfile.mkdtemp(prefix="webstack-pg-"))
        self.root.chmod(0o755)
        self.data = self.root / "data"
        self.port = free_port()
        # initdb and postgres refuse to run as root.
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            self.data.mkdir()
            os.chown(self.data, owner.pw_uid, owner.pw_gid)
            self.prefix = ["runuser", "-u", "postgres", "--"]
        self._run(self.initdb, "-D", str(self.data), "--auth", "trust", "-U", "webstack")

    def _run(self, *command: str, check: bool = True) -> None:
        result = subprocess.run(
            [*self.prefix, *command], capture_output=True, text=True, timeout=60
        )
        if check and result.returncode != 0:
            raise RuntimeError(f"{command[0]} failed: {result.stdout}{result.stderr}")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.data / "server.log")
        self._run(self.pg_ctl, "-D", str(self.data), "-l", log, "-o", options, "-w", "start")

    def stop(self) -> None:
        self._run(self.pg_ctl, "-D", str(self.data), "-m", "immediate", "stop", check=False)
        shutil.rmtree(self.root, ignore_errors=True)


class App:
    """One ``php -S`` process serving the front controller."""

    def __init__(self, php: str, config: Path) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [php, "-S", f"127.0.0.1:{self.port}", "-t", str(PUBLIC), str(PUBLIC / "index.php")],
            env={**os.environ, "WEBSTACK_CONFIG": str(config)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)

    def request(
        self, method: str, path: str, cookie: str | None = None, form: dict | None = None
    ) -> tuple[int, dict, str | None]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = {"Cookie": cookie} if cookie else {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        payload = json.loads(response.read() or b"{}")
        set_cookie = response.getheader("Set-Cookie")
        connection.close()
        return response.status, payload, set_cookie.split(";")[0] if set_cookie else None


def cache_keys(port: int, password: str) -> list[str]:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(f"AUTH {password}\r\nKEYS webstack:session:*\r\nQUIT\r\n".encode())
        data = b""
        while chunk := s.recv(4096):
            data += chunk
    lines = data.decode().split("\r\n")
    return [line for line in lines if line.startswith("webstack:session:")]


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[tuple[PostgreSQL, list[str], int, Path]]:
    redis = require("valkey-server", "redis-server", "redis-server")
    require("php", "php-cli")
    database = PostgreSQL()
    cache_port = free_port()
    config = tmp_path / "app.json"
    config.write_text(
        json.dumps(
            {
                "tier": "web",
                "secureCookies": False,
                "database": {
                    "engine": "pgsql",
                    "host": "127.0.0.1",
                    "port": database.port,
                    "name": "postgres",
                    "user": "webstack",
                    "password": "",
                    "sslmode": "disable",
                    "connectTimeout": 1,
                },
                "cache": {
                    "host": "127.0.0.1",
                    "port": cache_port,
                    "tls": False,
                    "password": "cache-secret",
                    "connectTimeout": 1,
                },
            }
        )
    )
    redis_command = [
        redis,
        "--port",
        str(cache_port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--requirepass",
        "cache-secret",
    ]
    try:
        yield database, redis_command, cache_port, config
    finally:
        database.stop()


def test_healthz_turns_200_once_database_and_cache_answer_and_sessions_are_shared(
    servers: tuple[PostgreSQL, list[str], int, Path],
) -> None:
    database, redis_command, cache_port, config = servers
    php = require("php", "php-cli")
    apps = [App(php, config), App(php, config)]
    cache = None
    try:
        first, second = apps
        status, body, _ = first.request("GET", "/healthz")
        assert (status, body["database"], body["cache"]) == (503, "failing", "failing")

        cache = subprocess.Popen(redis_command, stdout=subprocess.DEVNULL)
        wait_for_port(cache_port)
        status, body, _ = first.request("GET", "/healthz")
        assert (status, body["database"], body["cache"]) == (503, "failing", "ok")

        database.start()
        for app in apps:
            status, body, _ = app.request("GET", "/healthz")
            assert (status, body) == (200, {"status": "ok", "database": "ok", "cache": "ok"})

        # A session started on one process is carried on by the other: it lives in the cache.
        status, body, cookie = first.request("GET", "/session?name=ada")
        assert status == 200 and body["visits"] == 1 and cookie is not None
        status, body, _ = second.request("GET", "/session", cookie=cookie)
        assert (status, body["visits"], body["name"]) == (200, 2, "ada")
        session_id = cookie.split("=", 1)[1]
        assert f"webstack:session:{session_id}" in cache_keys(cache_port, "cache-secret")

        # A forged session id is not adopted (strict mode).
        status, body, fresh = second.request("GET", "/session", cookie="WEBSTACKSESSID=forged")
        assert body["visits"] == 1 and fresh is not None and "forged" not in fresh

        # Rows written through one process are read through the other.
        status, _, _ = first.request("POST", "/notes", form={"body": "hello from first"})
        assert status == 200
        status, body, _ = second.request("GET", "/notes")
        assert status == 200
        assert [n["body"] for n in body["notes"]] == ["hello from first"]

        assert first.request("GET", "/nowhere")[0] == 404
    finally:
        for app in apps:
            app.process.terminate()
            app.process.wait(timeout=10)
        if cache is not None:
            cache.terminate()
            cache.wait(timeout=10)
