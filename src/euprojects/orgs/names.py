"""Names as keys for matching organisations across sources, never for display.

Sources spell one body many ways: ``ECOLE POLYTECH. FEDERALE DE LAUSANNE``, ``Ecole Polytechnique
Fédérale de Lausanne``, ``ΑΡΙΣΤΟΤΕΛΕΙΟ ΠΑΝΕΠΙΣΤΗΜΙΟ ΘΕΣΣΑΛΟΝΙΚΗΣ`` (the Greek list of operations)
and ``ARISTOTELIO PANEPISTIMIO THESSALONIKIS`` (CORDIS). A key is the folded name (case, accents
and punctuation gone), written in Latin letters, with abbreviations spelled out and the legal form
(``S.A.``, ``GmbH``, ``sp. z o.o.``, ``Anonymi Etaireia``) taken off its end.

Legal forms come from a table of this module's own: ``cleanco`` was measured on the data's names
and leaves the long forms (``Aktiengesellschaft``, ``spolka z ograniczona odpowiedzialnoscia``,
``anonymi etaireia``, ``EOOD``, ``Unipersonal``) in place, so two spellings of one company stay apart.

Greek is transliterated the way CORDIS writes Greek bodies (ELOT 743); since CORDIS itself is not
consistent (``ARISTOTELIO`` for Αριστοτέλειο, ``EPICHEIRISI`` for Επιχείρηση), keys of Greek and
Cypriot bodies are also reduced to how they sound (``ei``, ``oi``, ``y`` → ``i``), on both sides.
"""

from __future__ import annotations

import re
from functools import lru_cache

from euprojects.normalise.places import fold

# Greek to Latin (ELOT 743), digraphs first; accents are gone by the time this runs.
_GREEK_PAIRS = {"ου": "ou", "αυ": "av", "ευ": "ev", "μπ": "b", "ντ": "nt", "γγ": "ng", "γκ": "gk", "ψ": "ps"}
_GREEK = str.maketrans(
    {
        "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th", "ι": "i",
        "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p", "ρ": "r", "σ": "s",
        "ς": "s", "τ": "t", "υ": "y", "φ": "f", "χ": "ch", "ω": "o",
    }
)  # fmt: skip
# Cyrillic (Bulgarian, Serbian, Ukrainian, Russian) the way their own romanisations write it.
_CYRILLIC = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z", "и": "i",
        "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s",
        "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sht",
        "ъ": "a", "ь": "y", "ю": "yu", "я": "ya", "ё": "e", "є": "ye", "і": "i", "ї": "yi",
        "ђ": "dj", "ј": "j", "љ": "lj", "њ": "nj", "ћ": "c", "џ": "dz", "ы": "y", "э": "e",
    }
)  # fmt: skip
_NON_LATIN = re.compile(r"[\u0370-\u03ff\u0400-\u04ff]")

# Words sources shorten; each written out so that the short and the long spelling meet.
ABBREVIATIONS = {
    "univ": "university", "uni": "university", "universitaet": "universitat", "universitat": "universitat",
    "inst": "institute", "instit": "institute", "institut": "institute", "instituto": "institute",
    "istituto": "institute", "institutet": "institute", "tech": "technology", "techn": "technical",
    "polytech": "polytechnique", "fed": "federale", "natl": "national", "nat": "national",
    "intl": "international", "int": "international", "res": "research", "ctr": "centre", "cent": "centre",
    "center": "centre", "centro": "centre", "lab": "laboratory", "labs": "laboratories", "dept": "department",
    "assoc": "association", "soc": "society", "acad": "academy", "hosp": "hospital", "sci": "science",
    "and": "", "und": "", "et": "", "y": "", "e": "", "i": "", "och": "", "og": "", "en": "",
    "of": "", "the": "", "de": "", "des": "", "du": "", "la": "", "le": "", "les": "", "di": "",
    "del": "", "della": "", "der": "", "die": "", "das": "", "fur": "", "für": "", "van": "",
    "voor": "", "for": "", "do": "", "da": "", "dos": "", "zur": "", "zum": "",
    "tes": "", "tis": "", "tou": "", "ton": "", "kai": "",
}  # fmt: skip

