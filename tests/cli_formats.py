#!/usr/bin/env python3
"""CLI tests for real folders: Markdown, HTML, JSON, JSON Lines, legacy encodings, the
walk's options (--exclude, --max-size), --stats and the progress line. Runs the real
binaries on folders written here. Prints 'N passed, N failed'."""
import json
import os
import pty
import sqlite3
import sys
import tempfile

import clitest
from clitest import SRC, INDEX, SEARCH, check


def run(args, cwd=None):
    return clitest.run(args, cwd=cwd)


def search(folder, *words):
    rc, out, err = run([SEARCH, "--index", os.path.join(folder, ".fouille"), "--json", "--limit", "50",
                        "--", *words])
    try:
        return json.loads(out)
    except ValueError:
        check(False, f"JSON for {words}", out + err)
        return {"hits": [], "total": 0}


def counts(out):
    c = {}
    for line in out.splitlines():
        for part in line.replace(";", ",").split(","):
            w = part.split()
            if len(w) >= 2 and w[0].isdigit():
                c.setdefault(w[1], int(w[0]))
    return c


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))


MD = """---
title: "Les abeilles sauvages reviennent en ville"
author: Hélène Moreau
date: 2024-05-02
tags: [nature, ville]
url: https://exemple.fr/abeilles
---

# Les abeilles sauvages reviennent en ville

Les **pollinisateurs** profitent des [toits végétalisés](https://exemple.fr/toits) et des
friches. `code_inutile` reste du code.

```
fonction_cachee()
```

- une liste
- de *bourdons*
"""

