"""Report indicators on a seeded data set with known counts (tests/reports/conftest.py)."""

from datetime import date, datetime, timedelta

from app.extensions import db
from app.reports import indicators, services
from app.reports.periods import Period, period_containing
from app.reports.rates import percent, rate_value
from app.unit_of_work import run_unit
from app.workflow.models import HumanTask, ProcessInstance, TaskState
from tests.conftest import SHANGHAI
from tests.processes.conftest import local, resolved
from tests.processes.test_return_visit import VISIT
from tests.reports.conftest import ROWS


def hand_count(county: str, month: int, **match) -> tuple[int, int]:
    rows = [r for r in ROWS if r[0].startswith(county + "-") and r[1] == month and all(
        r[{"channel": 2, "category": 3, "route": 4}[key]] in (value if isinstance(value, tuple) else (value,))
        for key, value in match.items())]
    return sum(r[6] for r in rows), sum(r[7] for r in rows)


def test_rates_are_two_decimals_half_up():
    assert percent(12431, 15612) == "79.62%"
    assert percent(24138, 25275) == "95.50%"
    assert round(25275 * 0.955) == 24138  # the count a 95.5% rate states
    assert rate_value(1, 8) == 12.5 and percent(2, 3) == "66.67%" and percent(1, 0) == "—"


def test_monthly_indicators_match_the_hand_count(seeded, clock):
    clock.set(datetime(2026, 4, 1, 9, 0, tzinfo=SHANGHAI))  # March is over
    county = seeded.unit("zy-1")
    report = services.compute(county, "monthly", date(2026, 3, 15), clock)
    current = report["current"]
    assert report["period"] == {"start": "2026-03-01", "end": "2026-04-01", "label": "2026年3月"}
    assert (current["counts"]["received"], current["counts"]["resolved"]) == (25275, 24138)
    assert current["resolution_rate_text"] == "95.50%"
    channels = {line["key"]: (line["received"], line["resolved"], line["rate_text"])
                for line in current["by_channel"]}
    assert channels["grid"] == (12370, 12283, "99.30%") == (*hand_count("zy-1", 3, channel="grid"), "99.30%")
    assert channels["hotline_12345"] == (314, 300, "95.54%")
    assert channels["three_mediation"] == (0, 0, "—")
    assert (current["joint"]["received"], current["joint"]["resolved"], current["joint"]["rate_text"]) == (
        3514, 3423, "97.41%")
    categories = {line["key"]: (line["received"], line["resolved"]) for line in current["by_category"]}
    assert categories == {"neighbour": (5000, 4990), "contract": (5000, 4532), "labour": (4077, 3600),
                          "marriage_family": (4000, 3960), "requisition": (3514, 3423),
                          "housing_land": (3370, 3333), "consumer": (314, 300)}
    assert [line["key"] for line in current["by_category"]][:2] == ["contract", "neighbour"]
    levels = {line["key"]: line["received"] for line in current["by_level"]}
    assert levels == {"网格员": 8370, "村调委会": 4000, "": 12905}
    # Tasks: 11 completed in March with a deadline, 8 on time; 3 late plus 1 still open → 4 overdue,
    # and every overdue task counts against the rate: 8 ÷ (8 + 4).
    assert (current["counts"]["tasks_due"], current["counts"]["tasks_on_time"]) == (12, 8)
    assert current["on_time_rate_text"] == "66.67%"
    assert current["rates"]["on_time_rate"]["text"] == "66.67%"
    assert (current["counts"]["overdue"], current["counts"]["return_visits"]) == (4, 1)
    # Against February: 1,600 received, 1,500 resolved (93.75%).
    assert report["previous"]["counts"]["received"] == 1600
    assert report["change"]["received"] == 25275 - 1600
    assert report["change"]["resolution_rate"] == round(95.50 - 93.75, 2)


def test_three_mediation_line_and_city_totals(seeded, clock):
    pushed = services.compute(seeded.unit("zy-2"), "monthly", date(2026, 3, 1), clock)["current"]
    line = next(line for line in pushed["by_channel"] if line["key"] == "three_mediation")
    assert (line["received"], line["resolved"], line["rate_text"]) == (15612, 12431, "79.62%")
    assert hand_count("zy-2", 3, channel=("police", "petition", "court")) == (15612, 12431)
    city = services.compute(seeded.unit("zy"), "quarterly", date(2026, 2, 10), clock)["current"]
    assert city["counts"]["received"] == sum(r[6] for r in ROWS)
    assert city["counts"]["resolved"] == sum(r[7] for r in ROWS)
    township = services.compute(seeded.unit("zy-1-2"), "monthly", date(2026, 3, 1), clock)["current"]
    assert township["counts"]["received"] == 3370 + 4077 + 3514


def test_daily_and_weekly_periods(seeded, clock):
    daily = services.compute(seeded.unit("zy-2"), "daily", date(2026, 3, 31), clock)
    # One row in 31 of each block lands on the 31st: 6000→193, 5612→181, 4000→129.
    assert daily["current"]["counts"]["received"] == sum(len(range(30, n, 31)) for n in (6000, 5612, 4000))
    week = period_containing("weekly", date(2026, 3, 4))
    assert (week.start, week.end, week.previous().start) == (date(2026, 3, 2), date(2026, 3, 9),
                                                             date(2026, 2, 23))


