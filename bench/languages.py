"""Polish and Croatian word normalisers, compared on the real national lists of operations.

    .venv/bin/pip install -e '.[bench]'    # the candidates that are not the chosen one
    .venv/bin/python bench/languages.py [--repeat 3] [--show-false]

Tantivy has no Polish or Croatian stemmer, so these words are normalised in Python before
indexing. Each candidate here normalises every word of the Polish titles
(``PL_Poland_ERDF_2014_2020.csv``) and of the Croatian titles and descriptions
(``HR_ESIF_Croatia_2007-2020.csv``), read straight from the files. Each query word below is
given with the forms of its lemma that the file holds (checked: a form the file lacks is
reported); a project is a *target* when its text holds one of those forms, and a *match* when
one of its words normalises to what the query word normalises to. The table gives, per
language and candidate:

- recall: targets matched ÷ targets (summed over the queries);
- precision proxy: targets matched ÷ projects matched; a match outside the targets is a word
  of another lemma made equal (``vodi`` "leads" with ``voda`` "water"; ``zdrowotny`` "of
  health" with ``zdrowie`` "health") — ``--show-false`` lists them;
- ms per 1,000 words: normalising the running text word by word, no cache, best of
  ``--repeat``; load s and MB: the first word's cost (dictionaries are read then) and the
  resident memory it adds. Each candidate runs in a fresh process.
"""

from __future__ import annotations

# ruff: noqa: E402
import sys
from pathlib import Path

# Put this folder after the standard library: other scripts here (bench/http.py) must not shadow it.
_HERE = Path(__file__).resolve().parent
if sys.path and Path(sys.path[0] or ".").resolve() == _HERE:
    sys.path.append(sys.path.pop(0))

import argparse
import collections
import csv
import functools
import multiprocessing
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

if str(_HERE) not in sys.path:
    sys.path.append(str(_HERE))

from common import RESULTS, data_dir, load, machine, table, write_json
from euprojects.normalise.places import fold

LISTS = "structural-funds-os-data"
_WORD = re.compile(r"[^\W_]+")

# query word → the forms of its lemma that the file holds, space-separated (the query word itself
# only where the file has it)
QUERIES: dict[str, dict[str, str]] = {
    "pl": {
        "zdrowie": "zdrowie zdrowia",
        "woda": "woda wody wód",
        "droga": "droga drogi drogą drogę dróg drodze",
        "budowa": "budowa budowy budową budowę",
        "rynek": "rynek rynkach rynki rynkiem rynku rynków",
        "technologia": "technologia technologiach technologiami technologie technologii technologią technologię",
        "produkt": "produkt produktem produktu produkty produktów",
        "eksport": "eksport eksportu eksporcie",
        "gmina": "gmin gmina gminach gminie gminy gminę",
        "miasto": "miasta miasto mieście",
        "przedsiębiorstwo": "przedsiębiorstw przedsiębiorstwa przedsiębiorstwie przedsiębiorstwo",
        "usługa": "usług usługa usługi usługom",
        "system": "system systemach systemem systemie systemom systemu systemy systemów",
        "wdrożenie": "wdrożenia wdrożenie wdrożeniem wdrożeniu",
        "terapia": "terapia terapii terapię",
        "samochód": "samochodu samochodów",
        "obwodnica": "obwodnic obwodnicy obwodnicą",
        "szkoła": "szkoły szkół",
        "energia": "energii energią energię",
        "budynek": "budynku budynków",
        "pojazd": "pojazdach pojazdu pojazdów",
        "linia": "linia liniach linii linią",
        "edukacja": "edukacja edukacji edukację",
        "kultura": "kultura kultury kulturze",
        "innowacyjny": "innowacyjna innowacyjne innowacyjnego innowacyjnej innowacyjny"
        " innowacyjnych innowacyjnym innowacyjnymi innowacyjną",
    },
    "hr": {
        "zdravlje": "zdravlja zdravlje zdravljem zdravlju",
        "voda": "voda vodama vode vodom",
        "škola": "škola školama škole školi školom školu",
        "bolnica": "bolnica bolnicama bolnice bolnici",
        "cesta": "cesta cestama ceste",
        "turizam": "turizam turizma turizmom turizmu",
        "energija": "energija energije energiji energijom energiju",
        "otpad": "otpad otpada otpadom",
        "grad": "grad grada gradom gradova gradovima gradu",
        "dijete": "dijete djeteta djetetu djeca djece djeci djecom djecu",
        "žena": "žena ženama žene ženi",
        "poduzeće": "poduzeća poduzeće poduzećem poduzećima poduzeću",
        "tehnologija": "tehnologija tehnologijama tehnologije tehnologiji tehnologijom tehnologiju",
        "znanje": "znanja znanje znanjem znanjima znanju",
        "učenik": "učenici učenicima učenika učenike učeniku",
        "nastavnik": "nastavnici nastavnicima nastavnika nastavnike",
        "sustav": "sustav sustava sustave sustavi sustavima sustavom sustavu",
        "usluga": "usluga uslugama usluge uslugu usluzi",
        "kultura": "kultura kulture kulturi kulturu",
        "okoliš": "okoliš okoliša okolišu",
        "osoba": "osoba osobama osobe osobi osobu",
        "obrazovanje": "obrazovanja obrazovanje obrazovanjem obrazovanju",
        "turistički": "turistička turističke turistički turističkih turističkim turističko"
        " turističkog turističkoj turističkom turističku",
    },
}


