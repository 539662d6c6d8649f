"""Caches belong to the app (app.extensions["onedoor.caches"]) and one call clears them all."""

from app import create_app
from app.caches import Caches, app_cache, caches, clear_caches
from app.extensions import db
from app.org import lanes
from app.workflow import registry


class Box:
    def __init__(self) -> None:
        self.items = {"k": 1}

    def clear(self) -> None:
        self.items.clear()


def test_every_cache_of_the_process_lives_in_the_app_registry(app, processes):
    registry.load(processes["dispute"].id, "dispute")  # warms the parsed-deployment cache
    lanes.forget()
    assert {"workflow.deployments", "org.lanes"} <= set(caches().names())
    assert isinstance(app.extensions["onedoor.caches"], Caches)


def test_two_apps_never_share_a_cache(app, tmp_path):
    app_cache("test.box", Box).items["k"] = "first"
    other = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'other.sqlite3'}"})
    with other.app_context():
        assert app_cache("test.box", Box).items == {"k": 1}
        db.engine.dispose()
    assert app_cache("test.box", Box).items == {"k": "first"}


def test_one_call_clears_them_all(app):
    box, other = app_cache("test.box", Box), app_cache("test.other", dict)
    other["x"] = 1
    clear_caches()
    assert box.items == {} and other == {}
    assert app_cache("test.box", Box) is box  # the same objects, emptied
