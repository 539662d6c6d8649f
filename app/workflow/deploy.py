"""Deploy processes: bundle a process's files, hash them, store a new version when they changed."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from lxml import etree
from sqlalchemy import select

from app.audit.services import record
from app.errors import OneDoorError
from app.extensions import db
from app.org.services import Actor
from app.workflow import engine
from app.workflow.checks import Problem, check_files, executable_processes, referenced_forms
from app.workflow.models import Deployment, DeploymentFile, FileKind


class BundleRefused(OneDoorError):
    """A bundle failed its checks; nothing was deployed."""

    code = "bundle_refused"
    http_status = 422

    def __init__(self, problems: list[Problem]):
        super().__init__("流程文件检查未通过，未部署任何内容",
                         {f"{p.file}:{p.line or ''}:{p.element_id or ''}": [p.message]
                          for p in problems})
        self.problems = problems

    def __str__(self) -> str:
        return "\n".join([self.message, *(str(p) for p in self.problems)])


@dataclass
class FileSet:
    """BPMN, DMN and form texts keyed by file name."""

    bpmn: dict[str, str] = field(default_factory=dict)
    dmn: dict[str, str] = field(default_factory=dict)
    forms: dict[str, str] = field(default_factory=dict)

    def items(self) -> list[tuple[str, FileKind, str]]:
        """Every file with its kind, sorted by name (the hashing order)."""
        rows = [(n, FileKind.BPMN, t) for n, t in self.bpmn.items()]
        rows += [(n, FileKind.DMN, t) for n, t in self.dmn.items()]
        rows += [(n, FileKind.FORM, t) for n, t in self.forms.items()]
        return sorted(rows, key=lambda row: row[0])

    def content_hash(self) -> str:
        """SHA-256 over names, kinds and contents."""
        digest = hashlib.sha256()
        for name, kind, text in self.items():
            for part in (name, kind.value, text):
                digest.update(part.encode("utf-8"))
                digest.update(b"\0")
        return digest.hexdigest()


def read_directories(processes_dir: str | Path, forms_dir: str | Path) -> FileSet:
    """Read every .bpmn/.dmn under processes/ and every .json under forms/."""
    files = FileSet()
    for path in sorted(Path(processes_dir).glob("*.bpmn")):
        files.bpmn[path.name] = path.read_text(encoding="utf-8")
    for path in sorted(Path(processes_dir).glob("*.dmn")):
        files.dmn[path.name] = path.read_text(encoding="utf-8")
    for path in sorted(Path(forms_dir).glob("*.json")):
        files.forms[path.name] = path.read_text(encoding="utf-8")
    return files


def process_ids(files: FileSet) -> list[str]:
    """Executable process ids across the BPMN files."""
    ids: list[str] = []
    for text in files.bpmn.values():
        ids.extend(executable_processes(etree.fromstring(text.encode("utf-8"))))
    return ids


def bundle_for(process_id: str, files: FileSet, specs: engine.LoadedSpecs | None = None) -> FileSet:
    """The files one process needs: its BPMN, called processes, all DMN, referenced forms."""
    specs = specs or engine.parse_specs(process_id, files.bpmn, files.dmn)
    needed = {specs.spec.file} | {s.file for s in specs.subprocess_specs.values() if s}
    bundle = FileSet(dmn=dict(files.dmn))
    for name in sorted(needed):
        bundle.bpmn[name] = files.bpmn[name]
        for form, _, _ in referenced_forms(etree.fromstring(files.bpmn[name].encode("utf-8"))):
            if form in files.forms:
                bundle.forms[form] = files.forms[form]
    return bundle


def deploy_bundle(process_id: str, bundle: FileSet, *, now: datetime,
                  actor: Actor | None = None, note: str = "",
                  known_lanes: list[str] | None = None,
                  checked: bool = False) -> tuple[Deployment, bool]:
    """Store `bundle` as the next version of `process_id` unless the newest has the same hash.

    `checked` says the caller already checked a set of files the bundle was cut from.
    """
    problems = [] if checked else check_files(bundle.bpmn, bundle.dmn, bundle.forms, known_lanes)
    if problems:
        raise BundleRefused(problems)
    digest = bundle.content_hash()
    latest = db.session.scalar(select(Deployment).where(Deployment.process_id == process_id)
                               .order_by(Deployment.version.desc()).limit(1))
    if latest is not None and latest.content_hash == digest:
        return latest, False
    deployment = Deployment(process_id=process_id, version=(latest.version if latest else 0) + 1,
                            content_hash=digest, created_at=now, note=note,
                            created_by_id=actor.user_id if actor else None)
    db.session.add(deployment)
    db.session.flush()
    for name, kind, text in bundle.items():
        db.session.add(DeploymentFile(deployment_id=deployment.id, name=name, kind=kind,
                                      content=text))
    record(now, "deployment.created", actor_id=actor.user_id if actor else None,
           actor_label=actor.label if actor else "系统",
           summary={"process_id": process_id, "version": deployment.version, "hash": digest})
    db.session.flush()
    return deployment, True


def deploy_files(files: FileSet, *, now: datetime, actor: Actor | None = None, note: str = "",
                 known_lanes: list[str] | None = None) -> list[tuple[Deployment, bool]]:
    """Check everything (each file parsed once), then deploy each process whose bundle changed."""
    parsed: dict[str, engine.LoadedSpecs] = {}
    problems = check_files(files.bpmn, files.dmn, files.forms, known_lanes, parsed)
    if problems:
        raise BundleRefused(problems)
    return [deploy_bundle(pid, bundle_for(pid, files, parsed[pid]), now=now, actor=actor,
                          note=note, known_lanes=known_lanes, checked=True)
            for pid in process_ids(files)]
