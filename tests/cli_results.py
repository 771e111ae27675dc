#!/usr/bin/env python3
"""CLI tests of what a result page holds beyond the hits: several snippet fragments,
the lead for a title-only match, "did you mean" suggestions, facets by author and year,
and near-duplicate collapse. The real fouille-index and fouille-search on folders written
here (and on a copy of corpus/). Run by ctest with FOUILLE_BIN and FOUILLE_SOURCE_DIR set;
prints 'N passed, N failed'."""
import json
import os
import re
import shutil
import sys
import tempfile

import clitest
from clitest import SRC, INDEX, SEARCH, check


ELLIPSIS = "\u2026"


def run(args, cwd=None):
    return clitest.run(args, cwd=cwd, no_color=True)


def sane(err):
    """No sanitizer or valgrind report and no crash message in a program's stderr."""
    return ("Sanitizer" not in err and "runtime error" not in err and "Segmentation" not in err
            and not re.search(r"==\d+==", err))


def search(folder, *words, extra=()):
    return run([SEARCH, "--index", os.path.join(folder, ".fouille"), *extra, "--", *words])


def search_json(folder, *words, extra=()):
    rc, out, err = search(folder, *words, extra=("--json", *extra))
    check(sane(err) and rc in (0, 1), f"no sanitizer or valgrind report for {words}", f"rc={rc} {err[-400:]}")
    try:
        return rc, json.loads(out), err
    except ValueError as ex:
        check(False, f"JSON output of {words} {extra} parses", f"{ex}: {out[:300]!r} {err!r}")
        return rc, {"hits": [], "total": 0, "suggestion": None, "facets": None}, err


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def article(title, lead, author, date, body):
    return f"{title}\n\n{lead}\n\npar\n{author}\n{date}\n\n{body}\n"


def index(folder):
    rc, out, err = run([INDEX, folder])
    check(rc == 0 and sane(err), f"fouille-index {os.path.basename(folder)} exits 0", out + err)


# ---- the folder -------------------------------------------------------------------

LEAD = ("Le président russe Vladimir Poutine a annoncé mardi un grand événement diplomatique "
        "à Moscou, en présence de plusieurs chefs d’État africains.")
BODY = ("Selon le Kremlin, la rencontre doit se tenir au début de l’été et portera sur les "
        "livraisons de céréales, la sécurité alimentaire et les accords énergétiques signés l’an "
        "dernier. Les diplomates occidentaux suivent ces préparatifs avec attention.\n\n"
        "Plusieurs capitales européennes ont déjà fait savoir qu’elles n’enverraient aucun représentant.")

# (file, author, date): three copies of one wire story and two other stories
FOLDER = {
    # the original
    "moscou.txt": article("Vladimir Poutine annonce un événement à Moscou", LEAD, "Camille Dubois",
                          "12 avril 2023", BODY),
    # republished: title suffix, another byline and date, retyped apostrophes and spaces
    "moscou-centre.txt": article("Vladimir Poutine annonce un événement à Moscou - Le Journal du Centre",
                                 LEAD.replace("’", "'").replace("mardi un", "mardi,  un"), "Jean Martin",
                                 "13 avril 2023", BODY.replace("’", "'").replace(", la", ",   la")),
    # republished a year later with a sentence added at the end
    "moscou-maj.txt": article("Poutine annonce un événement à Moscou (mis à jour)", LEAD, "Camille Dubois",
                              "12 avril 2024", BODY + " Une phrase ajoutée à la fin par la rédaction."),
    "festival.txt": article(
        "Un festival de musique attire la foule à Nantes",
        "Le festival de musique de Nantes a attiré plus de 40 000 spectateurs ce week-end, un "
        "événement record pour la ville.", "Jean Martin", "3 juillet 2024",
        "Les organisateurs se félicitent d’une fréquentation en hausse et d’une programmation saluée "
        "par la critique. Les concerts du samedi soir ont affiché complet dès le mois de mai.\n\n"
        "Le préfet a salué le travail des bénévoles. La sécurité était assurée par cent agents.\n\n"
        "L’an prochain, le festival durera quatre jours au lieu de trois, et la billetterie ouvrira "
        "dès janvier. Les riverains, eux, réclament moins de bruit après minuit."),
    "secheresse.txt": article(
        "La sécheresse menace les récoltes dans le Sud-Ouest",
        "Les agriculteurs du Sud-Ouest s’inquiètent de la sécheresse qui touche la région depuis le "
        "printemps et menace les récoltes de maïs.", "Lucie Bernard", "20 août 2022",
        "Les nappes phréatiques sont au plus bas et les préfets ont pris des arrêtés de restriction "
        "d’eau. Poutine n’est pour rien dans cette affaire, plaisante un céréalier."),
}


