"""Event contracts between the services (CloudEvents `data` schemas per type and version).

Importing this package registers every schema with `pantau.envelope`. No personal data (reporter
name, phone, NIK, e-mail) may ever appear in an event.
"""
from . import complaints, fkp, pekppp, skm  # noqa: F401  (registration side effects)

SOURCES = {"survey": "pantau/survey", "consultation": "pantau/consultation", "complaints": "pantau/complaints"}
