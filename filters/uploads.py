r"""Reading uploaded files safely: what a file looks like, its size, its text, a zip's members.

Every failure of the decoders underneath (``zipfile.BadZipFile``, ``zlib.error``, ``EOFError``,
``OSError``, ``UnicodeDecodeError``, an encrypted or unsupported zip member) becomes a
``ValueError`` saying what was given and what is allowed, so a page shows a message instead of
a traceback. Zip archives are checked before anything is unpacked: the member count (read from
the end record, before Python parses the directory), the total unpacked size, each member's
size and compression ratio (zip bombs), and paths leading out of the archive. The limits come
from :mod:`filters.limits`.

Example:
    >>> describe_bytes(b"\x89PNG\r\n\x1a\n...")
    'a PNG image'
    >>> upload_bytes(b"", "The kernel file", "a .json or .txt file")
    Traceback (most recent call last):
    ...
    ValueError: The kernel file is empty (0 bytes); expected a .json or .txt file.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import PurePosixPath
from typing import Any

from .limits import (
    MAX_UPLOAD_BYTES,
    MAX_ZIP_MEMBERS,
    MAX_ZIP_RATIO,
    MAX_ZIP_UNCOMPRESSED_BYTES,
)

__all__ = ["describe_bytes", "open_zip", "read_member", "text_of", "upload_bytes"]

_KINDS: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"BM", "a BMP image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\x93NUMPY", "a NumPy .npy file"),
    (b"PK\x03\x04", "a zip archive"),
    (b"PK\x05\x06", "an empty zip archive"),
)
_EOCD, _EOCD64_LOCATOR, _EOCD64 = b"PK\x05\x06", b"PK\x06\x07", b"PK\x06\x06"


def describe_bytes(data: bytes) -> str:
    r"""What the first bytes of a file look like, for messages (``"a PNG image"``, ``"text"``).

    Example:
        >>> describe_bytes(b"[1, 2]"), describe_bytes(b"\x93NUMPY\x01\x00")
        ('text', 'a NumPy .npy file')
    """
    from .image_io.decode import _looks_like

    head = bytes(data[:512])
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "a WebP image"
    for signature, name in _KINDS:
        if head.startswith(signature):
            return name
    return _looks_like(head)


def upload_bytes(data: Any, what: str, expected: str, *,
                 max_bytes: int = MAX_UPLOAD_BYTES) -> bytes:
    """``data`` as ``bytes`` if it is a non-empty file of at most ``max_bytes``.

    Args:
        data: the file's bytes (``bytes``, ``bytearray`` or ``memoryview``).
        what: the file as messages name it (``"The data set zip"``).
        expected: what is allowed, for messages (``"a .zip archive of class folders"``).
        max_bytes: the largest size accepted.

    Raises:
        TypeError: ``data`` is not bytes.
        ValueError: empty, or larger than ``max_bytes``.

    Example:
        >>> upload_bytes(bytearray(b"PK"), "The zip", "a .zip archive")
        b'PK'
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"{what} must be given as bytes; got {type(data).__name__}.")
    data = bytes(data)
    if not data:
        raise ValueError(f"{what} is empty (0 bytes); expected {expected}.")
    if len(data) > max_bytes:
        raise ValueError(f"{what} is {len(data) / 2**20:.1f} MB; the limit is "
                         f"{max_bytes / 2**20:.1f} MB.")
    return data


def text_of(data: bytes, what: str, expected: str) -> str:
    r"""The UTF-8 text of ``data`` (a leading byte-order mark dropped); binary data is refused.

    Raises:
        ValueError: a NUL byte or bytes that are not UTF-8, naming what the file looks like.

    Example:
        >>> text_of(b"\xef\xbb\xbf1 2", "The kernel file", "text")
        '1 2'
        >>> text_of(b"\x89PNG\r\n\x1a\n", "k.json", "a .json file")
        Traceback (most recent call last):
        ...
        ValueError: k.json is not text (it looks like a PNG image); expected a .json file.
    """
    try:
        if b"\x00" in data:
            raise UnicodeDecodeError("utf-8", data, 0, 1, "NUL byte")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{what} is not text (it looks like {describe_bytes(data)}); "
                         f"expected {expected}.") from None


