"""Aggregator FKP reports (forums held, community elements, promises kept and overdue)."""
from pantau.web import Blueprint

blp = Blueprint("fkp_reports", __name__, url_prefix="/v1/fkp", description="Laporan FKP dan janji perbaikan")
