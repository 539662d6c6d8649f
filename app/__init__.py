"""OneDoor (一扇门): the application factory."""

import os

from flask import Flask

from app import caches
from app.clock import Clock, SystemClock
from app.config import build_config
from app.extensions import db, init_engines, migrate


def create_app(config: dict | None = None, clock: Clock | None = None) -> Flask:
    """Build the Flask app; `config` overrides settings, `clock` replaces the wall clock."""
    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(build_config(app.instance_path, config))
    app.extensions["onedoor.clock"] = clock or SystemClock()

    caches.init_app(app)
    init_engines()
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path),
                                                     "migrations"))
    _import_models()

    from app import audit, auth, calendar, cases, health, inbox, org, ui, workflow  # noqa: PLC0415 - areas register

    audit.init_app(app)
    health.init_app(app)
    calendar.init_app(app)
    org.init_app(app)
    workflow.init_app(app)
    cases.init_app(app)
    auth.init_app(app)
    ui.init_app(app)
    inbox.init_app(app)
    from app import reports, supervision  # noqa: PLC0415, I001 - supervision and reports register

    supervision.init_app(app)
    reports.init_app(app)
    from app import dashboard  # noqa: PLC0415, I001 - the center dashboard registers
    dashboard.init_app(app)
    from app import api, channels, notify  # noqa: PLC0415, I001 - API, notifications and channels register

    notify.init_app(app)
    channels.init_app(app)
    api.init_app(app)
    from app import open311, public  # noqa: PLC0415, I001 - citizens' pages and Open311 register
    from app.channels import grid  # noqa: PLC0415 - the grid worker app registers

    public.init_app(app)
    grid.init_app(app)
    open311.init_app(app)
    from app import designer  # noqa: PLC0415, I001 - process designers' pages register

    designer.init_app(app)
    from app import admin  # noqa: PLC0415, I001 - the admin area registers last

    admin.init_app(app)
    return app


def _import_models() -> None:
    """Import every models module so metadata (and Alembic) sees all tables."""
    from app.admin import models as _admin  # noqa: F401, PLC0415
    from app.api import models as _api  # noqa: F401, PLC0415
    from app.audit import models as _audit  # noqa: F401, PLC0415
    from app.auth import models as _auth  # noqa: F401, PLC0415
    from app.calendar import models as _calendar  # noqa: F401, PLC0415
    from app.cases import models as _cases  # noqa: F401, PLC0415
    from app.cases import notes as _notes  # noqa: F401, PLC0415
    from app.channels import models as _channels  # noqa: F401, PLC0415
    from app.dashboard import models as _dashboard  # noqa: F401, PLC0415
    from app.designer import models as _designer  # noqa: F401, PLC0415
    from app.inbox import models as _inbox  # noqa: F401, PLC0415
    from app.notify import models as _notify  # noqa: F401, PLC0415
    from app.org import models as _org  # noqa: F401, PLC0415
    from app.public import models as _public  # noqa: F401, PLC0415
    from app.reports import models as _reports  # noqa: F401, PLC0415
    from app.supervision import models as _supervision  # noqa: F401, PLC0415
    from app.supervision import warning_models as _warnings  # noqa: F401, PLC0415
    from app.workflow import models as _workflow  # noqa: F401, PLC0415