def test_collapse(folder):
    # collapsed by default: the three copies are one hit with "similar": 2
    rc, doc, _ = search_json(folder, "Moscou")
    check(rc == 0, "Moscou found")
    hits = doc["hits"]
    check(len(hits) == 1 and doc["total"] == 1, "three copies of one story: one hit",
          json.dumps([h["path"] for h in hits]))
    check(hits and hits[0]["similar"] == 2, "the hit says 2 similar", json.dumps(hits[:1], ensure_ascii=False))
    check(hits and os.path.basename(hits[0]["path"]).startswith("moscou"), "the hit is a copy")
    # --no-collapse: all three, none with similar
    _, doc, _ = search_json(folder, "Moscou", extra=("--no-collapse",))
    names = sorted(os.path.basename(h["path"]) for h in doc["hits"])
    check(names == ["moscou-centre.txt", "moscou-maj.txt", "moscou.txt"] and doc["total"] == 3,
          "--no-collapse shows the three copies", str(names))
    check(all(h["similar"] == 0 for h in doc["hits"]), "--no-collapse: similar 0 everywhere")
    # different stories are never folded together
    _, doc, _ = search_json(folder, "événement")
    names = sorted(os.path.basename(h["path"]) for h in doc["hits"])
    check(len(names) == 2 and "festival.txt" in names, "the festival is its own hit", str(names))
    check(sum(h["similar"] for h in doc["hits"]) == 2, "only the copies are folded",
          json.dumps([(h["path"], h["similar"]) for h in doc["hits"]]))
    _, doc, _ = search_json(folder, "Poutine", extra=("--no-collapse",))
    check(doc["total"] == 4, "Poutine is in 4 articles", str(doc["total"]))
    _, doc, _ = search_json(folder, "Poutine")
    check(doc["total"] == 2 and sorted(h["similar"] for h in doc["hits"]) == [0, 2],
          "Poutine: 2 hits, one with 2 similar", json.dumps([(h["path"], h["similar"]) for h in doc["hits"]]))
    # on the terminal (plain): "+2 similar" on the hit's line
    rc, out, _ = search(folder, "Moscou")
    check("· +2 similar" in out, "terminal shows +2 similar", out)
    rc, out, _ = search(folder, "Moscou", extra=("--no-collapse",))
    check("similar" not in out, "no +N similar with --no-collapse", out)

    # rewrite one copy into another story: it is no longer folded
    write(os.path.join(folder, "moscou-maj.txt"), article(
        "Poutine à Moscou", "Le maire de Moscou a inauguré une nouvelle ligne de métro, en présence de "
        "Vladimir Poutine et de nombreux habitants venus en famille.", "Camille Dubois", "12 avril 2024",
        "La ligne relie le centre aux quartiers du sud en vingt minutes et transportera deux cent mille "
        "voyageurs par jour selon la mairie."))
    index(folder)
    _, doc, _ = search_json(folder, "Moscou")
    check(doc["total"] == 2 and sorted(h["similar"] for h in doc["hits"]) == [0, 1],
          "a copy rewritten as another story stands alone",
          json.dumps([(h["path"], h["similar"]) for h in doc["hits"]]))
    write(os.path.join(folder, "moscou-maj.txt"), FOLDER["moscou-maj.txt"])
    index(folder)


