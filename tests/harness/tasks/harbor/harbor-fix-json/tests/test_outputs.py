import json


def test_valid() -> None:
    with open("/app/config.json") as handle:
        assert json.load(handle) == {"name": "ferry", "retries": 3}
