"""Render the cloud-init user data that turns an Amazon Linux 2023 instance into a web/app node.

The PHP app and its nginx, PHP-FPM, CloudWatch agent and secret-refresh files live under
``app/``; this module only fills in the stack's values (endpoints, ports, secret ARNs, bucket,
region) and lays them out as ``#cloud-config`` YAML. Everything here is plain data so tests can
render it and hand it to ``cloud-init schema``.

Files that must replace what a package installs (nginx.conf, the PHP-FPM pool) are written with
``defer: true``, after the packages: written before, rpm would move them aside.
"""

from __future__ import annotations

import base64
import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from components.config.values import PdoDriver, TierRole

APP_DIR = Path(__file__).parent / "app"
APP_ROOT = "/var/www/webstack"
CONFIG_PATH = "/etc/webstack/app.json"
SECRETS_DIR = "/etc/webstack/secrets"
RDS_CA_PATH = "/etc/webstack/rds-ca.pem"
SYSTEM_CA_BUNDLE = "/etc/pki/tls/certs/ca-bundle.crt"  # Amazon Linux 2023's trust store
PHP_VERSION = "8.3"  # Amazon Linux 2023 ships PHP in versioned namespaces: php8.3-fpm, ...
# EC2 refuses user data over 16 KiB before base64; cloud-init unpacks gzip, so it ships gzipped.
USER_DATA_LIMIT = 16384


@dataclass(frozen=True)
class DatabaseSettings:
    engine: PdoDriver
    host: str
    reader_host: str
    port: int
    name: str
    secret_arn: str
    # Set through an RDS Proxy that requires IAM auth: the user the app signs tokens for.
    iam_user: str | None = None


@dataclass(frozen=True)
class CacheSettings:
    host: str
    port: int
    auth_secret_arn: str | None
    tls: bool = True


@dataclass(frozen=True)
class UserDataSettings:
    tier: TierRole
    region: str
    port: int
    # Seconds nginx keeps idle connections: longer than the ALB's idle timeout.
    keepalive_seconds: int
    database: DatabaseSettings | None
    cache: CacheSettings | None
    uploads_bucket: str | None
    uploads_prefix: str = "uploads/"
    # Secure session cookies only when browsers reach the site over HTTPS (CDN or a domain).
    secure_cookies: bool = True
    # The app tier behind the internal ALB (web tier only).
    app_tier_url: str | None = None


def app_files() -> list[Path]:
    """Every PHP file of the demo app (what `php -l` checks and the user data installs)."""
    return sorted(APP_DIR.rglob("*.php"))


def app_config(settings: UserDataSettings) -> dict[str, Any]:
    """The app's /etc/webstack/app.json."""
    config: dict[str, Any] = {
        "tier": settings.tier,
        "secureCookies": settings.secure_cookies,
        "sessionLifetime": 3600,
    }
    if settings.database is not None:
        db = settings.database
        config["database"] = {
            "engine": db.engine,
            "host": db.host,
            "readerHost": db.reader_host,
            "port": db.port,
            "name": db.name,
            "secretFile": f"{SECRETS_DIR}/database.json",
            "tlsCaFile": RDS_CA_PATH,
            "sslmode": "require",
        }
        if db.iam_user is not None:
            # An IAM auth token instead of the password, over TLS. The proxy presents an ACM
            # certificate (Amazon Trust Services), not one of the RDS CA: the system trust store.
            config["database"].update(
                {
                    "iamAuth": True,
                    "user": db.iam_user,
                    "region": settings.region,
                    "tlsCaFile": SYSTEM_CA_BUNDLE,
                }
            )
    if settings.cache is not None:
        cache = settings.cache
        config["cache"] = {"host": cache.host, "port": cache.port, "tls": cache.tls}
        if cache.auth_secret_arn:
            config["cache"]["authFile"] = f"{SECRETS_DIR}/cache.json"
    if settings.app_tier_url is not None:
        config["appTier"] = {"url": settings.app_tier_url}
    if settings.uploads_bucket is not None:
        config["uploads"] = {
            "bucket": settings.uploads_bucket,
            "prefix": settings.uploads_prefix,
            "region": settings.region,
        }
    return config


