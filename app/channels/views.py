"""The channel endpoints' blueprints, for app.api to register."""


def blueprints() -> list:
    """Every channel blueprint (12345 orders, grid reports, referrals)."""
    from app.channels.grid.views import bp as grid  # noqa: PLC0415
    from app.channels.hotline.views import bp as hotline  # noqa: PLC0415
    from app.channels.referrals.views import bp as referrals  # noqa: PLC0415

    return [hotline, grid, referrals]
