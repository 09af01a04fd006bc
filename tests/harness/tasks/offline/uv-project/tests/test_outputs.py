import glob
import sys

sys.path.insert(0, "/app")


def test_double():
    from solution import double

    assert double(21) == 42


def test_project_dependency_installed():
    # `uv add iniconfig==2.0.0` put it in the project's own environment.
    assert glob.glob("/app/.venv/lib/python3*/site-packages/iniconfig-2.0.0.dist-info")
