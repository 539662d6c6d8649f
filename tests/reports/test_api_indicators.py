"""GET /api/v1/reports/indicators gives the report pages' figures (app/reports/indicators.py)."""

from datetime import date, datetime

from app.reports import services
from tests.conftest import SHANGHAI
from tests.reports.conftest import ROWS

MARCH = "/api/v1/reports/indicators?from=2026-03-01&to=2026-03-31"


def test_the_api_gives_the_figures_of_the_monthly_report(seeded, clock, make_key):
    clock.set(datetime(2026, 4, 1, 9, 0, tzinfo=SHANGHAI))
    page = services.compute(seeded.unit("zy-1"), "monthly", date(2026, 3, 1), clock)["current"]
    body = make_key().get(MARCH + "&org_unit=zy-1").json
    assert (body["received"], body["resolved"], body["resolution_rate"]) == (25275, 24138, "95.50")
    assert (body["received"], body["resolved"]) == (page["counts"]["received"], page["counts"]["resolved"])
    assert (body["on_time_rate"], body["overdue"], body["return_visits"]) == ("66.67", 4, 1)
    assert body["by_channel"] == [
        {"channel": line["key"], "label": line["label"], "received": line["received"],
         "resolved": line["resolved"], "rate": f"{line['rate']:.2f}"} for line in page["by_channel"]]
    assert body["by_channel"][0] == {"channel": "grid", "label": "网格员排查上报", "received": 12370,
                                     "resolved": 12283, "rate": "99.30"}
    assert (body["org_unit"], body["from"], body["to"]) == ("zy-1", "2026-03-01", "2026-03-31")


def test_scope_and_span(seeded, clock, make_key):
    linze = make_key(units=("zy-2",))
    body = linze.get(MARCH).json
    three = next(line for line in body["by_channel"] if line["channel"] == "three_mediation")
    assert (three["received"], three["resolved"], three["rate"]) == (15612, 12431, "79.62")
    assert body["received"] == 15612
    assert linze.get(MARCH + "&org_unit=zy-1").json["received"] == 0  # outside the key's units
    city = make_key().get("/api/v1/reports/indicators?from=2026-02-01&to=2026-03-31").json
    assert (city["received"], city["resolved"]) == (sum(r[6] for r in ROWS), sum(r[7] for r in ROWS))
    empty = make_key().get("/api/v1/reports/indicators?from=2025-01-01&to=2025-01-31").json
    assert (empty["received"], empty["resolution_rate"], empty["on_time_rate"]) == (0, "0.00", "0.00")
    unknown = make_key().get(MARCH + "&org_unit=zy-404")
    assert unknown.status_code == 422 and "org_unit" in unknown.json["errors"]


def test_a_deadline_still_ahead_is_not_overdue_yet(seeded, clock, make_key):
    clock.set(datetime(2026, 3, 21, 9, 0, tzinfo=SHANGHAI))
    assert make_key().get(MARCH + "&org_unit=zy-1").json["overdue"] == 3
