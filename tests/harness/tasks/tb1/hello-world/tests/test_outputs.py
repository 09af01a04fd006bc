from pathlib import Path


def test_file_exists() -> None:
    assert Path("/app/hello.txt").is_file()


def test_content() -> None:
    assert Path("/app/hello.txt").read_text().strip() == "Hello, world!"
