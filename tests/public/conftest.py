"""Helpers for the public pages: a client without CSRF, the SMS code read from the notification table."""

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.notify.models import Notification

PHONE = "13912345678"


def last_code(phone: str = PHONE) -> str:
    """The code of the newest SMS sent to `phone` (the null notifier keeps it in its table)."""
    db.session.expire_all()
    text = db.session.scalars(select(Notification.text).where(
        Notification.recipient == phone, Notification.kind == "sms_code")
        .order_by(Notification.id.desc())).first()
    return re.search(r"验证码为 (\d{6})", text).group(1)


def token_of(html: str) -> str:
    """The challenge token in step two's form."""
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


def dispute(**overrides) -> dict:
    """A citizen's submission (without phone, token and code)."""
    data = {"name": "张三", "title": "邻居装修噪音扰民",
            "narrative": "楼上邻居每天夜里装修到十一点，多次沟通无果。",
            "category": "consumer", "grid_code": "zy-1-1-1-1", "address": "梁家墩镇第1村3组",
            "respondent": "李四"}
    data.update(overrides)
    return data


@pytest.fixture
def citizen(app, client, processes):  # noqa: F811
    """A client with CSRF off and helpers: ask_code(phone), submit(token, code, phone, **fields)."""
    app.config["WTF_CSRF_ENABLED"] = False

    class Citizen:
        def ask_code(self, phone: str = PHONE, address: str = "10.0.0.1"):
            return client.post("/public/submit/code", data={"phone": phone},
                               environ_base={"REMOTE_ADDR": address})

        def submit(self, token: str, code: str, phone: str = PHONE, address: str = "10.0.0.1", **fields):
            return client.post("/public/submit", data={"phone": phone, "token": token, "sms_code": code,
                                                       **dispute(**fields)},
                               environ_base={"REMOTE_ADDR": address})

        def track(self, code: str, last4: str, address: str = "10.0.0.2"):
            return client.post("/public/track", data={"code": code, "last4": last4},
                               environ_base={"REMOTE_ADDR": address})

        def rate(self, code: str, last4: str, rating: str, comment: str = "", address: str = "10.0.0.2"):
            return client.post("/public/rate", data={"code": code, "last4": last4, "rating": rating,
                                                     "comment": comment},
                               environ_base={"REMOTE_ADDR": address})

        def submitted(self, phone: str = PHONE, **fields) -> str:
            """Ask a code, submit with it; return the case code."""
            token = token_of(self.ask_code(phone).get_data(as_text=True))
            response = self.submit(token, last_code(phone), phone, **fields)
            assert response.status_code == 201, response.get_data(as_text=True)
            return re.search(r'id="case-code">([^<]+)<', response.get_data(as_text=True)).group(1)
    return Citizen()
