"""Open311 GeoReport v2, driven by the example requests of the spec (wiki.open311.org/GeoReport_v2).

The spec's examples use San Francisco data (service 001, 1234 5th street); here the same
requests carry a OneDoor service code (a dispute category) and the grid as `address_id`.
"""

from urllib.parse import urlencode
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import select

from app.api import keys
from app.audit.models import AuditEvent
from app.cases.models import Case
from app.extensions import db
from app.unit_of_work import run_unit
from tests.browser.conftest import live_server  # noqa: F401 - fixture

# The spec's POST example, with OneDoor's codes and a Chinese phone number.
SPEC_POST = ("api_key={key}&service_code=neighbour&lat=37.76524078&long=-122.4212043"
             "&address_string=1234+5th+street&email=smit333%40sfgov.edu&device_id=tt222111"
             "&account_id=123456&first_name=john&last_name=smith&phone=13911112222"
             "&description=A+large+sinkhole+is+destroying+the+street&media_url=http%3A%2F%2Fwww.city.gov%2Fmedia%2F12345"
             "&address_id=zy-1-1-1-1")


@pytest.fixture
def api_key(processes, clock):  # noqa: F811
    """An integration key for the open311 channel in 甘州区."""
    _, secret = run_unit(lambda: keys.create_key("311 平台", ["open311"], ["zy-1"], rate_limit=100,
                                                 now=clock.now()))
    return secret


def post(client, key: str, body: str | None = None, fmt: str = "json"):
    return client.post(f"/open311/v2/requests.{fmt}", data=(body or SPEC_POST).format(key=key),
                       content_type="application/x-www-form-urlencoded")


def test_discovery_and_services_in_both_formats(client):
    discovery = client.get("/open311/v2/discovery.json").json
    [endpoint] = discovery["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2/") and "text/xml" in endpoint["formats"]
    xml = ET.fromstring(client.get("/open311/v2/discovery.xml").data)
    assert xml.tag == "discovery" and xml.find("endpoints/endpoint/formats/format").text == "text/xml"

    services = client.get("/open311/v2/services.json").json
    neighbour = next(s for s in services if s["service_code"] == "neighbour")
    assert neighbour == {"service_code": "neighbour", "service_name": "邻里", "metadata": False,
                         "type": "realtime", "keywords": "邻里", "group": "矛盾纠纷",
                         "description": neighbour["description"]}
    root = ET.fromstring(client.get("/open311/v2/services.xml").data)
    assert root.tag == "services" and len(root.findall("service")) == len(services) == 15
    assert root.find("service/metadata").text == "false"
    missing = client.get("/open311/v2/services/033.xml")
    assert missing.status_code == 404 and ET.fromstring(missing.data).find("error/code").text == "404"


def test_the_spec_post_example_opens_a_case_and_reads_back(client, api_key):
    created = post(client, api_key)
    assert created.status_code == 201, created.data
    [answer] = created.json
    code = answer["service_request_id"]
    assert answer["account_id"] == "123456"
    case = db.session.scalar(select(Case).where(Case.code == code))
    assert (case.channel, case.category, case.external_ref) == ("open311", "neighbour", "tt222111")
    assert [(p.name, p.phone) for p in case.parties] == [("smithjohn", "13911112222")]

    xml = post(client, api_key, fmt="xml")
    assert xml.status_code == 201
    assert ET.fromstring(xml.data).find("request/service_request_id").text != code

    # GET requests.xml?start_date=2010-05-24T00:00:00Z&end_date=...&status=open (the spec's example)
    args = urlencode({"api_key": api_key, "start_date": "2026-03-01T00:00:00Z",
                      "end_date": "2026-03-31T00:00:00Z", "status": "open"})
    listed = ET.fromstring(client.get(f"/open311/v2/requests.xml?{args}").data)
    assert listed.tag == "service_requests" and len(listed.findall("request")) == 2
    assert {r.find("status").text for r in listed.findall("request")} == {"open"}
    assert client.get(f"/open311/v2/requests.json?{args.replace('open', 'closed')}").json == []

    [one] = client.get(f"/open311/v2/requests/{code}.json?api_key={api_key}").json
    assert (one["service_request_id"], one["service_code"], one["status"]) == (code, "neighbour", "open")
    assert one["status_notes"] == "办理中" and one["expected_datetime"]
    assert "smith" not in str(one) and "13911112222" not in str(one) and "5th" not in str(one)
    by_ids = client.get(f"/open311/v2/requests.json?api_key={api_key}&service_request_id={code},ZY-X").json
    assert [r["service_request_id"] for r in by_ids] == [code]


def test_bad_requests_get_the_spec_error_list_and_are_audited(client, api_key):
    no_key = post(client, "", SPEC_POST.replace("api_key={key}&", ""))
    assert no_key.status_code == 401 and no_key.json[0]["code"] == 401
    wrong_key = post(client, "odk_not-a-key")
    assert wrong_key.status_code == 401 and wrong_key.json[0]["description"]
    bad_service = post(client, api_key, SPEC_POST.replace("service_code=neighbour", "service_code=001"))
    assert bad_service.status_code == 422 and "service_code" in bad_service.json[0]["description"]
    outside = post(client, api_key, SPEC_POST.replace("zy-1-1-1-1", "zy-2-1-1-1"))
    assert outside.status_code == 403
    assert client.get("/open311/v2/requests/ZY-2026-000001.json").status_code == 401  # reading needs a key
    assert db.session.scalar(select(Case)) is None
    reasons = [e.summary["reason"] for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "open311.refused"))]
    assert reasons == ["unauthorized", "unauthorized", "validation_failed", "forbidden", "unauthorized"]


def test_an_open311_client_from_pypi_reads_the_services(live_server):  # noqa: F811
    """georeport 0.3.1 (PyPI) over real HTTP; it reads services only (no POST, no api_key on GETs)."""
    from georeport import GeoReport  # noqa: PLC0415

    for fmt in ("json", "xml"):
        client = GeoReport(f"{live_server}/open311/v2/", output_format=fmt)
        services = client.get_service_list()
        assert len(services) == 15
        neighbour = next(s for s in services if s["service_code"] == "neighbour")
        assert neighbour["service_name"] == "邻里" and neighbour["group"] == "矛盾纠纷"
