"""Run the benchmarks: `make bench` runs every bench/*.py, `make bench ONLY=timeline` one.

Each benchmark is a script that prints one JSON line per result:
{"name": ..., "value": ..., "unit": ..., "baseline": ..., "ratio": ...}
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Shared code, and the parts bench/procurement.py runs after its own (each also runs alone with
# ONLY=<name>).
PARTS = {"procurement_pricing", "procurement_statements", "invoicing_pdf"}
NOT_ON_THEIR_OWN = {"run", "common"} | PARTS


def main(argv: list[str]) -> int:
    names = [a for a in argv if a]
    scripts = sorted(p for p in HERE.glob("*.py") if p.stem not in NOT_ON_THEIR_OWN)
    if names:
        wanted = {n.removesuffix(".py") for n in names}
        scripts = sorted(p for p in HERE.glob("*.py") if p.stem not in {"run", "common"})
        missing = wanted - {p.stem for p in scripts}
        if missing:
            print(f"no such benchmark: {', '.join(sorted(missing))}", file=sys.stderr)
            return 2
        scripts = [p for p in scripts if p.stem in wanted]
    status = 0
    for script in scripts:
        print(f"# {script.stem}", file=sys.stderr, flush=True)
        result = subprocess.run([sys.executable, str(script)], cwd=HERE.parent)
        status = status or result.returncode
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
