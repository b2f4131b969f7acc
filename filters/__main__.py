"""The command line: ``python -m filters apply | kernels | size | train-lenet | bench``.

Example:
    python -m filters apply photo.jpg -o edges.png --kernel sobel_x --padding same --normalize abs
    python -m filters size 32 --kernel 3 --stride 2 --padding 1
    python -m filters size 16 --kernel 3 --stride 2 --padding 1 --transposed --output-padding 1
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import kernels as kernel_catalogue
from .backends import BACKEND_CHOICES
from .padding import PADDING_MODES

__all__ = ["build_parser", "main"]


def _int_or_pair(text: str) -> int | tuple[int, int]:
    parts = [p for p in text.replace("x", ",").split(",") if p.strip()]
    try:
        values = [int(p) for p in parts]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an int or 'rows,cols'; got {text!r}") from None
    if len(values) == 1:
        return values[0]
    if len(values) == 2:
        return values[0], values[1]
    raise argparse.ArgumentTypeError(f"expected an int or 'rows,cols'; got {text!r}")


def _padding(text: str) -> int | tuple[int, int] | str:
    return text if text in ("same", "valid") else _int_or_pair(text)


def _param(text: str) -> tuple[str, float]:
    name, sep, value = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, e.g. sigma=2; got {text!r}")
    try:
        return name.strip(), float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number (in {text!r})") from None


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand (each has ``--help``)."""
    parser = argparse.ArgumentParser(
        prog="python -m filters",
        description="Convolution Lab's library from the command line.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    apply = sub.add_parser(
        "apply",
        help="filter an image with a kernel",
        description="Filter an image (PNG/JPEG/...) with a catalogue or typed kernel and save it.",
    )
    apply.add_argument("input", type=Path, help="image to read")
    apply.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help="image to write (.png/.jpg) or .npy for the raw float32 values",
    )
    source = apply.add_mutually_exclusive_group(required=True)
    source.add_argument("--kernel", help="catalogue name (see `python -m filters kernels`)")
    source.add_argument("--kernel-text", help="rows of numbers, e.g. '1 0 -1; 2 0 -2; 1 0 -1'")
    source.add_argument("--kernel-file", type=Path, help="text file of rows of numbers")
    apply.add_argument(
        "--param",
        type=_param,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="parameter of a parametric kernel, e.g. --param size=7 --param sigma=2",
    )
    apply.add_argument("--stride", type=_int_or_pair, default=1)
    apply.add_argument(
        "--padding",
        type=_padding,
        default="same",
        help="int, 'rows,cols', 'same' (default) or 'valid'",
    )
    apply.add_argument("--padding-mode", choices=PADDING_MODES, default="reflect")
    apply.add_argument("--dilation", type=_int_or_pair, default=1)
    apply.add_argument("--bias", type=float, default=None)
    apply.add_argument("--flip", action="store_true", help="true convolution (kernel turned 180°)")
    apply.add_argument("--backend", default="auto", choices=BACKEND_CHOICES)
    apply.add_argument("--grey", action="store_true", help="convert the image to grey first")
    apply.add_argument(
        "--normalize",
        choices=["clip", "abs", "minmax"],
        default="clip",
        help="how signed outputs become pixels: clip to [0,1], |x| clipped, or stretch min..max",
    )

    listing = sub.add_parser(
        "kernels",
        help="list the kernel catalogue",
        description="List the catalogue's kernels with their values.",
    )
    listing.add_argument("--json", action="store_true", help="print JSON instead of text")

    size = sub.add_parser(
        "size",
        help="output size of a convolution, pooling or transposed convolution",
        description="⌊(n + 2p − d(k−1) − 1)/s⌋ + 1, or (n−1)s − 2p + d(k−1) + output_padding + 1 "
        "with --transposed; --layers prints a per-layer table (size, receptive field, params).",
    )
    size.add_argument("n", type=int, help="input size (pixels)")
    size.add_argument("--kernel", type=int, default=3)
    size.add_argument("--stride", type=int, default=1)
    size.add_argument("--padding", type=int, default=0)
    size.add_argument("--dilation", type=int, default=1)
    size.add_argument("--transposed", action="store_true")
    size.add_argument("--output-padding", type=int, default=0)
    size.add_argument("--layers", help="a stack, e.g. 'conv3,conv3,pool2' (see filters.receptive)")

    _add_optional_commands(sub)
    return parser


def _add_optional_commands(sub: Any) -> None:
    """Subcommands that live in their own modules (training, benchmarks)."""
    if importlib.util.find_spec("filters.cli_train") is not None:
        from . import cli_train

        cli_train.add_parser(sub)
    bench = sub.add_parser(
        "bench",
        help="speed table against OpenCV / SciPy / PyTorch",
        description="Run the benchmarks in benchmarks/ and print the table.",
    )
    bench.add_argument("--quick", action="store_true", help="fewer sizes and repeats")
    bench.add_argument("--csv", type=Path, help="also save the rows as CSV")
    bench.add_argument("--markdown", type=Path, help="also save the table as Markdown")
    bench.add_argument("--readme", type=Path,
                       help="also rewrite the speed section of this README (between the "
                            "<!-- bench:start --> and <!-- bench:end --> markers)")
    bench.add_argument("--load", action="store_true",
                       help="instead: the app's load test in real Chromium (benchmarks/load.py): "
                            "server memory and page times with several users at once")
    bench.add_argument("--users", type=int, default=1, help="--load: sessions at once")
    bench.add_argument("--megapixels", type=float, default=12.0, help="--load: photo size")
    bench.add_argument("--settle", type=float, default=30.0,
                       help="--load: seconds to watch the memory after the sessions leave")
    bench.add_argument("--uploads", type=int, default=0,
                       help="--load: one session uploads this many photos instead")


