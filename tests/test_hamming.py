"""Radius search: multi-index hashing finds exactly what a full scan finds."""

import numpy as np
import pytest

from mediavet.archive.hamming import BinaryIndex, popcount_rows


def flipped(row, count, rng):
    bits = np.unpackbits(row)
    bits[rng.choice(len(bits), count, replace=False)] ^= 1
    return np.packbits(bits)


@pytest.mark.parametrize("bits,radius", [(256, 31), (256, 20), (64, 10), (256, 64)])
def test_tables_and_scan_agree(bits, radius, monkeypatch):
    monkeypatch.setattr("mediavet.archive.hamming.SCAN_BELOW", 0)  # use the tables even for a small set
    rng = np.random.default_rng(bits + radius)
    packed = rng.integers(0, 256, (5000, bits // 8), dtype=np.uint8)
    index = BinaryIndex(packed)
    for _ in range(40):
        row = int(rng.integers(len(packed)))
        probe = flipped(packed[row], int(rng.integers(0, radius + 6)), rng)
        fast_rows, fast_distances = index.search(probe, radius)
        scan_rows, scan_distances = index.search(probe, radius, force_scan=True)
        assert fast_rows.tolist() == scan_rows.tolist()
        assert fast_distances.tolist() == scan_distances.tolist()
        expected = int(np.unpackbits(packed[row] ^ probe).sum())
        assert (row in fast_rows.tolist()) == (expected <= radius)


def test_popcount_counts_bits():
    rows = np.array([[0] * 8, [255] * 8, [1, 2, 4, 8, 0, 0, 0, 3]], dtype=np.uint8)
    assert popcount_rows(rows).tolist() == [0, 64, 6]


def test_rows_must_be_whole_words():
    with pytest.raises(ValueError):
        BinaryIndex(np.zeros((3, 5), dtype=np.uint8))


def test_extreme_piece_values_are_found(monkeypatch):
    monkeypatch.setattr("mediavet.archive.hamming.SCAN_BELOW", 0)
    packed = np.zeros((4, 32), dtype=np.uint8)
    packed[1] = 0xFF  # every 16-bit piece is 0xFFFF
    packed[2, :2] = 0xFF
    index = BinaryIndex(packed)
    rows, distances = index.search(packed[1], 0)
    assert rows.tolist() == [1] and distances.tolist() == [0]
    rows, _ = index.search(np.zeros(32, dtype=np.uint8), 16)
    assert rows.tolist() == [0, 2, 3]
