"""All text is in ``ui/i18n.py``: every key the sources use exists in both languages, every string
is really translated, and every page, drawn in Chinese, shows no untranslated English and gives
every widget a key. The library speaks English and holds no Chinese."""

from __future__ import annotations

import ast
import contextlib
import re
import string
from collections.abc import Iterable
from pathlib import Path

import pytest

import filters
from filters.datasets import DATASETS
from filters.regions import CORNERS
from tests.conftest import ROOT, open_page
from ui.i18n import STRINGS, option_format, t_in
from ui.kernel_editor import MIX_PRESETS, SOURCES
from ui.state import KERNEL_SOURCES

SOURCES_WITH_TEXT = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")),
                     *sorted((ROOT / "ui").glob("*.py"))]
PAGES = [None, *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "pages").glob("*.py"))]

# Keys built at run time, f"{prefix}{id}{suffix}", whose ids the library or ui/ enumerate (ids
# written as literals next to the call are read from the source instead, see _values_near).
FAMILIES: dict[tuple[str, str], Iterable[str]] = {
    ("mode.", ""): filters.PADDING_MODES,
    ("padding.what.", ""): filters.PADDING_MODES,
    ("kernel.", ".name"): filters.KERNELS,
    ("kernel.", ".description"): filters.KERNELS,
    ("param.", ""): {p.name for k in filters.KERNELS.values() for p in k.params},
    ("sample.", ".name"): filters.SAMPLES,
    ("sample.", ".description"): filters.SAMPLES,
    ("category.", ""): filters.kernels.CATEGORIES,
    ("source.", ""): KERNEL_SOURCES,
    ("filter.source.", ""): SOURCES,
    ("filter.mix.", ""): MIX_PRESETS,
    ("filter.mix_w.", ""): "rgb",
    ("filter.mix_channel.", ""): "rgb",
    ("lenet.dataset.", ""): (*DATASETS, "digits", "own"),
    ("bench.run.", ""): ("quick", "full"),  # ui.bench_view.available_runs
    ("padding.corner.", ""): CORNERS,
}


# --- (a) every key used in the sources exists -------------------------------------------------


