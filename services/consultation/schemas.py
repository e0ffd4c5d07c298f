"""HTTP schemas of the consultation (FKP) service."""
from marshmallow import RAISE, Schema, fields, validate

TOPICS = ("standar_pelayanan", "tindak_lanjut_skm", "maklumat_pelayanan", "lainnya")
FORMATS = ("tatap_muka", "daring")
STAGES = ("planned", "held", "closed")
ELEMENTS = ("pengguna_layanan", "akademisi", "instansi_terkait", "organisasi_masyarakat", "media")


class Strict(Schema):
    class Meta:
        unknown = RAISE


class ParticipantSchema(Strict):
    element = fields.String(required=True, validate=validate.OneOf(ELEMENTS))
    name = fields.String(required=True, validate=validate.Length(1, 200))
    institution = fields.String(validate=validate.Length(max=200), allow_none=True)


class ForumSchema(Strict):
    unit_id = fields.String(required=True, validate=validate.Length(2, 40))
    fkp_id = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$"))
    topic = fields.String(required=True, validate=validate.OneOf(TOPICS))
    title = fields.String(required=True, validate=validate.Length(3, 300))
    held_on = fields.Date(required=True)
    place = fields.String(validate=validate.Length(max=300), allow_none=True)
    format = fields.String(required=True, validate=validate.OneOf(FORMATS))
    stage = fields.String(load_default="planned", validate=validate.OneOf(STAGES))
    participants = fields.List(fields.Nested(ParticipantSchema), load_default=list,
                               validate=validate.Length(max=500))
    minutes = fields.String(validate=validate.Length(max=20000), allow_none=True)
