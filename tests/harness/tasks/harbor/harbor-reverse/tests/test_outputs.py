from pathlib import Path


def test_reversed() -> None:
    assert Path("/app/reversed.txt").read_text().split() == ["three", "two", "one"]
