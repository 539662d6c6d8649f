"""Designer tests reuse the process fixtures: the real processes/ deployed and a desk to drive cases."""

from app.org.demo import DEFAULT_LANES
from app.unit_of_work import run_unit
from app.workflow.deploy import FileSet, deploy_files, read_directories
from tests.processes.conftest import ROOT  # noqa: F401 - fixtures re-exported

LANES = [lane for lane, *_ in DEFAULT_LANES]


def real_files() -> FileSet:
    """processes/ and forms/ as they are in the repository."""
    return read_directories(ROOT / "processes", ROOT / "forms")


def redeploy(files: FileSet, clock, note: str = "测试改动") -> dict:
    """Deploy `files` (only changed processes get a new version); {process_id: Deployment}."""
    results = run_unit(lambda: deploy_files(files, now=clock.now(), note=note, known_lanes=LANES))
    return {d.process_id: d for d, _ in results}
