"""Deployments as designers see them: versions, instance counts, files, uploads and deploys."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from app.designer.camunda import normalize_bpmn
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.org.models import LaneRule, User
from app.org.services import Actor
from app.workflow.checks import Problem, check_files
from app.workflow.deploy import FileSet, deploy_files
from app.workflow.models import Deployment, DeploymentFile, FileKind, InstanceStatus, ProcessInstance

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
KIND_BY_SUFFIX = {".bpmn": FileKind.BPMN, ".dmn": FileKind.DMN, ".json": FileKind.FORM}


@dataclass
class VersionRow:
    """One deployment of a process with what runs on it."""

    id: int
    version: int
    content_hash: str
    created_at: datetime
    created_by: str
    note: str
    running: int
    total: int


@dataclass
class ProcessRow:
    """A process and its versions, newest first."""

    process_id: str
    name: str
    versions: list[VersionRow] = field(default_factory=list)

    @property
    def running(self) -> int:
        """Running instances across every version."""
        return sum(v.running for v in self.versions)


def known_lanes() -> list[str] | None:
    """Lane names with assignment rules (None when the table is empty: lanes are not checked)."""
    return list(db.session.scalars(select(LaneRule.lane))) or None


def _instance_counts() -> dict[int, tuple[int, int]]:
    rows = db.session.execute(
        select(ProcessInstance.deployment_id, ProcessInstance.status, func.count())
        .group_by(ProcessInstance.deployment_id, ProcessInstance.status)).all()
    counts: dict[int, tuple[int, int]] = {}
    for deployment_id, status, count in rows:
        running, total = counts.get(deployment_id, (0, 0))
        counts[deployment_id] = (running + (count if status == InstanceStatus.RUNNING else 0),
                                 total + count)
    return counts


def process_overview(process_id: str | None = None) -> list[ProcessRow]:
    """Every process (or one) with its versions and instance counts."""
    query = select(Deployment, User.display_name).outerjoin(User, User.id == Deployment.created_by_id)
    if process_id:
        query = query.where(Deployment.process_id == process_id)
    counts = _instance_counts()
    processes: dict[str, ProcessRow] = {}
    for deployment, author in db.session.execute(
            query.order_by(Deployment.process_id, Deployment.version.desc())):
        row = processes.setdefault(deployment.process_id,
                                   ProcessRow(deployment.process_id, deployment.process_id))
        running, total = counts.get(deployment.id, (0, 0))
        row.versions.append(VersionRow(deployment.id, deployment.version, deployment.content_hash,
                                       deployment.created_at, author or "系统", deployment.note,
                                       running, total))
    for row in processes.values():
        row.name = process_name(row.versions[0].id, row.process_id) or row.process_id
    return list(processes.values())


def process_name(deployment_id: int, process_id: str) -> str | None:
    """The BPMN name of `process_id` in a deployment, read from its file."""
    from lxml import etree  # noqa: PLC0415

    for file in deployment_files(deployment_id):
        if file.kind == FileKind.BPMN and f'id="{process_id}"' in file.content:
            root = etree.fromstring(file.content.encode("utf-8"))
            for node in root.iter("{*}process"):
                if node.get("id") == process_id:
                    return node.get("name")
    return None


def get_deployment(deployment_id: int) -> Deployment:
    """A deployment or NotFound."""
    deployment = db.session.get(Deployment, deployment_id)
    if deployment is None:
        raise NotFound("流程版本不存在")
    return deployment


def deployment_by_version(process_id: str, version: int) -> Deployment:
    """Version `version` of a process or NotFound."""
    deployment = db.session.scalar(select(Deployment).where(
        Deployment.process_id == process_id, Deployment.version == version))
    if deployment is None:
        raise NotFound(f"流程「{process_id}」没有版本 {version}")
    return deployment


def deployment_files(deployment_id: int) -> list[DeploymentFile]:
    """The files of one deployment, by name."""
    return list(db.session.scalars(select(DeploymentFile).where(
        DeploymentFile.deployment_id == deployment_id).order_by(DeploymentFile.name)))


def process_bpmn(deployment_id: int, process_id: str) -> str:
    """The BPMN text that defines `process_id` in a deployment (for the diagram viewer)."""
    for file in deployment_files(deployment_id):
        if file.kind == FileKind.BPMN and f'id="{process_id}"' in file.content:
            return file.content
    raise NotFound("该版本中没有这个流程的 BPMN 文件")


def as_file_set(files: Iterable[DeploymentFile]) -> FileSet:
    """Deployment files as a FileSet."""
    result = FileSet()
    for file in files:
        _kind_map(result, file.kind)[file.name] = file.content
    return result


def _kind_map(files: FileSet, kind: FileKind) -> dict[str, str]:
    return {FileKind.BPMN: files.bpmn, FileKind.DMN: files.dmn, FileKind.FORM: files.forms}[kind]


def current_files() -> FileSet:
    """The newest deployed text of every file across all processes (the base of uploads)."""
    newest = (select(DeploymentFile.name, func.max(DeploymentFile.deployment_id).label("dep"))
              .group_by(DeploymentFile.name).subquery())
    rows = db.session.scalars(select(DeploymentFile).join(
        newest, (DeploymentFile.name == newest.c.name)
        & (DeploymentFile.deployment_id == newest.c.dep)))
    return as_file_set(rows)


def read_upload(uploads: Iterable[tuple[str, bytes]]) -> FileSet:
    """Uploaded files (or .zip archives of them) as a FileSet; Camunda extensions are mapped."""
    files = FileSet()
    total = 0
    for name, data in uploads:
        total += len(data)
        if total > MAX_UPLOAD_BYTES:
            raise ValidationFailed("上传的文件过大（合计不超过 5 MB）")
        if name.lower().endswith(".zip"):
            for inner, content in _unzip(data):
                _add(files, inner, content)
        else:
            _add(files, name, data)
    if not files.items():
        raise ValidationFailed("没有可部署的文件：请上传 .bpmn、.dmn、.json 文件或它们的 .zip 压缩包")
    return files


def _unzip(data: bytes) -> Iterable[tuple[str, bytes]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ValidationFailed("压缩包无法打开") from exc
    with archive:
        for info in archive.infolist():
            if info.is_dir() or info.file_size > MAX_UPLOAD_BYTES:
                continue
            yield info.filename, archive.read(info)


def _add(files: FileSet, name: str, data: bytes) -> None:
    base = Path(name).name
    kind = KIND_BY_SUFFIX.get(Path(base).suffix.lower())
    if kind is None or base.startswith("."):
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(f"文件「{base}」不是 UTF-8 文本") from exc
    if kind == FileKind.BPMN:
        text = normalize_bpmn(text)
    _kind_map(files, kind)[base] = text


def merged(base: FileSet, changes: FileSet) -> FileSet:
    """`base` with every file of `changes` added or replaced."""
    return FileSet(bpmn={**base.bpmn, **changes.bpmn}, dmn={**base.dmn, **changes.dmn},
                   forms={**base.forms, **changes.forms})


def check(files: FileSet) -> list[Problem]:
    """The same checks as `flask processes check` (lanes against the lane rules)."""
    return check_files(files.bpmn, files.dmn, files.forms, known_lanes())


def deploy(files: FileSet, *, actor: Actor, now: datetime, note: str) -> list[tuple[Deployment, bool]]:
    """Check and deploy `files` whole (BundleRefused if anything fails); flushes, never commits."""
    return deploy_files(files, now=now, actor=actor, note=note, known_lanes=known_lanes())
