"""gunicorn entry point for the complaints service."""
from pantau.logs import setup as setup_logging
from pantau.web import create_app

from .api import blp

setup_logging("complaints")
app = create_app("complaints", [blp], title="Pantau — layanan pengaduan (SP4N-LAPOR!)",
                 description="Pengaduan dengan tindak lanjut berjenjang dan tenggat hari kerja.")
