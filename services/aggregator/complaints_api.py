"""Aggregator complaint follow-up reports (SP4N-LAPOR!)."""
from pantau.web import Blueprint

blp = Blueprint("complaint_reports", __name__, url_prefix="/v1/complaints",
                description="Laporan tindak lanjut pengaduan")
