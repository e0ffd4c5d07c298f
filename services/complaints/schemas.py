"""HTTP schemas of the complaints service (intake and lifecycle actions)."""
from marshmallow import RAISE, Schema, fields, validate

from pantau.rules.lapor import ACTIONS, ARCHIVE_REASONS, MISSING_INFO

CLASSIFICATIONS = ("pengaduan", "aspirasi", "permintaan_informasi")
CHANNELS = ("lapor", "web", "sms", "email", "telepon", "tatap_muka", "surat", "media_sosial", "aplikasi", "lainnya")
UNIT_ID = validate.Length(2, 40)
NOTE = validate.Length(3, 20000)


class Strict(Schema):
    class Meta:
        unknown = RAISE


class ReporterSchema(Strict):
    name = fields.String(validate=validate.Length(max=200), allow_none=True)
    phone = fields.String(validate=validate.Length(max=40), allow_none=True)
    email = fields.Email(allow_none=True)
    nik = fields.String(validate=validate.Regexp(r"^[0-9]{16}$"), allow_none=True)
    address = fields.String(validate=validate.Length(max=500), allow_none=True)


class ComplaintSchema(Strict):
    unit_id = fields.String(required=True, validate=UNIT_ID)
    tracking_id = fields.String(validate=validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]{2,59}$"), allow_none=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    classification = fields.String(required=True, validate=validate.OneOf(CLASSIFICATIONS))
    category = fields.String(validate=validate.Length(max=100), allow_none=True)
    tags = fields.List(fields.String(validate=validate.Length(1, 50)), load_default=list,
                       validate=validate.Length(max=20))
    subject = fields.String(required=True, validate=validate.Length(3, 300))
    description = fields.String(required=True, validate=validate.Length(3, 20000))
    place = fields.String(validate=validate.Length(max=300), allow_none=True)
    event_time = fields.AwareDateTime(allow_none=True)
    received_at = fields.AwareDateTime(allow_none=True)
    anonymous = fields.Boolean(load_default=False)
    confidential = fields.Boolean(load_default=False)
    reporter = fields.Nested(ReporterSchema, allow_none=True)


# --- lifecycle actions: one schema per action (POST /v1/complaints/{id}/actions) --------------

class ActionBase(Strict):
    action = fields.String(required=True, validate=validate.OneOf(ACTIONS))
    at = fields.AwareDateTime(allow_none=True, metadata={
        "description": "Kapan tindakan terjadi (mis. disinkronkan dari LAPOR!); bawaan: sekarang. Tidak "
                       "boleh sebelum kejadian terakhir atau di masa depan. Tidak untuk token pelapor."})
    note = fields.String(validate=NOTE, allow_none=True)


class VerifySchema(ActionBase):
    dispose_to = fields.String(validate=UNIT_ID, allow_none=True,
                               metadata={"description": "Unit tujuan disposisi; bawaan: unit pemegang"})
    classification = fields.String(validate=validate.OneOf(CLASSIFICATIONS), allow_none=True)
    category = fields.String(validate=validate.Length(max=100), allow_none=True)
    tags = fields.List(fields.String(validate=validate.Length(1, 50)), validate=validate.Length(max=20),
                       allow_none=True)
    berkadar_pengawasan = fields.Boolean(allow_none=True)


class PendSchema(ActionBase):
    missing = fields.List(fields.String(validate=validate.OneOf(MISSING_INFO)), required=True,
                          validate=validate.Length(min=1))


class ArchiveSchema(ActionBase):
    reason = fields.String(required=True, validate=validate.OneOf(ARCHIVE_REASONS))


class ForwardSchema(ActionBase):
    to_unit_id = fields.String(required=True, validate=UNIT_ID)


class ForwardOutSchema(ActionBase):
    to_instansi = fields.String(required=True, validate=validate.Length(3, 200))


class NoteRequired(ActionBase):
    note = fields.String(required=True, validate=NOTE)


class RateSchema(ActionBase):
    satisfaction = fields.Integer(required=True, validate=validate.Range(1, 4))


ACTION_SCHEMAS = {
    "verify": VerifySchema, "pend": PendSchema, "complete_info": NoteRequired, "archive": ArchiveSchema,
    "forward": ForwardSchema, "forward_out": ForwardOutSchema, "follow_up": NoteRequired,
    "resolve": NoteRequired, "rate": RateSchema, "reopen": ActionBase, "accept": ActionBase,
}


class ActionDoc(ActionBase):
    """Documentation of the union of every action's fields (each action is validated by its own schema)."""
    dispose_to = fields.String()
    classification = fields.String()
    category = fields.String()
    tags = fields.List(fields.String())
    berkadar_pengawasan = fields.Boolean()
    missing = fields.List(fields.String(validate=validate.OneOf(MISSING_INFO)))
    reason = fields.String(validate=validate.OneOf(ARCHIVE_REASONS))
    to_unit_id = fields.String()
    to_instansi = fields.String()
    satisfaction = fields.Integer(validate=validate.Range(1, 4))