def _module_literals(tree: ast.Module) -> dict[str, object]:
    """Top-level ``NAME = <literal>`` of a source file."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(
                node.targets[0], ast.Name):
            value = node.value
            if isinstance(value, ast.Dict) and all(isinstance(k, ast.Constant) for k in value.keys):
                found[node.targets[0].id] = [k.value for k in value.keys]
            with contextlib.suppress(ValueError, SyntaxError):
                found[node.targets[0].id] = ast.literal_eval(value)
    return found


def _literal_values(node: ast.expr | None, names: dict[str, object]) -> list[str] | None:
    """The strings a literal list/tuple/dict (or ``list(NAME)`` of one) holds; None if unknown."""
    if node is None:
        return None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in (
            "list", "tuple") and len(node.args) == 1:
        return _literal_values(node.args[0], names)
    if isinstance(node, ast.Name) and node.id in names:
        value = names[node.id]
        return [str(v) for v in value] if isinstance(value, (list, tuple, dict, str)) else None
    try:
        value = ast.literal_eval(node)
    except ValueError:
        return None
    return [str(v) for v in value] if isinstance(value, (list, tuple, dict, str)) else None


def _name(call: ast.Call) -> str | None:
    func = call.func
    return func.id if isinstance(func, ast.Name) else None


def _values_near(node: ast.AST, parents: dict[ast.AST, ast.AST], variable: str | None,
                 names: dict[str, object]) -> list[str] | None:
    """Ids a dynamic key is built from, read from the source around it: the options of the
    widget whose ``format_func`` it is, or the literal a loop variable runs over."""
    parent = parents.get(node)
    if isinstance(parent, ast.keyword) and parent.arg == "format_func":
        widget = parents[parent]
        assert isinstance(widget, ast.Call)
        options = next((k.value for k in widget.keywords if k.arg == "options"),
                       widget.args[1] if len(widget.args) > 1 else None)
        return _literal_values(options, names)
    while parent is not None and variable is not None:
        loops = [parent] if isinstance(parent, ast.For) else getattr(parent, "generators", [])
        for loop in loops:
            target, over = loop.target, loop.iter
            if (isinstance(over, ast.Call) and _name(over) == "enumerate"
                    and isinstance(target, ast.Tuple) and len(target.elts) == 2):
                target, over = target.elts[1], over.args[0]
            if isinstance(target, ast.Name) and target.id == variable:
                return _literal_values(over, names)
        parent = parents.get(parent)
    return None


def _key_uses(path: Path):
    """``(kind, line, detail)`` for every string key a source file asks for.

    kind ``"key"``: a literal key; ``"family"``: ``(prefix, suffix, ids or None)`` of a key
    built at run time; ``"loose"``: an option_format that shows unknown values as they are.
    """
    tree = ast.parse(path.read_text())
    names = _module_literals(tree)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or _name(node) not in ("t", "t_in", "option_format"):
            continue
        args = node.args[1:] if _name(node) == "t_in" else node.args
        if not args:
            continue
        first = args[0]
        if _name(node) == "option_format":
            suffix = args[1].value if len(args) > 1 and isinstance(args[1], ast.Constant) else ""
            keywords = {k.arg: k.value for k in node.keywords}
            table = _literal_values(keywords["keys"], names) if "keys" in keywords else []
            for key_node in ([keywords["keys"]] if "keys" in keywords else []):
                literal = (names.get(key_node.id) if isinstance(key_node, ast.Name)
                           else ast.literal_eval(key_node))
                assert isinstance(literal, dict), f"{path.name}:{node.lineno}: keys= not literal"
                for key in literal.values():
                    yield "key", node.lineno, key
            loose = "unknown_as_is" in keywords and ast.literal_eval(keywords["unknown_as_is"])
            assert isinstance(first, ast.Constant), f"{path.name}:{node.lineno}"
            if loose:
                yield "loose", node.lineno, (first.value, suffix)
            elif first.value or suffix:
                ids = _values_near(node, parents, None, names)
                yield "family", node.lineno, (first.value, suffix, ids)
            assert table is not None
        elif isinstance(first, ast.Constant):
            yield "key", node.lineno, first.value
        elif isinstance(first, ast.JoinedStr):
            parts = first.values
            assert (len(parts) in (2, 3) and isinstance(parts[0], ast.Constant)
                    and isinstance(parts[1], ast.FormattedValue)), (
                f"{path.name}:{node.lineno}: keys are f'prefix{{id}}suffix'")
            suffix = parts[2].value if len(parts) == 3 else ""
            value = parts[1].value
            variable = value.id if isinstance(value, ast.Name) else None
            yield "family", node.lineno, (parts[0].value, suffix,
                                          _values_near(node, parents, variable, names))
        elif isinstance(first, ast.BinOp) and isinstance(first.left, ast.Constant):
            yield "family", node.lineno, (first.left.value, "", None)  # "source." + entry.source
        # else a variable holding a key (t(key)): drawn by the page tests below


def test_every_literal_key_in_the_sources_exists():
    missing = [f"{path.name}:{line}: {key}" for path in SOURCES_WITH_TEXT
               for kind, line, key in _key_uses(path) if kind == "key" and key not in STRINGS]
    assert not missing


def test_every_key_built_at_run_time_exists_for_every_id():
    missing, unknown = [], []
    for path in SOURCES_WITH_TEXT:
        for kind, line, detail in _key_uses(path):
            if kind == "loose":  # unknown values shown as they are: some key must still match
                prefix, suffix = detail
                if not any(k.startswith(prefix) and k.endswith(suffix) for k in STRINGS):
                    missing.append(f"{path.name}:{line}: {prefix}…{suffix}")
                continue
            if kind != "family":
                continue
            prefix, suffix, ids = detail
            ids = ids if ids is not None else FAMILIES.get((prefix, suffix))
            if ids is None:
                unknown.append(f"{path.name}:{line}: {prefix}…{suffix}")
                continue
            missing += [f"{path.name}:{line}: {prefix}{i}{suffix}" for i in ids
                        if f"{prefix}{i}{suffix}" not in STRINGS]
    assert not unknown, f"add these key families to FAMILIES: {unknown}"
    assert not missing


def test_the_key_finder_sees_what_the_sources_ask_for():
    """The static check reads real calls: the kernel names and the explain page's options."""
    uses = [d for p in SOURCES_WITH_TEXT for k, _, d in _key_uses(p) if k == "family"]
    assert ("kernel.", ".name", None) in uses  # ui.i18n.kernel_name
    assert ("explain.data.", "", ["notes", "patch", "channels"]) in uses
    assert ("pool.method.", "", ["nearest", "bilinear", "bicubic"]) in uses  # a loop
    assert any(p == "preset." and ids and "s000" in ids for p, _, ids in uses)  # a page dict


