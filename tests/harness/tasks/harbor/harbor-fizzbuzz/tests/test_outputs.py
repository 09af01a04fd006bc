import subprocess
import sys


def test_output() -> None:
    out = subprocess.run(
        [sys.executable, "/app/fizzbuzz.py"], capture_output=True, text=True, check=True
    )
    lines = out.stdout.split()
    assert len(lines) == 15
    assert lines[2] == "Fizz" and lines[4] == "Buzz" and lines[14] == "FizzBuzz" and lines[6] == "7"
