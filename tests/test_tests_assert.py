"""Every test function checks something: a reading of ``tests/`` with :mod:`ast`.

A test (``def test_*`` at module level or in a ``Test*`` class) passes this check when its own
body (not counting functions defined inside it unless it calls them)

- has an ``assert`` statement or raises ``AssertionError``,
- uses ``pytest.raises`` / ``pytest.warns`` / ``pytest.deprecated_call`` or calls ``pytest.fail``,
- calls a function whose name says it checks: ``assert*`` (``np.testing.assert_allclose``,
  ``torch.testing.assert_close``, ``self.assertEqual``), ``check_*``, ``expect_*``,
  ``verify_*``, or
- calls a helper that itself passes this check: a function defined in the same file, inside the
  test, or in a ``tests/`` module it imports (``from tests.rendered import shape_in``,
  ``import tests.references as references``), followed through helpers of helpers.

No exemptions: an offender is fixed in its file, never listed here.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
CHECKING = ("assert", "check_", "expect_", "verify_")
PYTEST_CHECKS = {"raises", "warns", "deprecated_call", "fail"}
Function = ast.FunctionDef | ast.AsyncFunctionDef


def _call_name(call: ast.Call) -> tuple[str | None, str]:
    """``(owner, name)`` of a call: ``np.testing.assert_allclose(…)`` → ``("np.testing",
    "assert_allclose")``, ``helper(…)`` → ``(None, "helper")``."""
    func = call.func
    if isinstance(func, ast.Name):
        return None, func.id
    if isinstance(func, ast.Attribute):
        return ast.unparse(func.value), func.attr
    return None, ""


def _own_nodes(function: Function):
    """The nodes of ``function``'s body, without descending into functions defined in it."""
    nested = Function | ast.Lambda | ast.ClassDef
    todo: list[ast.AST] = [n for n in [*function.body, *function.decorator_list]
                           if not isinstance(n, nested)]
    while todo:
        node = todo.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, nested):
                todo.append(child)


