#!/usr/bin/env python3
"""libfouille.so exports exactly the API: the functions declared FOUILLE_API in
include/fouille.h, no more (nothing internal, none of the C++ parts' template instances
or type_info), no less (a declared function that is not exported cannot be linked).

    python3 tests/symbols.py BUILD/libfouille.so include/fouille.h
"""
import re
import subprocess
import sys


def declared(header):
    with open(header, encoding="utf-8") as f:
        text = f.read()
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    text = re.sub(r"^\s*#.*$", " ", text, flags=re.M)
    names = set()
    for decl in re.findall(r"\bFOUILLE_API\b([^;]*);", text):
        m = re.search(r"\b(\w+)\s*\(", decl)  # the first name followed by '('
        if m:
            names.add(m.group(1))
    return names


def exported(lib):
    out = subprocess.run(["nm", "-D", "--defined-only", lib], capture_output=True, text=True, check=True).stdout
    functions, others = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        kind, name = parts[1], parts[2].split("@")[0]
        (functions if kind in "TtWi" else others).add(f"{name}" if kind in "TtWi" else f"{name} ({kind})")
    return functions, others


def readable(names):
    """The names, C++ ones followed by their demangled form when c++filt is there."""
    try:
        out = subprocess.run(["c++filt"], input="\n".join(names), capture_output=True, text=True).stdout.split("\n")
    except OSError:
        out = names
    return [n if n == d or not d else f"{n}  ({d})" for n, d in zip(names, out)]


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: symbols.py LIBFOUILLE_SO FOUILLE_H")
    lib, header = sys.argv[1], sys.argv[2]
    api = declared(header)
    functions, others = exported(lib)
    ok = True
    if len(api) < 20:
        print(f"FAILED: found only {len(api)} FOUILLE_API functions in {header}")
        ok = False
    extra = sorted(functions - api)
    if extra:
        print(f"FAILED: exported by {lib} but not declared in {header} (make them static, or "
              f"declare them):\n  " + "\n  ".join(readable(extra)))
        ok = False
    if others:
        print(f"FAILED: {lib} exports data or other symbols: " + ", ".join(sorted(others)))
        ok = False
    missing = sorted(api - functions)
    if missing:
        print(f"FAILED: declared in {header} but not exported by {lib} ({len(missing)}): not implemented "
              f"yet, or implemented in a file that does not include fouille.h:\n  " + "\n  ".join(missing))
        ok = False
    print(f"{len(api)} functions declared, {len(functions)} exported, {len(api & functions)} in common")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
