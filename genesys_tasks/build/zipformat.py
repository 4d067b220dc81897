"""The bytes of a zip of deflated entries, laid out as Python's ``zipfile`` lays them out.

``zipfile`` compresses each entry while it writes it, one after the other on one
thread. Here an entry arrives compressed already (``deflate``: the raw deflate stream
at level 6 that ``zipfile`` makes, so entries can be compressed on several threads at
once, since zlib lets go of the GIL), and ``write_archive`` only lays the entries out:
each local header and its data, then the central directory and its end record, field
for field what ``zipfile`` writes to a seekable file for entries with no extra field
and no comment. The same entries therefore give the same bytes either way (a test
compares the two), and a zip's sha256 does not depend on which of them wrote it.

Archives that need zip64 records (``fits`` is False: more than 65,535 entries, or
sizes near 2 GiB) are not laid out here; ``zipper`` leaves those to ``zipfile``.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from typing import BinaryIO, Iterable

LEVEL = 6
_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")
_DEFLATED = 8
_VERSION = 20  # what reading a deflated entry needs (zipfile's DEFAULT_VERSION)
_UNIX = 3  # made on unix, so readers honour the modes in the external attributes
_UTF8_NAME = 0x800
_SIZE_LIMIT = (1 << 31) - 1  # zipfile's ZIP64_LIMIT
_COUNT_LIMIT = (1 << 16) - 1  # zipfile's ZIP_FILECOUNT_LIMIT


@dataclass(frozen=True)
class Deflated:
    """One entry: its name in the zip, its external attributes (mode << 16), and its bytes compressed."""

    name: str
    external_attr: int
    crc: int
    size: int
    data: bytes


def deflate(name: str, external_attr: int, chunks: Iterable[bytes]) -> Deflated:
    """The bytes ``chunks`` make, as ``zipfile`` compresses them for a deflated entry (raw stream, level 6;
    the stream does not depend on how the bytes are cut into chunks)."""
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    crc, size, parts = 0, 0, []
    for chunk in chunks:
        crc = zlib.crc32(chunk, crc)
        size += len(chunk)
        parts.append(compressor.compress(chunk))
    parts.append(compressor.flush())
    return Deflated(name, external_attr, crc, size, b"".join(parts))


def fits(count: int, total_size: int) -> bool:
    """Whether ``count`` entries of ``total_size`` bytes in all fit a zip without zip64 records. Deflate can
    grow incompressible data a little, so the compressed sizes are allowed for too."""
    return count <= _COUNT_LIMIT and total_size * 1.05 + 64 * count + 4096 < _SIZE_LIMIT


def _dos_date_time(date_time: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time
    return (year - 1980) << 9 | month << 5 | day, hour << 11 | minute << 5 | second // 2


def _encoded(name: str) -> tuple[bytes, int]:
    try:
        return name.encode("ascii"), 0
    except UnicodeEncodeError:
        return name.encode("utf-8"), _UTF8_NAME


def write_archive(out: BinaryIO, entries: Iterable[Deflated], date_time: tuple[int, int, int, int, int, int]) -> None:
    """Write ``entries`` in the order given, each stamped ``date_time``, as a complete zip to ``out``."""
    date, time = _dos_date_time(date_time)
    central, offset = [], 0
    for entry in entries:
        name, flags = _encoded(entry.name)
        header = _LOCAL.pack(b"PK\003\004", _VERSION, 0, flags, _DEFLATED, time, date, entry.crc, len(entry.data),
                             entry.size, len(name), 0)
        central.append(_CENTRAL.pack(b"PK\001\002", _VERSION, _UNIX, _VERSION, 0, flags, _DEFLATED, time, date,
                                     entry.crc, len(entry.data), entry.size, len(name), 0, 0, 0, 0,
                                     entry.external_attr, offset) + name)
        out.write(header + name)
        out.write(entry.data)
        offset += len(header) + len(name) + len(entry.data)
    directory = b"".join(central)
    out.write(directory)
    out.write(_END.pack(b"PK\005\006", 0, 0, len(central), len(central), len(directory), offset, 0))
