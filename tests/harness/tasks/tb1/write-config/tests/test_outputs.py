import configparser
import subprocess


def test_config_values():
    parser = configparser.ConfigParser()
    parser.read("/app/service.ini")
    assert parser["service"]["name"] == "ferry"
    assert parser["service"]["port"] == "8080"


def test_run_script_prints_both():
    out = subprocess.run(["/app/run.sh"], capture_output=True, text=True, check=True)
    assert out.stdout == "ferry:8080\n"
