"""Sealed files: a backup encrypted with a key from the secrets file, read and written a chunk at a time.

The format (version 1), all integers big-endian:

    header   MAGIC (8) · version (1) · scrypt log2 N (1) · chunk size (4) · salt (16) · nonce prefix (8) ·
             key check (16)                                                            = HEADER_BYTES
    chunks   AES-256-GCM of each `chunk size` bytes of the plain file (the last one shorter, maybe empty),
             each followed by its 16-byte tag

The key is derived from the secret and the salt by scrypt (N = 2**log2 N, r = 8, p = 1), 64 bytes: the first
32 encrypt, the last 32 give the key check, which tells a wrong key from a damaged file before any chunk is
read. Chunks follow the STREAM construction: chunk i's nonce is the random prefix and i (4 bytes), and its
associated data is the header and one byte, 1 for the last chunk and 0 for every other, so a file cut short
at a chunk boundary, chunks swapped, dropped or repeated, or a changed header byte all fail to decrypt.
Memory stays at one chunk whatever the file's size. Pure: no storage, no Streamlit.
"""

from __future__ import annotations

import hmac
import os
import struct
from collections.abc import Iterator
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"CXSEALED"
VERSION = 1
CHUNK_BYTES = 1 << 20
"""Plain bytes per chunk (1 MiB): what is held in memory at once while sealing or opening."""
LOG2_N = 15
"""scrypt's cost, N = 2**15 (32 MiB of memory, a tenth of a second): a guessed secret costs that much each."""
TAG_BYTES = 16
_HEADER = struct.Struct(">8sBBI16s8s16s")
HEADER_BYTES = _HEADER.size
MAX_CHUNK_BYTES = 64 << 20
"""The largest chunk a header may declare: a damaged or hostile header cannot make us read more at once."""
MAX_LOG2_N = 20


class SealError(ValueError):
    """A sealed file that cannot be opened; the message says why in a few words (the caller names the file)."""


class WrongKey(SealError):
    """The file was sealed with another secret."""


class Damaged(SealError):
    """The file is not whole: cut short, changed, or its chunks out of order."""


def is_sealed(head: bytes) -> bool:
    """Whether a file starting with `head` (at least len(MAGIC) bytes) is a sealed file."""
    return head[: len(MAGIC)] == MAGIC


def _derive(secret: str, salt: bytes, log2_n: int) -> tuple[bytes, bytes]:
    """The encryption key and the key check of `secret` for this salt."""
    if not secret:
        raise WrongKey("no key was given")
    derived = Scrypt(salt=salt, length=64, n=2**log2_n, r=8, p=1).derive(secret.encode("utf-8"))
    return derived[:32], derived[32:48]


def _nonce(prefix: bytes, counter: int) -> bytes:
    if counter >= 2**32:
        raise SealError("the file is too large to seal (more than 2**32 chunks)")
    return prefix + struct.pack(">I", counter)


def _read_exactly(source: BinaryIO, size: int) -> bytes:
    """Up to `size` bytes, fewer only at the end of the file (a pipe or a socket may return short reads)."""
    parts, wanted = [], size
    while wanted:
        part = source.read(wanted)
        if not part:
            break
        parts.append(part)
        wanted -= len(part)
    return b"".join(parts)


def _chunks(source: BinaryIO, size: int) -> Iterator[tuple[bytes, bool]]:
    """The file's chunks of `size` bytes, each with whether it is the last; an empty file is one empty chunk."""
    current = _read_exactly(source, size)
    while True:
        following = _read_exactly(source, size) if len(current) == size else b""
        yield current, not following
        if not following:
            return
        current = following


def seal(
    source: BinaryIO,
    target: BinaryIO,
    secret: str,
    chunk_bytes: int = CHUNK_BYTES,
    log2_n: int = LOG2_N,
) -> int:
    """Write `source` (read to its end) to `target` sealed with `secret`; returns the sealed bytes written."""
    if not 1 <= chunk_bytes <= MAX_CHUNK_BYTES:
        raise ValueError(f"A chunk is 1 to {MAX_CHUNK_BYTES} bytes, not {chunk_bytes}.")
    salt, prefix = os.urandom(16), os.urandom(8)
    key, check = _derive(secret, salt, log2_n)
    header = _HEADER.pack(MAGIC, VERSION, log2_n, chunk_bytes, salt, prefix, check)
    target.write(header)
    written = len(header)
    cipher = AESGCM(key)
    for counter, (chunk, last) in enumerate(_chunks(source, chunk_bytes)):
        sealed = cipher.encrypt(_nonce(prefix, counter), chunk, header + (b"\x01" if last else b"\x00"))
        target.write(sealed)
        written += len(sealed)
    return written


def _read_header(source: BinaryIO) -> tuple[bytes, int, int, bytes, bytes, bytes]:
    header = _read_exactly(source, HEADER_BYTES)
    if not is_sealed(header):
        raise SealError("it is not a sealed file")
    if len(header) < HEADER_BYTES:
        raise Damaged("it is cut short (its header is incomplete)")
    _, version, log2_n, chunk_bytes, salt, prefix, check = _HEADER.unpack(header)
    if version != VERSION:
        raise SealError(f"it was sealed by a newer cxchange (format version {version}; this one reads {VERSION})")
    if not (1 <= chunk_bytes <= MAX_CHUNK_BYTES and 10 <= log2_n <= MAX_LOG2_N):
        raise Damaged("its header is damaged")
    return header, log2_n, chunk_bytes, salt, prefix, check


def check_key(source: BinaryIO, secret: str) -> None:
    """Raise WrongKey where the sealed file at `source`'s start was sealed with another secret (reads the header
    only: the chunks may still be damaged)."""
    _, log2_n, _, salt, _, check = _read_header(source)
    if not hmac.compare_digest(_derive(secret, salt, log2_n)[1], check):
        raise WrongKey("it was sealed with another key")


def unseal(source: BinaryIO, target: BinaryIO, secret: str) -> int:
    """Write the plain file sealed in `source` to `target`; returns the plain bytes written.

    Raises WrongKey (another secret), Damaged (cut short, changed, reordered) or SealError (not sealed, a newer
    format). What was written to `target` before a failure is not the file: the caller discards it.
    """
    header, log2_n, chunk_bytes, salt, prefix, check = _read_header(source)
    key, expected = _derive(secret, salt, log2_n)
    if not hmac.compare_digest(expected, check):
        raise WrongKey("it was sealed with another key")
    cipher = AESGCM(key)
    written = 0
    for counter, (chunk, last) in enumerate(_chunks(source, chunk_bytes + TAG_BYTES)):
        if len(chunk) < TAG_BYTES:
            raise Damaged("it is cut short")
        try:
            plain = cipher.decrypt(_nonce(prefix, counter), chunk, header + (b"\x01" if last else b"\x00"))
        except InvalidTag:
            raise Damaged("it is cut short or has been changed") from None
        target.write(plain)
        written += len(plain)
    return written
