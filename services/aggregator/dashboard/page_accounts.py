"""The accounts page for a `bureau_admin` (`/admin/pengguna`): every account, and forms to add
one, disable or enable it, reset its password or change its role. Each change is written to the
audit log before the page answers; the same operations exist as `pantau users …`. The audit log
page (`/admin/audit`) for auditors and bureau admins reads the same log as `GET /v1/audit`."""

from __future__ import annotations

from flask import g, render_template, request
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # not in types-WTForms 3.2.1
from wtforms.validators import DataRequired

from pantau import accounts, audit
from pantau.units import Registry

from .blueprint import blp
from .labels import ACTION_LABELS as COMPLAINT_ACTIONS
from .login import page_access
from .render import nav
from .session import LogoutForm


class AddForm(FlaskForm):
    username = StringField("Nama pengguna", validators=[DataRequired(message="Isi nama pengguna.")])
    display_name = StringField("Nama lengkap", validators=[DataRequired(message="Isi nama lengkap.")])
    role = SelectField("Peran", choices=[SelectChoice(r, accounts.ROLE_LABELS[r]) for r in accounts.ROLES])
    unit_id = SelectField("Unit (untuk operator unit)", choices=[], validate_choice=False)
    password = PasswordField("Kata sandi awal", validators=[DataRequired(message="Isi kata sandi awal.")])


class ChangeForm(FlaskForm):
    username = HiddenField(validators=[DataRequired()])
    action = HiddenField(validators=[DataRequired()])
    password = PasswordField("Kata sandi baru")
    role = StringField()  # the row's own <select> (accounts.html)
    unit_id = StringField()


def _unit_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [(u.id, u.name) for u in sorted(Registry.instance().all(), key=lambda u: u.name)
                          if u.kind == "upp"]


ROLE_CHOICES = [(r, accounts.ROLE_LABELS[r]) for r in accounts.ROLES]


def _apply(v, form: ChangeForm) -> str:
    name, action = form.username.data, form.action.data
    if action == "disable":
        if name == v.account:
            raise accounts.AccountError("Anda tidak dapat menonaktifkan akun Anda sendiri.")
        accounts.set_active(name, False)
        audit.record(v.actor, "account.disable", name)
        return f"Akun {name} dinonaktifkan; sesinya berakhir dalam beberapa detik."
    if action == "enable":
        accounts.set_active(name, True)
        audit.record(v.actor, "account.enable", name)
        return f"Akun {name} diaktifkan kembali."
    if action == "reset":
        accounts.set_password(name, form.password.data or "", temporary=True)
        audit.record(v.actor, "account.reset_password", name)
        return (f"Kata sandi {name} diatur ulang; sampaikan kepada pemiliknya lewat jalur yang aman. "
                "Pemiliknya wajib menggantinya saat masuk berikutnya.")
    if action == "role":
        if name == v.account and form.role.data != "bureau_admin":
            raise accounts.AccountError("Anda tidak dapat mencabut peran admin Anda sendiri.")
        a = accounts.set_role(name, form.role.data, form.unit_id.data or None)
        audit.record(v.actor, "account.set_role", name, {"role": a.role, "unit_id": a.unit_id})
        return f"Peran {name} kini {accounts.ROLE_LABELS[a.role]}."
    raise accounts.AccountError("Tindakan tidak dikenal.")