def test_facets(folder):
    rc, doc, _ = search_json(folder, "Poutine", extra=("--facets",))
    check(rc == 0 and doc["facets"] is not None, "--facets gives facets in JSON", str(doc.get("facets")))
    facets = doc["facets"] or {"author": [], "year": []}
    # every matching article counts, near-duplicates included (they are articles by
    # their authors): Poutine is in the 3 copies and in secheresse.txt
    check(facets["author"] == [{"name": "Camille Dubois", "count": 2}, {"name": "Jean Martin", "count": 1},
                               {"name": "Lucie Bernard", "count": 1}],
          "authors: most first, then by name", json.dumps(facets["author"], ensure_ascii=False))
    check(facets["year"] == [{"name": "2024", "count": 1}, {"name": "2023", "count": 2},
                             {"name": "2022", "count": 1}],
          "years: newest first", json.dumps(facets["year"]))
    # the whole result set, not the page
    _, doc, _ = search_json(folder, "Poutine", extra=("--facets", "--limit", "1"))
    f = doc["facets"] or {"author": [], "year": []}
    check(len(doc["hits"]) == 1 and sum(c["count"] for c in f["year"]) == 4,
          "facets count every match, not the page", json.dumps(f))
    # "événement": all five articles but secheresse.txt
    _, doc, _ = search_json(folder, "evenement", extra=("--facets", "--no-collapse"))
    f = doc["facets"] or {"author": [], "year": []}
    check(f["author"] == [{"name": "Camille Dubois", "count": 2}, {"name": "Jean Martin", "count": 2}],
          "événement authors, ties by name", json.dumps(f["author"], ensure_ascii=False))
    check(f["year"] == [{"name": "2024", "count": 2}, {"name": "2023", "count": 2}],
          "événement years", json.dumps(f["year"]))
    # without --facets: null
    _, doc, _ = search_json(folder, "Poutine")
    check("facets" in doc and doc["facets"] is None, "facets is null without --facets")
    # terminal
    rc, out, _ = search(folder, "Poutine", extra=("--facets",))
    check("By author: Camille Dubois (2), Jean Martin (1), Lucie Bernard (1)" in out,
          "terminal facets by author", out)
    check("By year: 2024 (1), 2023 (2), 2022 (1)" in out, "terminal facets by year", out)
    rc, out, _ = search(folder, "Poutine")
    check("By author" not in out, "no facets on the terminal without --facets")


