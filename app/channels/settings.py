"""Channel configuration: secrets and callback URLs, from the environment, failing fast in production."""

import os

from flask import Flask

DEV_HOTLINE_SECRET = "onedoor-dev-12345-secret"
DEFAULTS = {
    "HOTLINE_SECRET": ("ONEDOOR_HOTLINE_SECRET", DEV_HOTLINE_SECRET),
    "HOTLINE_CALLBACK_URL": ("ONEDOOR_HOTLINE_CALLBACK_URL", "http://127.0.0.1:9345/callbacks"),
    "REFERRAL_CALLBACK_URL": ("ONEDOOR_REFERRAL_CALLBACK_URL", "http://127.0.0.1:9346/callbacks"),
    "REFERRAL_SECRET": ("ONEDOOR_REFERRAL_SECRET", "onedoor-dev-referral-secret"),
    "HOTLINE_REPLAY_WINDOW": ("ONEDOOR_HOTLINE_REPLAY_WINDOW", "300"),
    "DUPLICATE_WINDOW_DAYS": ("ONEDOOR_DUPLICATE_WINDOW_DAYS", "30"),
}
SECRETS = ("HOTLINE_SECRET", "REFERRAL_SECRET")


def load_settings(app: Flask) -> None:
    """Fill channel settings not given to create_app; refuse dev secrets in production."""
    for key, (env, default) in DEFAULTS.items():
        if key in app.config:
            continue
        value = os.environ.get(env)
        if value is None and key in SECRETS and app.config["ONEDOOR_ENV"] == "production":
            raise RuntimeError(f"{env} must be set when ONEDOOR_ENV=production")
        app.config[key] = value if value is not None else default
    app.config["HOTLINE_REPLAY_WINDOW"] = int(app.config["HOTLINE_REPLAY_WINDOW"])
    app.config["DUPLICATE_WINDOW_DAYS"] = int(app.config["DUPLICATE_WINDOW_DAYS"])


def secret_for(config, target: str) -> str:
    """The HMAC secret shared with a callback target."""
    return config["HOTLINE_SECRET"] if target == "hotline_12345" else config["REFERRAL_SECRET"]
