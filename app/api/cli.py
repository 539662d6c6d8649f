"""`flask api key create|revoke|list` and `flask api token create|revoke`."""

import click
from flask import current_app
from sqlalchemy import select

from app.api import keys
from app.api.models import ApiKey
from app.errors import OneDoorError
from app.extensions import db
from app.unit_of_work import run_unit
from app.vocab import API_KEY_CHANNELS


def _now():
    return current_app.extensions["onedoor.clock"].now()


def _run(work):
    try:
        return run_unit(work)
    except OneDoorError as exc:
        details = "; ".join(f"{k}: {', '.join(v)}" for k, v in exc.errors.items())
        raise click.ClickException(f"{exc.message} {details}".strip()) from exc


@click.group("api")
def api_cli() -> None:
    """API keys for integrations and personal tokens for users."""


@api_cli.group("key")
def key_cli() -> None:
    """Integration keys (12345, 陇情e通, 公安, 信访, 法院 …)."""


@key_cli.command("create")
@click.option("--name", required=True, help="integration name, e.g. 12345平台")
@click.option("--channel", "channels", multiple=True, required=True,
              type=click.Choice([c.value for c in API_KEY_CHANNELS]),
              help="channel it may open cases for (repeat)")
@click.option("--org-unit", "units", multiple=True, help="org unit code it is limited to (repeat)")
@click.option("--rate-limit", default=600, show_default=True, help="requests per minute")
def create_key(name, channels, units, rate_limit) -> None:
    """Create a key and print its secret once."""
    key, secret = _run(lambda: keys.create_key(name, channels, units, rate_limit=rate_limit,
                                                now=_now()))
    click.echo(f"密钥 #{key.id}（{name}）已创建，请妥善保存，仅显示一次：")
    click.echo(secret)


@key_cli.command("revoke")
@click.argument("key_id", type=int)
def revoke_key(key_id) -> None:
    """Revoke a key."""
    _run(lambda: keys.revoke_key(key_id, _now()))
    click.echo(f"密钥 #{key_id} 已吊销")


@key_cli.command("list")
def list_keys() -> None:
    """List keys with scope, limit and last use."""
    for key in db.session.scalars(select(ApiKey).order_by(ApiKey.id)):
        state = "已吊销" if key.revoked_at else "有效"
        click.echo(f"#{key.id} {key.name} {key.prefix}… 渠道={','.join(key.channels)} "
                   f"单位={key.org_unit_ids or '全部'} 限流={key.rate_limit}/分钟 {state} "
                   f"最近使用={key.last_used_at or '-'}")


@api_cli.group("token")
def token_cli() -> None:
    """Personal tokens of users."""


@token_cli.command("create")
@click.argument("username")
@click.option("--name", default="个人令牌", show_default=True)
def create_token(username, name) -> None:
    """Create a personal token for a user and print it once."""
    token, secret = _run(lambda: keys.create_token(username, name, _now()))
    click.echo(f"个人令牌 #{token.id} 已为 {username} 创建，请妥善保存，仅显示一次：")
    click.echo(secret)


@token_cli.command("revoke")
@click.argument("token_id", type=int)
def revoke_token(token_id) -> None:
    """Revoke a personal token."""
    _run(lambda: keys.revoke_token(token_id, _now()))
    click.echo(f"个人令牌 #{token_id} 已吊销")