def test_suggestions(folder):
    cases = [
        (["evenement"], "événement"),          # accents restored
        (["poutin"], "Poutine"),               # a name typed in lowercase: the articles write it
                                               # with a capital, so the suggestion does
        (["Poutinne"], "Poutine"),             # a typo in a name, capital kept
        (["POUTINNE"], "POUTINE"),             # typed in capitals: all capitals, as typed
        (["plusiers"], "plusieurs"),           # a common word starting some sentences
                                               # ("Plusieurs capitales"): lowercase kept
        (["secheresse", "recoltes"], "sécheresse récoltes"),
        (["festivl", "Nantes"], "festival Nantes"),  # the other words stay as typed
        (["l'evenement"], "l'événement"),      # the elided article stays
        (["Poutine", "-festivl"], None),       # excluded words are not corrected
    ]
    for words, want in cases:
        rc, doc, err = search_json(folder, *words)
        check(doc.get("suggestion") == want, f"{words}: suggestion {want!r}",
              f"got {doc.get('suggestion')!r} {err}")
    # a query with nothing to correct, or nothing close, gets none
    for words in (["événement"], ["Poutine"], ["Moscou", "céréales"], ["xyzzyq"], ["guerre"]):
        _, doc, _ = search_json(folder, *words)
        check(doc.get("suggestion") is None, f"{words}: no suggestion", repr(doc.get("suggestion")))
    # never the query itself, and never a query that finds nothing
    for words in (["evenement"], ["Poutinne"], ["festivl", "Nantes"]):
        _, doc, _ = search_json(folder, *words)
        s = doc.get("suggestion")
        check(s and s != " ".join(words), f"{words}: the suggestion differs from the query", repr(s))
        if s:
            rc, again, _ = search_json(folder, s)
            check(rc == 0 and again["total"] > 0, f"the suggestion {s!r} finds something")
    # --no-suggest
    _, doc, _ = search_json(folder, "evenement", extra=("--no-suggest",))
    check(doc.get("suggestion") is None, "--no-suggest: suggestion null")
    # on the terminal, also when nothing was found
    rc, out, _ = search(folder, "evenement")
    check(out.startswith("Did you mean: événement?\n"), "terminal: Did you mean", out[:200])
    rc, out, _ = search(folder, "Poutinne")
    check(rc == 1 and "Did you mean: Poutine?" in out and "No article matches" in out,
          "terminal: nothing found, and a suggestion", out)
    rc, out, _ = search(folder, "evenement", extra=("--no-suggest",))
    check("Did you mean" not in out, "terminal: --no-suggest", out[:200])
    rc, out, err = search(folder, "Poutinne", extra=("--paths",))
    check("did you mean: Poutine?" in err and out == "", "--paths: the suggestion on stderr", out + err)

    # a word of an article since removed is not suggested
    write(os.path.join(folder, "zeppelin.txt"), article(
        "Un zeppelin survole Paris", "Un zeppelin publicitaire a survolé Paris dimanche.", "Lucie Bernard",
        "1 mai 2024", "Les passants ont levé les yeux."))
    index(folder)
    _, doc, _ = search_json(folder, "zepelin")
    check(doc.get("suggestion") == "zeppelin", "zepelin: zeppelin while it is indexed", repr(doc.get("suggestion")))
    os.remove(os.path.join(folder, "zeppelin.txt"))
    index(folder)
    _, doc, _ = search_json(folder, "zepelin")
    check(doc.get("suggestion") is None, "zepelin: nothing once zeppelin.txt is gone", repr(doc.get("suggestion")))


def test_fragments(folder):
    # default: one passage
    rc, doc, _ = search_json(folder, "festival", "riverains", extra=("--snippet-chars", "60"))
    snip = doc["hits"][0]["snippet"] if doc["hits"] else ""
    check(f" {ELLIPSIS} " not in snip.strip(ELLIPSIS + " "), "default: one passage", snip)
    # --fragments 2: both words, two passages joined with " … ", in text order
    rc, doc, _ = search_json(folder, "riverains", "bénévoles", extra=("--snippet-chars", "60", "--fragments", "2"))
    h = doc["hits"][0] if doc["hits"] else {"snippet": "", "highlights": []}
    snip = h["snippet"]
    parts = snip.strip(ELLIPSIS + " ").split(f" {ELLIPSIS} ")
    check(len(parts) == 2, "--fragments 2: two passages", snip)
    check("bénévoles" in snip and "riverains" in snip and snip.index("bénévoles") < snip.index("riverains"),
          "both words, in text order", snip)
    for p in parts:
        check(len(p.strip(ELLIPSIS + " ")) <= 60, "each passage within --snippet-chars", p)
    raw = snip.encode("utf-8")
    words = [raw[s:e].decode("utf-8") for s, e in h["highlights"]]
    check(words == ["bénévoles", "riverains"], "highlights in both passages", str(words))
    # text output too
    rc, out, _ = search(folder, "riverains", "bénévoles", extra=("--snippet-chars", "60", "--fragments", "2"))
    check(f"[bénévoles]" in out and f"[riverains]" in out and f" {ELLIPSIS} " in out, "terminal: fragments", out)
    # bad values
    for v in ("0", "-1", "x", ""):
        rc, out, err = search(folder, "festival", extra=("--fragments", v))
        check(rc == 2 and "--fragments" in err, f"--fragments {v!r} refused", err)
    rc, doc, _ = search_json(folder, "festival", extra=("--fragments", "1000"))
    check(rc == 0 and doc["hits"], "--fragments 1000 is capped, not an error")

    # a phrase lights up as one span
    _, doc, _ = search_json(folder, '"sécurité alimentaire"')
    h = doc["hits"][0] if doc["hits"] else {"snippet": "", "highlights": []}
    raw = h["snippet"].encode("utf-8")
    words = [raw[s:e].decode("utf-8") for s, e in h["highlights"]]
    check(words == ["sécurité alimentaire"], "a phrase is one highlight", str(words))

    # a title-only match shows the lead, not the body after it
    _, doc, _ = search_json(folder, "foule")
    h = doc["hits"][0] if doc["hits"] else {"snippet": "", "highlights": []}
    want = ("Le festival de musique de Nantes a attiré plus de 40 000 spectateurs ce week-end, un "
            "événement record pour la ville.")
    check(h["snippet"] in (want + " " + ELLIPSIS, want + ELLIPSIS) and h["highlights"] == [],
          "title-only match: the lead", h["snippet"])


