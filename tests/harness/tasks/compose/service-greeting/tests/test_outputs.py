import os
from pathlib import Path


def test_greeting_fetched_into_the_compose_working_dir():
    assert Path("/work/greeting.txt").read_text() == "hello from the service\n"


def test_limits_and_tmpfs_applied():
    assert os.path.ismount("/scratch")
    limit = Path("/sys/fs/cgroup/memory/memory.limit_in_bytes")
    if not limit.exists():
        limit = Path("/sys/fs/cgroup/memory.max")
    assert int(limit.read_text().strip()) == 512 * 1024 * 1024
