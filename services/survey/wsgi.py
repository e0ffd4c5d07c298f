"""gunicorn entry point: `gunicorn -c deploy/gunicorn.conf.py services.survey.wsgi:app`."""
from pantau.logs import setup as setup_logging
from pantau.web import create_app

from .api import blp
from .followup import blp as followup_blp
from .paper_api import blp as paper_blp
from .pekppp import blp as pekppp_blp
from .summaries import blp as summaries_blp

setup_logging("survey")
app = create_app("survey", [blp, followup_blp, paper_blp, pekppp_blp, summaries_blp], title="Pantau — layanan survei (SKM)",
                 description="Penerimaan respons Survei Kepuasan Masyarakat (PermenPANRB 14/2017), "
                             "pengaturan survei, RTL, publikasi hasil, laporan hasil SKM unit, dan skor evaluasi PEKPPP.")
