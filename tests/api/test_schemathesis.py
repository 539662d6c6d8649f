"""Property-based run of schemathesis against the live OpenAPI document: no request may cause a 5xx."""

import threading

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from werkzeug.serving import make_server


@pytest.fixture
def live_server(app, processes):
    """The app served over HTTP on a free loopback port."""
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def test_no_server_errors_for_generated_requests(live_server, make_key, make_user):
    schema = schemathesis.openapi.from_url(f"{live_server}/api/v1/openapi.json")
    callers = [make_key().headers, make_user("grid").headers]
    failures = []
    for result in schema.get_all_operations():
        _fuzz(result.ok(), live_server, callers, failures)
    assert failures == []


def _fuzz(operation, base_url: str, callers: list[dict], failures: list) -> None:
    """A few generated requests per credential to one operation; remember every 5xx."""
    @given(case=operation.as_strategy())
    @settings(max_examples=6, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def check(case):
        for headers in callers:
            response = case.call(base_url=base_url, headers=headers, timeout=30)
            if response.status_code >= 500:
                failures.append((operation.label, response.status_code, response.text[:300]))
    check()