HTML = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">
<title>Le tramway de Brest s’allonge | Journal de l’Ouest</title>
<meta name="author" content="Yann Le Gall">
<meta property="article:published_time" content="2023-09-14T08:00:00+02:00">
<script>var trackingPixelZarbi = 1;</script><style>.x{}</style></head>
<body><nav><a href="/">Abonnez-vous</a> menuzarbi</nav>
<article><h1>Le tramway de Brest s’allonge</h1>
<p>La deuxième ligne de tramway desservira l’hôpital et le campus dès l’été prochain.</p>
<p>Les travaux ont coûté 12&nbsp;millions d’euros, a précisé l’agglomération.</p></article>
<footer>piedzarbi mentions légales</footer></body></html>
"""

JSONL_LINES = [
    {"id": "a1", "title": "Les huîtres d’Arcachon reprennent des couleurs", "text": "Les ostréiculteurs respirent.", "date": "2023-03-01", "author": "Marc Roux"},
    {"id": "a2", "title": "La criée de Boulogne modernisée", "text": "Un nouveau hall pour les marins-pêcheurs.", "date": "2023-03-02"},
    "{ceci n’est pas du JSON",
    {"id": "a3", "title": "Le phare de Cordouan restauré", "text": "Le roi des phares brille à nouveau.", "date": "2023-03-03"},
    "[1, 2, 3]",
    {"id": "a4", "title": "Les goélands envahissent les toits", "text": "Les citadins s’agacent des goélands.", "date": "2023-03-04"},
]


def jsonl(lines):
    return "\n".join(l if isinstance(l, str) else json.dumps(l, ensure_ascii=False) for l in lines) + "\n"


def test_formats(tmp):
    folder = os.path.join(tmp, "mix")
    write(os.path.join(folder, "abeilles.md"), MD)
    write(os.path.join(folder, "tram.html"), HTML)
    write(os.path.join(folder, "mer.jsonl"), jsonl(JSONL_LINES))
    write(os.path.join(folder, "liste.json"), json.dumps([
        {"id": 7, "title": "Le marché de Noël de Colmar", "body": ["Premier paragraphe sur les chalets.", "Second paragraphe sur le vin chaud."]},
        {"title": "La fête des lumières à Lyon", "content": "Des illuminations par milliers."},
    ], ensure_ascii=False))
    # Windows-1252: é è à ’ œ « » as single bytes
    write(os.path.join(folder, "ancien.txt"),
          "Le cœur de la cité médiévale rénové\n\nLa municipalité a achevé « l’œuvre » : les façades à colombages.\n\npar\nPaul Hébert\n\nLes artisans ont travaillé trois années.\n".encode("cp1252"))
    write(os.path.join(folder, "image.png"), b"\x89PNG\r\n\x1a\n" + bytes(100))
    write(os.path.join(folder, "rapport.pdf"), b"%PDF-1.4\n")
    write(os.path.join(folder, "brouillons", "secret.txt"), "Brouillon secretissime\n\nTexte.\n")
    write(os.path.join(folder, "notes.bak"), "sauvegarde\n")

    rc, out, err = run([INDEX, "--exclude", "brouillons", "--exclude", "*.bak", folder])
    c = counts(out)
    check(rc == 1, "bad JSON lines make the exit status 1", f"rc={rc}\n{out}{err}")
    check(c.get("added") == 1 + 1 + 4 + 2 + 1, "every article of every format added", out + err)
    check("mer.jsonl: line 3" in err and "mer.jsonl: line 5" in err,
          "bad JSON lines reported with their line numbers", err)
    check(".png 1" in out and ".pdf 1" in out, "other formats counted by type", out)
    check("\r" not in err, "no progress line when stderr is not a terminal", repr(err[:200]))

    doc = search(folder, "pollinisateur")
    check(doc["total"] == 1 and doc["hits"][0]["format"] == "markdown", "Markdown article found", str(doc))
    if doc["hits"]:
        h = doc["hits"][0]
        check(h["title"] == "Les abeilles sauvages reviennent en ville", "front matter title", h["title"])
        check(h["author"] == "Hélène Moreau" and h["date"] == "2024-05-02", "front matter author and date", str(h))
        check("**" not in h["snippet"] and "](" not in h["snippet"] and "https" not in h["snippet"],
              "no Markdown markup in the snippet", h["snippet"])
    check(search(folder, "toits", "vegetalises")["total"] == 1, "link text indexed")
    check(search(folder, "exemple")["total"] == 0, "link URLs not indexed")
    check(search(folder, "fonction_cachee")["total"] == 0, "fenced code not indexed")

    doc = search(folder, "tramway")
    check(doc["total"] == 1 and doc["hits"][0]["format"] == "html", "HTML article found", str(doc))
    if doc["hits"]:
        h = doc["hits"][0]
        check(h["title"] == "Le tramway de Brest s’allonge", "HTML title without the site name", h["title"])
        check(h["author"] == "Yann Le Gall" and h["date"] == "2023-09-14", "HTML author and date", str(h))
    for word in ("abonnez", "menuzarbi", "trackingPixelZarbi", "piedzarbi"):
        check(search(folder, word)["total"] == 0, f"navigation/script word {word!r} not indexed")

    doc = search(folder, "phare")
    check(doc["total"] == 1 and doc["hits"][0]["record"] == "id=a3", "JSONL record found with its id", str(doc))
    doc = search(folder, "chalets")
    check(doc["total"] == 1 and doc["hits"][0]["record"] == "id=7", "JSON array record found", str(doc))
    check(search(folder, "illuminations")["total"] == 1, "JSON record without id found")

    doc = search(folder, "coeur", "cite", "medievale")
    check(doc["total"] == 1, "Windows-1252 article decoded and found", str(doc))
    if doc["hits"]:
        check("cœur" in doc["hits"][0]["title"], "accents of a Windows-1252 file come out right",
              doc["hits"][0]["title"])
    db = sqlite3.connect(os.path.join(folder, ".fouille", "catalog.sqlite"))
    enc = db.execute("SELECT encoding FROM articles WHERE path='ancien.txt'").fetchone()
    fmts = dict(db.execute("SELECT format, count(*) FROM articles GROUP BY format").fetchall())
    db.close()
    check(enc and enc[0] == "windows-1252", "the catalog records the encoding used", str(enc))
    check(fmts == {"markdown": 1, "html": 1, "jsonl": 4, "json": 2, "text": 1}, "formats in the catalog", str(fmts))
    check(search(folder, "secretissime")["total"] == 0, "--exclude of a folder")
    check(search(folder, "sauvegarde")["total"] == 0, "--exclude of a name pattern")

    # JSON Lines: one record changed, one removed, one added; the others untouched
    lines = list(JSONL_LINES)
    lines[1] = dict(lines[1], text="La criée accueille désormais des langoustines.")
    del lines[5]
    lines.append({"id": "a5", "title": "Un nouveau port de plaisance", "text": "Des pontons flottants."})
    write(os.path.join(folder, "mer.jsonl"), jsonl(lines))
    rc, out, err = run([INDEX, "--exclude", "brouillons", "--exclude", "*.bak", folder])
    c = counts(out)
    check(c.get("updated") == 1 and c.get("added") == 1 and c.get("removed") == 1,
          "JSONL: only the changed records are re-indexed", out)
    check(search(folder, "langoustine")["total"] == 1, "the changed record is found")
    check(search(folder, "goeland")["total"] == 0, "the removed record is gone")

    # --stats
    rc, out, err = run([INDEX, "--stats", folder])
    check(rc == 0 and "articles" in out and "jsonl: 4" in out and "2023" in out and "Hélène Moreau" in out,
          "--stats shows formats, years and authors", out + err)
    rc, out, err = run([INDEX, "--stats"], cwd=folder)
    check(rc == 0 and "articles" in out, "--stats finds the nearest index", err)

    # --verbose lists every file
    rc, out, err = run([INDEX, "--verbose", "--exclude", "brouillons", "--exclude", "*.bak", folder])
    check("unchanged" in out and "abeilles.md" in out, "--verbose lists files", out)
    # --quiet prints no summary
    rc, out, err = run([INDEX, "--quiet", "--exclude", "brouillons", "--exclude", "*.bak", folder])
    check(out == "", "--quiet prints nothing on stdout", out)


def test_walk_limits(tmp):
    folder = os.path.join(tmp, "limits")
    write(os.path.join(folder, "petit.txt"), "Un petit article\n\nIl parle de grenouilles.\n")
    big = os.path.join(folder, "enorme.txt")
    with open(big, "wb") as f:  # sparse: 60 MB on paper, nothing on disk
        f.truncate(60 * 1000 * 1000)
    rc, out, err = run([INDEX, folder])
    check(rc == 0 and "enorme.txt" in err and "too large" in err, "a file over 50 MB skipped with a message", out + err)
    check(search(folder, "grenouille")["total"] == 1, "the rest is indexed")


def test_progress_on_terminal(tmp):
    folder = os.path.join(tmp, "pty")
    for i in range(200):
        write(os.path.join(folder, f"a{i}.txt"), f"Article {i}\n\nUn texte sur les marées numéro {i}.\n")
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(INDEX, [INDEX, folder])
    out = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.waitpid(pid, 0)
    text = out.decode("utf-8", "replace")
    check("files" in text and "\r" in text, "a progress line on a terminal", repr(text[:300]))
    check("200 added" in text, "the summary follows the progress line", repr(text[-300:]))


def test_fixtures(tmp):
    """The fixture folder of every format, broken files included, indexed as one."""
    import shutil
    folder = os.path.join(tmp, "fixtures")
    shutil.copytree(os.path.join(SRC, "tests", "fixtures"), folder)
    rc, out, err = run([INDEX, folder])
    c = counts(out)
    problems = [l for l in err.splitlines() if l.startswith("fouille-index: ") and "could not be indexed" not in l]
    check(rc == 1 and all("depeches.jsonl: line" in l for l in problems) and len(problems) == 2,
          "the fixtures index; only the two broken JSON lines fail, by line number", out + err)
    check(c.get("added", 0) >= 20, "every fixture article added", out)
    for word in ("zzurlcache", "zzcodecache", "zzcommentaire"):
        check(search(folder, word)["total"] == 0, f"{word}: URLs, code and comments of Markdown are not indexed")
    doc = search(folder, "vendanges")
    check(doc["total"] >= 1 and any(h["path"].endswith("windows-1252-vendanges.md") for h in doc["hits"]),
          "a Windows-1252 Markdown file is decoded", str([h["path"] for h in doc["hits"]]))
    db = sqlite3.connect(os.path.join(folder, ".fouille", "catalog.sqlite"))
    encs = dict(db.execute("SELECT path, encoding FROM articles WHERE path LIKE 'text-cp1252/%'").fetchall())
    db.close()
    check(encs and all(e == "windows-1252" for e in encs.values()), "cp1252 text fixtures decoded", str(encs))


def main():
    with tempfile.TemporaryDirectory(prefix="fouille-formats-") as tmp:
        test_formats(tmp)
        test_walk_limits(tmp)
        test_fixtures(tmp)
        test_progress_on_terminal(tmp)
    return clitest.summary()


if __name__ == "__main__":
    sys.exit(main())
