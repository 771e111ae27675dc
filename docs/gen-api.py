#!/usr/bin/env python3
"""Generate docs/api.md, the API reference, from the comments of include/fouille.h.

    python3 docs/gen-api.py            # rewrite docs/api.md
    python3 docs/gen-api.py --check    # exit 1 when docs/api.md is not up to date (ctest)
    python3 docs/gen-api.py --stdout   # print it

The header is the source: each declaration (function, type, group of #defines) is
documented by the comment just above it, as written there. Section banners
(`/* ---- Name ---- */`) become sections.
"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
HEADER = os.path.join(HERE, "..", "include", "fouille.h")
OUTPUT = os.path.join(HERE, "api.md")


def comment_lines(block):
    """The text of a /* */ comment, without the markers and the leading ' * '."""
    text = block.strip()
    text = re.sub(r"^/\*+", "", text)
    text = re.sub(r"\*+/$", "", text)
    out = []
    for line in text.split("\n"):
        line = re.sub(r"^\s*\* ?", "", line) if line.strip().startswith("*") else line.strip()
        out.append(line.rstrip())
    while out and not out[0].strip():
        out.pop(0)
    while out and not out[-1].strip():
        out.pop()
    return out


def inline(text, known):
    """Markdown for one line of comment text: the API's names as code (functions as
    links to their entry), other characters Markdown would read as markup escaped.
    Text already in `backticks` is left alone."""
    parts = re.split(r"(`[^`]*`)", text)
    for k, part in enumerate(parts):
        if part.startswith("`"):
            continue
        out = []
        for tok in re.split(r"(\b(?:fouille|FOUILLE)_\w*\*?(?:\(\))?)", part):
            if re.fullmatch(r"(?:fouille|FOUILLE)_\w*\*?(?:\(\))?", tok):
                name = tok.rstrip("()")
                out.append(f"[`{tok}`](#{anchor(name)})" if name in known and name != KNOWN_SELF[0]
                           else f"`{tok}`")
            else:
                out.append(re.sub(r"([*<\\])", r"\\\1", tok))
        parts[k] = "".join(out)
    return "".join(parts)


KNOWN_SELF = [None]  # the entry being written: not linked to itself


def prose(lines, known=()):
    """Comment text to Markdown: paragraphs, '- ' bullets and 'name: text' parameter
    lists, continuation lines joined to the item they continue."""
    items = []  # (kind, text): kind is 'p', 'li', 'param'
    for line in lines:
        stripped = line.strip()
        if not stripped:
            items.append(("blank", ""))
            continue
        indent = len(line) - len(line.lstrip())
        m = re.match(r"^([a-z_][a-z_0-9]*):\s+(.*)$", stripped)
        if stripped.startswith("- ") and indent <= 1:
            items.append(("li", stripped[2:]))
        elif m and indent == 0:
            items.append(("param", f"`{m.group(1)}`: {m.group(2)}"))
        elif items and items[-1][0] in ("li", "param", "p"):
            kind, text = items[-1]
            items[-1] = (kind, text + " " + stripped)
        else:
            items.append(("p", stripped))
    items = [(kind, inline(text, known)) for kind, text in items]
    out = []
    prev = "blank"
    for kind, text in items:
        if kind == "blank":
            if prev != "blank":
                out.append("")
            prev = kind
            continue
        if kind in ("li", "param"):
            if prev == "p":
                out.append("")
            out.append("- " + text)
        else:
            if prev in ("li", "param"):
                out.append("")
            out.append(text)
        prev = kind
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def declared_names(code):
    """What a chunk of code declares: function names, the typedef name, macro names."""
    names = re.findall(r"FOUILLE_API\b[^;(]*?\(?\**\s*\b(fouille_\w+)\s*\(", code)
    if names:
        return names
    if code.lstrip().startswith("typedef"):
        m = (re.search(r"typedef[^(]*\(\s*\*\s*(\w+)\s*\)", code)  # pointer to function
             or re.search(r"}\s*(\w+)\s*;\s*$", code)  # struct or enum with a body
             or re.search(r"\b(\w+)\s*;\s*$", code))  # opaque
        if m:
            return [m.group(1)]
    macros = re.findall(r"^#define\s+(\w+)", code, re.M)
    if macros:
        return macros
    if re.match(r"\s*enum\s*{", code):
        return re.findall(r"^\s*(FOUILLE_\w+)\s*=", code, re.M)
    return []


def open_comment(code):
    """Whether `code` ends inside a /* comment."""
    return code.rfind("/*") > code.rfind("*/")


