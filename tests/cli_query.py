#!/usr/bin/env python3
"""CLI tests of the query language and the ranking: the real fouille-index and
fouille-search on a folder of dated, undated and authored articles written here. Each
operator and date form is checked by the paths it brings back; the ranking by their
order; --and, --or and --sort on their own. Run by ctest with FOUILLE_BIN and
FOUILLE_SOURCE_DIR set; prints 'N passed, N failed'."""
import json
import os
import shutil
import sys
import tempfile

import clitest
from clitest import INDEX, SEARCH, check


def run(args, env=None):
    return clitest.run(args, env=env, no_color=True, timeout=120)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def article(folder, name, title, lead, body, author="Camille Dubois", date=None):
    """A plain-text article: title, lead, 'par' author, date line (when dated), body."""
    date_line = f"{date}\n" if date else ""
    write(os.path.join(folder, name), f"{title}\n\n{lead}\n\npar\n{author}\n{date_line}\n{body}\n")


class Searcher:
    def __init__(self, folder):
        self.index = os.path.join(folder, ".fouille")

    def json(self, query, *extra):
        rc, out, err = run([SEARCH, "--index", self.index, "--json", "--limit", "50", *extra, "--", query])
        try:
            doc = json.loads(out)
        except ValueError as ex:
            check(False, f"JSON of {query!r} parses", f"{ex}: rc={rc} {out[:300]!r} {err!r}")
            doc = {"hits": [], "total": 0, "relaxed": False, "notice": None}
        return rc, doc, err

    def paths(self, query, *extra):
        """The names (without .txt) found, in rank order."""
        _, doc, _ = self.json(query, *extra)
        return [os.path.splitext(os.path.basename(h["path"]))[0] for h in doc["hits"]]

    def found(self, query, want, *extra):
        got = self.paths(query, *extra)
        check(sorted(got) == sorted(want), f"{query!r} {' '.join(extra)} finds {sorted(want)}", f"got {got}")

    def ranked(self, query, want, *extra):
        got = self.paths(query, *extra)
        check(got == want, f"{query!r} {' '.join(extra)} ranks {want}", f"got {got}")

    def above(self, query, first, second):
        got = self.paths(query)
        check(first in got and second in got and got.index(first) < got.index(second),
              f"{query!r}: {first} ranks above {second}", f"got {got}")


def make_folder(tmp):
    folder = os.path.join(tmp, "articles")
    # the ranking pairs: each differs from its twin by one feature only
    article(folder, "t_title.txt", "La transhumance des brebis", "Un reportage dans les alpages du Vercors.",
            "Les bergers montent avec la transhumance au printemps, chaque année.", date="12 avril 2023")
    article(folder, "t_body.txt", "Les brebis des alpages", "Un reportage dans les montagnes du Vercors.",
            "Les bergers montent avec la transhumance au printemps, chaque année.", date="13 avril 2023")
    article(folder, "l_lead.txt", "Carnet de montagne", "L'estive commence au printemps sur le plateau.",
            "Les bergers guident les chèvres vers les sommets du massif.", author="Jean-Pierre Martin",
            date="1er mai 2023")
    article(folder, "l_body.txt", "Carnet de montagne", "Les bergers guident les chèvres vers les sommets du massif.",
            "L'estive commence au printemps sur le plateau.", author="Jean-Pierre Martin", date="2023-05-02")
    article(folder, "p_accent.txt", "Recette de campagne", "Un pâté de campagne servi avec du pain.",
            "La recette vient de la ferme.", author="Hélène Le Gall", date="3 juin 2024")
    article(folder, "p_plain.txt", "Recette de campagne", "Une pâte de campagne servie avec du pain.",
            "La recette vient de la ferme.", author="Hélène Le Gall", date="4 juin 2024")
    article(folder, "n_near.txt", "Chronique fluviale",
            "Le batelier du canal raconte son métier depuis trente ans sur l'eau.",
            "Il transporte du grain, du sable et du bois vers le port de commerce.", author="Paul Roux",
            date="2024-06-05")
    article(folder, "n_far.txt", "Chronique fluviale", "Le batelier raconte son métier depuis trente ans sur l'eau.",
            "Il transporte du grain, du sable et du bois vers le port du canal.", author="Paul Roux",
            date="2024-06-06")
    # dates across years and months, and articles without a date
    article(folder, "d_2022.txt", "Bilan de la guerre", "La guerre en Ukraine, un an après.",
            "Les réfugiés ukrainiens racontent.", date="31 décembre 2022")
    article(folder, "d_2023_jan.txt", "La guerre des prix", "Les prix montent encore.",
            "Une guerre commerciale s'annonce.", date="15 janvier 2023")
    article(folder, "d_2023_mar.txt", "Guerrier du quotidien", "Portrait d'un infirmier.",
            "Il se bat chaque jour, sans guerre ni paix.", date="2023-03-01")
    article(folder, "d_2024_mar.txt", "La paix en question", "Des négociations de paix s'ouvrent.",
            "La guerre pourrait finir.", date="2024-03-01")
    article(folder, "u_one.txt", "Notes sans date", "Des bergers sans calendrier.",
            "Le canal et la transhumance, la guerre et la paix, un jour ou l'autre.", author="Paul Roux")
    article(folder, "u_two.txt", "Autres notes", "Des guerriers sans calendrier.",
            "Rien de daté ici, la guerre seulement.", author="Anonyme")
    rc, out, err = run([INDEX, folder])
    check(rc == 0, "fouille-index exits 0", out + err)
    return folder


