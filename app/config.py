"""Configuration: code defaults for development, environment overrides, fail fast in production."""

import os
from pathlib import Path

from app.clock import DEFAULT_TIMEZONE

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = "onedoor-development-only-secret"


def _database_url(instance_path: str) -> str:
    """DATABASE_URL from the environment, else a SQLite file under instance/."""
    url = os.environ.get("DATABASE_URL")
    if url:
        # psycopg 3 is our driver; accept the common postgres:// spellings.
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix):]
        return url
    return f"sqlite:///{Path(instance_path) / 'onedoor.sqlite3'}"


def build_config(instance_path: str, overrides: dict | None = None) -> dict:
    """Assemble the settings dict for create_app."""
    env = os.environ.get("ONEDOOR_ENV", "development")
    secret = os.environ.get("SECRET_KEY")
    if not secret:
        if env == "production":
            raise RuntimeError("SECRET_KEY must be set when ONEDOOR_ENV=production")
        secret = DEV_SECRET
    config = {
        "ONEDOOR_ENV": env,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": _database_url(instance_path),
        "PROCESSES_DIR": str(ROOT / "processes"),
        "FORMS_DIR": str(ROOT / "forms"),
        "TIMEZONE": os.environ.get("ONEDOOR_TIMEZONE", DEFAULT_TIMEZONE),
        "WORKER_POLL_SECONDS": float(os.environ.get("ONEDOOR_WORKER_POLL_SECONDS", "5")),
        "WORKER_BATCH_SIZE": int(os.environ.get("ONEDOOR_WORKER_BATCH_SIZE", "50")),
        # reverse proxies in front of gunicorn whose X-Forwarded-For is trusted (docs/security.md)
        "PROXY_FIX_X_FOR": int(os.environ.get("ONEDOOR_PROXY_FIX_X_FOR", "0")),
    }
    config.update(overrides or {})
    config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(str(config["SQLALCHEMY_DATABASE_URI"])))
    return config


def engine_options(url: str) -> dict:
    """Pool settings for the database at `url`: a server's pooled connections are pinged when
    checked out (a restarted PostgreSQL or a dropped connection is found before use, not by the
    request that uses it); a SQLite file has no connection to lose, so no ping per request."""
    return {} if url.startswith("sqlite") else {"pool_pre_ping": True}
