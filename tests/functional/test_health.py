"""Liveness and readiness probes; configuration guards."""

import pytest

from app import create_app


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_readyz_when_migrated(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["status"] == "ok" and response.json["revision"]


def test_readyz_refuses_an_unmigrated_database(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'empty.sqlite3'}"})
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert "flask db upgrade" in response.json["reason"]


def test_readyz_when_the_database_is_unreachable():
    app = create_app({"SQLALCHEMY_DATABASE_URI":
                      "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1"})
    response = app.test_client().get("/readyz")
    assert response.status_code == 503 and response.json["reason"].startswith("数据库不可用")


def test_production_requires_a_secret_key(monkeypatch):
    monkeypatch.setenv("ONEDOOR_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()


def test_database_url_selects_postgresql(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db.example/onedoor")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example/onedoor"
