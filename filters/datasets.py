"""Image-classification data sets as ``uint8 N×28×28`` arrays with ``int64`` labels.

- ``digits``: scikit-learn's bundled 8×8 handwritten digits, scaled to 0…255 and resized to a
  20×20 digit centred in 28×28 like MNIST; a fixed stratified split. No network.
- ``mnist`` / ``fashion-mnist``: the official IDX ``.gz`` files, read from ``root`` or downloaded
  into a cache folder, each checked against its published SHA-256.
  :func:`download_dataset` fetches them with a ``progress`` callback; :func:`missing_files` tells
  what is not there yet.
- Folders: the cache root is ``$CONVOLUTION_LAB_CACHE`` (default ``~/.cache/convolution-lab``);
  each data set lives in ``<cache root>/<name>``. A server operator may also set
  ``$CONVLAB_DATA_DIR`` to a folder holding ``mnist/`` and/or ``fashion-mnist/`` with the four
  files: it is used for reading only, never downloaded into. :func:`data_folder` turns what a
  visitor typed into a folder the app may use: only the cache root or a folder inside it
  (no ``..``, no symlink leading out) or the operator's folder; it never creates anything.
- :func:`load_image_folder`: your own ``class_name/*.png|jpg`` folder or ``.zip``.

Example:
    >>> data = load_dataset("digits")
    >>> data.train_x.shape[1:], data.train_x.dtype, len(data.classes)
    ((28, 28), dtype('uint8'), 10)
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import os
import struct
import tempfile
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np

from ._validation import check_choice

__all__ = ["DATASETS", "DATA_DIR_ENV", "Dataset", "cache_dir", "cache_root", "data_folder",
           "download_dataset", "load_dataset", "load_idx", "load_image_folder",
           "missing_files", "operator_dir"]

FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
         "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")

#: name -> (mirrors, SHA-256 of each official file, class names)
DATASETS: dict[str, tuple[tuple[str, ...], dict[str, str], tuple[str, ...]]] = {
    "mnist": (
        ("https://ossci-datasets.s3.amazonaws.com/mnist/",
         "https://storage.googleapis.com/cvdf-datasets/mnist/"),
        {
            "train-images-idx3-ubyte.gz":
                "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
            "train-labels-idx1-ubyte.gz":
                "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
            "t10k-images-idx3-ubyte.gz":
                "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
            "t10k-labels-idx1-ubyte.gz":
                "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
        },
        tuple(str(d) for d in range(10)),
    ),
    "fashion-mnist": (
        ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",),
        {
            "train-images-idx3-ubyte.gz":
                "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
            "train-labels-idx1-ubyte.gz":
                "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
            "t10k-images-idx3-ubyte.gz":
                "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
            "t10k-labels-idx1-ubyte.gz":
                "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
        },
        ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
         "Bag", "Ankle boot"),
    ),
}

@dataclass(frozen=True)
class Dataset:
    """Train and test images (``uint8 N×28×28``) with ``int64`` labels and class names."""

    train_x: np.ndarray
    train_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray
    classes: tuple[str, ...]
    name: str = ""


#: Environment variable naming a read-only folder (set by the server operator) that holds
#: ``<name>/`` folders with the four IDX files; never downloaded into.
DATA_DIR_ENV = "CONVLAB_DATA_DIR"


def cache_root() -> Path:
    """The cache root: ``$CONVOLUTION_LAB_CACHE`` or ``~/.cache/convolution-lab``."""
    base = os.environ.get("CONVOLUTION_LAB_CACHE") or Path.home() / ".cache" / "convolution-lab"
    return Path(base)


def cache_dir(name: str) -> Path:
    """Where downloads go: ``<cache root>/<name>`` (see :func:`cache_root`)."""
    return cache_root() / name


def operator_dir(name: str) -> Path | None:
    """``$CONVLAB_DATA_DIR/<name>`` if that variable is set and the folder holds all four files.

    This folder is for reading only: nothing is ever downloaded into it.
    """
    base = os.environ.get(DATA_DIR_ENV)
    if not base or name not in DATASETS:
        return None
    folder = Path(base) / name
    return folder if all((folder / file).is_file() for file in FILES) else None


def _inside(path: Path, base: Path) -> bool:
    real, real_base = Path(os.path.realpath(path)), Path(os.path.realpath(base))
    return real == real_base or real_base in real.parents


def data_folder(name: str, folder: str | Path = "") -> tuple[Path, bool]:
    """Where ``name`` may be read from and whether downloading into it is allowed.

    Meant for a folder a visitor typed into a public app. ``""`` gives the operator's folder
    (:func:`operator_dir`, read only) if it has the files, else :func:`cache_dir` (writable).
    A relative path is taken inside the cache root; an absolute one must be the cache root, a
    folder inside it, or the operator's folder. ``..`` parts and symlinks leading out of the
    cache root are refused with a ``ValueError``. Nothing is created.

    Example:
        >>> data_folder("mnist", "/etc")
        Traceback (most recent call last):
        ...
        ValueError: The data folder must be inside the app's cache folder; /etc is not.
    """
    name = check_choice(name, tuple(DATASETS), "data set")
    text = str(folder).strip()
    if not text:
        fixed = operator_dir(name)
        return (fixed, False) if fixed else (cache_dir(name), True)
    if "\x00" in text:
        raise ValueError("The data folder name holds a NUL character; refused.")
    path = Path(text)
    if ".." in path.parts:
        raise ValueError(f"The data folder may not contain '..'; {text} was refused.")
    fixed = operator_dir(name)
    if path.is_absolute() and fixed is not None \
            and os.path.realpath(path) == os.path.realpath(fixed):
        return fixed, False
    root = cache_root()
    candidate = path if path.is_absolute() else root / path
    if not _inside(candidate, root):
        raise ValueError(f"The data folder must be inside the app's cache folder; {text} is not.")
    return candidate, True


def missing_files(name: str, root: str | Path | None = None, *, verify: bool = False) -> list[str]:
    """The official files of ``name`` that are not in ``root`` (default: the cache folder).

    With ``verify=True`` a file whose SHA-256 differs from the published one counts as missing.
    """
    name = check_choice(name, tuple(DATASETS), "data set")
    folder = Path(root) if root else cache_dir(name)
    checksums = DATASETS[name][1]
    return [file for file in FILES if not (folder / file).is_file()
            or (verify and _sha256(folder / file) != checksums[file])]


def download_dataset(name: str, root: str | Path | None = None, *,
                     progress: Callable[[str, int, int], None] | None = None) -> Path:
    """Download the files of ``name`` that are missing or damaged in ``root``; return the folder.

    Each file is checked against its published SHA-256 before it replaces anything. ``progress``
    is called as ``progress(file_name, bytes_done, bytes_total)`` (total 0 when unknown).
    Raises ``ValueError`` when every mirror fails (offline, checksum mismatch).
    """
    name = check_choice(name, tuple(DATASETS), "data set")
    folder = Path(root) if root else cache_dir(name)
    urls, checksums, _ = DATASETS[name]
    for file in missing_files(name, folder, verify=True):
        try:
            _download(urls, folder / file, checksums[file], progress)
        except OSError as error:  # the folder cannot be created or written
            raise ValueError(f"Could not save {file} in {folder}: {error}") from None
    return folder


def load_idx(path: str | Path) -> np.ndarray:
    """Read one IDX file (``.gz`` or raw): ``uint8`` images ``N×rows×cols`` or labels ``N``.

    Raises ``ValueError`` for a wrong magic number, a dtype other than unsigned byte, or a byte
    count that does not match the header.

    Example:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "labels.idx"
        >>> _ = p.write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 1]))
        >>> load_idx(p).tolist()
        [7, 2, 1]
    """
    path = Path(path)
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as error:
            raise ValueError(f"{path.name} is a damaged gzip file ({error}).") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ValueError(f"{path.name} is not an IDX file: it must start with two zero bytes.")
    if raw[2] != 0x08:
        raise ValueError(f"{path.name}: IDX data type 0x{raw[2]:02x}; only unsigned bytes "
                         "(0x08) are supported.")
    ndim = raw[3]
    if ndim not in (1, 3):
        raise ValueError(f"{path.name}: {ndim} dimensions; expected 1 (labels) or 3 (images).")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path.name} is truncated inside its header.")
    dims = struct.unpack(f">{ndim}I", raw[4:header])
    expected = int(np.prod(dims))
    if len(raw) - header != expected:
        raise ValueError(f"{path.name}: the header promises {expected} bytes of data "
                         f"({' × '.join(map(str, dims))}) but the file holds {len(raw) - header}.")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims).copy()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _download(urls: tuple[str, ...], target: Path, sha256: str,
              progress: Callable[[str, int, int], None] | None) -> None:
    errors = []
    for base in urls:
        url = base + target.name
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                total = int(response.headers.get("Content-Length") or 0)
                chunks, done = [], 0
                while chunk := response.read(1 << 16):
                    chunks.append(chunk)
                    done += len(chunk)
                    if progress:
                        progress(target.name, done, total)
            data = b"".join(chunks)
        except (OSError, http.client.HTTPException) as error:  # offline, refused, cut short
            errors.append(f"{url}: {error}")
            continue
        if hashlib.sha256(data).hexdigest() != sha256:
            errors.append(f"{url}: checksum mismatch")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as handle:
            handle.write(data)
        os.replace(handle.name, target)  # atomic: never a half-written file
        return
    raise ValueError(f"Could not download {target.name} ({'; '.join(errors)}). Put the four "
                     f"official files in {target.parent} or pass root= to a folder that has them.")


def _idx_dataset(name: str, root: Path, download: bool,
                 progress: Callable[[str, int, int], None] | None) -> Dataset:
    urls, checksums, classes = DATASETS[name]
    arrays = []
    for file in FILES:
        path = root / file
        if not path.exists():
            if not download:
                raise ValueError(f"{path} is missing; put the four {name} files {FILES} in "
                                 f"{root} or allow downloading.")
            _download(urls, path, checksums[file], progress)
        if _sha256(path) != checksums[file]:
            raise ValueError(f"{path} does not match the official {name} file (SHA-256 "
                             "differs); delete it and download again.")
        arrays.append(load_idx(path))
    train_x, train_y, test_x, test_y = arrays
    return Dataset(train_x, train_y.astype(np.int64), test_x, test_y.astype(np.int64), classes,
                   name)


def _digits() -> Dataset:
    import cv2
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    bunch = load_digits()
    small = (bunch.images * (255.0 / 16.0)).astype(np.float32)
    images = np.zeros((len(small), 28, 28), dtype=np.uint8)
    for index, digit in enumerate(small):
        images[index, 4:24, 4:24] = np.clip(
            cv2.resize(digit, (20, 20), interpolation=cv2.INTER_LINEAR), 0, 255).astype(np.uint8)
    labels = bunch.target.astype(np.int64)
    train_x, test_x, train_y, test_y = train_test_split(
        images, labels, test_size=360, stratify=labels, random_state=0)
    return Dataset(train_x, train_y, test_x, test_y, tuple(str(d) for d in range(10)), "digits")


def load_dataset(name: str, *, root: str | Path | None = None, download: bool = True,
                 progress: Callable[[str, int, int], None] | None = None) -> Dataset:
    """Load ``"digits"``, ``"mnist"`` or ``"fashion-mnist"`` as a :class:`Dataset`.

    Args:
        name: the data set.
        root: folder with the four official IDX ``.gz`` files (default: the cache folder).
        download: fetch missing files (checksums verified) instead of failing.
        progress: called as ``progress(file_name, bytes_done, bytes_total)`` while downloading.
    """
    name = check_choice(name, ("digits", "mnist", "fashion-mnist"), "data set")
    if name == "digits":
        return _digits()
    return _idx_dataset(name, Path(root) if root else cache_dir(name), download, progress)


def load_image_folder(source: str | Path | bytes, *, test_fraction: float = 0.2,
                      seed: int = 0) -> Dataset:
    """Your own images: a folder or ``.zip`` (path or bytes) of ``class_name/*.png|jpg``.

    Every image becomes 28×28 grey ``uint8``. Zip files are checked before anything is
    extracted (:func:`filters.uploads.open_zip`: at most ``MAX_ZIP_MEMBERS`` files and
    ``MAX_ZIP_UNCOMPRESSED_BYTES`` unpacked, a compression ratio of ``MAX_ZIP_RATIO`` — zip
    bombs —, no absolute or ``..`` paths) and their images are unpacked and decoded one at a
    time. Files that are not images are skipped; a damaged zip member, an empty or renamed file
    and fewer than two classes are a ``ValueError``.

    Example:
        >>> load_image_folder(b"not a zip")
        Traceback (most recent call last):
        ...
        ValueError: The data set zip is not a zip archive (it looks like text); expected a .zip...
    """
    images, names = [], []
    skipped = 0
    for entry, blob in _image_entries(source):
        if blob is None:
            skipped += 1
            continue
        small = _small_grey(blob)
        if small is None:
            skipped += 1
            continue
        images.append(small)
        names.append(PurePosixPath(entry).parts[-2])
    classes = tuple(sorted(set(names)))
    if len(classes) < 2:
        raise ValueError(f"Found {len(classes)} class folder(s) with images ({skipped} files "
                         "skipped); a data set needs at least two, as class_name/image.png.")
    index = {c: i for i, c in enumerate(classes)}
    labels = [index[n] for n in names]
    order = np.random.default_rng(seed).permutation(len(images))
    cut = max(1, round(len(images) * test_fraction))
    x, y = np.stack(images)[order], np.array(labels, dtype=np.int64)[order]
    return Dataset(x[cut:], y[cut:], x[:cut], y[:cut], classes, "own images")


_ZIP_WHAT, _ZIP_EXPECTED = "The data set zip", "a .zip archive of class_name/image.png folders"
_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")


def _small_grey(blob: bytes) -> np.ndarray | None:
    """One image file as LeNet's ``uint8 28×28`` (area resize), ``None`` if it does not decode."""
    import cv2

    from .image_io import load_image

    try:
        pixels = load_image(blob, mode="grey")
    except ValueError:
        return None
    small = cv2.resize(pixels, (28, 28), interpolation=cv2.INTER_AREA)
    return np.clip(np.round(small * 255), 0, 255).astype(np.uint8)


def _image_entries(source: str | Path | bytes) -> Iterator[tuple[str, bytes | None]]:
    """``(class/name, bytes)`` per image file of a folder or zip, read one at a time.

    Files that are not ``class/*.png|jpg`` come as ``(name, None)`` (skipped and counted).
    """
    from .uploads import open_zip, read_member

    if isinstance(source, (bytes, bytearray, memoryview)) or (
            isinstance(source, (str, Path)) and str(source).lower().endswith(".zip")):
        data = source
        if isinstance(source, (str, Path)):
            try:
                data = Path(source).read_bytes()
            except OSError as error:
                raise ValueError(f"Could not read {source}: {error.strerror}.") from None
        archive, infos = open_zip(data, _ZIP_WHAT, _ZIP_EXPECTED)
        for info in infos:
            if _is_image_entry(info.filename):
                yield info.filename, read_member(archive, info, _ZIP_WHAT)
            else:
                yield info.filename, None
        return
    if not isinstance(source, (str, Path)):
        raise TypeError(f"source must be a folder, a .zip path or the zip's bytes; got "
                        f"{type(source).__name__}.")
    folder = Path(source)
    if not folder.is_dir():
        raise ValueError(f"{folder} is neither a folder nor a .zip file.")
    for path in sorted(folder.glob("*/*")):
        if path.is_file():
            entry = f"{path.parent.name}/{path.name}"
            yield entry, path.read_bytes() if _is_image_entry(entry) else None


def _is_image_entry(name: str) -> bool:
    return len(PurePosixPath(name).parts) >= 2 and name.lower().endswith(_IMAGE_SUFFIXES)
