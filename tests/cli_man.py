#!/usr/bin/env python3
"""The man pages (docs/man/*.1) against the programs: every option `--help` shows is
documented in the page's OPTIONS section, the version in the .TH line is the program's,
and groff renders the page without a warning (when groff is installed). Run by ctest
with FOUILLE_BIN and FOUILLE_SOURCE_DIR; prints 'N passed, N failed'."""
import os
import re
import shutil
import subprocess
import sys

import clitest
from clitest import BIN, SRC, check


def help_options(text):
    """The options of a --help text: each line of the options list starts with them,
    '  --limit N        show N hits', '  --quiet, -q      print...'."""
    opts = []
    for line in text.splitlines():
        m = re.match(r"^ {1,4}(-\S.*?)(?: {2,}|$)", line)
        if m:
            for alt in m.group(1).split(", "):
                opts.append(alt.split()[0])
    return opts


def man_options(roff):
    """The options tagged in the OPTIONS section (the line after each .TP)."""
    section = re.search(r"^\.SH OPTIONS\n(.*?)(?=^\.SH )", roff, re.S | re.M)
    if not section:
        return set()
    lines = section.group(1).split("\n")
    tags = [lines[i + 1] for i, l in enumerate(lines[:-1]) if l.startswith(".TP")]
    found = set()
    for tag in tags:
        plain = re.sub(r"\\f[BIRP]|\\f\[\w*\]", "", tag).replace("\\-", "-").replace('"', " ")
        found.update(w.rstrip(",") for w in plain.split() if w.startswith("-"))
    return found


def main():
    groff = shutil.which("groff")
    for prog in ("fouille-index", "fouille-search"):
        exe = os.path.join(BIN, prog)
        page = os.path.join(SRC, "docs", "man", prog + ".1")
        if not check(os.access(exe, os.X_OK), f"{prog} is built") or not check(os.path.isfile(page), f"{page} exists"):
            continue
        with open(page, encoding="utf-8") as f:
            roff = f.read()
        out = subprocess.run([exe, "--help"], capture_output=True, text=True).stdout
        opts = help_options(out)
        check(len(opts) >= 5, f"{prog} --help lists its options", out)
        documented = man_options(roff)
        for opt in opts:
            check(opt in documented, f"{prog}.1 documents {opt} (shown by --help) in OPTIONS", sorted(documented))
        version = subprocess.run([exe, "--version"], capture_output=True, text=True).stdout.split()[-1]
        th = re.search(r"^\.TH .*$", roff, re.M)
        check(th and f'"fouille {version}"' in th.group(0), f"{prog}.1 .TH names version {version}",
              th.group(0) if th else "no .TH")
        for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXIT STATUS", "SEE ALSO"):
            check(re.search(rf"^\.SH {section}$", roff, re.M), f"{prog}.1 has a {section} section")
        if groff:
            p = subprocess.run([groff, "-man", "-Tutf8", "-ww", "-z", page], capture_output=True, text=True)
            check(p.returncode == 0 and not p.stderr.strip(), f"groff renders {prog}.1 without warnings", p.stderr)
    if not groff:
        print("groff not found: rendering not checked (apt-get install groff-base)")
    return clitest.summary()


if __name__ == "__main__":
    sys.exit(main())
