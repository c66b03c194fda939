#!/usr/bin/python3
# Writes the .npz fixtures of tests/unit/test_npz.cpp with NumPy itself, so the reader is checked
# against what NumPy really writes (not only against the hand-built archives of the test).
# Run from this folder: /usr/bin/python3 make_fixtures.py   (NumPy 1.24, Debian 12)
# The PneumoniaMNIST figures in test_npz.cpp come from the same NumPy on third_party/pneumoniamnist:
#   d = np.load(...); d[s + "_images"].astype(np.int64).sum(), d[s + "_labels"].sum(), x[0, 14, 14], x[-1, 0, 27]
import numpy as np

arrays = {
    "u8": np.arange(6, dtype=np.uint8).reshape(2, 3),
    "i32": np.array([-1, 2, -3], dtype=np.int32),
    "i64": np.array([[1 << 40, -5]], dtype=np.int64),
    "f32": (np.arange(6, dtype=np.float32) / 4).reshape(2, 3),
    # value at C index (i, j, k) is 100*i + 10*j + k, stored column-major
    "f64_fortran": np.asfortranarray(
        np.fromfunction(lambda i, j, k: 100 * i + 10 * j + k, (2, 3, 4), dtype=np.float64)),
    "scalar": np.float64(2.5),
    "flags": np.array([True, False, True]),
}
np.savez("numpy_stored.npz", **arrays)
np.savez_compressed("numpy_deflated.npz", **arrays)
# Refused: an object array (pickled) and a big-endian one, each alone in its archive.
np.savez("numpy_object.npz", objects=np.array([1, "a"], dtype=object))
np.savez("numpy_big_endian.npz", big=np.arange(3, dtype=">i4"))
