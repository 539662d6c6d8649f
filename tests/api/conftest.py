"""API fixtures: the real processes deployed, an integration key, a user's personal token."""


from tests.processes.conftest import Desk, intake  # noqa: F401

GRID = "zy-1-1-1-1"


class Caller:
    """Headers for one credential, and helpers to call the API with them."""

    def __init__(self, client, secret: str):
        self.client, self.secret = client, secret

    @property
    def headers(self) -> dict:
        """The Authorization header."""
        return {"Authorization": f"Bearer {self.secret}"}

    def get(self, url: str, **kwargs):
        """GET with the credential."""
        return self.client.get(url, headers=self.headers, **kwargs)

    def post(self, url: str, json=None, **kwargs):
        """POST JSON with the credential."""
        return self.client.post(url, json=json, headers=self.headers, **kwargs)


def case_body(**overrides) -> dict:
    """A valid POST /cases body at GRID."""
    body = {**intake(), "org_unit": GRID}
    body.update(overrides)
    return body
