"""The browser modeler: drafts of BPMN, DMN and form files; save, check and deploy as JSON calls."""

from flask import flash, jsonify, redirect, render_template, request, url_for

from app.designer import drafts
from app.designer.panel_choices import panel_choices
from app.designer.views import bp, clock
from app.errors import OneDoorError, ValidationFailed
from app.ui import current_actor
from app.unit_of_work import run_unit
from app.workflow.deploy import BundleRefused


def _problems(problems) -> list[dict]:
    return [{"file": p.file, "element_id": p.element_id, "line": p.line, "message": p.message}
            for p in problems]


def _json_error(error: OneDoorError):
    return jsonify({"ok": False, "message": error.message, "errors": error.errors}), error.http_status


@bp.post("/drafts")
def new_draft():
    """Start a draft from the newest version of a process and open the modeler."""
    process_id = request.form.get("process_id", "")
    actor = current_actor()
    draft = run_unit(lambda: drafts.create_draft(process_id, actor=actor, now=clock().now()))
    return redirect(url_for("designer.modeler", draft_id=draft.id))


@bp.post("/new-process")
def new_process():
    """Start a new process from a blank canvas or a template (ladder, 吹哨) and open the modeler."""
    form, actor = request.form, current_actor()
    try:
        draft = run_unit(lambda: drafts.create_new_process(
            form.get("process_id", ""), form.get("name", ""), starter=form.get("starter", "blank"),
            levels=form.get("levels", type=int) or 4, actor=actor, now=clock().now()))
    except OneDoorError as error:
        flash("；".join([error.message, *(m for ms in (error.errors or {}).values() for m in ms)]))
        return redirect(url_for("designer.index"))
    return redirect(url_for("designer.modeler", draft_id=draft.id))


@bp.get("/drafts/<int:draft_id>")
def modeler(draft_id: int):
    """The modeler page for a draft."""
    draft = drafts.get_draft(draft_id)
    names = sorted(draft.files)
    return render_template("designer/modeler.html", draft=draft, names=names,
                           choices=panel_choices(draft_id),
                           base_version=drafts.base_version(draft),
                           process_name=drafts.process_name(draft),
                           main=request.args.get("file") or drafts.main_file(draft))


@bp.get("/drafts/<int:draft_id>/changes")
def draft_changes(draft_id: int):
    """What the draft changes against its base version, as an HTML fragment for the modeler."""
    return render_template("designer/_changes.html", diff=drafts.draft_changes(draft_id),
                           show_keys=False, empty_text="与基础版本相同，尚无修改")


@bp.get("/drafts/<int:draft_id>/files/<name>")
def draft_file(draft_id: int, name: str):
    """One file of the draft as text."""
    draft = drafts.get_draft(draft_id)
    if name not in draft.files:
        return jsonify({"ok": False, "message": "文件不存在"}), 404
    return draft.files[name], 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.put("/drafts/<int:draft_id>/files/<name>")
def save_draft_file(draft_id: int, name: str):
    """Save one file of the draft."""
    payload = request.get_json(silent=True) or {}
    if not isinstance(payload.get("content"), str):
        return _json_error(ValidationFailed("缺少文件内容"))
    try:
        draft = run_unit(lambda: drafts.save_file(draft_id, name, payload["content"], now=clock().now()))
    except OneDoorError as error:
        return _json_error(error)
    return jsonify({"ok": True, "updated_at": draft.updated_at.isoformat()})


@bp.post("/drafts/<int:draft_id>/check")
def check_draft(draft_id: int):
    """Run the deploy checks on the draft; problems carry file, element id, line and message."""
    problems = drafts.check_draft(draft_id)
    warnings = [{"file": g.file, "element_id": g.element_id, "line": None, "message": g.message}
                for g in drafts.lane_gaps(draft_id)]
    return jsonify({"ok": not problems, "problems": _problems(problems), "warnings": warnings})


@bp.post("/drafts/<int:draft_id>/deploy")
def deploy_draft(draft_id: int):
    """Publish the draft; 422 with the problems when a check fails (nothing deployed)."""
    payload = request.get_json(silent=True) or {}
    note = str(payload.get("note", ""))[:500]
    actor = current_actor()
    try:
        results = run_unit(lambda: [(d.process_id, d.version, new) for d, new in drafts.deploy_draft(
            draft_id, actor=actor, now=clock().now(), note=note)])
    except BundleRefused as refused:
        return jsonify({"ok": False, "message": refused.message,
                        "problems": _problems(refused.problems)}), 422
    except OneDoorError as error:
        return _json_error(error)
    return jsonify({"ok": True, "deployed": [{"process_id": p, "version": v, "new": n}
                                             for p, v, n in results],
                    "url": url_for("designer.process", process_id=drafts.get_draft(draft_id).process_id)})


@bp.get("/drafts/<int:draft_id>/dry-run")
def draft_dry_run(draft_id: int):
    """The last N closed cases replayed on the draft: route and due dates before and after."""
    from app.designer.dry_run import DEFAULT_CASES, dry_run  # noqa: PLC0415

    count = request.args.get("n", type=int) or DEFAULT_CASES
    draft = drafts.get_draft(draft_id)
    return render_template("designer/dry_run.html", draft=draft, process_name=drafts.process_name(draft),
                           runs=dry_run(draft_id, count), count=count)


@bp.post("/form-preview")
def form_preview():
    """A form schema drawn by the task pages' renderer, for the form designer's live preview."""
    from app.inbox.formrender import build_fields  # noqa: PLC0415 - the task pages' renderer

    payload = request.get_json(silent=True) or {}
    schema, ui = payload.get("schema"), payload.get("ui") or {}
    if not isinstance(schema, dict) or not isinstance(ui, dict):
        return _json_error(ValidationFailed("表单定义须为 JSON 对象"))
    try:
        fields = build_fields(schema, ui, {}, {})
    except (TypeError, KeyError, AttributeError, ValueError):
        return _json_error(ValidationFailed("表单定义的结构无法预览，请检查 JSON"))
    return render_template("designer/_form_preview.html", schema=schema, fields=fields)
