"""One generator for the large data sets the bench scripts query (bench.scale, bench.reports).

`prepare(url)` migrates a throw-away PostgreSQL database to head, seeds the Zhangye demo
organisation, deploys the processes and adds a city supervisor (`bench-supervisor`).
`fill(url, ...)` then writes, with `generate_series` on the server (seconds per million
rows), data shaped like a year of a city's disputes:

- `cases` cases received over the twelve months before `NOW` (ids, codes and receipt times
  rise together), spread over the 48 demo grids, with weighted channels, categories and risk
  tiers, two parties each (common Chinese names, so a name search finds several cases);
- the newest cases are in progress (90% of `open_tasks`), plus a thin backlog of old ones
  (the other 10%); each case in progress has one open task, offered to the case's grid
  worker, village or township mediator, township government, county centre or one of its
  county's 16 stationed departments (skewed towards the busy ones). Most open tasks are
  within their deadline, the backlog is long overdue;
- every case has one completed task (completed by the demo user holding that post, if any,
  so the demo users' 已办 tabs are full), a quarter of them late;
- `audit_events` audit events attached to the cases' instances.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bench.common import sqlalchemy_url

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 4, 1, 10, 0, tzinfo=SHANGHAI)
START = (NOW - timedelta(days=365)).astimezone(UTC).replace(tzinfo=None)  # naive UTC, like the app
NOW_UTC = NOW.astimezone(UTC).replace(tzinfo=None)
PASSWORD = "bench-only"
SUPERVISOR = "bench-supervisor"

# Busy departments first: a skewed pick of the index makes them receive most department tasks.
DEPARTMENT_ORDER = ["hrss", "justice", "housing", "police", "natural_resources", "mediation", "court",
                    "petition", "civil_affairs", "ecology", "trade_union", "womens_federation",
                    "health", "procuratorate", "industry_mediation", "psychology"]

SURNAMES = ("ARRAY['王','李','张','刘','陈','杨','赵','黄','周','吴',"
            "'徐','孙','马','朱','胡','郭','何','林','罗','高']")
GIVEN = ("ARRAY['伟','芳','娜','敏','静','丽','强','磊','军','洋','勇','艳','杰','娟','涛','明','超','秀英',"
         "'霞','平','刚','桂英','建华','玉兰','国强','志明','红梅','海燕','建国','小红','文','斌','鹏','辉',"
         "'玲','华','飞','鑫','波','宁','婷','雪','琴','云','峰','亮','健','春梅','秀兰','德明']")

def _hash(salt: int, modulo: int = 100, of: str = "g") -> str:
    """A well-mixed value 0..modulo-1 of the row number (independent for different salts)."""
    return f"((hashint4({of}::int + {salt})::bigint + 2147483648) %% {modulo})"


# A value from a weighted list: the bucket (0–99) of a hash of g picks it.
def _weighted(pairs: list[tuple[str, int]], bucket: str) -> str:
    assert sum(weight for _, weight in pairs) == 100
    clauses, upper = [], 0
    for value, weight in pairs[:-1]:
        upper += weight
        clauses.append(f"WHEN {bucket} < {upper} THEN '{value}'")
    return f"CASE {' '.join(clauses)} ELSE '{pairs[-1][0]}' END"


CHANNEL = _weighted([("walk_in", 35), ("grid", 25), ("hotline_12345", 20), ("police", 8),
                     ("petition", 5), ("court", 5), ("follow_up", 2)], _hash(0))
CATEGORY = _weighted([("neighbour", 20), ("marriage_family", 15), ("labour", 12), ("contract", 10),
                      ("housing_land", 10), ("property_service", 6), ("consumer", 5), ("damages", 5),
                      ("traffic", 5), ("forest_land", 3), ("requisition", 3), ("business", 2),
                      ("pollution", 2), ("medical", 1), ("other", 1)], _hash(300_000_000))
RISK = _weighted([("blue", 60), ("yellow", 25), ("orange", 12), ("red", 3)], _hash(600_000_000))
TITLE = {"neighbour": "邻里纠纷", "marriage_family": "婚姻家庭纠纷", "labour": "拖欠工资纠纷",
         "contract": "合同纠纷", "housing_land": "宅基地纠纷", "property_service": "物业服务纠纷",
         "consumer": "消费纠纷", "damages": "损害赔偿纠纷", "traffic": "交通事故纠纷",
         "forest_land": "山林土地纠纷", "requisition": "征地拆迁纠纷", "business": "生产经营纠纷",
         "pollution": "环境污染纠纷", "medical": "医疗纠纷", "other": "其他纠纷"}
TITLE_SQL = "CASE category " + " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in TITLE.items()) + " END"
# Where a task goes: (lane, role, working days allowed); the bucket picks one.
POSTS = [("grid", "网格员", "grid_worker", 3, 25), ("village", "村调委会", "mediator", 7, 15),
         ("township", "乡镇综治中心", "mediator", 7, 25), ("township", "乡镇党委政府", "handler", 7, 10),
         ("county", "县综治中心", "center_coordinator", 15, 5), ("department", "承办部门", "handler", 15, 20)]


def _post_case(column: str, bucket: str) -> str:
    clauses, upper = [], 0
    for post in POSTS[:-1]:
        upper += post[4]
        clauses.append(f"WHEN {bucket} < {upper} THEN {post[column]!r}")
    return f"CASE {' '.join(clauses)} ELSE {POSTS[-1][column]!r} END"


# The staging table: one row per case with everything derived from g.
STAGE_SQL = f"""
CREATE UNLOGGED TABLE bench_case AS
SELECT g, 'B-' || lpad(g::text, 8, '0') AS code, gr.grid_id, gr.village_id, gr.township_id, gr.county_id,
    %(start)s::timestamp + ((g - 1) * (31536000.0 / %(n)s) - (g::bigint * 7919 %% 3600)) * INTERVAL '1 second'
        AS received_at,
    g > %(n)s - %(recent)s OR (g <= %(n)s - %(recent)s AND %(backlog_every)s > 0
                               AND g %% %(backlog_every)s = 0) AS open,
    g > %(n)s - %(recent)s AS recent,
    {CHANNEL} AS channel, {CATEGORY} AS category, {RISK} AS risk_tier,
    {_hash(900_000_000)} AS post_bucket, {_hash(1_200_000_000)} AS done_bucket,
    {_hash(1_500_000_000)} AS dept_bucket, {_hash(1_800_000_000)} AS done_dept_bucket,
    CASE WHEN g %% 5 = 1 THEN (ARRAY['网格员首调','村（社区）调委会调解','乡镇综治中心调解',
                                    '乡镇党委政府调解'])[1 + g %% 4] END AS level
