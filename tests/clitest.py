"""What every CLI test shares: where the binaries and the sources are (ctest sets
FOUILLE_BIN and FOUILLE_SOURCE_DIR), the wrapper every fouille program runs under
(FOUILLE_WRAPPER, e.g. valgrind in .ci/run), a check that counts and goes on, and the
'N passed, N failed' summary that gives the exit status."""
import os
import subprocess
import sys

BIN = os.environ.get("FOUILLE_BIN", "build")
SRC = os.environ.get("FOUILLE_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
INDEX = os.path.join(BIN, "fouille-index")
SEARCH = os.path.join(BIN, "fouille-search")
EXAMPLE = os.path.join(BIN, "fouille-example")
WRAP = os.environ.get("FOUILLE_WRAPPER", "").split()

_count = {"passed": 0, "failed": 0}


def check(cond, what, detail=""):
    """Counts one check; a failure is printed with `what` (and `detail`) and the test goes on."""
    if cond:
        _count["passed"] += 1
    else:
        _count["failed"] += 1
        print(f"FAILED: {what}" + (f"\n  {detail}" if detail else ""), file=sys.stderr)
    return cond


def failures():
    return _count["failed"]


def summary():
    """Prints 'N passed, N failed'; the exit status: 0 when nothing failed."""
    print(f"{_count['passed']} passed, {_count['failed']} failed")
    return 1 if _count["failed"] else 0


def run(args, cwd=None, env=None, timeout=300, no_color=False, wrap=True, binary=False, preexec_fn=None):
    """Runs a program with FOUILLE_INDEX unset (and NO_COLOR set if asked); fouille's own
    programs under FOUILLE_WRAPPER when `wrap`. Returns (status, stdout, stderr), stdout as
    bytes when `binary`, else both decoded as UTF-8 (bad bytes replaced)."""
    args = list(args)
    if wrap and WRAP and args and args[0] in (INDEX, SEARCH, EXAMPLE):
        args = WRAP + args
    e = dict(os.environ)
    e.pop("FOUILLE_INDEX", None)
    if no_color:
        e["NO_COLOR"] = "1"
    if env:
        e.update(env)
    p = subprocess.run(args, cwd=cwd, env=e, capture_output=True, timeout=timeout, preexec_fn=preexec_fn)
    out = p.stdout if binary else p.stdout.decode("utf-8", "replace")
    return p.returncode, out, p.stderr.decode("utf-8", "replace")
