from pathlib import Path


def test_greeting() -> None:
    assert Path("/app/out/greeting.txt").read_text().strip() == "BONJOUR"


def test_build_step_ran() -> None:
    assert Path("/app/out/.keep").read_text().strip() == "ready"