def parse(text):
    """[(section, [(names, code, doc)])] and the header's opening comment."""
    body = text.split("#ifndef FOUILLE_H", 1)
    intro = comment_lines(re.match(r"\s*(/\*.*?\*/)", text, re.S).group(1))
    text = body[1] if len(body) > 1 else text
    lines = text.split("\n")
    sections = [("Basics", [])]
    doc = None
    i = 0
    skip = re.compile(r"^(#ifndef FOUILLE_H|#define FOUILLE_H|#endif|#include|#ifdef __cplusplus|"
                      r"extern \"C\"|}$|#if |#else|#define FOUILLE_API)")
    while i < len(lines):
        line = lines[i]
        if not line.strip() or skip.match(line):
            i += 1
            continue
        if line.startswith("/*"):
            block = [line]
            while "*/" not in block[-1]:
                i += 1
                block.append(lines[i])
            i += 1
            joined = "\n".join(block)
            if re.search(r"-{10,}", joined):
                title = [l for l in comment_lines(joined) if l.strip() and not re.fullmatch(r"-+", l.strip())]
                sections.append((title[0].strip(), []))
                doc = None
            else:
                doc = comment_lines(joined)
            continue
        # a declaration: up to the end of its statement (braces balanced), or a run of
        # #define lines
        code = []
        if line.startswith("#define"):
            while i < len(lines) and lines[i].startswith("#define"):
                code.append(lines[i])
                i += 1
                # a trailing comment may go on over the next lines
                while open_comment("\n".join(code)) and i < len(lines):
                    code.append(lines[i])
                    i += 1
        else:
            depth = 0
            while i < len(lines):
                code.append(lines[i])
                depth += lines[i].count("{") - lines[i].count("}")
                i += 1
                if depth == 0 and code[-1].rstrip().endswith(";"):
                    break
        chunk = "\n".join(code)
        names = declared_names(chunk)
        if not names:
            sys.exit(f"gen-api.py: cannot tell what this declares:\n{chunk}")
        sections[-1][1].append((names, chunk, doc or []))
        doc = None
    return intro, [s for s in sections if s[1]]


def anchor(name):
    return name.lower()


def render(intro, sections):
    out = ["# libfouille API reference", "",
           "<!-- Generated by docs/gen-api.py from include/fouille.h: edit the header's",
           "     comments, then run `python3 docs/gen-api.py`. ctest checks it is up to date. -->", ""]
    first = [l for l in intro if l.strip()]
    # the opening comment: "fouille.h — what it is", then prose and conventions
    known = {n for _, entries in sections for names, _, _ in entries for n in names}
    KNOWN_SELF[0] = None
    out.append(prose(intro[1:] if first and first[0].startswith("fouille.h") else intro, known))
    out += ["", "Include `<fouille.h>` and link with `-lfouille` (see the README, \"Embedding\").", ""]
    out += ["## Contents", ""]
    for title, entries in sections:
        funcs = [n for names, code, _ in entries for n in names if "FOUILLE_API" in code]
        types = [n for names, code, _ in entries if "FOUILLE_API" not in code for n in names[:1]]
        links = ", ".join(f"[`{n}`](#{anchor(n)})" for n in funcs + types)
        out.append(f"- **{title}**: {links}")
    out.append("")
    for title, entries in sections:
        out += [f"## {title}", ""]
        for names, code, doc in entries:
            heading = names[0] if "FOUILLE_API" in code or len(names) == 1 else \
                ", ".join(names[:3]) + ("…" if len(names) > 3 else "")
            out += ["".join(f'<a id="{anchor(n)}"></a>' for n in names), f"### `{heading}`", "", "```c"]
            out += [l.expandtabs(8) for l in code.split("\n")]
            out += ["```", ""]
            if doc:
                KNOWN_SELF[0] = names[0]
                out += [prose(doc, known), ""]
    text = "\n".join(out).rstrip() + "\n"
    dangling = set(re.findall(r"\]\(#(\w+)\)", text)) - set(re.findall(r'<a id="(\w+)">', text))
    if dangling:
        sys.exit(f"gen-api.py: links without an entry: {', '.join(sorted(dangling))}")
    return text


def main():
    with open(HEADER, encoding="utf-8") as f:
        intro, sections = parse(f.read())
    text = render(intro, sections)
    if "--stdout" in sys.argv:
        sys.stdout.write(text)
    elif "--check" in sys.argv:
        try:
            with open(OUTPUT, encoding="utf-8") as f:
                current = f.read()
        except OSError:
            current = None
        if current != text:
            sys.exit("docs/api.md is not up to date with include/fouille.h: "
                     "run `python3 docs/gen-api.py` and commit docs/api.md")
        print("docs/api.md is up to date")
    else:
        with open(OUTPUT, "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
