"""Password rules of staff accounts (pantau/accounts.py): length, not the username, not common."""
from __future__ import annotations

from pantau.accounts import MIN_LENGTH, common_passwords, password_problems


def test_a_long_uncommon_password_without_the_username_is_accepted():
    assert password_problems("siti.rahma", "Mahakam-bersih-2026!") == []


def test_too_short_is_refused_with_the_minimum_named():
    assert password_problems("siti", "x" * (MIN_LENGTH - 1)) == [f"Kata sandi minimal {MIN_LENGTH} karakter."]
    assert password_problems("siti", "x7" * (MIN_LENGTH // 2)) == []


def test_the_username_inside_the_password_is_refused_whatever_the_case():
    assert password_problems("siti.rahma", "SITI.RAHMA-2026-ok") == ["Kata sandi tidak boleh memuat nama pengguna."]


def test_common_passwords_shipped_with_the_project_are_refused():
    common = common_passwords()
    assert {"password1234", "indonesia123", "samarinda123"} <= common and len(common) > 40
    assert password_problems("siti", "Indonesia123") == [
        "Kata sandi ini termasuk kata sandi yang umum dipakai; pilih yang lain."]


def test_nul_and_overlong_passwords_are_refused():
    assert "Kata sandi memuat karakter yang tidak diizinkan." in password_problems("siti", "abcdefghijk\x00lm")
    assert "Kata sandi maksimal 256 karakter." in password_problems("siti", "y" * 300)
