"""A citizen's own rating on the public pages counts in 满意率: report page, API and dashboard agree."""

import re
from datetime import datetime

from app.org.demo import DEMO_PASSWORD
from tests.conftest import SHANGHAI
from tests.public.conftest import citizen  # noqa: F401 - fixture
from tests.public.test_public import close

MARCH = "/api/v1/reports/indicators?from=2026-03-01&to=2026-03-31&org_unit=zy-1"


def _rate_row(page: str) -> str:
    """The text of the 满意率 row of the report's rates table."""
    row = re.search(r'<tr data-rate="satisfaction_rate">(.*?)</tr>', page, re.S).group(1)
    return re.sub(r"<[^>]+>", " ", row)


def test_a_citizens_rating_counts_in_the_months_satisfaction_rate(citizen, desk, client, org,  # noqa: F811
                                                                  clock, make_key):  # noqa: F811
    code = citizen.submitted()
    close(desk, code)  # the return visit records 满意: one rating
    clock.set(datetime(2026, 3, 20, 9, 0, tzinfo=SHANGHAI))
    assert make_key().get(MARCH).json["satisfaction_rate"] == "100.00"
    assert citizen.rate(code, "5678", "dissatisfied", "对方没有履行协议").status_code == 200

    body = make_key().get(MARCH).json
    assert body["satisfaction_rate"] == "50.00"  # 1 满意 of 2 ratings: each rating counts once
    [line] = [r for r in body["rates"] if r["key"] == "satisfaction_rate"]
    assert (line["numerator"], line["denominator"], line["rate"]) == (1, 2, "50.00")
    assert "群众在网上自助页面" in line["definition"]

    login = client.post("/login", data={"username": "supervisor", "password": DEMO_PASSWORD})
    assert login.status_code == 302
    county = org.unit("zy-1").id
    page = client.get(f"/reports/view?org_unit_id={county}&kind=monthly&day=2026-03-01").data.decode()
    row = _rate_row(page)
    assert "50.00%" in row and "群众在网上自助页面" in row

    dashboard = client.get(f"/dashboard/data.json?org_unit_id={county}").json["satisfaction"]
    assert (dashboard["text"], dashboard["satisfied"], dashboard["rated"]) == ("50.00%", 1, 2)
