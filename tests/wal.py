"""Reading a SQLite write-ahead log from outside: did a killed process leave a transaction open?

Format (sqlite.org/fileformat.html, "The WAL file"): a 32-byte header (magic, version, page
size, checkpoint sequence, salt-1, salt-2, checksums), then frames of a 24-byte header (page
number, database size in pages for a commit frame and 0 otherwise, salt-1, salt-2,
checksums) and one page. Frames whose salts differ from the header's are left over from an
earlier generation of the log and do not count.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

WAL_HEADER = 32
FRAME_HEADER = 24


@dataclass(frozen=True)
class WalTail:
    frames: int  # frames of the current generation
    committed: int  # of which up to and including the last commit frame
    uncommitted: int  # written after the last commit: a transaction that never finished


def wal_tail(db: Path) -> WalTail:
    path = Path(f"{db}-wal")
    if not path.exists() or path.stat().st_size < WAL_HEADER:
        return WalTail(0, 0, 0)
    data = path.read_bytes()
    page_size = struct.unpack(">I", data[8:12])[0]
    salts = data[16:24]
    frames = committed = 0
    offset = WAL_HEADER
    while offset + FRAME_HEADER + page_size <= len(data):
        header = data[offset:offset + FRAME_HEADER]
        if header[8:16] != salts:
            break
        frames += 1
        if struct.unpack(">I", header[4:8])[0]:
            committed = frames
        offset += FRAME_HEADER + page_size
    return WalTail(frames, committed, frames - committed)