def lit(hit):
    """The highlighted words of a JSON hit, from its byte offsets into the snippet."""
    raw = hit["snippet"].encode("utf-8")
    return [raw[s:e].decode("utf-8") for s, e in hit["highlights"]]


def test_corpus_highlights(folder):
    """Phrases with a stopword inside are one span; plain words, NEAR and prefixes."""
    # a phrase with a stopword: one span in every hit, in JSON and on the terminal
    _, doc, _ = search_json(folder, '"préavis de grève"')
    check(len(doc["hits"]) == 2 and all(lit(h) == ["préavis de grève"] for h in doc["hits"]),
          "corpus: \"préavis de grève\" is one span", str([lit(h) for h in doc["hits"]]))
    for h in doc["hits"]:
        s, e = h["highlights"][0] if h["highlights"] else (0, 0)
        raw = h["snippet"].encode("utf-8")
        check(raw[:s].decode("utf-8").endswith(("un ", "Le ")) and e - s == len("préavis de grève".encode()),
              "corpus: the span's byte offsets", f"{s}-{e} in {h['snippet']!r}")
    rc, out, _ = search(folder, '"préavis de grève"')
    check(out.count("[préavis de grève]") == 2 and "[préavis]" not in out, "terminal: one span", out)
    _, doc, _ = search_json(folder, '"guerre en Ukraine"')
    check([lit(h) for h in doc["hits"]] == [["guerre en Ukraine"]], "corpus: \"guerre en Ukraine\"",
          str([lit(h) for h in doc["hits"]]))
    # the same words unquoted, or with NEAR: the same article, separate spans
    for q in (["guerre", "Ukraine"], ["guerre", "NEAR", "Ukraine"]):
        _, doc, _ = search_json(folder, *q)
        by_path = {os.path.basename(h["path"]): lit(h) for h in doc["hits"]}
        got = by_path.get("international-etats-unis-campagne-presidentielle.txt")
        check(got == ["guerre", "Ukraine"], f"corpus: {' '.join(q)} lights up two spans", str(got))
    # title: phrase, in a title here
    _, doc, _ = search_json(folder, 'title:"équipe de France"', "OR", '"équipe de France"')
    check(doc["hits"] and all(lit(h) == ["équipe de France"] for h in doc["hits"]),
          "corpus: équipe de France", str([lit(h) for h in doc["hits"]]))
    # a prefix: every hit shows a word it matched
    _, doc, _ = search_json(folder, "guer*")
    got = sorted(w for h in doc["hits"] for w in lit(h))
    check(len(doc["hits"]) == 3 and got == ["guerre", "guerre", "guerres"], "corpus: guer* lights up", str(got))
    for q in ("élev*", "eleve*"):
        _, doc, _ = search_json(folder, q)
        got = sorted(w for h in doc["hits"] for w in lit(h))
        check(len(doc["hits"]) == 5 and got == sorted(["élèves", "élevées", "élevée", "élève", "élevés"]),
              f"corpus: {q} lights up", str(got))


