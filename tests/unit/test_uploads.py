"""Uploads checked by content (pantau/uploads.py): magic bytes, the PDF check, the multipart
reading and its limits, with a small Flask app (no server, no store)."""
from __future__ import annotations

import io

import pytest
from flask import Flask, jsonify
from pypdf import PdfWriter

from pantau import uploads
from pantau.problems import ProblemError


def one_page_pdf(text: str = "Laporan Hasil SKM") -> bytes:
    """A valid one-page PDF with its cross-reference table written byte-exact."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _encrypted(user_password: str) -> bytes:
    w = PdfWriter()
    w.add_blank_page(595, 842)
    w.encrypt(user_password, "pemilik", algorithm="RC4-128")
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


@pytest.mark.parametrize("head, ctype", [
    (b"%PDF-1.7\n%\xe2\xe3", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
    (b"GIF89a", None),
    (b"PK\x03\x04", None),            # a zip/docx
    (b"<html><body>", None),
    (b"%PD", None),                   # truncated
    (b"", None),
])
def test_sniff_by_magic_bytes(head, ctype):
    assert uploads.sniff(head + b"\x00" * 32 if head else head) == ctype


def test_a_real_pdf_opens_and_counts_its_pages():
    assert uploads.check_pdf(one_page_pdf()) == 1
    assert uploads.check_pdf(_encrypted("")) == 1  # only an owner password: opens without one


@pytest.mark.parametrize("data, words", [
    (b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n", "rusak"),  # no pages
    (b"%PDF-1.4\n" + b"0" * 4096, "rusak"),
    (b"%PDF-1.4\n<html><body>bukan PDF</body></html>", "rusak"),
    (_encrypted("rahasia"), "kata sandi"),
])
def test_what_starts_like_a_pdf_but_is_not_one_is_refused(data, words):
    with pytest.raises(ProblemError) as exc:
        uploads.check_pdf(data)
    assert exc.value.status == 422 and words in exc.value.detail
    assert exc.value.errors[0]["pointer"] == "/file"


@pytest.fixture()
def client():
    app = Flask(__name__)

    @app.errorhandler(ProblemError)
    def _problem(exc):
        return jsonify({"status": exc.status, "detail": exc.detail}), exc.status

    @app.post("/pdf")
    def pdf_only():
        data, ctype, name = uploads.read_upload((uploads.PDF,))
        return jsonify({"size": len(data), "ctype": ctype, "name": name})

    return app.test_client()


def _post(client, data: bytes, name: str = "laporan.pdf", ctype: str = "application/pdf"):
    return client.post("/pdf", data={"file": (io.BytesIO(data), name, ctype)}, content_type="multipart/form-data")


def test_read_upload_takes_the_named_types_by_content(client):
    pdf = one_page_pdf()
    r = _post(client, pdf)
    assert r.status_code == 200 and r.json == {"size": len(pdf), "ctype": "application/pdf", "name": "laporan.pdf"}
    for data in (b"<!DOCTYPE html><html>laporan</html>", b"PK\x03\x04" + b"\x00" * 64,
                 b"\x89PNG\r\n\x1a\n" + b"\x00" * 64):  # HTML and ZIP renamed .pdf, a PNG where only PDF goes
        r = _post(client, data)
        assert r.status_code == 415 and "PDF" in r.json["detail"], r.json
    assert _post(client, b"").status_code == 422
    assert _post(client, b"%PDF-" + b"0" * uploads.MAX_DOCUMENT_BYTES).status_code == 413
    raw = client.post("/pdf", data=pdf, content_type="application/pdf")
    assert raw.status_code == 415 and "multipart" in raw.json["detail"]
