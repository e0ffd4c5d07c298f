"""gunicorn entry point for the consultation (FKP) service."""
from pantau.logs import setup as setup_logging
from pantau.web import create_app

from .api import blp
from .documents import blp as documents_blp
from .promises import blp as promises_blp

setup_logging("consultation")
app = create_app("consultation", [blp, promises_blp, documents_blp], title="Pantau — layanan konsultasi publik (FKP)",
                 description="Forum Konsultasi Publik, Berita Acara dan janji perbaikan (PermenPANRB 16/2017).")
