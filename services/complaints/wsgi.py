"""gunicorn entry point for the complaints service."""
from pantau.logs import setup as setup_logging
from pantau.rules.workdays import default_calendar
from pantau.web import create_app

from .api import blp
from .open311 import open311_blp
from .public import track_blp

setup_logging("complaints")
default_calendar()  # read the working-day calendar at start: a broken file stops the service here
app = create_app("complaints", [blp, track_blp, open311_blp], title="Pantau — layanan pengaduan (SP4N-LAPOR!)",
                 description="Pengaduan dengan tindak lanjut berjenjang dan tenggat hari kerja; pelacakan publik "
                             "dan Open311 GeoReport v2 (hanya baca, XML dan JSON).")