def test_prefix_agreement(tmp):
    """A word lights up for a prefix iff the index matched it: one article per word, so
    the articles found are exactly those with a highlight, and each shows its word."""
    folder = os.path.join(tmp, "prefix")
    words = {"eleve.txt": "élève", "eleve2.txt": "élevé", "eleveur.txt": "éleveurs",
             "elevage.txt": "élevage", "guerre.txt": "guerrier", "gare.txt": "gare"}
    for name, w in words.items():
        write(os.path.join(folder, name), f"Un article\n\nOn y parle d’un {w} et de la pluie.\n")
    index(folder)
    for q, want in (("eleve*", {"eleve.txt", "eleve2.txt", "eleveur.txt"}),
                    ("ÉLÈVE*", {"eleve.txt", "eleve2.txt", "eleveur.txt"}),
                    ("elevag*", {"elevage.txt"}),
                    ("guer*", {"guerre.txt"})):
        _, doc, _ = search_json(folder, q)
        found = {os.path.basename(h["path"]) for h in doc["hits"]}
        check(found == want, f"{q} finds {sorted(want)}", str(sorted(found)))
        for h in doc["hits"]:
            name = os.path.basename(h["path"])
            check(lit(h) == [words[name]], f"{q}: {name} lights up {words[name]}", str(lit(h)))


def test_corpus(tmp):
    """corpus/ holds no near-duplicates: nothing is folded, totals are unchanged."""
    folder = os.path.join(tmp, "corpus")
    shutil.copytree(os.path.join(SRC, "corpus"), folder, ignore=shutil.ignore_patterns(".fouille"))
    index(folder)
    test_corpus_highlights(folder)
    for q in ("france", "greve", "sncf", "montclar", "hopital", "sommeil"):
        _, a, _ = search_json(folder, q, extra=("--limit", "50"))
        _, b, _ = search_json(folder, q, extra=("--limit", "50", "--no-collapse"))
        check([h["path"] for h in a["hits"]] == [h["path"] for h in b["hits"]] and a["total"] == b["total"],
              f"corpus: {q} collapses nothing", f"{a['total']} vs {b['total']}")
        check(all(h["similar"] == 0 for h in a["hits"]), f"corpus: {q} no similar")
    # facets over the corpus: counts add up to the matches that have a date
    _, doc, _ = search_json(folder, "france", extra=("--facets", "--limit", "50"))
    f = doc["facets"] or {"author": [], "year": []}
    dated = sum(1 for h in doc["hits"] if h["date"])
    check(sum(c["count"] for c in f["year"]) == dated, "corpus: years add up", f"{f['year']} vs {dated}")
    authored = {}
    for h in doc["hits"]:
        if h["author"]:
            authored[h["author"]] = authored.get(h["author"], 0) + 1
    check({c["name"]: c["count"] for c in f["author"]} == authored, "corpus: authors add up",
          f"{f['author']} vs {authored}")
    counts = [c["count"] for c in f["author"]]
    check(counts == sorted(counts, reverse=True), "corpus: authors most first", str(counts))
    # the JSON shape of every new field
    _, doc, _ = search_json(folder, "securite", extra=("--facets",))
    check(isinstance(doc.get("suggestion"), (str, type(None))), "suggestion: string or null")
    check(doc.get("suggestion") == "sécurité", "securite: did you mean sécurité", repr(doc.get("suggestion")))
    check(all(isinstance(h.get("similar"), int) for h in doc["hits"]), "every hit has similar")
    check(set(doc["facets"]) == {"author", "year"}, "facets has author and year", str(doc["facets"]))
    for c in doc["facets"]["author"] + doc["facets"]["year"]:
        check(set(c) == {"name", "count"} and isinstance(c["count"], int) and c["count"] > 0,
              "facet entries are {name, count}", str(c))