# Legal forms, folded, as whole trailing word sequences (comma-separated here).
_LEGAL_FORMS = """
sa, spa, srl, sarl, sas, sasu, sca, scs, snc, sc, scrl, sprl, bv, nv, cv, vof, gmbh, ag, kg, ohg, ug, ev, eg,
kgaa, mbh, ltd, limited, plc, llp, llc, inc, corp, corporation, oy, oyj, ab, aps, as, asa, a s, hf, ehf,
kft, zrt, nyrt, bt, rt, kht, nonprofit, sro, s r o, doo, d o o, dd, d d, ad, ead, ood, eood, sp z o o,
spolka z o o, spolka z ograniczona odpowiedzialnoscia, spolka akcyjna, sp j, sp k, spzoo, slu, sl, sau,
sll, scoop, ou, uab, sia, ltda, lda, unipessoal, unipersonal, sociedad limitada, sociedad anonima,
societe anonyme, societe par actions simplifiee, societa per azioni, societa a responsabilita limitata,
aktiengesellschaft, gesellschaft mit beschrankter haftung, aktiebolag, aktieselskab, anpartsselskab,
osakeyhtio, besloten vennootschap, naamloze vennootschap, anonymi etaireia, anonymos etaireia, ae, epe,
ike, oe, monoprosopi ike, monoprosopi epe, e v, scarl, scpa, sccl, bvba, cvba, vzw, asbl, aisbl, gie,
kozhasznu, zartkoruen mukodo reszvenytarsasag, reszvenytarsasag, korlatolt felelossegu tarsasag,
nonprofit korlatolt felelossegu tarsasag, co kg, gmbh co kg, publ, a e, s a, s l, b v, n v, s p a, s r l
"""
LEGAL_FORMS = sorted(
    {tuple(form.split()) for form in _LEGAL_FORMS.replace("\n", " ").split(",") if form.strip()}, key=len
)
_BY_LAST: dict[str, list[tuple[str, ...]]] = {}
for _form in reversed(LEGAL_FORMS):  # longest first
    _BY_LAST.setdefault(_form[-1], []).append(_form)
_PHONETIC = (("ei", "i"), ("oi", "i"), ("y", "i"), ("ai", "e"), ("ou", "u"), ("h", ""), ("mp", "b"))


def latin(text: str) -> str:
    """The text folded and written in Latin letters (Greek by ELOT 743, Cyrillic by table)."""
    folded = fold(text)
    if not _NON_LATIN.search(folded):
        return folded
    for pair, written in _GREEK_PAIRS.items():
        folded = folded.replace(pair, written)
    return folded.translate(_GREEK).translate(_CYRILLIC)


@lru_cache(maxsize=400_000)
def name_key(name: str, country: str | None = None) -> str:
    """The key two spellings of one organisation's name share (see the module docstring)."""
    words = _initials_joined(_without_legal_form(latin(name).split()))
    key = " ".join(filter(None, (ABBREVIATIONS.get(w, w) for w in words))) or " ".join(words)
    return phonetic(key) if country in ("GR", "CY") else key


def _initials_joined(words: list[str]) -> list[str]:
    """Runs of single letters as one word: ``C.S.I.C.`` is ``csic``, as its acronym is written."""
    joined: list[str] = []
    run = ""
    for word in [*words, ""]:
        if len(word) == 1:
            run += word
            continue
        if run:
            joined.append(run)
            run = ""
        if word:
            joined.append(word)
    return joined


def phonetic(key: str) -> str:
    """How a transliterated Greek name sounds: the spellings ELOT and CORDIS disagree on, merged."""
    for written, sound in _PHONETIC:
        key = key.replace(written, sound)
    return key


def _without_legal_form(words: list[str]) -> list[str]:
    """Words without the legal forms at their end, one after another (``GmbH & Co. KG``); a name
    that is nothing but a legal form keeps its words."""
    trimmed = list(words)
    while len(trimmed) > 1:
        form = next((f for f in _BY_LAST.get(trimmed[-1], ()) if _ends_with(trimmed, f)), None)
        if form is None:
            break
        trimmed = trimmed[: -len(form)]
    return trimmed or words


def _ends_with(words: list[str], form: tuple[str, ...]) -> bool:
    return len(form) < len(words) and tuple(words[-len(form) :]) == form


def acronym(name: str) -> str:
    """The initials of a name's significant words (``Ecole Polytechnique Federale Lausanne`` → epfl)."""
    return "".join(word[0] for word in name_key(name).split() if word)
