import importlib.util
import sys


def _calc():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("calc", "/app/calc.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["calc"] = module
    spec.loader.exec_module(module)
    return module


def test_add_small() -> None:
    assert _calc().add(2, 3) == 5


def test_add_negative() -> None:
    assert _calc().add(-4, 1) == -3