def packages(settings: UserDataSettings) -> list[str]:
    php = f"php{PHP_VERSION}"
    driver = "mysqlnd" if settings.database and settings.database.engine == "mysql" else "pgsql"
    return [
        "nginx",
        f"{php}-fpm",
        f"{php}-cli",
        f"{php}-{driver}",
        "amazon-cloudwatch-agent",
    ]


def _conf(name: str) -> str:
    return (APP_DIR / "conf" / name).read_text()


def render(settings: UserDataSettings) -> str:
    """The ``#cloud-config`` document for one tier."""
    secrets_env = [f"REGION={settings.region}"]
    if settings.database is not None:
        secrets_env.append(f"DATABASE_SECRET_ARN={settings.database.secret_arn}")
    if settings.cache is not None and settings.cache.auth_secret_arn:
        secrets_env.append(f"CACHE_SECRET_ARN={settings.cache.auth_secret_arn}")
    nginx = (
        _conf("nginx.conf")
        .replace("@PORT@", str(settings.port))
        .replace("@KEEPALIVE_SECONDS@", str(settings.keepalive_seconds))
    )
    files: list[dict[str, Any]] = [
        {
            "path": f"{APP_ROOT}/{path.relative_to(APP_DIR).as_posix()}",
            "content": path.read_text(),
            "permissions": "0644",
        }
        for path in app_files()
    ]
    files += [
        {
            "path": CONFIG_PATH,
            "content": json.dumps(app_config(settings), indent=2, sort_keys=True) + "\n",
            "permissions": "0644",
        },
        {
            "path": "/etc/webstack/secrets.env",
            "content": "\n".join(secrets_env) + "\n",
            "permissions": "0600",
        },
        {
            "path": "/usr/local/sbin/webstack-secrets",
            "content": _conf("webstack-secrets.sh"),
            "permissions": "0755",
        },
        {
            "path": "/etc/systemd/system/webstack-secrets.service",
            "content": _conf("webstack-secrets.service"),
            "permissions": "0644",
        },
        {
            "path": "/etc/systemd/system/webstack-secrets.timer",
            "content": _conf("webstack-secrets.timer"),
            "permissions": "0644",
        },
        {"path": "/etc/nginx/nginx.conf", "content": nginx, "permissions": "0644", "defer": True},
        {
            "path": "/etc/php-fpm.d/www.conf",
            "content": _conf("php-fpm-www.conf"),
            "permissions": "0644",
            "defer": True,
        },
        {
            "path": "/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json",
            "content": _conf("cloudwatch-agent.json"),
            "permissions": "0644",
            "defer": True,
        },
    ]
    rds_ca = (
        f"https://truststore.pki.rds.amazonaws.com/{settings.region}/{settings.region}-bundle.pem"
    )
    document = {
        "package_update": True,
        "packages": packages(settings),
        "write_files": files,
        "runcmd": [
            ["curl", "-fsSL", "--retry", "5", "-o", RDS_CA_PATH, rds_ca],
            ["systemctl", "daemon-reload"],
            ["/usr/local/sbin/webstack-secrets"],
            ["systemctl", "enable", "--now", "webstack-secrets.timer", "php-fpm", "nginx"],
            [
                "/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl",
                "-a",
                "fetch-config",
                "-m",
                "ec2",
                "-s",
                "-c",
                "file:/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json",
            ],
        ],
    }
    body = yaml.dump(document, Dumper=_BlockDumper, sort_keys=False, width=1000)
    return "#cloud-config\n" + body


class _BlockDumper(yaml.SafeDumper):
    """Multi-line strings as literal blocks, so the user data reads like the files it writes."""


def _block_strings(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _block_strings)


def encode(cloud_config: str) -> str:
    """Gzip then base64, as launch templates take it; cloud-init recognises gzip and unpacks."""
    packed = gzip.compress(cloud_config.encode(), mtime=0)
    if len(packed) > USER_DATA_LIMIT:
        raise ValueError(f"user data is {len(packed)} bytes gzipped; EC2 accepts {USER_DATA_LIMIT}")
    return base64.b64encode(packed).decode()
