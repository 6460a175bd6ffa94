"""Bytes to text: refuse what is not text, and read the encodings that pages really use."""

import codecs
import re

from versioner.errors import SnapshotError

# Signatures of formats that are never an article, checked before any decoding attempt.
BINARY_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF file",
    b"PK\x03\x04": "a ZIP archive",
    b"\x1f\x8b": "gzip-compressed data",
    b"RIFF": "a RIFF media file",
    b"\x7fELF": "an executable",
    b"BZh": "bzip2-compressed data",
    b"\x28\xb5\x2f\xfd": "zstd-compressed data",
}
META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_:.-]+)""", re.IGNORECASE)
MAX_CONTROL_SHARE = 0.01
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
# One well-formed UTF-8 sequence of two to four bytes (no overlongs, no surrogates).
UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
STRAY_BYTES_AS_CP1252 = "versioner-stray-cp1252"


def decode(raw: bytes, declared: str | None = None) -> str:
    """Decode a snapshot; raise SnapshotError for empty, binary or undecodable content.

    Order: a byte-order mark, then strict UTF-8 (by far the most common), then UTF-8 with a few stray
    Windows-1252 bytes, then the charset the page or the server declares, then charset-normalizer's guess
    for pages that lie about it.
    """
    if not raw:
        raise SnapshotError("the file is empty")
    for magic, what in BINARY_MAGIC.items():
        if raw.startswith(magic):
            raise SnapshotError(f"this is {what}, not an article")
    text = (
        _decode_with_bom(raw)
        or _try(raw, "utf-8")
        or _mixed_utf8(raw)
        or _try(raw, declared)
        or _try(raw, _meta_charset(raw))
    )
    if text is None:
        text = _guess(raw)
    if _control_share(text) > MAX_CONTROL_SHARE:
        raise SnapshotError("the content is binary (control characters or NUL bytes), not text")
    if not text.strip():
        raise SnapshotError("the content is only whitespace")
    if CONTROL_CHARACTERS.search(text):  # a few stray ones (a NUL in a pasted text) are not content
        text = CONTROL_CHARACTERS.sub("", text)
    return text


def _decode_with_bom(raw: bytes) -> str | None:
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if raw.startswith(bom):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                raise SnapshotError(
                    f"the file starts with a {encoding} byte-order mark but is not {encoding}"
                ) from None
    return None


def _mixed_utf8(raw: bytes) -> str | None:
    """UTF-8 with stray Windows-1252 bytes (a page pasted together from two sources), read as both.

    Only when valid UTF-8 sequences are at least as many as the stray bytes: a page in a single-byte
    charset has next to none, and goes on to its declared charset or the guess.
    """
    sequences = UTF8_SEQUENCE.findall(raw)
    if not sequences:
        return None
    stray = sum(byte >= 0x80 for byte in raw) - sum(len(sequence) for sequence in sequences)
    if stray > len(sequences):
        return None
    return raw.decode("utf-8", errors=STRAY_BYTES_AS_CP1252)


def _stray_bytes_as_cp1252(err: UnicodeDecodeError) -> tuple[str, int]:
    stray = err.object[err.start : err.end]
    return "".join(_cp1252(byte) for byte in stray), err.end


def _cp1252(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:  # the five bytes cp1252 leaves undefined: read as Latin-1 (C1 controls)
        return chr(byte)


def _try(raw: bytes, encoding: str | None) -> str | None:
    if not encoding:
        return None
    try:
        return raw.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _meta_charset(raw: bytes) -> str | None:
    found = META_CHARSET.search(raw[:4096])
    return found.group(1).decode("ascii") if found else None


def _guess(raw: bytes) -> str:
    from charset_normalizer import from_bytes  # imported here: only the rare non-UTF-8 page pays for it

    best = from_bytes(raw).best()
    if best is None:
        raise SnapshotError("the content is not text in any encoding that could be detected")
    return str(best)


def _control_share(text: str) -> float:
    sample = text[:100_000]
    return len(CONTROL_CHARACTERS.findall(sample)) / max(len(sample), 1)


codecs.register_error(STRAY_BYTES_AS_CP1252, _stray_bytes_as_cp1252)
