"""Channel fixtures: a fake 12345 platform (a real HTTP server on loopback) and signed requests."""

import json
import threading
import time

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from app.channels.outbox.services import HttpSender, deliver_due
from app.channels.settings import DEV_HOTLINE_SECRET
from app.channels.signing import IDEMPOTENCY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from app.unit_of_work import run_unit


class FakePlatform:
    """Receives callbacks, checks their HMAC, and can refuse the first few to test retries."""

    def __init__(self, secret: str):
        self.secret = secret
        self.received: list[dict] = []
        self.rejected: list[str] = []
        self.fail_next = 0
        self.server = make_server("127.0.0.1", 0, self._app)
        self.url = f"http://127.0.0.1:{self.server.server_port}/callbacks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _app(self, environ, start_response):
        request = Request(environ)
        body = request.get_data()
        stamp = request.headers.get(TIMESTAMP_HEADER, "")
        if request.headers.get(SIGNATURE_HEADER) != sign(self.secret, stamp, body):
            self.rejected.append("bad signature")
            return Response("bad signature", 401)(environ, start_response)
        if self.fail_next:
            self.fail_next -= 1
            self.rejected.append("busy")
            return Response("busy", 503)(environ, start_response)
        payload = json.loads(body)
        assert payload["idempotency_key"] == request.headers[IDEMPOTENCY_HEADER]
        self.received.append(payload)
        return Response("{}", 200, content_type="application/json")(environ, start_response)

    def events(self, order_id: str | None = None) -> list[str]:
        """The events received (optionally for one order), in order."""
        return [p.get("event") for p in self.received
                if order_id is None or p.get("order_id") == order_id]


@pytest.fixture
def platform(app):
    """The fake 12345 platform, wired as the app's callback target."""
    fake = FakePlatform(DEV_HOTLINE_SECRET)
    fake.thread.start()
    app.config["HOTLINE_CALLBACK_URL"] = fake.url
    app.config["REFERRAL_CALLBACK_URL"] = fake.url
    app.config["REFERRAL_SECRET"] = DEV_HOTLINE_SECRET
    yield fake
    fake.server.shutdown()
    fake.thread.join(timeout=5)


@pytest.fixture
def deliver(clock):
    """Run the outbox delivery once, as the worker's job would."""
    def run(sender=None):
        return run_unit(lambda: deliver_due(clock, sender or HttpSender(timeout=5),
                                            lambda target: DEV_HOTLINE_SECRET))
    return run


@pytest.fixture
def hotline(client, clock):
    """POST a signed 12345 order: hotline(body, secret=..., timestamp=...)."""
    def post(body: dict, *, secret: str = DEV_HOTLINE_SECRET, timestamp: int | None = None,
             signature: str | None = None, raw: bytes | None = None):
        data = raw if raw is not None else json.dumps(body, ensure_ascii=False).encode()
        stamp = str(timestamp if timestamp is not None else int(clock.now().timestamp()))
        headers = {TIMESTAMP_HEADER: stamp,
                   SIGNATURE_HEADER: signature or sign(secret, stamp, data)}
        return client.post("/api/v1/hotline/orders", data=data, headers=headers,
                           content_type="application/json")
    return post


def order(**overrides) -> dict:
    """A 12345 dispute order for grid zy-1-1-1-1."""
    body = {"order_id": "GS12345-0001", "order_type": "complaint", "is_dispute": True,
            "title": "邻居违建挡光纠纷", "content": "市民来电反映邻居加盖房屋遮挡采光，协商未果，请求调解。",
            "grid_code": "zy-1-1-1-1", "category": "neighbour", "risk_tier": "yellow",
            "citizen": {"name": "王五", "phone": "13700001111"},
            "respondents": [{"name": "赵六", "role": "respondent"}]}
    body.update(overrides)
    return body


def wait_for(predicate, timeout: float = 5.0) -> None:
    """Poll until `predicate()` is true (the fake server answers in its own thread)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.01)
