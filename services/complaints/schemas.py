"""HTTP schemas of the complaints service."""
from marshmallow import RAISE, Schema, fields, validate

CLASSIFICATIONS = ("pengaduan", "aspirasi", "permintaan_informasi")
CHANNELS = ("lapor", "web", "sms", "email", "telepon", "tatap_muka", "surat", "media_sosial", "aplikasi", "lainnya")


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
    unit_id = fields.String(required=True, validate=validate.Length(2, 40))
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