class Module:
    """One file of ``tests/``: its functions, classes and what it imports from ``tests``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tree = ast.parse(path.read_text(), str(path))
        self.functions: dict[str, Function] = {}
        self.classes: dict[str, dict[str, Function]] = {}
        self.imported: dict[str, tuple[str, str | None]] = {}  # local name → (module, name)
        for node in self.tree.body:
            if isinstance(node, Function):
                self.functions[node.name] = node
            elif isinstance(node, ast.ClassDef):
                self.classes[node.name] = {n.name: n for n in node.body
                                           if isinstance(n, Function)}
        for node in ast.walk(self.tree):
            if isinstance(node, ast.ImportFrom):
                source = node.module or ""
                if node.level:  # from .rendered import x / from . import rendered
                    source = f"tests.{source}" if source else "tests"
                for alias in node.names:
                    if source == "tests":
                        self.imported[alias.asname or alias.name] = (f"tests.{alias.name}", None)
                    elif source.startswith("tests."):
                        self.imported[alias.asname or alias.name] = (source, alias.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("tests."):
                        local = alias.asname or alias.name
                        self.imported[local] = (alias.name, None)

    def tests(self):
        """``(name, node, class name or None)`` of every test function."""
        for name, node in self.functions.items():
            if name.startswith("test"):
                yield name, node, None
        for cls, methods in self.classes.items():
            if cls.startswith("Test"):
                for name, node in methods.items():
                    if name.startswith("test"):
                        yield f"{cls}.{name}", node, cls


class Checker:
    """Decides, with memory, whether a function checks (directly or through helpers)."""

    def __init__(self, folder: Path = TESTS) -> None:
        self.modules = {f"tests.{p.stem}": Module(p) for p in sorted(folder.glob("*.py"))}
        self.memo: dict[tuple[str, str], bool] = {}

    def _resolve(self, module: Module, owner: str | None, name: str, cls: str | None,
                 local: dict[str, Function]) -> tuple[Module, Function, str | None] | None:
        if owner is None:
            if name in local:
                return module, local[name], cls
            if name in module.functions:
                return module, module.functions[name], None
            if name in module.imported:
                source, original = module.imported[name]
                other = self.modules.get(source)
                if other is not None and original in other.functions:
                    return other, other.functions[original], None
            return None
        if owner in ("self", "cls") and cls is not None:
            method = module.classes.get(cls, {}).get(name)
            return (module, method, cls) if method is not None else None
        if owner in module.imported and module.imported[owner][1] is None:
            other = self.modules.get(module.imported[owner][0])
            if other is not None and name in other.functions:
                return other, other.functions[name], None
        return None

    def checks(self, module: Module, function: Function, cls: str | None = None) -> bool:
        key = (str(module.path), f"{cls}.{function.name}:{function.lineno}")
        if key in self.memo:
            return self.memo[key]
        self.memo[key] = False  # a cycle of helpers proves nothing
        local = {n.name: n for n in ast.walk(function)
                 if isinstance(n, Function) and n is not function}
        found = False
        for node in _own_nodes(function):
            if isinstance(node, ast.Assert):
                found = True
            elif isinstance(node, ast.Raise) and node.exc is not None:
                raised = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                found = isinstance(raised, ast.Name) and raised.id == "AssertionError"
            elif isinstance(node, ast.Call):
                owner, name = _call_name(node)
                if (owner == "pytest" and name in PYTEST_CHECKS) or name.startswith(CHECKING):
                    found = True
                else:
                    target = self._resolve(module, owner, name, cls, local)
                    found = target is not None and self.checks(*target)
            if found:
                break
        self.memo[key] = found
        return found

    def offenders(self) -> list[str]:
        """``path:line name`` of every test function in a ``test_*.py`` file that checks
        nothing."""
        found = []
        for module in self.modules.values():
            if not module.path.name.startswith("test_"):
                continue
            for name, node, cls in module.tests():
                if not self.checks(module, node, cls):
                    found.append(f"{module.path.relative_to(TESTS.parent)}:{node.lineno} {name}")
        return found


def test_the_checker_tells_checking_tests_from_the_rest(tmp_path):
    files = {
        "helpers.py": "def check_shape(x):\n    pass\n\ndef shown(at):\n    assert at\n"
                      "\ndef plain(at):\n    return at\n",
        "test_sample.py": (
            "import numpy as np\nimport pytest\nfrom tests.helpers import plain, shown\n"
            "import tests.helpers as h\n\n"
            "def local(x):\n    return deeper(x)\n\ndef deeper(x):\n    assert x\n\n"
            "def test_assert():\n    assert 1\n\n"
            "def test_raises():\n    with pytest.raises(ValueError):\n        int('x')\n\n"
            "def test_numpy():\n    np.testing.assert_allclose(1, 1)\n\n"
            "def test_local_chain():\n    local(1)\n\n"
            "def test_imported():\n    shown(1)\n\n"
            "def test_module_attribute():\n    h.shown(1)\n\n"
            "def test_named_check():\n    h.check_shape(1)\n\n"
            "def test_raise():\n    if 1:\n        raise AssertionError('no')\n\n"
            "def test_nothing():\n    x = 1 + 1\n\n"
            "def test_plain_helper():\n    plain(1)\n\n"
            "def test_assert_only_in_an_uncalled_inner_function():\n"
            "    def inner():\n        assert False\n\n"
            "def test_inner_function_called():\n    def inner():\n        assert True\n"
            "    inner()\n\n"
            "class TestGroup:\n    def helper(self):\n        assert True\n\n"
            "    def test_method(self):\n        self.helper()\n\n"
            "    def test_empty(self):\n        pass\n"
        ),
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    checker = Checker(tmp_path)
    module = checker.modules["tests.test_sample"]
    verdicts = {name: checker.checks(module, node, cls) for name, node, cls in module.tests()}
    assert {name for name, ok in verdicts.items() if not ok} == {
        "test_nothing", "test_plain_helper", "test_assert_only_in_an_uncalled_inner_function",
        "TestGroup.test_empty"}
    assert len(verdicts) == 14


def test_every_test_function_checks_something():
    checker = Checker()
    tests = sum(1 for m in checker.modules.values() if m.path.name.startswith("test_")
                for _ in m.tests())
    assert tests > 500  # the walk found the suite
    offenders = checker.offenders()
    assert not offenders, "tests that check nothing:\n" + "\n".join(offenders)
