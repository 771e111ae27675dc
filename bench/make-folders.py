#!/usr/bin/env python3
"""Build the benchmark folders of fouille from real French text.

The text comes from the French documentation that Debian ships (GIMP, LibreOffice,
LilyPond, the Debian handbook and reference, Debian Edu, KiCad, LinuxCNC): thousands of
pages that nobody in this project wrote.

  make-folders.py html  OUT            install the packages (apt-get, needs root) and
                                       copy their French HTML pages to OUT/<package>/
  make-folders.py text  HTML OUT       one plain-text article per page: title line,
                                       blank line, paragraphs separated by blank lines
  make-folders.py synth TEXT OUT N [SEED]
                                       N news-shaped articles (title, lead, "par"
                                       author, date, body) built from paragraphs of the
                                       text folder TEXT, ~3 KB each, 1,000 per subfolder
                                       (OUT/0000/a0000000.txt ...); the same SEED gives
                                       the same bytes

Python 3 standard library only. A million synthetic articles (about 3 GB) take a few
minutes; the disk is usually what limits it.
"""
import hashlib
import html.parser
import os
import random
import re
import subprocess
import sys

PACKAGES = [
    "gimp-help-fr", "libreoffice-help-fr", "lilypond-doc-html-fr",
    "debian-reference-fr", "debian-edu-doc-fr", "kicad-doc-fr",
    "linuxcnc-doc-fr", "debian-handbook",
]

# ---- html -------------------------------------------------------------------------


def is_page(pkg, path):
    if not re.search(r"\.x?html?$", path, re.I) or not os.path.isfile(path):
        return False
    # debian-handbook ships every translation; keep the French one
    if pkg == "debian-handbook" and "/fr-FR/" not in path:
        return False
    return True


def cmd_html(out):
    missing = [p for p in PACKAGES
               if subprocess.run(["dpkg-query", "-W", "-f=${Status}", p], capture_output=True,
                                 text=True).stdout.strip() != "install ok installed"]
    if missing:
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        apt = ["apt-get"] if os.geteuid() == 0 else ["sudo", "apt-get"]
        subprocess.run(apt + ["install", "-y", "-q", "--no-install-recommends"] + missing,
                       check=True, env=env, stdout=subprocess.DEVNULL)
    total = 0
    for pkg in PACKAGES:
        listing = subprocess.run(["dpkg", "-L", pkg], check=True, capture_output=True,
                                 text=True).stdout.split("\n")
        n = 0
        for path in sorted(set(listing)):
            if not is_page(pkg, path):
                continue
            d = os.path.join(out, pkg)
            os.makedirs(d, exist_ok=True)
            # several packages reuse names (index.html) in different folders: prefix a
            # short hash of the installed path so that the copy is stable and unique
            tag = hashlib.sha1(path.encode()).hexdigest()[:8]
            with open(os.path.realpath(path), "rb") as src:
                data = src.read()
            with open(os.path.join(d, tag + "-" + os.path.basename(path)), "wb") as dst:
                dst.write(data)
            n += 1
        print(f"{pkg}: {n} pages", file=sys.stderr)
        total += n
    print(f"{total} HTML pages in {out}")

# ---- text -------------------------------------------------------------------------