def run_apply(args: argparse.Namespace) -> int:
    """``apply``: read, filter, write."""
    from .conv import conv2d
    from .image_io import load_image, save_image

    image = load_image(args.input, mode="grey" if args.grey else "keep")
    kernel = _kernel_from_args(args)
    out = conv2d(
        image,
        kernel,
        stride=args.stride,
        padding=args.padding,
        padding_mode=args.padding_mode,
        dilation=args.dilation,
        bias=args.bias,
        flip=args.flip,
        backend=args.backend,
    )
    if args.output.suffix.lower() == ".npy":
        np.save(args.output, out)
    else:
        save_image(args.output, out, normalize=args.normalize)
    print(
        f"{args.input} {image.shape} -> {args.output} {out.shape} "
        f"(min {out.min():.4g}, max {out.max():.4g}, normalize={args.normalize})",
        file=sys.stderr,
    )
    return 0


def _kernel_from_args(args: argparse.Namespace) -> np.ndarray:
    if args.kernel:
        return kernel_catalogue.get_kernel(args.kernel, **dict(args.param))
    if args.param:
        raise ValueError("--param only applies to a catalogue --kernel.")
    text = args.kernel_text if args.kernel_text is not None else args.kernel_file.read_text()
    return kernel_catalogue.parse_kernel(text)


def run_kernels(args: argparse.Namespace) -> int:
    """``kernels``: the catalogue as text or JSON."""
    rows = []
    for name, entry in kernel_catalogue.KERNELS.items():
        kernel = kernel_catalogue.get_kernel(name)
        rows.append(
            {
                "name": name,
                "category": entry.category,
                "description": entry.description,
                "separable": entry.separable,
                "shape": list(kernel.shape),
                "params": {p.name: p.default for p in entry.params},
                "values": kernel.round(6).tolist(),
            }
        )
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    for row in rows:
        shape = "×".join(str(v) for v in row["shape"])
        params = ", ".join(f"{k}={v:g}" for k, v in row["params"].items())
        flags = " separable" if row["separable"] else ""
        print(f"{row['name']:<22} {row['category']:<8} {shape:<6}{flags}")
        print(f"    {row['description']}" + (f"  [{params}]" if params else ""))
    return 0


def run_size(args: argparse.Namespace) -> int:
    """``size``: the formula with the numbers substituted."""
    from . import sizes

    if args.layers:
        from .receptive import layers_table

        print(layers_table(args.layers, args.n))
        return 0
    n, k, s, p, d = args.n, args.kernel, args.stride, args.padding, args.dilation
    if args.transposed:
        out = sizes.transposed_output_size(n, k, s, p, args.output_padding, d)
        op = args.output_padding
        print(
            f"(n−1)·s − 2p + d·(k−1) + output_padding + 1 = ({n}−1)·{s} − 2·{p} + {d}·({k}−1)"
            f" + {op} + 1 = {out}"
        )
    else:
        out = sizes.output_size(n, k, s, p, d)
        numerator = n + 2 * p - d * (k - 1) - 1
        exact = "" if numerator % s == 0 else f"  (not exact: {numerator}/{s} is floored)"
        print(
            f"⌊(n + 2p − d·(k−1) − 1)/s⌋ + 1 = ⌊({n} + 2·{p} − {d}·({k}−1) − 1)/{s}⌋ + 1"
            f" = ⌊{numerator}/{s}⌋ + 1 = {out}{exact}"
        )
    return 0


def run_bench(args: argparse.Namespace) -> int:
    """``bench``: the speed tables of ``benchmarks/``."""
    root = Path(__file__).resolve().parent.parent
    if not (root / "benchmarks").is_dir():
        raise ValueError("The benchmarks/ folder is not here; run from a clone of the repository.")
    sys.path.insert(0, str(root))
    if args.load:
        load = importlib.import_module("benchmarks.load")
        options = ["--users", str(args.users), "--megapixels", str(args.megapixels),
                   "--settle", str(args.settle), "--uploads", str(args.uploads)]
        if args.markdown:
            options += ["--markdown", str(args.markdown)]
        return int(load.main(options))
    try:
        run_all = importlib.import_module("benchmarks.run_all")
    except ModuleNotFoundError:
        raise ValueError("benchmarks/run_all.py is missing from this checkout.") from None
    return int(run_all.main(quick=args.quick, csv_path=args.csv, markdown_path=args.markdown,
                            readme_path=args.readme))


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the subcommand; errors become one line on stderr and exit code 2."""
    parser = build_parser()
    args = parser.parse_args(argv)
    commands = {
        "apply": run_apply,
        "kernels": run_kernels,
        "size": run_size,
        "bench": run_bench,
    }
    try:
        if args.command in commands:
            return commands[args.command](args)
        from . import cli_train

        return int(cli_train.run(args))
    except (ValueError, TypeError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