@blp.route("/admin/pengguna", methods=["GET", "POST"])
@page_access(bureau_only=True, admin_only=True)
def accounts_admin():
    v = g.viewer
    add, change = AddForm(), ChangeForm()
    units = _unit_choices()
    add.unit_id.choices = [SelectChoice(value, label) for value, label in units]
    message, error, status = None, None, 200
    if request.method == "POST":
        form = add if request.form.get("form") == "add" else change
        if not form.validate_on_submit():
            error, status = "Formulir tidak lengkap, tidak valid atau kedaluwarsa; coba lagi.", 400
        else:
            try:
                if form is add:
                    # the admin chose the password: the person replaces it at the first sign-in
                    a = accounts.create(add.username.data, add.display_name.data, add.role.data, add.password.data,
                                        add.unit_id.data or None, temporary=True)
                    audit.record(v.actor, "account.create", a.username, {"role": a.role, "unit_id": a.unit_id})
                    message = f"Akun {a.username} dibuat."
                else:
                    message = _apply(v, change)
            except accounts.AccountError as exc:
                error, status = str(exc), 422
    rows = accounts.listing()
    return render_template("accounts.html", viewer=v, nav=nav(v), logout_form=LogoutForm(), add=add, change=change,
                           rows=rows, labels=accounts.ROLE_LABELS, role_choices=ROLE_CHOICES, unit_choices=units,
                           message=message, error=error,
                           min_length=accounts.MIN_LENGTH), status


ACTION_LABELS = {"signin.ok": "Masuk", "signin.failed": "Gagal masuk", "signin.locked": "Dikunci (gagal masuk)",
                 "signin.key": "Masuk dengan kunci API", "signout": "Keluar",
                 "account.create": "Akun dibuat", "account.disable": "Akun dinonaktifkan",
                 "account.enable": "Akun diaktifkan", "account.reset_password": "Kata sandi diatur ulang",
                 "account.set_role": "Peran diubah", "account.password_change": "Kata sandi diganti",
                 # operators' commands (pantau_platform/cli.py)
                 "privacy.erase": "Data pribadi dihapus", "data_key.rotate": "Kunci enkripsi data diganti",
                 "key.issue": "Kunci API diterbitkan", "key.revoke": "Kunci API dicabut", "key.rotate": "Kunci API diganti",
                 "dlq.replay": "Rekaman DLQ dikirim ulang", "units.import": "Daftar unit diimpor",
                 "backup": "Cadangan dibuat", "restore": "Cadangan dipulihkan",
                 # bureau writes through the API (audit.note in the services)
                 "fkp.forum_record": "Forum FKP dicatat", "fkp.promise_review": "Janji FKP ditinjau",
                 "pekppp.scores": "Nilai PEKPPP diisi",
                 # writes named by their route (no audit.note): service.blueprint.view
                 "consultation.fkp_promises.progress": "Kemajuan janji FKP dilaporkan",
                 "survey.skm.post_responses": "Respons SKM dikirim",
                 "survey.skm_summaries.submit": "Laporan hasil SKM dikirim",
                 **{f"complaint.{k}": f"Pengaduan: {v.lower()}" for k, v in COMPLAINT_ACTIONS.items()}}


AUDIT_PAGE_SIZE = 50  # entries per page of /admin/audit (cards on a phone: a page stays scrollable)
AUDIT_MAX_PAGE = 10_000


@blp.route("/admin/audit", methods=["GET"])
@page_access(bureau_only=True)
def audit_page():
    v = g.viewer
    if v.account_role not in ("auditor", "bureau_admin"):
        from .render import error_page
        return error_page(403, "Log audit hanya untuk auditor dan admin Biro Organisasi.")
    account = (request.args.get("akun") or "").strip()[:64] or None
    action = (request.args.get("tindakan") or "").strip()[:64] or None
    raw_page = request.args.get("halaman") or "1"
    if not raw_page.isascii() or not raw_page.isdigit() or not 1 <= int(raw_page) <= AUDIT_MAX_PAGE:
        from .render import error_page
        return error_page(400, f"Halaman harus bilangan bulat 1–{AUDIT_MAX_PAGE}.")
    page = int(raw_page)
    rows = audit.entries(action, None, account, AUDIT_PAGE_SIZE + 1, skip=(page - 1) * AUDIT_PAGE_SIZE)
    more, rows = len(rows) > AUDIT_PAGE_SIZE, rows[:AUDIT_PAGE_SIZE]
    first = (page - 1) * AUDIT_PAGE_SIZE + 1
    return render_template("audit.html", viewer=v, nav=nav(v), logout_form=LogoutForm(), rows=rows,
                           account=account or "", action=action or "", labels=ACTION_LABELS,
                           page=page, more=more, first=first, last=first + len(rows) - 1)