def test_every_library_id_has_both_languages():
    for kernel in filters.KERNELS:
        for field in ("name", "description"):
            assert f"kernel.{kernel}.{field}" in STRINGS
    for sample in filters.SAMPLES:
        for field in ("name", "description"):
            assert f"sample.{sample}.{field}" in STRINGS
    # The English description shown is the library's own sentence.
    assert STRINGS["kernel.sobel_x.description"][0] == filters.KERNELS["sobel_x"].description


# --- (b) every string is translated ----------------------------------------------------------

# Strings that read the same in both languages, on purpose: proper names of models and data sets
# and a kernel named after its author, which Chinese texts keep in Latin letters.
SAME_IN_BOTH = {
    "source.lenet",  # LeNet
    "rf.preset.lenet",  # LeNet
    "lenet.dataset.mnist",  # MNIST
    "lenet.dataset.fashion-mnist",  # Fashion-MNIST
    "padding.border.edge",  # Sobel x
}


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _without_fields(text: str) -> str:
    return "".join(literal for literal, *_ in string.Formatter().parse(text))


@pytest.mark.parametrize("key", sorted(STRINGS))
def test_every_string_has_a_real_chinese_translation(key):
    en, zh = STRINGS[key]
    assert en.strip() and zh.strip()
    assert _fields(en) == _fields(zh)
    if key not in SAME_IN_BOTH and re.search(r"[A-Za-z]", _without_fields(en)):
        assert zh != en, f"{key}: the Chinese is the English"


def test_the_exceptions_are_still_needed():
    for key in SAME_IN_BOTH:
        assert STRINGS[key][0] == STRINGS[key][1], key


def test_option_format_fixes_the_language_and_falls_back_only_when_asked():
    english = option_format("kernel.", ".name")
    assert english("sobel_x") == "Sobel x" == t_in("en", "kernel.sobel_x.name")
    backend = option_format("", keys={"auto": "settings.backend_auto"}, unknown_as_is=True)
    assert backend("auto") == "auto (fastest)" and backend("scipy") == "scipy"
    with pytest.raises(KeyError):
        option_format("kernel.", ".name")("no_such_kernel")


def test_the_library_speaks_english_only():
    chinese = [f"{p.relative_to(ROOT)}:{n}" for p in sorted((ROOT / "filters").rglob("*.py"))
               for n, line in enumerate(p.read_text().splitlines(), 1)
               if re.search(r"[\u4e00-\u9fff]", line)]
    assert not chinese
    importing_ui = [p.name for p in (ROOT / "filters").rglob("*.py")
                    if re.search(r"^\s*(from|import) (ui|streamlit)\b", p.read_text(), re.M)]
    assert not importing_ui


def test_no_language_test_outside_ui_i18n():
    """Text is picked by key, never by ``if lang() == "zh"`` in a page or a ui module."""
    sites = [f"{p.relative_to(ROOT)}:{n}" for p in SOURCES_WITH_TEXT if p.name != "i18n.py"
             for n, line in enumerate(p.read_text().splitlines(), 1)
             if re.search(r"""(lang\(\)|language)\s*[!=]=\s*["'](zh|en)""", line)]
    assert not sites


