"""Radius search over many binary hashes of one kind: who is within r bits of this hash?

Small sets are scanned (XOR and popcount over 64-bit words, one vectorised pass). Large
sets use multi-index hashing (Norouzi et al.): each hash is cut into 16-bit pieces; two
hashes within r bits must agree to within r // pieces bits on at least one piece
(pigeonhole), so only the rows whose piece lies in that small neighbourhood are looked
up, in tables grouping rows by piece value, and then checked exactly. Both paths give the same answer.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import combinations

import numpy as np

PIECE_BITS = 16
SCAN_BELOW = 50_000  # rows: below this a plain scan is as fast as the tables
MAX_PROBES_PER_PIECE = 700  # neighbourhoods larger than this (radius 4+ per piece): scan instead


@lru_cache(maxsize=None)
def _flip_masks(radius: int) -> np.ndarray:
    """Every 16-bit mask with at most `radius` bits set."""
    masks = [0]
    for k in range(1, radius + 1):
        masks += [sum(1 << bit for bit in bits) for bits in combinations(range(PIECE_BITS), k)]
    return np.array(masks, dtype=np.uint16)


def popcount_rows(packed_xor: np.ndarray) -> np.ndarray:
    """Bits set per row of an (n, bytes) uint8 array whose width is a multiple of 8."""
    return np.bitwise_count(packed_xor.view(np.uint64)).sum(axis=1, dtype=np.int64)


class BinaryIndex:
    """Packed hashes (an (n, bits/8) uint8 array) searched by Hamming radius."""

    def __init__(self, packed: np.ndarray):
        if packed.ndim != 2 or packed.shape[1] % 8:
            raise ValueError("hashes must be packed rows of a multiple of 64 bits")
        self.packed = np.ascontiguousarray(packed, dtype=np.uint8)
        self.pieces = self.packed.shape[1] * 8 // PIECE_BITS
        self._tables = None

    def __len__(self) -> int:
        return len(self.packed)

    def _piece_tables(self):
        """Per piece: row numbers grouped by that piece's value, and where each value's group
        starts (65,537 offsets), so a lookup is two array reads, no search."""
        if self._tables is None:
            values = self.packed.view(">u2")  # big-endian 16-bit pieces, as the bits are written
            tables = []
            for piece in range(self.pieces):
                column = values[:, piece]
                order = np.argsort(column).astype(np.uint32)
                starts = np.zeros((1 << PIECE_BITS) + 1, dtype=np.int64)
                np.cumsum(np.bincount(column, minlength=1 << PIECE_BITS), out=starts[1:])
                tables.append((order, starts))
            self._tables = tables
        return self._tables

    def search(self, probe: np.ndarray, radius: int, force_scan: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """(row numbers, distances) of every row within `radius` bits of `probe`, in row order."""
        probe = np.ascontiguousarray(probe, dtype=np.uint8)
        sub_radius = radius // self.pieces
        if (force_scan or len(self.packed) < SCAN_BELOW
                or len(_flip_masks(sub_radius)) > MAX_PROBES_PER_PIECE):
            distances = popcount_rows(self.packed ^ probe)
            rows = np.nonzero(distances <= radius)[0]
            return rows, distances[rows]
        masks = _flip_masks(sub_radius)
        probe_pieces = probe.view(">u2")
        found = []
        for piece, (order, starts) in enumerate(self._piece_tables()):
            wanted = (probe_pieces[piece] ^ masks).astype(np.int64)  # +1 below must not wrap at 0xFFFF
            for start, end in zip(starts[wanted].tolist(), starts[wanted + 1].tolist()):
                if end > start:
                    found.append(order[start:end])
        if not found:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        rows = np.unique(np.concatenate(found)).astype(np.int64)
        distances = popcount_rows(self.packed[rows] ^ probe)
        keep = distances <= radius
        return rows[keep], distances[keep]