def test_ranking(s):
    # a title match outranks a body-only match with equal body counts
    s.above("transhumance", "t_title", "t_body")
    s.ranked("transhumance -calendrier", ["t_title", "t_body"])
    # the lead outranks the rest of the body
    s.ranked("estive", ["l_lead", "l_body"])
    # the exact spelling first; without accents, both
    s.ranked("pâté", ["p_accent", "p_plain"])
    s.ranked("pâte", ["p_plain", "p_accent"])
    s.found("pate", ["p_accent", "p_plain"])
    s.found("PATE", ["p_accent", "p_plain"])
    # words close together outrank words far apart
    s.above("batelier canal", "n_near", "n_far")
    s.above("canal batelier", "n_near", "n_far")


def test_operators(s):
    s.found("guerre paix", ["d_2023_mar", "d_2024_mar", "u_one"])
    s.found("guerre -paix", ["d_2022", "d_2023_jan", "u_two"])
    s.found("guerre NOT paix", ["d_2022", "d_2023_jan", "u_two"])
    s.found("guerre SAUF paix", ["d_2022", "d_2023_jan", "u_two"])
    s.found("guerre -(paix OR réfugiés)", ["d_2023_jan", "u_two"])
    s.found("guerre NOT (paix OR réfugiés)", ["d_2023_jan", "u_two"])
    s.found("(paix OR prix) guerre", ["d_2023_jan", "d_2023_mar", "d_2024_mar", "u_one"])
    s.found("estive OU pâté", ["l_lead", "l_body", "p_accent", "p_plain"])
    s.found('"réfugiés ukrainiens"', ["d_2022"])
    # title: / titre:
    s.found("title:guerre", ["d_2022", "d_2023_jan"])
    s.found("titre:guerre", ["d_2022", "d_2023_jan"])
    s.found('title:"la guerre des prix"', ["d_2023_jan"])
    s.found("title:(paix OR prix)", ["d_2023_jan", "d_2024_mar"])
    s.found("guerre -title:guerre", ["d_2023_mar", "d_2024_mar", "u_one", "u_two"])
    # author: / auteur:
    s.found("author:Roux", ["n_near", "n_far", "u_one"])
    s.found("auteur:roux canal", ["n_near", "n_far", "u_one"])
    s.found('author:"Jean-Pierre Martin"', ["l_lead", "l_body"])
    s.found('author:"helene le gall"', ["p_accent", "p_plain"])
    s.found("author:mart*", ["l_lead", "l_body"])
    s.found("canal -author:roux", [])
    # prefixes: the folded prefix, body and title
    s.found("guerr*", ["d_2022", "d_2023_jan", "d_2023_mar", "d_2024_mar", "u_one", "u_two"])
    # a prefix longer than the stems also matches the typed word's own forms:
    # guerrier* finds guerrier(s) through their stem guerri
    s.found("guerrier*", ["d_2023_mar", "u_two"])
    s.found("title:guerrier*", ["d_2023_mar"])
    s.found("guerre*", ["d_2022", "d_2023_jan", "d_2023_mar", "d_2024_mar", "u_one", "u_two"])
    s.found("transhum* -calendrier", ["t_title", "t_body"])
    s.found("PÂTÉ*", ["p_accent", "p_plain"])  # accents do not matter in a prefix
    s.found("ferm*", ["p_accent", "p_plain"])
    # NEAR and ~N
    s.found("batelier NEAR canal", ["n_near"])
    s.found("batelier NEAR/25 canal", ["n_near", "n_far"])
    s.found("batelier NEAR/1 canal", ["n_near"])
    s.found("canal NEAR/0 batelier", [])
    s.found('"canal batelier"~1', ["n_near"])
    s.found('"batelier du canal"', ["n_near"])