def test_every_format_func_is_option_format():
    """No raw ``format_func=lambda v: t(...)``: labels keep the language they were drawn in."""
    raw = []
    for path in SOURCES_WITH_TEXT:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.keyword) and node.arg == "format_func":
                value = node.value
                translated = any(isinstance(n, ast.Call) and _name(n) in ("t", "t_in")
                                 for n in ast.walk(value))
                if isinstance(value, ast.Lambda) and translated:
                    raw.append(f"{path.name}:{node.value.lineno}")
    assert not raw


# --- (c) every page, drawn in Chinese --------------------------------------------------------

# Widget types AppTest can list; each must carry a key so its state survives reruns.
WIDGETS = ("button", "checkbox", "color_picker", "date_input", "multiselect", "number_input",
           "radio", "select_slider", "selectbox", "slider", "text_area", "text_input",
           "time_input", "toggle")

# Latin words a Chinese page may show: ids and names that stay as they are (library names,
# kernel/sample/padding ids, file formats, code words and parameter names, units).
ALLOWED_ASCII = {
    *filters.KERNELS, *filters.PADDING_MODES, *filters.SAMPLES, "PyTorch", "NumPy", "SciPy",
    "OpenCV", "LeNet", "FCN", "PNG", "JPEG", "JSON", "WebP", "BMP", "TIFF", "GIF", "RGB", "npy",
    "txt", "json", "Sobel", "auto", "same", "valid", "ceil_mode", "output_padding",
    "return_indices", "filters", "Language", "English", "numpy", "scipy", "torch", "opencv",
    "C_out", "C_in", "Python", "scikit", "learn", "danielbuechele",
    "pytorch", "symmetric",
    "save", "np", "python", "apply", "photo", "jpg", "edges", "png", "kernel", "sobel_x", "EXIF",
    "stride", "Lp", "CIE", "sRGB", "CMYK", "NaN",
    # kernels named after their authors (as Sobel), networks (as LeNet), a data set
    "Scharr", "Prewitt", "Roberts", "ResNet", "MobileNet", "MNIST", "Fashion",
    # names Chinese texts keep in Latin letters: an optimiser, activations, NumPy dtypes
    "Adam", "ReLU", "Sigmoid", "float32", "uint8",
}


def _visible_texts(at) -> list[str]:
    texts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning",
                 "success", "error"):
        texts += [e.value for e in getattr(at, kind)]
    for kind in WIDGETS:
        for widget in getattr(at, kind):
            texts.append(getattr(widget, "label", "") or "")
            texts.append(getattr(widget, "help", "") or "")
            texts += [str(o) for o in getattr(widget, "options", []) or []]
    texts += [e.label for e in at.expander] + [e.label for e in at.tabs]
    texts += [e.label for e in at.metric]
    return texts


def _english_words(text: str) -> list[str]:
    text = re.sub(r"\b[\w-]+\.(npy|py|png|json|txt|jpg|gz|csv|md)\b", "", text)  # file names
    text = re.sub(r"`[^`]*`", "", text)  # code spans: commands and library calls
    return [w for w in re.findall(r"[A-Za-z_][A-Za-z_0-9]{3,}", text) if w not in ALLOWED_ASCII]


@pytest.fixture(scope="module", params=PAGES, ids=lambda p: p or "app")
def chinese_page(request):
    return open_page(request.param, lang="zh")


def test_chinese_page_has_no_untranslated_english(chinese_page):
    leftovers = [(word, text[:70]) for text in _visible_texts(chinese_page)
                 for word in _english_words(text)]
    assert not leftovers


def test_every_widget_of_every_page_has_a_key(chinese_page):
    unkeyed = [f"{kind} {getattr(w, 'label', '')!r}" for kind in WIDGETS
               for w in getattr(chinese_page, kind) if not w.key]
    assert not unkeyed


def test_the_english_word_rule_catches_english():
    assert _english_words("Kernel rows: 卷积核") == ["Kernel", "rows"]
    assert _english_words("下载 input.npy，运行 `python -m filters bench`") == []
