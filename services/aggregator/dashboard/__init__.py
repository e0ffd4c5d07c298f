"""The bureau's web dashboard: server-rendered pages in Bahasa Indonesia (id-ID formats, WITA).

- Pages render the same report functions as the JSON API (`card_reports`, `reports`,
  `fkp_reports`, `complaint_reports`) through the page models in `pages`, so every figure shown
  is the API's; each table can be downloaded as CSV or XLSX (`?format=csv|xlsx[&table=…]`),
  and the SKM report and the province recapitulation as PDF.
- Login: a person signs in with username and password (`login`, pantau.accounts); an API key
  sign-in exists only when enabled. A bureau role sees everything, a unit operator only its unit.
  The session is a document in the registry database whose random id travels in a signed cookie
  (Flask-Login's `login_user` on Flask's session), read on every request and deleted at sign-out
  (`session`); its key is re-checked
  against the key store (a revoked key logs out within seconds). Forms carry a CSRF
  token (Flask-WTF). The signing key is `PANTAU_SECRET_KEY`, else a random key generated once
  into `.local/secret_key` (shared by every gunicorn worker, kept across restarts).
- Public pages (`/publik/...`) publish SKM results per unit and for the province: no login, no
  personal data (no respondent profile, no free text).
- Charts: Chart.js, vendored under `static/vendor/` and served by the app (no CDN); HTML pages
  carry a Content-Security-Policy allowing only the app itself, X-Frame-Options DENY and a
  Referrer-Policy.
"""

from . import page_accounts, pekppp_views, public_track, summary_views, views  # noqa: F401  (register the routes on the blueprint)
from .blueprint import blp

__all__ = ["blp"]