def test_dates(s):
    g = "guerre"
    s.found(f"{g} date:2023", ["d_2023_jan", "d_2023_mar"])
    s.found(f"{g} date:2022", ["d_2022"])
    s.found(f"{g} -date:2023", ["d_2022", "d_2024_mar", "u_one", "u_two"])
    s.found(f"{g} date:2023-01", ["d_2023_jan"])
    s.found(f"{g} date:2023-03-01", ["d_2023_mar"])
    s.found(f"{g} date:01/03/2023", ["d_2023_mar"])
    s.found(f"{g} date:2023-01..2023-06", ["d_2023_jan", "d_2023_mar"])
    s.found(f"{g} date:2023-01-16..2023-03", ["d_2023_mar"])
    s.found(f"{g} date:2022-12-31..2023-01-15", ["d_2022", "d_2023_jan"])
    s.found(f"{g} date:..2023", ["d_2022", "d_2023_jan", "d_2023_mar"])
    s.found(f"{g} date:2024..", ["d_2024_mar"])
    s.found(f"{g} date:>=2024-03-01", ["d_2024_mar"])
    s.found(f"{g} date:>2024-03-01", [])
    s.found(f"{g} date:>2022", ["d_2023_jan", "d_2023_mar", "d_2024_mar"])
    s.found(f"{g} date:<2023", ["d_2022"])
    s.found(f"{g} date:<=2023-01", ["d_2022", "d_2023_jan"])
    s.found(f"{g} date:<2023-03-01", ["d_2022", "d_2023_jan"])
    s.found("date:2023-04", ["t_title", "t_body"])
    s.found("date:2023-05 -date:2023-05-02", ["l_lead"])
    # reversed ends are swapped, with a notice
    rc, doc, _ = s.json(f"{g} date:2023..2022")
    check(sorted(os.path.basename(h["path"]) for h in doc["hits"]) == ["d_2022.txt", "d_2023_jan.txt", "d_2023_mar.txt"],
          "date:2023..2022 reads as 2022..2023", str(doc["hits"]))
    check("swapped" in (doc.get("notice") or ""), "date:2023..2022 says so", repr(doc.get("notice")))
    # not a date: read as words, with a notice, never an error
    rc, doc, err = s.json("date:hier")
    check(rc in (0, 1), "date:hier: exit 0 or 1", f"rc={rc} {err!r}")
    check("could not read the date 'hier'" in (doc.get("notice") or ""), "date:hier: notice", repr(doc.get("notice")))
    rc, out, err = run([SEARCH, "--index", s.index, "--", "guerre date:2023-13-45"])
    check(rc in (0, 1) and "could not read the date '2023-13-45'" in out + err, "a bad date: notice on the terminal",
          f"rc={rc} {out[-300:]!r} {err!r}")


def test_and_or(s):
    # default: every word, else any word, and it says so
    rc, doc, _ = s.json("transhumance xyzzyx")
    check(rc == 0 and doc["relaxed"] and doc["total"] >= 3, "no article has both words: relaxed to any",
          f"rc={rc} {doc.get('relaxed')} {doc.get('total')}")
    # --and: no fallback
    rc, doc, _ = s.json("transhumance xyzzyx", "--and")
    check(rc == 1 and doc["total"] == 0 and not doc["relaxed"], "--and: nothing, no fallback",
          f"rc={rc} {doc.get('relaxed')} {doc.get('total')}")
    s.found("transhumance bergers", ["t_title", "t_body", "u_one"], "--and")
    # --or: any word from the start; the best (both words) first
    got = s.paths("estive pâté", "--or")
    check(sorted(got) == ["l_body", "l_lead", "p_accent", "p_plain"], "--or: any word", str(got))
    got = s.paths("canal transhumance", "--or")
    check(got and got[0] == "u_one" and {"n_near", "n_far", "t_title", "t_body"} <= set(got),
          "--or: the article with both words first", str(got))
    rc, doc, _ = s.json("canal transhumance", "--or")
    check(not doc["relaxed"], "--or is not reported as a relaxation", str(doc.get("relaxed")))
    # filters stay when the words are relaxed
    s.found("transhumance xyzzyx date:2023-04-12", ["t_title"])
    s.found("transhumance xyzzyx date:2023-04-12", ["t_title"], "--or")
    # the last of --and / --or wins
    s.found("estive pâté", ["l_lead", "l_body", "p_accent", "p_plain"], "--and", "--or")
    s.found("estive pâté", [], "--or", "--and")