FROM generate_series(1, %(n)s) AS g
JOIN bench_grid gr ON gr.idx = ((hashint4(g) & 2147483647) %% (SELECT count(*) FROM bench_grid))
"""
GRIDS_SQL = """
CREATE UNLOGGED TABLE bench_grid AS
SELECT (row_number() OVER (ORDER BY id) - 1)::int AS idx, id AS grid_id,
    split_part(path, '/', 5)::int AS village_id, split_part(path, '/', 4)::int AS township_id,
    split_part(path, '/', 3)::int AS county_id
FROM org_unit WHERE level = 'grid'
"""
DEPARTMENTS_SQL = """
CREATE UNLOGGED TABLE bench_department AS
SELECT d.org_unit_id AS county_id, array_position(%(order)s::text[], d.code::text) - 1 AS idx, d.id
FROM department d
"""
INSTANCES_SQL = """
INSERT INTO process_instance (id, deployment_id, process_id, business_key, org_unit_id, status, state,
    version, created_at, updated_at, completed_at)
SELECT 'pi-' || g, %(deployment)s, 'dispute', code, grid_id,
    CASE WHEN open THEN 'running' ELSE 'completed' END, '{}', 1, received_at, received_at,
    CASE WHEN open THEN NULL ELSE received_at + INTERVAL '5 days' END
