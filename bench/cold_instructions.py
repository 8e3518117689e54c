"""Instructions each function's cold start executes, beside the floor's.

The cold-start bench (``bench/cold_start.py``) times each start; on a shared,
loaded machine its ratios move between runs. This counts the instructions
each start executes under valgrind's callgrind (a bare interpreter's start
subtracted), which load does not move: the same subjects, environments and
layer as the timed bench, one sample each (~15 s each). Needs valgrind:
``PYTHONPATH=. .venv/bin/python -m bench.cold_instructions [function …]``.
"""

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.cold_start import TARGET, subjects

VALGRIND = shutil.which("valgrind") or "valgrind"


def instructions(code: str, cwd: Path, env: dict[str, str]) -> int:
    with tempfile.TemporaryDirectory() as scratch:
        result = subprocess.run(
            [VALGRIND, "--tool=callgrind", f"--callgrind-out-file={scratch}/out",
             sys.executable, "-S", "-c", code],
            cwd=cwd, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
    found = re.search(r"Collected : (\d+)", result.stderr)
    if result.returncode != 0 or not found:
        sys.exit(f"callgrind of {cwd.name} failed:\n{result.stderr[-2000:]}")
    return int(found[1])


def main() -> None:
    if not shutil.which(VALGRIND):
        sys.exit("needs valgrind (apt-get install valgrind)")
    cases = subjects()
    code, cwd, env = cases["floor"]
    bare = instructions("pass", cwd, env)
    floor = instructions(code, cwd, env) - bare
    print(f"cold start instructions beside the floor's ({floor / 1e6:.0f} M)")
    for name in sys.argv[1:] or [n for n in cases if n != "floor"]:
        ratio = (instructions(*cases[name]) - bare) / floor
        mark = "" if ratio <= TARGET else f"  above {TARGET}x"
        print(f"  {name:<20} {ratio:5.2f}x{mark}", flush=True)


if __name__ == "__main__":
    main()