def test_sort(s):
    dated = ["d_2022", "d_2023_jan", "d_2023_mar", "d_2024_mar"]
    undated = ["u_one", "u_two"]
    got = s.paths("guerre", "--sort", "date")
    check(got[:4] == dated and sorted(got[4:]) == undated, "--sort date: oldest first, undated last", str(got))
    got = s.paths("guerre", "--sort", "-date")
    check(got[:4] == dated[::-1] and sorted(got[4:]) == undated, "--sort -date: newest first, undated last", str(got))
    rel = s.paths("guerre")
    got = s.paths("guerre", "--sort", "relevance")
    check(got == rel and sorted(got) == sorted(dated + undated), "--sort relevance is the default order", str(got))
    _, doc, _ = s.json("guerre", "--sort", "date")
    dates = [h["date"] for h in doc["hits"] if h["date"]]
    check(dates == sorted(dates), "--sort date: dates ascending", str(dates))
    # with filters, and by date among equal weights (a filter alone weighs nothing)
    got = s.paths("date:2023..", "--sort", "-date")
    check(got[:3] == ["n_far", "n_near", "p_plain"], "a filter alone sorted newest first", str(got))
    rc, out, err = run([SEARCH, "--index", s.index, "--sort", "recent", "--", "guerre"])
    check(rc == 2 and "--sort" in err, "an unknown --sort is an error", f"rc={rc} {err!r}")


def test_never_an_error(s):
    queries = [
        '"guerre', "(guerre", "guerre)", "-", "l'", "«", "»", "c'est-à-dire", "😀", "🇫🇷 guerre 😀",
        "NOT", "guerre NOT", "NOT NOT guerre", "NEAR", "guerre NEAR", "NEAR/3", "guerre NEAR/x paix",
        "guerre NEAR/99999999999 paix", '"guerre paix"~', '"guerre paix"~99999', "title:", "titre:",
        "author:", "auteur:", "date:", "date:..", "date:>=", "date:hier", "date:2023-02-30", "date:😀",
        "title:(", "author:(guerre)", "guer*", "*", "**", "-*", "l'*", "g*", "title:*", "author:*",
        "date:2023*", "title:title:title:guerre", "guerre OR NOT paix", "((((((((((((((((((((guerre",
        "guerre NEAR (paix OR prix)", "guerre NEAR guerr*", "a NEAR b NEAR c NEAR d",
        ("title:" * 2000)[:10000], ("guerre NEAR " * 1000)[:10000], ("date:2023.." * 1000)[:10000],
        ("guer* " * 2000)[:10000], ("NOT " * 2500)[:10000], ('"a b"~3 ' * 1250)[:10000],
    ]
    for q in queries:
        rc, out, err = run([SEARCH, "--index", s.index, "--", q])
        check(rc in (0, 1), f"query {q[:40]!r}: exit 0 or 1, never 2", f"rc={rc} out={out[:200]!r} err={err[-300:]!r}")
        rc, out, err = run([SEARCH, "--index", s.index, "--json", "--", q])
        try:
            doc = json.loads(out)
            check(doc["query"] == q, f"query {q[:40]!r}: JSON round-trips")
        except ValueError as ex:
            check(False, f"query {q[:40]!r}: JSON parses", f"{ex}: rc={rc} {out[:200]!r} {err[-300:]!r}")


def test_schema_upgrade(s):
    """An index of an older schema (2: before fouille kept its own spelling data) cannot
    be searched and is rebuilt whole by the next fouille-index. Simulated by writing
    schema 2 into the index's metadata with xapian-metadata (xapian-tools), when it is
    installed."""
    folder = os.path.dirname(s.index)
    rc, out, err = run([INDEX, "--stats", folder])
    check(rc == 0 and "schema 6" in out, "fouille-index --stats reports schema 6", out + err)
    tool = shutil.which("xapian-metadata")
    if not tool:
        print("note: xapian-metadata (xapian-tools) not installed: schema upgrade not checked", file=sys.stderr)
        return
    # the metadata is in the first shard of an index written in several
    db = os.path.join(s.index, "xapian")
    if os.path.exists(os.path.join(db, "XAPIANDB")):
        db = os.path.join(db, "s0")
    rc, out, err = run([tool, "set", db, "fouille.schema", "2"])
    check(rc == 0, "xapian-metadata set", out + err)
    rc, out, err = run([SEARCH, "--index", s.index, "--", "estive"])
    check(rc == 2 and "another version" in err and "run fouille-index" in err,
          "a schema 2 index: search says to rebuild it", f"rc={rc} {err!r}")
    rc, out, err = run([INDEX, folder])
    check(rc == 0 and "14 added" in out, "fouille-index rebuilds every article", out + err)
    s.ranked("estive", ["l_lead", "l_body"])
    s.ranked("pâté", ["p_accent", "p_plain"])


def main():
    for prog in (INDEX, SEARCH):
        if not os.access(prog, os.X_OK):
            print(f"missing {prog}: build first", file=sys.stderr)
            return 1
    with tempfile.TemporaryDirectory(prefix="fouille-cli-query-") as tmp:
        folder = make_folder(tmp)
        s = Searcher(folder)
        test_ranking(s)
        test_operators(s)
        test_dates(s)
        test_and_or(s)
        test_sort(s)
        test_never_an_error(s)
        test_schema_upgrade(s)
    return clitest.summary()


if __name__ == "__main__":
    sys.exit(main())
