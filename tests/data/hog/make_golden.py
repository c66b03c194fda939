#!/usr/bin/python3
"""Golden HOG values for tests/unit/test_hog.cpp, computed with scikit-image.

Run with Debian's Python, which has python3-skimage (the `python3` on PATH may lack it):

    /usr/bin/python3 tests/data/hog/make_golden.py [--mnist data/mnist] > tests/data/hog/golden.txt

Debian 12 ships scikit-image 0.19.3, the lab used 0.23. For a grayscale image the two compute the
same numbers: 0.20-0.23 only removed the deprecated `multichannel` argument and added a
ValueError for images smaller than one block (0.19 returns an empty array there; the fixtures
have none). To make sure, every value below is also recomputed from the six-step definition in
issue 3 (`hog_by_definition`) and the script refuses to write anything if the two disagree by
more than 1e-6.

The images are float32 in [0, 1], as the lab feeds them (uint8 / 255), so scikit-image takes its
float32 path: gradients in float32, magnitudes and angles in float64, outputs in float32.

Output format (whitespace-separated text, one record per two lines; see test_hog.cpp):
    image <name> <rows> <cols>
    <rows*cols pixel values, row-major>
    hog <image> <orientations> <pixels_per_cell> <cells_per_block> <block_norm> <count>
    <count values: skimage.feature.hog(..., feature_vector=True)>
    visualization <image> <orientations> <pixels_per_cell> <count>
    <count values: the hog_image of visualize=True, row-major>
"""
import argparse
import gzip
import os
import sys

import numpy as np
import skimage
from skimage.feature import hog

LAB_CONFIGS = [(8, 4, 1, "L2-Hys"), (16, 4, 1, "L2-Hys"), (8, 7, 1, "L2-Hys")]
# Every block norm with overlapping blocks; cells that leave pixels over (28 = 5*5 + 3); a
# non-square image; blocks of 3x3 cells.
NORM_CONFIGS = [(9, 4, 2, "L1"), (9, 4, 2, "L1-sqrt"), (9, 4, 2, "L2"), (9, 4, 2, "L2-Hys"), (6, 5, 3, "L2-Hys"),
                (5, 6, 2, "L2-Hys")]
VISUALIZATION_CONFIGS = [(8, 4), (9, 8), (16, 7)]


