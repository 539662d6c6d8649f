"""Lane coverage: the counties where a lane's user tasks reach nobody are listed, per lane."""

from app.designer.lane_coverage import lane_gaps
from app.extensions import db
from app.org.models import Membership, Role, User
from app.unit_of_work import run_unit
from tests.designer.conftest import real_files

LADDER = "four_levels_seven_days.bpmn"


def gaps_by_lane():
    return {gap.lane: gap for gap in lane_gaps({LADDER: real_files().bpmn[LADDER]})}


def test_counties_without_anyone_in_the_lanes_role_are_listed(org):
    gaps = gaps_by_lane()
    county = gaps["县综治中心"]
    assert county.tasks == ("县综治中心接续化解",)
    assert "临泽县 1/1 个县区没有综治中心调度" in county.counties
    assert not any(text.startswith("甘州区") for text in county.counties)  # 孙调度 works there
    assert "甘州区 1/2 个乡镇没有调解员" in gaps["乡镇综治中心"].counties
    assert "泳道「县综治中心」的任务（县综治中心接续化解）在以下县区找不到办理人：" in county.message


def test_a_new_member_takes_the_county_off_the_list(org, clock):
    def add():
        user = User(username="linze", display_name="临泽调度", created_at=clock.now(), password_hash="-")
        db.session.add(user)
        db.session.flush()
        db.session.add(Membership(user_id=user.id, org_unit_id=org.unit("zy-2").id,
                                  role=Role.CENTER_COORDINATOR))
        db.session.flush()
    run_unit(add)
    assert not any(text.startswith("临泽县") for text in gaps_by_lane()["县综治中心"].counties)