FROM bench_case
"""


def _name(k: str) -> str:
    """The k-th party's name of case g: a surname, one given character and (two times in three) a
    second one: about 50,000 names, the short ones shared by hundreds of cases, as in life."""
    key = f"(g * 2 + {k})"
    return (f"(({SURNAMES})[1 + {_hash(100_000_000, 20, key)}]"
            f" || ({GIVEN})[1 + {_hash(400_000_000, 50, key)}]"
            f" || CASE WHEN {_hash(700_000_000, 3, key)} = 0 THEN '' "
            f"ELSE ({GIVEN})[1 + {_hash(1_000_000_000, 50, key)}] END)")


CASES_SQL = f"""
INSERT INTO dispute_case (id, code, title, narrative, channel, category, risk_tier, amount,
    people_count, org_unit_id, address, received_at, status, route, level, due_estimated, updated_at,
    closed_at, instance_id)
SELECT g, code, {TITLE_SQL} || '（' || {_name("1")} || '与' || {_name("2")} || '）', '基准测试数据',
    channel, category, risk_tier, (g %% 50) * 1000, 2 + g %% 5, grid_id, '', received_at,
    (CASE WHEN open THEN 'in_progress' WHEN g %% 100 < 85 THEN 'closed' WHEN g %% 100 < 93 THEN 'unresolved'
     ELSE 'referred' END),
    (ARRAY['on_the_spot','four_levels','department','whistle','referral'])[1 + g %% 5], level,
    false, received_at, CASE WHEN open THEN NULL ELSE received_at + INTERVAL '5 days' END, 'pi-' || g
FROM bench_case c
"""
PARTIES_SQL = f"""
INSERT INTO case_party (case_id, name, role, id_number, phone)
SELECT g, {_name("k")}, CASE k WHEN 1 THEN 'applicant' ELSE 'respondent' END,
    '620702' || lpad(((g * 2 + k)::bigint * 7919 %% 1000000000000)::text, 12, '0'),
    '139' || lpad(((g * 2 + k)::bigint * 104729 %% 100000000)::text, 8, '0')
FROM generate_series(1, %(n)s) AS g, generate_series(1, 2) AS k
"""
# Candidates of a task from its post bucket: a department of the case's county or a role at
# the case's grid, village, township or county.
CANDIDATES = """
    CASE WHEN {lane_kind} = 'department' THEN (SELECT d.id FROM bench_department d
         WHERE d.county_id = c.county_id AND d.idx = floor(16 * power({dept_bucket} / 100.0, 2))::int)
    END AS dept,
    CASE {lane_kind} WHEN 'grid' THEN c.grid_id WHEN 'village' THEN c.village_id
         WHEN 'township' THEN c.township_id WHEN 'county' THEN c.county_id END AS unit,
    CASE WHEN {lane_kind} <> 'department' THEN {role} END AS role"""


def _task_columns(bucket: str, dept_bucket: str) -> tuple[str, str, str]:
    lane_kind = _post_case(0, bucket)
    return (_post_case(1, bucket), CANDIDATES.format(lane_kind=lane_kind, dept_bucket=dept_bucket,
                                                      role=_post_case(2, bucket)), _post_case(3, bucket))


OPEN_LANE, OPEN_CANDIDATES, OPEN_DAYS = _task_columns("c.post_bucket", "c.dept_bucket")
DONE_LANE, DONE_CANDIDATES, DONE_DAYS = _task_columns("c.done_bucket", "c.done_dept_bucket")
# Open tasks of recent cases were created within 1.3× their allowance before NOW (so about three
# in four are within their deadline); the backlog's tasks are as old as their cases.
OPEN_TASKS_SQL = f"""
INSERT INTO human_task (id, instance_id, process_id, business_key, bpmn_id, title, lane,
    candidate_department_id, candidate_org_unit_id, candidate_role, state, created_at, due_at, warn_at
    {{fact_columns}})
SELECT 'to-' || g, 'pi-' || g, 'dispute', code, 'level_mediation', '本级调解', lane, dept, unit, role,
    'ready', created, created + days * INTERVAL '1 day', created + days * INTERVAL '16 hours' {{fact_values}}
FROM (SELECT c.g, c.code, c.grid_id, c.category, c.risk_tier, c.channel, c.level,
          {OPEN_LANE} AS lane, {OPEN_DAYS} AS days,
          {OPEN_CANDIDATES},
          CASE WHEN c.recent THEN GREATEST(c.received_at + INTERVAL '1 hour', %(now)s::timestamp
               - (c.g::bigint * 7919 %% 1000) / 1000.0 * 1.3 * {OPEN_DAYS} * INTERVAL '1 day')
               ELSE c.received_at + INTERVAL '2 days' END AS created
      FROM bench_case c WHERE c.open) AS t