def test_monthly_analysis_adds_trend_hot_spots_and_rising_categories(seeded, clock):
    report = services.compute(seeded.unit("zy-1"), "analysis", date(2026, 3, 1), clock)
    analysis = report["analysis"]
    assert [p["label"] for p in analysis["trend"]] == [
        "2025年10月", "2025年11月", "2025年12月", "2026年1月", "2026年2月", "2026年3月"]
    assert [(p["received"], p["resolved"]) for p in analysis["trend"]][-2:] == [
        (1600, 1500), (25275, 24138)]
    townships = analysis["hot_spots"]["townships"]
    assert [(t["name"], t["count"]) for t in townships] == [
        ("甘州区 梁家墩镇", 14314), ("甘州区 党寨镇", 10961)]
    assert analysis["hot_spots"]["grids"][0]["count"] == 14314
    rising = [(r["key"], r["previous"], r["increase"], r["increase_text"])
              for r in analysis["rising_categories"]]
    assert rising == [("contract", 0, 5000, "新增"), ("neighbour", 600, 4400, "733.33%"),
                      ("marriage_family", 0, 4000, "新增"), ("requisition", 0, 3514, "新增"),
                      ("housing_land", 0, 3370, "新增")]  # labour (+3,077) is sixth
    assert [c["key"] for c in analysis["top_categories"]] == [
        "contract", "neighbour", "labour", "marriage_family", "requisition"]


def test_a_merged_duplicate_is_not_counted(seeded, clock):
    from sqlalchemy import select, update  # noqa: PLC0415

    from app.cases.models import Case  # noqa: PLC0415
    from app.reports.indicators import units_under  # noqa: PLC0415

    county = seeded.unit("zy-1")
    before = services.compute(county, "monthly", date(2026, 3, 15), clock)["current"]["counts"]
    march = (datetime(2026, 3, 1, tzinfo=SHANGHAI), datetime(2026, 4, 1, tzinfo=SHANGHAI))
    merged = db.session.scalar(select(Case.id).where(
        Case.org_unit_id.in_(units_under(county)), Case.received_at >= march[0],
        Case.received_at < march[1]).limit(1))
    db.session.execute(update(Case).where(Case.id == merged).values(result="merged"))
    db.session.commit()
    after = services.compute(county, "monthly", date(2026, 3, 15), clock)["current"]["counts"]
    assert after["received"] == before["received"] - 1
    # The analysis report's trend and hot spots leave it out as well.
    analysis = services.compute(county, "analysis", date(2026, 3, 15), clock)["analysis"]
    assert analysis["trend"][-1]["received"] == after["received"]
    assert sum(t["count"] for t in analysis["hot_spots"]["townships"]) == after["received"]


def test_overdue_in_the_current_period_counts_only_deadlines_already_passed(seeded, clock):
    # 21 March: the three late tasks are overdue; the open task is due on 22 March, still ahead.
    county = seeded.unit("zy-1")
    clock.set(datetime(2026, 3, 21, 9, 0, tzinfo=SHANGHAI))
    assert services.compute(county, "monthly", date(2026, 3, 1), clock)["current"]["counts"]["overdue"] == 3
    clock.set(datetime(2026, 3, 22, 9, 0, tzinfo=SHANGHAI))  # due at 09:00: not yet past
    assert services.compute(county, "monthly", date(2026, 3, 1), clock)["current"]["counts"]["overdue"] == 3
    clock.set(datetime(2026, 3, 23, 9, 0, tzinfo=SHANGHAI))
    report = services.compute(county, "monthly", date(2026, 3, 1), clock)
    assert report["current"]["counts"]["overdue"] == 4
    weekly = services.compute(county, "weekly", date(2026, 3, 23), clock)["current"]["counts"]
    assert weekly["overdue"] == 0  # nothing falls due this week before now
    # A closed period computed without a moment looks from its end.
    march = Period("monthly", date(2026, 3, 1), date(2026, 4, 1))
    assert indicators.compute(county, march)["counts"]["overdue"] == 4
    assert indicators.cutoff(march, datetime(2026, 5, 1, tzinfo=SHANGHAI)) == march.ends_at


def test_return_visits_count_the_return_visit_process_not_the_12345_visit(desk, org, clock):
    case = desk.open(category="consumer", amount=500, title="排水沟费用纠纷")
    desk.do(desk.task(case, "on_the_spot"), "mediator", resolved())
    desk.at(local(2026, 3, 10, 8, 30))
    visit = desk.task(case, "visit")
    assert visit.process_id == "return_visit"  # the called process, not the dispute
    desk.do(visit, "mediator", VISIT)
    instance = desk.instance(case)

    def hotline_visit():  # a 12345 order's own 回访并登记满意度 step, done in the same grid
        at = local(2026, 3, 12, 10, 0)
        db.session.add(ProcessInstance(
            id="hotline-instance", deployment_id=instance.deployment_id, process_id="hotline_order",
            business_key="12345-GS-1-1", org_unit_id=instance.org_unit_id, status=instance.status,
            state="{}", created_at=at, updated_at=at))
        db.session.add(HumanTask(
            id="hotline-visit", instance_id="hotline-instance", process_id="hotline_order",
            business_key="12345-GS-1-1", bpmn_id="visit", title="回访并登记满意度", state=TaskState.COMPLETED,
            created_at=at, due_at=at + timedelta(days=1), completed_at=at + timedelta(hours=2)))
    run_unit(hotline_visit)
    clock.set(local(2026, 4, 1, 9, 0))
    counts = services.compute(org.unit("zy-1"), "monthly", date(2026, 3, 1), clock)["current"]["counts"]
    assert counts["return_visits"] == 1
