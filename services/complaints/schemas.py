"""HTTP schemas of the complaints service (intake and lifecycle actions; free text bounded and
without control characters, dates within a plausible window: pantau/inputs.py)."""
from marshmallow import RAISE, Schema, fields, validate

from pantau.inputs import Bool, Email, PastDateTime, Text
from pantau.rules.lapor import ACTIONS, ARCHIVE_REASONS, MISSING_INFO

CLASSIFICATIONS = ("pengaduan", "aspirasi", "permintaan_informasi")
CHANNELS = ("lapor", "web", "sms", "email", "telepon", "tatap_muka", "surat", "media_sosial", "aplikasi", "lainnya")


class Strict(Schema):
    class Meta:
        unknown = RAISE


class ReporterSchema(Strict):
    name = Text(0, 200, allow_none=True)
    phone = Text(0, 40, allow_none=True)
    email = Email(allow_none=True)
    nik = Text(16, 16, validate=validate.Regexp(r"^[0-9]{16}$"), allow_none=True)
    address = Text(0, 500, multiline=True, allow_none=True)


class ComplaintSchema(Strict):
    unit_id = Text(2, 40, required=True)
    tracking_id = Text(3, 60, validate=validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]{2,59}$"), allow_none=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    classification = fields.String(required=True, validate=validate.OneOf(CLASSIFICATIONS))
    category = Text(0, 100, allow_none=True)
    tags = fields.List(Text(1, 50), load_default=list, validate=validate.Length(max=20))
    subject = Text(3, 300, required=True)
    description = Text(3, 20000, multiline=True, required=True)
    place = Text(0, 300, allow_none=True)
    event_time = PastDateTime(allow_none=True)
    received_at = PastDateTime(allow_none=True)
    anonymous = Bool(load_default=False)
    confidential = Bool(load_default=False)
    reporter = fields.Nested(ReporterSchema, allow_none=True)


# --- lifecycle actions: one schema per action (POST /v1/complaints/{id}/actions) --------------

class ActionBase(Strict):
    action = fields.String(required=True, validate=validate.OneOf(ACTIONS))
    at = PastDateTime(allow_none=True, metadata={
        "description": "Kapan tindakan terjadi (mis. disinkronkan dari LAPOR!); bawaan: sekarang. Tidak "
                       "boleh sebelum kejadian terakhir atau di masa depan. Tidak untuk token pelapor."})
    note = Text(3, 20000, multiline=True, allow_none=True)


class VerifySchema(ActionBase):
    dispose_to = Text(2, 40, allow_none=True, metadata={"description": "Unit tujuan disposisi; bawaan: unit pemegang"})
    classification = fields.String(validate=validate.OneOf(CLASSIFICATIONS), allow_none=True)
    category = Text(0, 100, allow_none=True)
    tags = fields.List(Text(1, 50), validate=validate.Length(max=20), allow_none=True)
    berkadar_pengawasan = Bool(allow_none=True)


class PendSchema(ActionBase):
    missing = fields.List(fields.String(validate=validate.OneOf(MISSING_INFO)), required=True,
                          validate=validate.Length(min=1))


class ArchiveSchema(ActionBase):
    reason = fields.String(required=True, validate=validate.OneOf(ARCHIVE_REASONS))


class ForwardSchema(ActionBase):
    to_unit_id = Text(2, 40, required=True)


class ForwardOutSchema(ActionBase):
    to_instansi = Text(3, 200, required=True)


class NoteRequired(ActionBase):
    note = Text(3, 20000, multiline=True, required=True)


class RateSchema(ActionBase):
    satisfaction = fields.Integer(required=True, strict=True, validate=validate.Range(1, 4))


def for_action(action: str, base: type[ActionBase]) -> type[ActionBase]:
    """`base` whose `action` takes `action` alone: the schema of one action, in the OpenAPI
    document one branch of the request body's `oneOf` (discriminator `action`). Which base each
    action takes is its row of `services.complaints.lifecycle.COMMANDS`."""
    name = "".join(part.title() for part in action.split("_")) + "Action"
    return type(name, (base,), {"action": fields.String(required=True, validate=validate.OneOf([action])),
                                "__doc__": f"Tindakan {action}."})