"""
DONE_TASKS_SQL = f"""
INSERT INTO human_task (id, instance_id, process_id, business_key, bpmn_id, title, lane,
    candidate_department_id, candidate_org_unit_id, candidate_role, state, created_at, due_at, warn_at,
    completed_at, completed_by_id {{fact_columns}})
SELECT 'tc-' || t.g, 'pi-' || t.g, 'dispute', t.code, 'on_the_spot', '中心当场调解', t.lane, t.dept, t.unit,
    t.role, 'completed', t.created, t.created + INTERVAL '3 days', t.created + INTERVAL '2 days',
    t.created + (t.g %% 4) * INTERVAL '1 day' + INTERVAL '2 hours', COALESCE(md.user_id, mu.user_id)
    {{fact_values}}
FROM (SELECT c.g, c.code, c.grid_id, c.category, c.risk_tier, c.channel, c.level, {DONE_LANE} AS lane,
          {DONE_CANDIDATES}, c.received_at + INTERVAL '10 minutes' AS created
      FROM bench_case c) AS t
LEFT JOIN (SELECT department_id, min(user_id) AS user_id FROM membership
           WHERE department_id IS NOT NULL GROUP BY department_id) md ON md.department_id = t.dept
LEFT JOIN (SELECT org_unit_id, role, min(user_id) AS user_id FROM membership
           WHERE org_unit_id IS NOT NULL GROUP BY org_unit_id, role) mu
    ON mu.org_unit_id = t.unit AND mu.role = t.role
"""
CURRENT_DUE_SQL = """
UPDATE dispute_case c SET current_due_at = t.due_at
FROM human_task t WHERE t.id = 'to-' || c.id
"""
AUDIT_SQL = """
INSERT INTO audit_event (at, actor_label, action, instance_id, task_id, summary)
SELECT %(start)s::timestamp + ((c - 1) * (31536000.0 / %(n)s) + (g %% 7) * 3600) * INTERVAL '1 second',
    '系统', (ARRAY['case.opened','instance.started','task.created','task.claimed','task.completed',
                  'timers.fired','case.commented'])[1 + g %% 7],
    'pi-' || c, 'tc-' || c, '{}'