def polish_texts() -> list[str]:
    """The titles of the Polish list (Windows-1250, ``;``, unquoted; it has no descriptions)."""
    path = data_dir() / LISTS / "PL_Poland_ERDF_2014_2020.csv"
    with path.open(encoding="cp1250", newline="") as file:
        rows = list(csv.reader(file, delimiter=";", quoting=csv.QUOTE_NONE))
    return [row[0] for row in rows[1:] if row]


def croatian_texts() -> list[str]:
    """The title and description of each row of the Croatian list."""
    path = data_dir() / LISTS / "HR_ESIF_Croatia_2007-2020.csv"
    with path.open(encoding="utf-8", newline="") as file:
        return [f"{row['Naziv projekta']}\n{row['Opis projekta']}" for row in csv.DictReader(file)]


TEXTS: dict[str, Callable[[], list[str]]] = {"pl": polish_texts, "hr": croatian_texts}


def words(text: str) -> list[str]:
    """Lower-cased words split as Tantivy's simple tokenizer splits them."""
    return _WORD.findall(text.lower())


# Candidates: name → language → a factory of a word normaliser (imported in the child only).
def _unchanged() -> Callable[[str], str]:
    return lambda word: word


def _simplemma(lang: str, low_memory: bool = False, greedy: bool = False) -> Callable[[], Callable[[str], str]]:
    def make() -> Callable[[str], str]:
        from simplemma import Lemmatizer
        from simplemma.strategies import DefaultStrategy

        strategy = DefaultStrategy(greedy=greedy, low_memory=low_memory)
        lemmatizer = Lemmatizer(cache_max_size=0, lemmatization_strategy=strategy)
        return lambda word: lemmatizer.lemmatize(word, lang=lang).lower()

    return make


def _snowball(algorithm: str) -> Callable[[], Callable[[str], str]]:
    def make() -> Callable[[str], str]:
        import Stemmer

        stemmer = Stemmer.Stemmer(algorithm)
        stemmer.maxCacheSize = 0  # measure the algorithm, not PyStemmer's cache
        return stemmer.stemWord  # type: ignore[no-any-return]

    return make


def _stempel(table_name: str) -> Callable[[], Callable[[str], str]]:
    def make() -> Callable[[str], str]:
        import os

        os.environ.setdefault("TQDM_DISABLE", "1")
        from pystempel import Stemmer

        stemmer = Stemmer.polimorf() if table_name == "polimorf" else Stemmer.default()
        return lambda word: (stemmer(word) or word).lower()

    return make


def _lemmagen(lang: str) -> Callable[[], Callable[[str], str]]:
    def make() -> Callable[[str], str]:
        import lemmagen3

        lemmatizer = lemmagen3.Lemmatizer(lang)
        return lambda word: lemmatizer.lemmatize(word).lower()  # type: ignore[no-any-return]

    return make


