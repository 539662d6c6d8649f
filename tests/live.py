"""A real HTTP server for the test app: each request in its own thread and app context,
as under gunicorn (the Flask test client shares the test's app context, and so `g`)."""

import threading

import pytest
from werkzeug.serving import make_server


@pytest.fixture
def live_url(app):
    """Serve the test app from a background thread (threaded); yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
