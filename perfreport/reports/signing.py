"""The organization's signature on issued reports: PAdES on the PDF, CMS on the manifest.

The certificate and key live outside the database, in a PKCS#12 file named by
`settings.SIGNING_PKCS12` with its passphrase in `settings.SIGNING_PKCS12_PASSPHRASE` (both from
the environment). `make_demo_signing_key` writes a self-signed one for development.

Verifying trusts the configured certificate only: a file signed with any other key (for
instance by someone who changed a file, its hash in the database and re-signed it with a key of
their own) does not verify. Reading and verifying never sign anything.
"""

import asyncio
import hashlib
from dataclasses import dataclass
from functools import cache
from io import BytesIO
from pathlib import Path

from asn1crypto import cms, x509
from django.conf import settings
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.generic_cms import async_validate_detached_cms
from pyhanko.sign.validation.status import SignatureCoverageLevel, SignatureStatus
from pyhanko_certvalidator import ValidationContext

from strategies.errors import DomainError

SIGNATURE_FIELD = "perfreport-signature"
SIGNATURE_BYTES = 16384


class SigningKeyError(DomainError):
    """The signing certificate cannot be used: the message says what to fix."""


def _paths() -> tuple[Path, bytes]:
    path = getattr(settings, "SIGNING_PKCS12", "")
    if not path:
        raise SigningKeyError("尚未設定簽章憑證：請設定 SIGNING_PKCS12（PKCS#12 檔的路徑）。")
    passphrase = getattr(settings, "SIGNING_PKCS12_PASSPHRASE", "")
    return Path(path), passphrase.encode("utf-8")


@cache
def _load(path: str, mtime: float, passphrase: bytes) -> signers.SimpleSigner:
    try:
        signer = signers.SimpleSigner.load_pkcs12(path, passphrase=passphrase or None)
    except (OSError, ValueError) as exc:
        raise SigningKeyError(f"無法讀取簽章憑證 {path}：{exc}") from None
    if signer is None or signer.signing_cert is None:
        raise SigningKeyError(f"無法讀取簽章憑證 {path}：密碼錯誤或檔案不是 PKCS#12。")
    return signer


def signer() -> signers.SimpleSigner:
    """The organization's signer (certificate and key), loaded once per file version."""
    path, passphrase = _paths()
    try:
        mtime = path.stat().st_mtime
    except OSError:
        raise SigningKeyError(
            f"找不到簽章憑證 {path}：請設定 SIGNING_PKCS12，或執行 manage.py make_demo_signing_key。"
        ) from None
    return _load(str(path), mtime, passphrase)


def certificate() -> x509.Certificate:
    cert = signer().signing_cert
    assert cert is not None
    return cert


def signer_name(cert: x509.Certificate | None = None) -> str:
    """The certificate's common name (or its whole subject): who signs."""
    cert = cert or certificate()
    subject = cert.subject.native
    return subject.get("common_name") or cert.subject.human_friendly


def check_signing_key() -> str:
    """Raise SigningKeyError unless the key can sign; the signer's name otherwise."""
    return signer_name()


# --- PDF ---------------------------------------------------------------------------------------


def sign_pdf(content: bytes, *, reason: str, location: str = "") -> bytes:
    """A PAdES signature in an incremental update, so the PDF/A declaration and every earlier
    byte stay as they were. The producer entry is left to pyHanko in both the information
    dictionary and the XMP, so that the two still agree (PDF/A requires it)."""
    writer = IncrementalPdfFileWriter(BytesIO(content))
    try:
        info = writer.trailer["/Info"]
    except KeyError:
        info = None
    if info is not None:
        kept = generic.DictionaryObject(
            {key: value for key, value in info.get_object().items() if key != "/Producer"}
        )
        writer.set_info(kept)
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location or None,
        name=signer_name(),
    )
    # Room for the signature given up front: pyHanko otherwise signs twice (a dry run to
    # measure it). 16 KB holds the signature with a certificate chain of a few certificates.
    out = signers.sign_pdf(writer, meta, signer=signer(), bytes_reserved=SIGNATURE_BYTES)
    return out.getvalue()


@dataclass(frozen=True)
class Check:
    """One verification: what was checked, whether it holds, and why not."""

    what: str
    ok: bool
    detail: str = ""


def _trusted(status: SignatureStatus, cert: x509.Certificate) -> tuple[bool, str]:
    if not (status.intact and status.valid):
        return False, "簽章與內容不符（檔案在簽章後被更動）"
    if status.signing_cert.sha256 != cert.sha256:
        return False, f"簽章者不是本機關的簽章憑證（{status.signing_cert.subject.human_friendly}）"
    return True, ""


def verify_pdf(content: bytes) -> Check:
    """The PDF's embedded signature is intact, covers the whole file and is the
    organization's."""
    cert = certificate()
    try:
        reader = PdfFileReader(BytesIO(content))
        signatures = reader.embedded_signatures
    except Exception as exc:  # noqa: BLE001 - any unreadable file fails verification
        return Check("PDF 簽章", False, f"無法讀取 PDF：{exc}")
    if not signatures:
        return Check("PDF 簽章", False, "PDF 沒有數位簽章")
    status = validate_pdf_signature(
        signatures[-1], ValidationContext(trust_roots=[cert], allow_fetching=False)
    )
    ok, detail = _trusted(status, cert)
    if ok and status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        ok, detail = False, "簽章沒有涵蓋整個檔案（簽章後有增補）"
    return Check("PDF 簽章", ok, detail or f"{signer_name(cert)}，{status.signer_reported_dt}")


# --- The manifest ------------------------------------------------------------------------------


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def sign_detached(content: bytes) -> bytes:
    """A detached CMS (PKCS#7) signature of `content` (DER)."""
    signed = asyncio.run(signer().async_sign_general_data(content, "sha256", detached=True))
    return signed.dump()


def verify_detached(content: bytes, signature: bytes) -> Check:
    cert = certificate()
    try:
        signed_data = cms.ContentInfo.load(signature)["content"]
        status = asyncio.run(
            async_validate_detached_cms(
                content,
                signed_data,
                signer_validation_context=ValidationContext(
                    trust_roots=[cert], allow_fetching=False
                ),
            )
        )
    except Exception as exc:  # noqa: BLE001 - a malformed signature fails verification
        return Check("清單簽章", False, f"無法讀取簽章：{exc}")
    ok, detail = _trusted(status, cert)
    return Check("清單簽章", ok, detail or signer_name(cert))
