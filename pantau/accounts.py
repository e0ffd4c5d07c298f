"""Staff accounts: people sign in to the dashboard as themselves (issue 17).

An account lives in `<prefix>_registry.accounts` (`_id` = the username, lower case): display name,
role, the unit of a `unit_operator`, an argon2id password hash (argon2-cffi; rehashed on sign-in
when the parameters change), active flag, created/updated and last sign-in. Roles:

- `bureau_admin`: every bureau page, and the accounts page;
- `bureau_analyst`: every bureau page, read-only;
- `evaluator`: every bureau page (PEKPPP scores, when they exist);
- `auditor`: every bureau page and the audit log, read-only;
- `unit_operator`: the pages of its one unit.

Sign-in failures are counted per username in `<prefix>_registry.signin_attempts`, whether or not
the account exists: after `LOCK_AFTER` failures within `LOCK_WINDOW` the name is locked for
`LOCK_FOR`, and the answer is the same for a known and an unknown name (an unknown one still costs
a hash verification). Passwords: at least `MIN_LENGTH` characters, not the username (nor
containing it), not one of the common passwords shipped in `pantau/data/common-passwords.txt`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from pymongo import ReturnDocument

from . import mongo

ROLES = ("bureau_admin", "bureau_analyst", "evaluator", "auditor", "unit_operator")
BUREAU_ROLES = frozenset(ROLES) - {"unit_operator"}
ROLE_LABELS = {"bureau_admin": "Admin Biro Organisasi", "bureau_analyst": "Analis Biro Organisasi",
               "evaluator": "Evaluator PEKPPP", "auditor": "Auditor", "unit_operator": "Operator unit"}
MIN_LENGTH = 12
MAX_LENGTH = 256  # argon2 takes any length; a bound keeps a request's cost bounded
LOCK_AFTER = 5
LOCK_WINDOW = timedelta(minutes=15)
LOCK_FOR = timedelta(minutes=15)
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,39}$")
COMMON_PASSWORDS = Path(__file__).with_name("data") / "common-passwords.txt"

_hasher = PasswordHasher()


class AccountError(ValueError):
    """A request about accounts that cannot be done; the message is for the person (Indonesian)."""


@dataclass(frozen=True)
class Account:
    username: str
    display_name: str
    role: str
    unit_id: str | None
    active: bool
    must_change: bool = False  # a temporary password (set for the person): changed at the next sign-in

    @property
    def bureau(self) -> bool:
        return self.role in BUREAU_ROLES

    @classmethod
    def of(cls, doc: dict[str, Any]) -> Account:
        return cls(doc["_id"], doc.get("display_name") or doc["_id"], doc["role"], doc.get("unit_id"),
                   bool(doc.get("active", True)), bool(doc.get("must_change_password", False)))


def accounts():
    return mongo.db("registry")["accounts"]


def attempts():
    return mongo.db("registry")["signin_attempts"]


def normalise(username: str) -> str:
    return (username or "").strip().lower()


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip().lower() for w in lines if w.strip() and not w.startswith("#"))


def password_problems(username: str, password: str) -> list[str]:
    """What is wrong with `password` for `username`, in Indonesian (empty: acceptable)."""
    out = []
    if len(password) < MIN_LENGTH:
        out.append(f"Kata sandi minimal {MIN_LENGTH} karakter.")
    if len(password) > MAX_LENGTH:
        out.append(f"Kata sandi maksimal {MAX_LENGTH} karakter.")
    name = normalise(username)
    if name and name in password.lower():
        out.append("Kata sandi tidak boleh memuat nama pengguna.")
    if password.lower() in common_passwords():
        out.append("Kata sandi ini termasuk kata sandi yang umum dipakai; pilih yang lain.")
    if "\x00" in password:
        out.append("Kata sandi memuat karakter yang tidak diizinkan.")
    return out


def _check_role(role: str, unit_id: str | None) -> None:
    if role not in ROLES:
        raise AccountError(f"Peran tidak dikenal: {role!r}; pilih salah satu dari {', '.join(ROLES)}.")
    if role == "unit_operator":
        from .units import Registry
        unit = Registry.instance().get(unit_id) if unit_id else None
        if unit is None or unit.kind != "upp":
            raise AccountError("Operator unit memerlukan unit pelayanan yang terdaftar.")
    elif unit_id:
        raise AccountError("Hanya operator unit yang terikat pada satu unit.")


def _hash(username: str, password: str) -> str:
    problems = password_problems(username, password)
    if problems:
        raise AccountError(" ".join(problems))
    return _hasher.hash(password)


def create(username: str, display_name: str, role: str, password: str, unit_id: str | None = None,
           temporary: bool = False) -> Account:
    """A new account; `temporary`: the password was chosen for the person, who must change it
    before using the dashboard."""
    name = normalise(username)
    if not USERNAME.match(name):
        raise AccountError("Nama pengguna: 3–40 karakter huruf kecil, angka, titik, garis bawah atau tanda hubung.")
    display = " ".join((display_name or "").split())
    if not display or len(display) > 120 or any(ord(c) < 32 for c in display_name):
        raise AccountError("Nama tampilan wajib diisi (maks. 120 karakter).")
    _check_role(role, unit_id)
    now = datetime.now(timezone.utc)
    doc = {"_id": name, "display_name": display, "role": role, "unit_id": unit_id if role == "unit_operator" else None,
           "password_hash": _hash(name, password), "active": True, "created_at": now, "updated_at": now,
           "last_sign_in": None, "must_change_password": temporary}
    from pymongo.errors import DuplicateKeyError
    try:
        accounts().insert_one(doc)
    except DuplicateKeyError:
        raise AccountError(f"Nama pengguna {name} sudah dipakai.") from None
    return Account.of(doc)


def get(username: str) -> Account | None:
    doc = accounts().find_one({"_id": normalise(username)}, projection={"password_hash": 0})
    return Account.of(doc) if doc else None


def listing() -> list[dict[str, Any]]:
    return list(accounts().find({}, projection={"password_hash": 0}).sort("_id", 1))


def _update(username: str, changes: dict[str, Any]) -> Account:
    name = normalise(username)
    res = accounts().update_one({"_id": name}, {"$set": {**changes, "updated_at": datetime.now(timezone.utc)}})
    account = get(name) if res.matched_count else None
    if account is None:
        raise AccountError(f"Pengguna {name} tidak ada.")
    return account


def set_active(username: str, active: bool) -> Account:
    return _update(username, {"active": active})


def set_role(username: str, role: str, unit_id: str | None = None) -> Account:
    _check_role(role, unit_id)
    return _update(username, {"role": role, "unit_id": unit_id if role == "unit_operator" else None})


def set_password(username: str, password: str, temporary: bool = False) -> Account:
    name = normalise(username)
    account = _update(name, {"password_hash": _hash(name, password), "must_change_password": temporary})
    attempts().delete_one({"_id": name})  # a reset also lifts a lock
    return account


# ---- sign-in ------------------------------------------------------------------------------------

_DUMMY_HASH = _hasher.hash("pantau-dummy-password-for-unknown-users")


@dataclass(frozen=True)
class SignIn:
    outcome: str  # ok | failed | locked
    account: Account | None = None


def _aware(t: datetime) -> datetime:
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def _locked(name: str, now: datetime) -> bool:
    doc = attempts().find_one({"_id": name})
    return bool(doc and doc.get("locked_until") and _aware(doc["locked_until"]) > now)


def _failed(name: str, now: datetime) -> None:
    doc = attempts().find_one_and_update({"_id": name}, {"$push": {"failures": now}}, upsert=True,
                                         return_document=ReturnDocument.AFTER)
    recent = [t for t in doc.get("failures", []) if _aware(t) > now - LOCK_WINDOW]
    changes: dict[str, Any] = {"failures": recent}
    if len(recent) >= LOCK_AFTER:
        changes = {"failures": [], "locked_until": now + LOCK_FOR}
    attempts().update_one({"_id": name}, {"$set": changes})


def authenticate(username: str, password: str, now: datetime | None = None) -> SignIn:
    """Check a username and password. Unknown name, wrong password and disabled account all come
    out as `failed` (and count towards the lock); a locked name is `locked` whatever was typed."""
    now = now or datetime.now(timezone.utc)
    name = normalise(username)[:64]
    if _locked(name, now):
        return SignIn("locked")
    doc = accounts().find_one({"_id": name}) if USERNAME.match(name) else None
    ok = False
    try:
        ok = _hasher.verify(doc["password_hash"] if doc else _DUMMY_HASH, password[:MAX_LENGTH])
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    if not ok or doc is None or not doc.get("active", True):
        _failed(name, now)
        return SignIn("locked" if _locked(name, now) else "failed")
    attempts().delete_one({"_id": name})
    changes: dict[str, Any] = {"last_sign_in": now}
    if _hasher.check_needs_rehash(doc["password_hash"]):
        changes["password_hash"] = _hasher.hash(password)
    accounts().update_one({"_id": name}, {"$set": changes})
    return SignIn("ok", Account.of(doc))


def change_password(username: str, current: str, new: str) -> Account:
    """The person's own change: the current password first (a wrong one counts as a failure)."""
    name = normalise(username)
    doc = accounts().find_one({"_id": name})
    try:
        ok = bool(doc) and _hasher.verify(doc["password_hash"], current[:MAX_LENGTH])
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    if not ok:
        _failed(name, datetime.now(timezone.utc))
        raise AccountError("Kata sandi saat ini salah.")
    if new == current:
        raise AccountError("Kata sandi baru harus berbeda dari yang lama.")
    return set_password(name, new)
