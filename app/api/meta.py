"""/api/v1/deployments: deployed process versions."""

from flask.views import MethodView
from sqlalchemy import func, select

from app.api.base import SECURITY, api_blueprint
from app.api.schemas import ApiErrorSchema, DeploymentArgs, DeploymentOut
from app.extensions import db
from app.workflow.models import Deployment

bp = api_blueprint("api_deployments", __name__, "/deployments", "流程部署版本")


def list_deployments(process_id: str | None, latest: bool) -> list[Deployment]:
    """Deployments, newest version first per process; optionally only the newest of each."""
    query = select(Deployment)
    if process_id:
        query = query.where(Deployment.process_id == process_id)
    if latest:
        newest = select(Deployment.process_id, func.max(Deployment.version).label("version")) \
            .group_by(Deployment.process_id).subquery()
        query = query.join(newest, (newest.c.process_id == Deployment.process_id)
                           & (newest.c.version == Deployment.version))
    return list(db.session.scalars(query.order_by(Deployment.process_id, Deployment.version.desc())))


@bp.route("")
class Deployments(MethodView):
    """The deployments."""

    @bp.doc(security=SECURITY)
    @bp.arguments(DeploymentArgs, location="query")
    @bp.response(200, DeploymentOut(many=True))
    @bp.alt_response(401, schema=ApiErrorSchema)
    def get(self, args):
        """已部署的流程版本（运行中的案件保持其启动时的版本）"""
        return list_deployments(args.get("process_id"), args["latest"])