FROM (SELECT g, 1 + (g::bigint * 104729) %% %(n)s AS c FROM generate_series(1, %(events)s) AS g) AS e
"""


def app_for(url: str):
    """The app on `url` with the clock frozen at NOW and CSRF off (for the test client)."""
    from app import create_app  # noqa: PLC0415
    from app.clock import FrozenClock  # noqa: PLC0415

    return create_app({"SQLALCHEMY_DATABASE_URI": sqlalchemy_url(url), "WTF_CSRF_ENABLED": False},
                      clock=FrozenClock(NOW))


def _seed() -> dict:
    from flask import current_app  # noqa: PLC0415
    from sqlalchemy import select  # noqa: PLC0415

    from app.extensions import db  # noqa: PLC0415
    from app.org.demo import DEFAULT_LANES, seed_demo  # noqa: PLC0415
    from app.org.models import Membership, OrgUnit, Role, User  # noqa: PLC0415
    from app.workflow.deploy import deploy_files, read_directories  # noqa: PLC0415
    from app.workflow.models import Deployment  # noqa: PLC0415

    seed_demo(NOW)
    files = read_directories(current_app.config["PROCESSES_DIR"], current_app.config["FORMS_DIR"])
    deploy_files(files, now=NOW, known_lanes=[lane[0] for lane in DEFAULT_LANES])
    city = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "zy"))
    user = User(username=SUPERVISOR, display_name="压测督办", created_at=NOW)
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.flush()
    db.session.add(Membership(user_id=user.id, org_unit_id=city.id, role=Role.SUPERVISOR))
    db.session.flush()
    deployment = db.session.scalar(select(Deployment.id).where(Deployment.process_id == "dispute")
                                   .order_by(Deployment.version.desc()))
    county = db.session.scalar(select(OrgUnit.id).where(OrgUnit.code == "zy-1"))
    return {"city": city.id, "county": county, "deployment": deployment}


def prepare(url: str) -> dict:
    """Migrate to head, seed the demo organisation, deploy, add the city supervisor; return ids."""
    from flask_migrate import upgrade  # noqa: PLC0415

    from app.extensions import db  # noqa: PLC0415
    from app.unit_of_work import run_unit  # noqa: PLC0415

    app = app_for(url)
    with app.app_context():
        upgrade()
        ids = run_unit(_seed)
        db.engine.dispose()
    return ids


def fill(url: str, ids: dict, *, cases: int, open_tasks: int, audit_events: int,
         progress=print) -> dict[str, float]:
    """Write the rows (see the module docstring); return seconds per step."""
    import psycopg  # noqa: PLC0415

    open_tasks = min(open_tasks, cases)
    recent = open_tasks * 9 // 10
    backlog = open_tasks - recent
    params = {"n": cases, "recent": recent, "backlog_every": (cases - recent) // backlog if backlog else 0,
              "start": START, "now": NOW_UTC, "deployment": ids["deployment"], "events": audit_events,
              "order": DEPARTMENT_ORDER}
    steps = [("staging", [GRIDS_SQL, DEPARTMENTS_SQL]), ("stage cases", [STAGE_SQL]),
             ("instances", [INSTANCES_SQL]), ("cases", [CASES_SQL]), ("parties", [PARTIES_SQL]),
             ("open tasks", [OPEN_TASKS_SQL]), ("completed tasks", [DONE_TASKS_SQL]),
             ("case deadlines", [CURRENT_DUE_SQL]), ("audit events", [AUDIT_SQL])]
    timings: dict[str, float] = {}
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET synchronous_commit = off")
        # Since migration 0010 task rows carry copies of their case's facts (app.cases.taskfacts):
        # write them as the app would.
        facts = conn.execute("SELECT 1 FROM information_schema.columns WHERE table_name = 'human_task' "
                             "AND column_name = 'case_org_unit_id'").fetchone() is not None
        fact_sql = {"fact_columns": ", case_org_unit_id, case_category, case_risk_tier, case_channel, "
                                    "case_level",
                    "fact_values": ", grid_id, category, risk_tier, channel, level"} if facts else \
            {"fact_columns": "", "fact_values": ""}
        steps = [(name, [sql.replace("{fact_columns}", fact_sql["fact_columns"])
                         .replace("{fact_values}", fact_sql["fact_values"]) for sql in statements])
                 for name, statements in steps]
        for name, statements in steps:
            started = time.perf_counter()
            for sql in statements:
                conn.execute(sql, {key: value for key, value in params.items() if f"%({key})s" in sql})
            timings[name] = time.perf_counter() - started
            progress(f"  {name}: {timings[name]:.1f} s")
        conn.execute("SELECT setval(pg_get_serial_sequence('dispute_case', 'id'), %s)", (cases,))
        conn.execute("DROP TABLE bench_case, bench_grid, bench_department")
        started = time.perf_counter()
        conn.execute("VACUUM ANALYZE")  # hint bits and visibility map set, as on a settled database
        timings["vacuum"] = time.perf_counter() - started
        progress(f"  vacuum: {timings['vacuum']:.1f} s")
    return timings


def counts(url: str) -> dict[str, int]:
    """Rows per table that matters, for the notes of a results entry."""
    import psycopg  # noqa: PLC0415

    with psycopg.connect(url) as conn:
        return {
            "cases": conn.execute("SELECT count(*) FROM dispute_case").fetchone()[0],
            "open tasks": conn.execute("SELECT count(*) FROM human_task WHERE state = 'ready'").fetchone()[0],
            "overdue open tasks": conn.execute("SELECT count(*) FROM human_task WHERE state = 'ready' "
                                               "AND due_at < %s", (NOW_UTC,)).fetchone()[0],
            "completed tasks": conn.execute("SELECT count(*) FROM human_task "
                                            "WHERE state = 'completed'").fetchone()[0],
            "audit events": conn.execute("SELECT count(*) FROM audit_event").fetchone()[0],
        }
