"""流程设计 pages: deployments with versions and diagrams, version diffs, upload and deploy.

Open to process designers and administrators only; everyone else gets 403.
"""

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from app.designer import services
from app.designer.diff import diff_bundles
from app.errors import Forbidden
from app.org.models import Role
from app.ui import current_actor
from app.unit_of_work import run_unit
from app.workflow.deploy import BundleRefused, read_directories

bp = Blueprint("designer", __name__, url_prefix="/designer")
DESIGNER_ROLES = (Role.PROCESS_DESIGNER, Role.ADMIN)


@bp.before_request
def _designers_only():
    """Sign-in first; then only designers and administrators."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not any(current_actor().has_role(role) for role in DESIGNER_ROLES):
        raise Forbidden("只有流程设计人员和管理员可以使用流程设计")
    return None


def clock():
    """The app's clock."""
    return current_app.extensions["onedoor.clock"]


@bp.get("/")
def index():
    """Every process with its versions, running instances and the deploy forms."""
    from app.designer.drafts import recent_drafts  # noqa: PLC0415

    return render_template("designer/index.html", processes=services.process_overview(),
                           drafts=recent_drafts())


@bp.get("/processes/<process_id>")
def process(process_id: str):
    """One process: its versions, each version's diagram, the diff form, migrations."""
    from app.designer.migrations import recent_migrations  # noqa: PLC0415

    rows = services.process_overview(process_id)
    if not rows:
        raise services.NotFound("流程不存在")
    [row] = rows
    shown = request.args.get("version", type=int) or row.versions[0].version
    return render_template("designer/process.html", process=row, shown=shown,
                           migrations=recent_migrations(process_id))


@bp.get("/deployments/<int:deployment_id>/<process_id>.bpmn")
def diagram(deployment_id: int, process_id: str):
    """The BPMN text of a version, for the diagram viewer."""
    return Response(services.process_bpmn(deployment_id, process_id), mimetype="application/xml")


@bp.get("/processes/<process_id>/diff")
def diff(process_id: str):
    """What changed between two versions."""
    old = services.deployment_by_version(process_id, request.args.get("a", type=int) or 0)
    new = services.deployment_by_version(process_id, request.args.get("b", type=int) or 0)
    result = diff_bundles(services.as_file_set(old.files), services.as_file_set(new.files))
    return render_template("designer/diff.html", process_id=process_id, old=old, new=new, diff=result)


def _refused(refused: BundleRefused, source: str):
    return render_template("designer/refused.html", problems=refused.problems, source=source), 422


def _deployed(results, source: str):
    created = [f"{d.process_id} 版本 {d.version}" for d, new in results if new]
    if created:
        flash(f"{source}部署成功：" + "、".join(created))
    else:
        flash(f"{source}：文件没有变化，未产生新版本")
    return redirect(url_for("designer.index"))


@bp.post("/upload")
def upload():
    """Deploy uploaded files (or a .zip); by default merged over the files deployed now."""
    uploads = [(f.filename or "", f.read()) for f in request.files.getlist("files") if f.filename]
    note = request.form.get("note", "").strip()[:500]
    files = services.read_upload(uploads)
    if request.form.get("merge", "1") == "1":
        files = services.merged(services.current_files(), files)
    actor = current_actor()
    try:
        results = run_unit(lambda: services.deploy(files, actor=actor, now=clock().now(), note=note))
    except BundleRefused as refused:
        return _refused(refused, "上传的文件")
    return _deployed(results, "上传的文件")


@bp.post("/deploy-directory")
def deploy_directory():
    """Deploy processes/ and forms/ from the server's working copy (like `flask processes deploy`)."""
    files = read_directories(current_app.config["PROCESSES_DIR"], current_app.config["FORMS_DIR"])
    note = request.form.get("note", "").strip()[:500] or "从 processes/ 目录部署"
    actor = current_actor()
    try:
        results = run_unit(lambda: services.deploy(files, actor=actor, now=clock().now(), note=note))
    except BundleRefused as refused:
        return _refused(refused, "processes/ 目录")
    return _deployed(results, "processes/ 目录")