def _croatian_stemmer() -> Callable[[str], str]:
    import croatian_stemmer

    return croatian_stemmer.stem  # type: ignore[no-any-return]


CANDIDATES: dict[str, dict[str, Callable[[], Callable[[str], str]]]] = {
    "none (the word as written)": {"pl": _unchanged, "hr": _unchanged},
    "simplemma 2.0": {"pl": _simplemma("pl"), "hr": _simplemma("hbs")},
    "simplemma 2.0, low_memory": {"pl": _simplemma("pl", low_memory=True), "hr": _simplemma("hbs", low_memory=True)},
    "simplemma 2.0, low_memory, greedy": {
        "pl": _simplemma("pl", low_memory=True, greedy=True),
        "hr": _simplemma("hbs", low_memory=True, greedy=True),
    },
    "Snowball polish / serbian (PyStemmer 3.1)": {"pl": _snowball("polish"), "hr": _snowball("serbian")},
    "pystempel 2.0, Stempel table": {"pl": _stempel("default")},
    "pystempel 2.0, PoliMorf table": {"pl": _stempel("polimorf")},
    "croatian-stemmer 0.4": {"hr": _croatian_stemmer},
    "lemmagen3 3.5": {"pl": _lemmagen("pl"), "hr": _lemmagen("hr")},
}
# As the packages state them; a dependency of this MIT project must allow any use.
LICENCES = {
    "none (the word as written)": {"pl": "–", "hr": "–"},
    "simplemma 2.0": {"pl": "MIT; data ODbL, CC BY", "hr": "MIT; data ODbL, CC BY"},
    "Snowball polish / serbian (PyStemmer 3.1)": {"pl": "BSD-3", "hr": "BSD-3"},
    "pystempel 2.0, Stempel table": {"pl": "Apache-2.0"},
    "pystempel 2.0, PoliMorf table": {"pl": "Apache-2.0; table BSD-2"},
    "croatian-stemmer 0.4": {"hr": "LGPL-3.0+"},
    "lemmagen3 3.5": {"pl": "LGPL; model non-commercial only", "hr": "LGPL; model CC BY-SA 4.0"},
}


def licence(candidate: str, language: str) -> str:
    known = LICENCES.get(candidate) or LICENCES.get(candidate.partition(",")[0], {})
    return known.get(language, "?")


@dataclass
class Outcome:
    candidate: str
    language: str
    targets: int = 0
    found: int = 0
    matched: int = 0
    found_bare: int = 0  # the query typed without diacritics
    ms_per_1000: float = float("nan")
    ms_cached: float = float("nan")
    load_s: float = float("nan")
    load_mb: float = float("nan")
    error: str = ""
    false_words: str = ""
    per_query: dict[str, str] = field(default_factory=dict)

    @property
    def recall(self) -> float:
        return self.found / self.targets if self.targets else float("nan")

    @property
    def precision(self) -> float:
        return self.found / self.matched if self.matched else float("nan")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(candidate: str, language: str, repeat: int) -> Outcome:
    """One candidate on one language; runs in a fresh child process."""
    outcome = Outcome(candidate, language)
    documents = [words(text) for text in TEXTS[language]()]
    before, started = rss_mb(), time.perf_counter()
    try:
        normalise = CANDIDATES[candidate][language]()
        normalise(documents[0][0])
    except ImportError as error:
        outcome.error = f"not installed ({error.name})"
        return outcome
    outcome.load_s, outcome.load_mb = time.perf_counter() - started, rss_mb() - before
    running = [word for document in documents for word in document]
    per_word = 1000 * 1000 / len(running)
    outcome.ms_per_1000 = per_word * best_seconds(lambda: normalise, running, repeat)
    outcome.ms_cached = per_word * best_seconds(lambda: functools.lru_cache(maxsize=None)(normalise), running, repeat)
    score(outcome, documents, normalise)
    return outcome


