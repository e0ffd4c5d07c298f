"""gunicorn entry point for the consultation (FKP) service."""
from pantau.logs import setup as setup_logging
from pantau.web import create_app

from .api import blp

setup_logging("consultation")
app = create_app("consultation", [blp], title="Pantau — layanan konsultasi publik (FKP)",
                 description="Forum Konsultasi Publik, Berita Acara dan janji perbaikan (PermenPANRB 16/2017).")
