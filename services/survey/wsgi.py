"""gunicorn entry point: `gunicorn -c deploy/gunicorn.conf.py services.survey.wsgi:app`."""
from pantau.logs import setup as setup_logging
from pantau.web import create_app

from .api import blp

setup_logging("survey")
app = create_app("survey", [blp], title="Pantau — layanan survei (SKM)",
                 description="Penerimaan respons Survei Kepuasan Masyarakat (PermenPANRB 14/2017).")