def read_idx_images(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic, count, rows, cols = np.frombuffer(data[:16], dtype=">u4")
    assert magic == 2051, f"{path}: not an IDX image file (magic {magic})"
    return np.frombuffer(data[16:], dtype=np.uint8).reshape(count, rows, cols)


def mnist_file(folder, name):
    for candidate in (os.path.join(folder, name), os.path.join(folder, name + ".gz")):
        if os.path.exists(candidate):
            return candidate
    sys.exit(f"make_golden.py: {folder} has no {name}; run third_party/install.sh or pass --mnist")


def fixture_images(mnist_dir):
    test = read_idx_images(mnist_file(mnist_dir, "t10k-images-idx3-ubyte"))
    train = read_idx_images(mnist_file(mnist_dir, "train-images-idx3-ubyte"))
    scale = lambda digit: digit.astype(np.float32) / np.float32(255)  # as the lab: x.astype('float32') / 255
    r, c = np.mgrid[0:28, 0:28].astype(np.float32)
    rng = np.random.default_rng(20240603)
    images = {
        "mnist_test_0": scale(test[0]),  # a 7
        "mnist_test_1": scale(test[1]),  # a 2
        "mnist_test_2": scale(test[2]),  # a 1
        "mnist_train_0": scale(train[0]),  # a 5
        "ramp_horizontal": c / np.float32(27),  # every gradient at 0 degrees
        "ramp_vertical": r / np.float32(27),  # every gradient at 90 degrees: a bin edge for n = 8, 16
        "diagonal": (r + c) / np.float32(54),  # 45 degrees: a bin edge for n = 8, 16
        "anti_diagonal": (r - c + 27) / np.float32(54),  # 135 degrees
        "constant": np.full((28, 28), 0.5, dtype=np.float32),  # no gradient: every feature 0
        "random": rng.random((28, 28), dtype=np.float32),
        "random_20x30": rng.random((20, 30), dtype=np.float32),
    }
    return images


def hog_by_definition(image, n, p, b, norm):
    """Issue 3's six steps, written independently of scikit-image's code."""
    image = image.astype(np.float32)
    g_row = np.zeros_like(image)
    g_col = np.zeros_like(image)
    g_row[1:-1, :] = image[2:, :] - image[:-2, :]  # 1. central differences, 0 on the border
    g_col[:, 1:-1] = image[:, 2:] - image[:, :-2]
    g_row, g_col = g_row.astype(np.float64), g_col.astype(np.float64)
    magnitude = np.hypot(g_col, g_row)  # 2.
    orientation = np.rad2deg(np.arctan2(g_row, g_col)) % 180
    cells_down, cells_across = image.shape[0] // p, image.shape[1] // p  # 4. pixels beyond are ignored
    hist = np.zeros((cells_down, cells_across, n))
    for i in range(n):
        in_bin = (orientation >= 180 / n * i) & (orientation < 180 / n * (i + 1))  # 3. hard binning
        for cr in range(cells_down):
            for cc in range(cells_across):
                cell = (slice(cr * p, (cr + 1) * p), slice(cc * p, (cc + 1) * p))
                hist[cr, cc, i] = magnitude[cell][in_bin[cell]].sum() / (p * p)
    eps = 1e-5
    blocks = []
    for br in range(cells_down - b + 1):  # 6. row-major over [block row][block col][cell][orientation]
        for bc in range(cells_across - b + 1):
            v = hist[br:br + b, bc:bc + b, :].ravel()  # 5.
            if norm == "L1":
                out = v / (np.abs(v).sum() + eps)
            elif norm == "L1-sqrt":
                out = np.sqrt(v / (np.abs(v).sum() + eps))
            elif norm == "L2":
                out = v / np.sqrt((v ** 2).sum() + eps ** 2)
            else:
                out = np.minimum(v / np.sqrt((v ** 2).sum() + eps ** 2), 0.2)
                out = out / np.sqrt((out ** 2).sum() + eps ** 2)
            blocks.append(out)
    return np.concatenate(blocks)


def values(array):
    return " ".join(f"{v:.9g}" for v in np.asarray(array, dtype=np.float32).ravel())


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist", default=os.path.join(here, "..", "..", "..", "data", "mnist"))
    args = parser.parse_args()

    images = fixture_images(args.mnist)
    out = [f"# HOG golden values: scikit-image {skimage.__version__}, numpy {np.__version__}; "
           "made by tests/data/hog/make_golden.py (see its docstring)"]
    worst = 0.0
    for name, image in images.items():
        out.append(f"image {name} {image.shape[0]} {image.shape[1]}")
        out.append(values(image))
        configs = LAB_CONFIGS + (NORM_CONFIGS if name in ("mnist_test_0", "random", "diagonal", "random_20x30") else [])
        for n, p, b, norm in configs:
            got = hog(image, orientations=n, pixels_per_cell=(p, p), cells_per_block=(b, b), block_norm=norm)
            assert got.dtype == np.float32, got.dtype
            expected = hog_by_definition(image, n, p, b, norm)
            assert got.shape == expected.shape, (name, n, p, b, norm, got.shape, expected.shape)
            difference = float(np.max(np.abs(got - expected))) if got.size else 0.0
            worst = max(worst, difference)
            if difference > 1e-6:
                sys.exit(f"make_golden.py: skimage {skimage.__version__} and the definition differ by {difference} "
                         f"on {name} with {(n, p, b, norm)}; nothing written")
            out.append(f"hog {name} {n} {p} {b} {norm} {got.size}")
            out.append(values(got))
        if name.startswith("mnist_test") or name in ("random", "diagonal"):
            for n, p in VISUALIZATION_CONFIGS:
                _, picture = hog(image, orientations=n, pixels_per_cell=(p, p), cells_per_block=(1, 1),
                                 visualize=True)
                out.append(f"visualization {name} {n} {p} {picture.size}")
                out.append(values(picture))
    sys.stdout.write("\n".join(out) + "\n")
    print(f"make_golden.py: {len(images)} images; skimage and the six-step definition agree to {worst:.3g}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