class PageText(html.parser.HTMLParser):
    """Title and paragraphs of one HTML page, without navigation or code."""

    SKIP_TAGS = {"script", "style", "head", "nav", "header", "footer", "aside", "noscript",
                 "svg", "form", "button", "select", "template", "iframe"}
    SKIP_CLASSES = {"navheader", "navfooter", "sphinxsidebar", "related", "breadcrumb",
                    "breadcrumbs", "nav-panel", "navigation", "footer", "header", "toc",
                    "nav_table", "docnav", "banner"}
    BLOCKS = {"p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4",
              "h5", "h6", "tr", "td", "th", "table", "pre", "section", "article", "main",
              "blockquote", "hr", "figure", "figcaption", "caption", "body"}
    VOID = {"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "embed",
            "source", "track", "wbr", "param"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.skip = []          # [tag, depth] of the skipped elements we are inside
        self.in_title = False
        self.title = []
        self.h1 = None          # text of the first <h1>, once met
        self.in_h1 = False
        self.parts = []

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self.in_title = True
        if self.skip:
            if tag == self.skip[-1][0] and tag not in self.VOID:
                self.skip[-1][1] += 1
            return
        classes = set()
        for k, v in attrs:
            if k in ("class", "id") and v:
                classes.update(v.lower().split())
        if tag in self.SKIP_TAGS or (classes & self.SKIP_CLASSES):
            if tag not in self.VOID:
                self.skip.append([tag, 1])
            return
        if tag == "h1" and self.h1 is None:
            self.h1 = []
            self.in_h1 = True
        if tag in self.BLOCKS:
            self.parts.append("\x00")

    def handle_startendtag(self, tag, attrs):
        if not self.skip and tag in self.BLOCKS:
            self.parts.append("\x00")

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        if self.skip:
            if tag == self.skip[-1][0]:
                self.skip[-1][1] -= 1
                if self.skip[-1][1] == 0:
                    self.skip.pop()
            return
        if tag == "h1":
            self.in_h1 = False
        if tag in self.BLOCKS:
            self.parts.append("\x00")

    def handle_data(self, data):
        if self.in_title:
            self.title.append(data)
        if self.skip:
            return
        if self.in_h1:
            self.h1.append(data)
        self.parts.append(data)


def squash(s):
    return " ".join(s.split())


def decode_page(raw):
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    m = re.search(rb"charset=[\"']?([A-Za-z0-9_-]+)", raw[:4096])
    if m:
        try:
            return raw.decode(m.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    return raw.decode("cp1252", errors="replace")


def page_to_article(raw):
    """(title, [paragraph, ...]) of an HTML page; the title may be empty."""
    p = PageText()
    p.feed(decode_page(raw))
    p.close()
    title = squash("".join(p.h1 or [])) or squash("".join(p.title))
    paras = []
    for block in "".join(p.parts).split("\x00"):
        block = squash(block)
        # a paragraph needs a word: lone punctuation, numbers and symbols are layout
        if len(block) >= 2 and re.search(r"[^\W\d_]{2}", block):
            paras.append(block)
    while paras and paras[0] == title:
        paras.pop(0)
    return title, paras


def cmd_text(src, out):
    n = skipped = 0
    for root, dirs, files in os.walk(src):
        dirs.sort()
        for f in sorted(files):
            if not re.search(r"\.x?html?$", f, re.I):
                continue
            with open(os.path.join(root, f), "rb") as fh:
                title, paras = page_to_article(fh.read())
            if not title or not paras:
                skipped += 1
                continue
            d = os.path.join(out, os.path.relpath(root, src))
            os.makedirs(d, exist_ok=True)
            name = re.sub(r"\.x?html?$", "", f, flags=re.I) + ".txt"
            with open(os.path.join(d, name), "w", encoding="utf-8") as o:
                o.write(title + "\n\n" + "\n\n".join(paras) + "\n")
            n += 1
    print(f"{n} text articles in {out} ({skipped} pages without title or text left out)")

# ---- synth ------------------------------------------------------------------------


FIRST = ["Sébastien", "Camille", "Léa", "Hélène", "François", "Zoé", "Jérôme", "Anaïs",
         "Benoît", "Chloé", "Noël", "Maëlle", "Loïc", "Inès", "Gaëtan", "Océane", "Amélie",
         "Thérèse", "Raphaël", "Éloïse", "Yann", "Mathilde", "Clément", "Agnès", "Cédric",
         "Solène", "Matthieu", "Élodie", "Stéphane", "Bérénice", "Hervé", "Nadège"]
LAST = ["Paulus", "Dubois", "Lefèvre", "Müller", "Côté", "Bélanger", "Gérard", "Moreau",
        "Châtelet", "Lemaître", "Fournier", "Leroy", "Perrault", "Duchêne", "Vasseur",
        "Le Gall", "Garnier", "Bréhat", "Renaud", "Lacroix", "Mercier", "Faure", "Benoît",
        "Rousseau", "Guérin", "Besnard", "Carré", "Delaunay", "Texier", "Poirier"]
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre"]
TARGET_BYTES = 3000


def load_paragraphs(src):
    """Paragraphs of the text folder, encoded, in a fixed order."""
    pool = []
    for root, dirs, files in os.walk(src):
        dirs.sort()
        for f in sorted(files):
            if not f.endswith(".txt"):
                continue
            with open(os.path.join(root, f), encoding="utf-8") as fh:
                blocks = fh.read().split("\n\n")
            for b in blocks[1:]:
                b = b.strip()
                # sentences, not table cells or code: long enough, ending like prose
                if 80 <= len(b) <= 1500 and b[-1] in ".!?»)…:" and " " in b:
                    pool.append(b)
    return pool


def make_title(rng, para):
    words = para.split()
    title = " ".join(words[: rng.randint(5, 11)]).rstrip(",.;:(«")
    return title[:1].upper() + title[1:]


def make_date(rng):
    y, m, d = rng.randint(2005, 2025), rng.randint(1, 12), rng.randint(1, 28)
    form = rng.random()
    if form < 0.55:
        return f"{y}-{m:02d}-{d:02d}"
    if form < 0.75:
        return f"{d} {MONTHS[m - 1]} {y}"
    if form < 0.9:
        return f"{d:02d}/{m:02d}/{y}"
    return f"Publié le {'1er' if d == 1 else d} {MONTHS[m - 1]} {y}"


def cmd_synth(src, out, count, seed):
    pool = load_paragraphs(src)
    if len(pool) < 100:
        sys.exit(f"only {len(pool)} paragraphs under {src}: is it the text folder?")
    enc = [p.encode("utf-8") for p in pool]
    leads = [i for i, p in enumerate(pool) if len(p) <= 400]
    authors = [f"{a} {b}" for a in FIRST for b in LAST]
    rng = random.Random(seed)
    npool, nleads = len(pool), len(leads)
    rand, randint = rng.random, rng.randint
    total = 0
    d = None
    for i in range(count):
        if i % 1000 == 0:
            d = os.path.join(out, f"{i // 1000:04d}")
            os.makedirs(d, exist_ok=True)
        lead = leads[int(rand() * nleads)]
        title = make_title(rng, pool[lead])
        head = (f"{title}\n\n".encode() + enc[lead]
                + f"\n\npar {authors[int(rand() * len(authors))]}\n{make_date(rng)}".encode())
        if rand() < 0.3:
            head += f"\nTemps de lecture {randint(2, 9)} min.".encode()
        parts = [head]
        size = len(head)
        want = randint(TARGET_BYTES // 2, TARGET_BYTES * 3 // 2)
        while size < want:
            para = enc[int(rand() * npool)]
            parts.append(para)
            size += len(para) + 2
        data = b"\n\n".join(parts) + b"\n"
        with open(os.path.join(d, f"a{i:07d}.txt"), "wb") as o:
            o.write(data)
        total += len(data)
        if count >= 100000 and (i + 1) % 100000 == 0:
            print(f"  {i + 1} articles, {total / 1e6:.0f} MB", file=sys.stderr)
    print(f"{count} synthetic articles in {out} ({total / 1e6:.1f} MB, seed {seed})")


def main(argv):
    if len(argv) == 2 and argv[0] == "html":
        cmd_html(argv[1])
    elif len(argv) == 3 and argv[0] == "text":
        cmd_text(argv[1], argv[2])
    elif len(argv) in (4, 5) and argv[0] == "synth":
        cmd_synth(argv[1], argv[2], int(argv[3]), int(argv[4]) if len(argv) == 5 else 1)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
