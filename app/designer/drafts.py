"""Drafts: a process's files edited in the browser. Save creates a draft, check runs on it,
deploy publishes it through the same whole-bundle deploy as uploads and the CLI."""

from __future__ import annotations

import html
import re
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from app.designer import lane_coverage as coverage
from app.designer import services, starters
from app.designer.camunda import normalize_bpmn
from app.designer.diff import VersionDiff, diff_bundles
from app.designer.lane_coverage import Gap
from app.designer.models import ProcessDraft
from app.errors import Conflict, NotFound, ValidationFailed
from app.extensions import db
from app.org.services import Actor
from app.workflow.checks import Problem
from app.workflow.deploy import FileSet
from app.workflow.models import Deployment
from app.workflow.services import latest_deployment

MAX_FILE_CHARS = 2_000_000


def recent_drafts(limit: int = 20) -> list[ProcessDraft]:
    """Drafts not yet deployed, newest first."""
    return list(db.session.scalars(select(ProcessDraft).where(ProcessDraft.deployment_id.is_(None))
                                   .order_by(ProcessDraft.updated_at.desc()).limit(limit)))


def create_draft(process_id: str, *, actor: Actor, now: datetime) -> ProcessDraft:
    """A draft holding every file of the process's newest version."""
    base = latest_deployment(process_id)
    draft = ProcessDraft(process_id=process_id, base_deployment_id=base.id,
                         files={f.name: f.content for f in base.files}, created_by_id=actor.user_id,
                         created_at=now, updated_at=now)
    db.session.add(draft)
    db.session.flush()
    return draft


def create_new_process(process_id: str, name: str, *, starter: str, levels: int, actor: Actor,
                       now: datetime) -> ProcessDraft:
    """A draft of a process not yet deployed: a blank canvas, a mediation ladder or a 吹哨."""
    process_id = process_id.strip()
    taken = set(db.session.scalars(select(Deployment.process_id).distinct()))
    taken |= set(db.session.scalars(select(ProcessDraft.process_id)
                                    .where(ProcessDraft.deployment_id.is_(None))))
    starters.check_new(process_id, name, taken)
    if starter == "ladder":
        text = starters.ladder(process_id, name, levels)
    elif starter == "whistle":
        text = starters.whistle(process_id, name)
    else:
        text = starters.blank(process_id, name)
    draft = ProcessDraft(process_id=process_id, base_deployment_id=None,
                         files={f"{process_id}.bpmn": text}, created_by_id=actor.user_id,
                         created_at=now, updated_at=now)
    db.session.add(draft)
    db.session.flush()
    return draft


def get_draft(draft_id: int) -> ProcessDraft:
    """A draft or NotFound."""
    draft = db.session.get(ProcessDraft, draft_id)
    if draft is None:
        raise NotFound("草稿不存在")
    return draft


def main_file(draft: ProcessDraft) -> str:
    """The BPMN file that defines the draft's process."""
    for name, text in sorted(draft.files.items()):
        if name.endswith(".bpmn") and f'id="{draft.process_id}"' in text:
            return name
    return sorted(draft.files)[0]


def save_file(draft_id: int, name: str, content: str, *, now: datetime) -> ProcessDraft:
    """Save (or add) one file of a draft."""
    # The files live in one JSON column: without the row lock two saves would lose one file.
    draft = db.session.scalar(select(ProcessDraft).where(ProcessDraft.id == draft_id).with_for_update())
    if draft is None:
        raise NotFound("草稿不存在")
    if draft.deployment_id is not None:
        raise Conflict("该草稿已部署，请新建草稿再修改")
    if Path(name).name != name or Path(name).suffix not in services.KIND_BY_SUFFIX:
        raise ValidationFailed("文件名须为 .bpmn、.dmn 或 .json，且不含目录")
    if len(content) > MAX_FILE_CHARS:
        raise ValidationFailed("文件过大")
    draft.files = {**draft.files, name: normalize_bpmn(content) if name.endswith(".bpmn") else content}
    draft.updated_at = now
    db.session.flush()
    return draft


def base_version(draft: ProcessDraft) -> int:
    """The version number the draft was started from."""
    base = db.session.get(Deployment, draft.base_deployment_id) if draft.base_deployment_id else None
    return base.version if base else 0


def process_name(draft: ProcessDraft) -> str:
    """The process's Chinese name as its base version has it."""
    if draft.base_deployment_id is None:
        found = re.search(r'<bpmn:process id="[^"]+" name="([^"]+)"', draft.files.get(main_file(draft), ""))
        return html.unescape(found.group(1)) if found else draft.process_id
    return services.process_name(draft.base_deployment_id, draft.process_id) or draft.process_id


def draft_changes(draft_id: int) -> VersionDiff:
    """What the draft changes against the version it was started from."""
    draft = get_draft(draft_id)
    base = db.session.get(Deployment, draft.base_deployment_id) if draft.base_deployment_id else None
    return diff_bundles(services.as_file_set(base.files) if base else FileSet(), draft_file_set(draft))


def draft_file_set(draft: ProcessDraft) -> FileSet:
    """The draft's files as a FileSet."""
    files = FileSet()
    for name, text in draft.files.items():
        target = files.bpmn if name.endswith(".bpmn") else files.dmn if name.endswith(".dmn") else files.forms
        target[name] = text
    return files


def _publishable(draft: ProcessDraft) -> FileSet:
    """What a deploy of the draft checks and stores: the deployed files with the draft's on top."""
    return services.merged(services.current_files(), draft_file_set(draft))


def publishable(draft_id: int) -> FileSet:
    """The files a deploy of the draft would publish (what `processes simulate --draft` runs)."""
    return _publishable(get_draft(draft_id))


def check_draft(draft_id: int) -> list[Problem]:
    """The deploy checks, run on the draft."""
    return services.check(_publishable(get_draft(draft_id)))


def lane_gaps(draft_id: int) -> list[Gap]:
    """Lanes of the draft's diagrams that reach nobody in some county (reminders, not refusals)."""
    return coverage.lane_gaps(draft_file_set(get_draft(draft_id)).bpmn)


def deploy_draft(draft_id: int, *, actor: Actor, now: datetime, note: str) -> list[tuple[Deployment, bool]]:
    """Publish the draft: every process whose files changed gets a new version (BundleRefused
    when a check fails; then nothing is deployed)."""
    draft = get_draft(draft_id)
    if draft.deployment_id is not None:
        raise Conflict("该草稿已部署")
    results = services.deploy(_publishable(draft), actor=actor, now=now, note=note or "在线建模部署")
    mine = [d for d, _ in results if d.process_id == draft.process_id]
    draft.deployment_id = mine[0].id if mine else latest_deployment(draft.process_id).id
    draft.updated_at = now
    db.session.flush()
    return results