def _member_count(data: bytes) -> int | None:
    """The member count written in the zip's end record (``None`` if there is none)."""
    at = data.rfind(_EOCD, max(0, len(data) - 22 - 65535))
    if at < 0 or len(data) < at + 22:
        return None
    count = int(struct.unpack("<H", data[at + 10 : at + 12])[0])
    locator = at - 20
    if count == 0xFFFF and locator >= 0 and data[locator : locator + 4] == _EOCD64_LOCATOR:
        offset = int(struct.unpack("<Q", data[locator + 8 : locator + 16])[0])
        if data[offset : offset + 4] == _EOCD64 and len(data) >= offset + 40:
            count = int(struct.unpack("<Q", data[offset + 32 : offset + 40])[0])
    return count


def open_zip(
    data: Any, what: str, expected: str, *, max_members: int = MAX_ZIP_MEMBERS,
    max_total: int = MAX_ZIP_UNCOMPRESSED_BYTES, max_member: int = MAX_UPLOAD_BYTES,
) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    r"""Open an uploaded zip and list its files after every check; nothing is unpacked yet.

    Args:
        data: the zip's bytes.
        what: the file as messages name it (``"The data set zip"``).
        expected: what is allowed, for messages (``"a .zip archive"``).
        max_members: most files.
        max_total: most bytes all files together unpack to.
        max_member: most bytes one file unpacks to.

    Returns:
        The open archive and its files (folders left out), to read with :func:`read_member`.

    Raises:
        ValueError: empty, too large, not a zip (naming what it looks like), too many files,
            too many bytes unpacked, a member compressed over ``MAX_ZIP_RATIO``× (a zip bomb),
            an absolute or ``..`` path, or an encrypted member.

    Example:
        >>> open_zip(b"\x89PNG\r\n\x1a\n", "data.zip", "a .zip archive")
        Traceback (most recent call last):
        ...
        ValueError: data.zip is not a zip archive (it looks like a PNG image); expected a .zip...
    """
    data = upload_bytes(data, what, expected)
    count = _member_count(data)
    if count is not None and count > max_members:
        raise ValueError(f"{what} lists {count} files; at most {max_members} are read.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError,
            struct.error, UnicodeDecodeError) as error:
        looks = describe_bytes(data)
        detail = f"a damaged or truncated zip archive ({error})" if looks.endswith(
            "zip archive") else f"it looks like {looks}"
        raise ValueError(f"{what} is not a zip archive ({detail}); expected {expected}.") from None
    infos = [i for i in archive.infolist() if not i.is_dir()]
    if len(infos) > max_members:
        raise ValueError(f"{what} holds {len(infos)} files; at most {max_members} are read.")
    total = sum(i.file_size for i in infos)
    if total > max_total:
        raise ValueError(f"{what} would unpack to {total / 2**20:.0f} MB; the limit is "
                         f"{max_total / 2**20:.0f} MB (a zip bomb?).")
    for info in infos:
        name = info.filename
        if name.startswith(("/", "\\")) or ".." in PurePosixPath(name).parts or ":" in name:
            raise ValueError(f"The zip entry {name!r} points outside the archive; refused.")
        if info.file_size > max_member:
            raise ValueError(f"The zip entry {name!r} would unpack to "
                             f"{info.file_size / 2**20:.0f} MB; the limit is "
                             f"{max_member / 2**20:.0f} MB per file.")
        if info.file_size > MAX_ZIP_RATIO * max(1, info.compress_size):
            ratio = info.file_size // max(1, info.compress_size)
            raise ValueError(f"The zip entry {name!r} is compressed {ratio}× — a zip bomb "
                             f"(the limit is {MAX_ZIP_RATIO}×); refused.")
        if info.flag_bits & 0x1:
            raise ValueError(f"The zip entry {name!r} is encrypted; use a zip without a "
                             "password.")
    return archive, infos


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, what: str) -> bytes:
    """The unpacked bytes of one member listed by :func:`open_zip` (CRC checked).

    Raises:
        ValueError: the member is damaged (bad CRC, a broken deflate stream, cut short) or
            packed with a method Python cannot unpack; nothing of it is returned.

    Example:
        >>> import io, zipfile
        >>> buffer = io.BytesIO()
        >>> with zipfile.ZipFile(buffer, "w") as z:
        ...     z.writestr("a/1.txt", "hi")
        >>> archive, infos = open_zip(buffer.getvalue(), "The zip", "a .zip archive")
        >>> read_member(archive, infos[0], "The zip")
        b'hi'
    """
    try:
        return archive.read(info)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError,
            RuntimeError, ValueError) as error:
        raise ValueError(f"{what} is damaged: its file {info.filename!r} cannot be unpacked "
                         f"({error}). Make the zip again.") from None