def test_long_snippets(tmp):
    """Long articles over two shards, the query's second word either late in the text
    or only in the title. A snippet stops scanning early only for a word the index says
    the text lacks (its positions after the title's), so each one shows what a scan of
    the whole text shows: both words where the text has both, else the first passage
    with the one it has."""
    folder = os.path.join(tmp, "long")
    filler = "Une phrase de remplissage parle du temps qu’il fait ici. " * 1200  # ~70 KB
    late = {}
    for i in range(8):
        in_text = i % 2 == 0
        title = f"Chronique {i} depuis Odessa" if i % 4 < 2 else f"Chronique {i}"
        body = (f"Le maire de Kharkiv parle du froid. {filler}"
                + ("Le port d’Odessa répond à Kharkiv. " if in_text else "")
                + filler)
        if in_text or "Odessa" in title:
            write(os.path.join(folder, f"c{i}.txt"),
                  article(title, "Un chapeau sans les mots cherchés.", "Jeanne Martin", "2024-01-0%d" % (i + 1), body))
            late[f"c{i}.txt"] = in_text
    rc, out, err = run([INDEX, "--shards", "2", folder])
    check(rc == 0 and sane(err), "fouille-index --shards 2 of long articles exits 0", out + err)
    _, doc, _ = search_json(folder, "kharkiv", "odessa", extra=("--limit", "20", "--no-collapse"))
    found = {os.path.basename(h["path"]): h for h in doc["hits"]}
    check(set(found) == set(late), "every long article matches", f"{sorted(found)} vs {sorted(late)}")
    for name, in_text in sorted(late.items()):
        h = found.get(name)
        if not h:
            continue
        want = ["Odessa", "Kharkiv"] if in_text else ["Kharkiv"]
        check(lit(h) == want, f"{name}: lights up {want}", f"{lit(h)} in {h['snippet'][:200]!r}")


def test_totals(tmp):
    """The count says whether it is exact: 'About N' when Xapian could only bound it,
    on the terminal and in JSON; exact with --facets or on the last page."""
    folder = os.path.join(tmp, "totals")
    for i in range(300):  # couvert in 200, ouvre in 240, both in 160
        write(os.path.join(folder, f"a{i:03d}.txt"),
              f"Dépêche numéro {i}\n\nLe marché {'couvert' if i % 3 else 'central'} "
              f"{'ouvre' if i % 5 else 'ferme'} ce matin.\n")
    index(folder)
    _, doc, _ = search_json(folder, "couvert", "ouvre", extra=("--no-collapse",))
    check(doc["total_exact"] is False and doc["total"] >= 100, "160 matches, 10 shown: an estimate",
          f"{doc['total']} exact={doc['total_exact']}")
    rc, out, err = search(folder, "couvert", "ouvre", extra=("--no-collapse", "--no-suggest"))
    check(out.startswith(f"About {doc['total']} articles match"), "the terminal says About", out[:80])
    _, doc, _ = search_json(folder, "couvert", "ouvre", extra=("--no-collapse", "--facets"))
    check(doc["total_exact"] is True and doc["total"] == 160, "with --facets: 160, exact", str(doc["total"]))
    _, doc, _ = search_json(folder, "marche", extra=("--no-collapse",))
    check(doc["total_exact"] is True and doc["total"] == 300, "one word: 300, exact",
          f"{doc['total']} exact={doc['total_exact']}")
    _, doc, _ = search_json(folder, "ferme", extra=("--limit", "3"))
    check(doc["total_exact"] is True and doc["total"] == 60 and len(doc["hits"]) == 3,
          "60 matches on a page of 3: exact", f"{doc['total']} exact={doc['total_exact']}")
    rc, out, err = search(folder, "ferme", extra=("--limit", "3", "--no-suggest"))
    check(out.startswith("60 articles match"), "the terminal says 60", out[:80])


def main():
    for prog in (INDEX, SEARCH):
        if not os.access(prog, os.X_OK):
            print(f"missing {prog}: build first", file=sys.stderr)
            return 1
    with tempfile.TemporaryDirectory(prefix="fouille-results-") as tmp:
        folder = os.path.join(tmp, "news")
        for name, text in FOLDER.items():
            write(os.path.join(folder, name), text)
        index(folder)
        test_collapse(folder)
        test_facets(folder)
        test_fragments(folder)
        test_suggestions(folder)
        test_corpus(tmp)
        test_prefix_agreement(tmp)
        test_totals(tmp)
        test_long_snippets(tmp)
    return clitest.summary()


if __name__ == "__main__":
    sys.exit(main())
