import json


def test_adults() -> None:
    with open("/app/adults.json") as handle:
        assert json.load(handle) == ["Bob", "Zoe"]


def test_input_untouched() -> None:
    with open("/app/people.json") as handle:
        assert len(json.load(handle)) == 4
