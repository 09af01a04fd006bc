from pathlib import Path


def test_hello() -> None:
    assert Path("/app/hello.txt").read_text() == "Hello from Harbor\n"
