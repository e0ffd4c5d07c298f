"""gunicorn entry point for the aggregator's report API."""
from pantau.logs import setup as setup_logging
from pantau.ratelimit import limit_sign_in
from pantau.web import create_app

from . import report_budget
from .api import blp
from .audit_api import blp as audit_blp
from .card_api import blp as card_blp
from .complaints_api import blp as complaints_blp
from .dashboard import blp as dashboard_blp
from .dashboard import not_found
from .fkp_api import blp as fkp_blp
from .pekppp_api import blp as pekppp_blp
from .pipeline import health as pipeline_health
from .skm_summaries_api import blp as summaries_blp

setup_logging("aggregator")
app = create_app("aggregator", [blp, fkp_blp, complaints_blp, card_blp, pekppp_blp, summaries_blp, audit_blp],
                 title="Pantau — agregator dan laporan provinsi",
                 description="IKM unit/OPD/provinsi, FKP dan tindak lanjut pengaduan, langsung dari kejadian.",
                 extra_checks={"pipeline": pipeline_health})
app.register_blueprint(dashboard_blp)  # HTML pages, public SKM pages, exports (not in the OpenAPI document)
report_budget.install(app)
not_found.install(app)  # after create_app: a browser gets an HTML 404, an API client problem+json
limit_sign_in(app)  # per client address, on top of the per-username lock
