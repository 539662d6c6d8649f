"""Instance migration pages: choose, dry run, migrate, report, roll back."""

from flask import flash, redirect, render_template, request, url_for

from app.designer import migration_jobs, migrations, refusals, services
from app.designer.views import bp, clock
from app.ui import current_actor
from app.unit_of_work import run_unit


def _criteria(process_id: str, source) -> migrations.InstanceFilter:
    return migrations.InstanceFilter(process_id, source.get("from_version", type=int),
                                     source.get("business_key", ""), source.get("at_step", ""))


@bp.get("/processes/<process_id>/migrate")
def migrate_form(process_id: str):
    """Pick a target version and filters; with `dry_run=1` show whether each instance can move."""
    rows = services.process_overview(process_id)
    if not rows:
        raise services.NotFound("流程不存在")
    [row] = rows
    criteria = _criteria(process_id, request.args)
    target_version = request.args.get("target", type=int) or row.versions[0].version
    candidates = migrations.select_instances(criteria)
    if request.args.get("dry_run"):
        target = services.deployment_by_version(process_id, target_version)
        candidates = migrations.dry_run(candidates, target)
    return render_template("designer/migrate.html", process=row, criteria=criteria,
                           target_version=target_version, candidates=candidates,
                           dry_run=bool(request.args.get("dry_run")),
                           steps=migrations.step_choices(process_id),
                           jobs=migration_jobs.recent_jobs(process_id),
                           refusals=refusals.summary(c.reasons for c in candidates if c.movable is False))


@bp.post("/processes/<process_id>/migrate")
def migrate(process_id: str):
    """Ask to confirm the chosen instances and versions; once confirmed, migrate them (each in
    its own transaction) and show the report."""
    target = services.deployment_by_version(process_id, request.form.get("target", type=int) or 0)
    ids = request.form.getlist("instance_id")
    if not ids:
        flash("请先勾选要迁移的实例")
        return redirect(url_for("designer.migrate_form", process_id=process_id, target=target.version))
    if request.form.get("confirmed") != "1":
        chosen = migrations.chosen(ids, limit=migration_jobs.MAX_ITEMS)
        return render_template("designer/migrate_confirm.html", process_id=process_id, target=target,
                               chosen=chosen, versions=sorted({c.version for c in chosen}),
                               background=len(chosen) > migration_jobs.BACKGROUND_FROM,
                               batch_size=request.form.get("batch_size", type=int)
                               or migrations.DEFAULT_BATCH)
    if len(ids) > migration_jobs.BACKGROUND_FROM:
        actor = current_actor()
        job = run_unit(lambda: migration_jobs.start_job(process_id, target.id, ids, actor=actor,
                                                        now=clock().now()))
        return redirect(url_for("designer.migration_job", job_id=job.id))
    report = migrations.migrate_many(ids, target.id, actor=current_actor(), clock=clock(),
                                     batch_size=request.form.get("batch_size", type=int)
                                     or migrations.DEFAULT_BATCH)
    return render_template("designer/migrated.html", process_id=process_id, report=report)


@bp.post("/migrations/<int:migration_id>/rollback")
def rollback(migration_id: int):
    """Move a migrated instance back to its old version."""
    actor = current_actor()
    entry = run_unit(lambda: migrations.rollback(migration_id, actor=actor, clock=clock()))
    flash("已回退到原版本")
    process_id = request.form.get("process_id") or ""
    return redirect(url_for("designer.process", process_id=process_id) if process_id
                    else url_for("designer.index", _anchor=str(entry.id)))


@bp.get("/migration-jobs/<int:job_id>")
def migration_job(job_id: int):
    """A background bulk migration: progress, pause/resume, the refused instances and why."""
    report = migration_jobs.progress(job_id)
    if request.args.get("format") == "json":
        return {"state": report.job.state.value, "total": report.job.total, "moved": report.moved,
                "refused": len(report.refused), "pending": report.pending, "percent": report.percent}
    return render_template("designer/migration_job.html", report=report, job=report.job)


@bp.post("/migration-jobs/<int:job_id>/pause")
def pause_migration_job(job_id: int):
    """Stop before the next instance."""
    run_unit(lambda: migration_jobs.pause(job_id, now=clock().now()))
    flash("已暂停：已迁移的实例保持新版本，其余等待继续")
    return redirect(url_for("designer.migration_job", job_id=job_id))


@bp.post("/migration-jobs/<int:job_id>/resume")
def resume_migration_job(job_id: int):
    """Carry on with the instances not yet done."""
    run_unit(lambda: migration_jobs.resume(job_id, now=clock().now()))
    flash("已继续，后台将迁移其余实例")
    return redirect(url_for("designer.migration_job", job_id=job_id))