def best_seconds(make: Callable[[], Callable[[str], str]], running: list[str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        normalise = make()
        started = time.perf_counter()
        for word in running:
            normalise(word)
        best = min(best, time.perf_counter() - started)
    return best


def score(outcome: Outcome, documents: list[list[str]], normalise: Callable[[str], str]) -> None:
    """Targets, matches and the words that matched outside the targets, over every query.

    Words are compared as the index compares them: normalised, then folded.
    """
    key = {word: fold(normalise(word)) for document in documents for word in document}
    false_words: collections.Counter[str] = collections.Counter()
    for query, listed in QUERIES[outcome.language].items():
        forms = set(listed.split())
        targets = {i for i, document in enumerate(documents) if forms & set(document)}
        key[query] = fold(normalise(query))
        matches = matching(documents, key, key[query])
        bare = matching(documents, key, fold(normalise(fold(query))))
        outcome.targets += len(targets)
        outcome.found += len(targets & matches)
        outcome.found_bare += len(targets & bare)
        outcome.matched += len(matches)
        outcome.per_query[query] = f"{len(targets & matches)}/{len(targets)}"
        false_words.update(
            f"{query}→{w}" for i in matches - targets for w in set(documents[i]) - forms if key[w] == key[query]
        )
    outcome.false_words = ", ".join(f"{word} ({n})" for word, n in false_words.most_common())


def matching(documents: list[list[str]], key: dict[str, str], wanted: str) -> set[int]:
    return {i for i, document in enumerate(documents) if any(key[w] == wanted for w in document)}


def check_forms() -> list[str]:
    """Forms listed for a query that the file does not hold (the lists must be the file's)."""
    missing = []
    for language, queries in QUERIES.items():
        present = {word for text in TEXTS[language]() for word in words(text)}
        listed = {form for forms in queries.values() for form in forms.split()}
        missing += [f"{language}: {form}" for form in sorted(listed - present)]
    return missing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--show-false", action="store_true", help="list the words matched outside the targets")
    parser.add_argument("--per-query", action="store_true", help="targets found per query and candidate")
    args = parser.parse_args()
    missing = check_forms()
    if missing:
        sys.exit(f"forms not in the files: {', '.join(missing)}")
    before = load()
    spawn = multiprocessing.get_context("spawn")
    outcomes = []
    for language in QUERIES:
        for candidate, languages in CANDIDATES.items():
            if language in languages:
                with spawn.Pool(1) as pool:
                    outcomes.append(pool.apply(measure, (candidate, language, args.repeat)))
    report(outcomes, before)
    if args.per_query:
        print_per_query(outcomes)
    if args.show_false:
        for o in outcomes:
            print(f"\n{o.language} {o.candidate}: {o.false_words or '–'}")


HEADER = ("language", "candidate", "recall", "recall, typed without diacritics", "precision proxy")
HEADER += ("false matches", "ms per 1,000 words", "with a word cache", "load s", "load MB", "licence")


def row(o: Outcome) -> tuple[object, ...]:
    if o.error:
        return (o.language, o.candidate, o.error, *["–"] * (len(HEADER) - 3))
    bare = o.found_bare / o.targets if o.targets else float("nan")
    return (
        *(o.language, o.candidate, f"{o.recall:.3f}", f"{bare:.3f}", f"{o.precision:.3f}", o.matched - o.found),
        round(o.ms_per_1000, 2),
        round(o.ms_cached, 2),
        round(o.load_s, 2),
        round(o.load_mb, 1),
        licence(o.candidate, o.language),
    )


def report(outcomes: list[Outcome], before: str) -> None:
    text = table(HEADER, [row(o) for o in outcomes])
    counts = ", ".join(
        f"{language}: {len(queries)} queries, {next(o.targets for o in outcomes if o.language == language):,} targets"
        for language, queries in QUERIES.items()
    )
    print(text)
    print(f"\n{counts}; load {before} → {load()}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "languages.md").write_text(text + "\n", encoding="utf-8")
    write_json(RESULTS / "languages.json", {"machine": machine(), "outcomes": [vars(o) for o in outcomes]})


def print_per_query(outcomes: list[Outcome]) -> None:
    for language, queries in QUERIES.items():
        mine = [o for o in outcomes if o.language == language and not o.error]
        rows = [(query, *(o.per_query[query] for o in mine)) for query in queries]
        print()
        print(table((language, *(o.candidate for o in mine)), rows))


if __name__ == "__main__":
    main()
