"""The rendering processes of `billing_issue` never outlive their parent: a parent killed with
SIGKILL while its pool renders takes its children with it. A pool without the rule (the control)
leaves them running, which is what the test would see if the rule broke."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PARENT = """
import os, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uso_portal.settings_test")
import django
django.setup()
from concurrent.futures import ProcessPoolExecutor
import multiprocessing
from billing import rendering

if sys.argv[1] == "bound":
    pool = rendering.render_pool(2)
else:  # the control: the same pool without the parent-death rule
    pool = ProcessPoolExecutor(
        max_workers=2, mp_context=multiprocessing.get_context("spawn"),
        initializer=rendering.worker_setup,
    )
futures = [pool.submit(time.sleep, 300) for _ in range(4)]
time.sleep(300)
"""

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux /proc")


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has died


def is_pool_worker(pid: int) -> bool:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"spawn_main" in command


def start_parent(kind: str) -> tuple[subprocess.Popen, list[int]]:
    parent = subprocess.Popen([sys.executable, "-c", PARENT, kind], cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        workers = [pid for pid in children_of(parent.pid) if is_pool_worker(pid)]
        if len(workers) == 2:
            time.sleep(3)  # past the initializer (django.setup), into the jobs
            return parent, workers
        time.sleep(0.1)
    parent.kill()
    raise AssertionError("the pool did not start two workers within 60 s")


def wait_gone(pids: list[int], seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(alive(pid) for pid in pids):
        time.sleep(0.1)
    return [pid for pid in pids if alive(pid)]


def test_rendering_processes_die_with_a_parent_killed_by_sigkill():
    # given a parent whose pool of two renderers is busy
    parent, workers = start_parent("bound")

    # when the parent is killed
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()

    # then its renderers are gone too
    assert wait_gone(workers, 10) == []


def test_the_control_pool_without_the_rule_leaves_orphans():
    parent, workers = start_parent("unbound")
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    try:
        assert wait_gone(workers, 3) == workers  # orphans: what the rule prevents
    finally:
        for pid in workers:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
