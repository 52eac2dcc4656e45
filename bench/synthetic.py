"""A deterministic synthetic film catalogue, written as Marquee content packs.

A content pack holds at most one franchise (docs/content-packs.md), so the catalogue is one
pack per franchise plus one pack of standalone films. People and companies are shared
between packs by key, as in real packs: every pack defines everyone it credits.

Everything comes from one seeded ``random.Random``: the same arguments give byte-identical
files. Titles cover what the matcher has to cope with: sequel numbers, Roman numerals,
subtitles after a colon or a dash, "Part Two", accents, apostrophes and the odd emoji.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

FILMS_PER_FRANCHISE = 20
STANDALONE_SHARE = 0.05
STAR_POOL_SHARE = 0.04
"""Share of all people who are prolific actors credited across many franchises."""

# --------------------------------------------------------------------------- vocabulary

_ADJECTIVES = (
    "Crimson", "Silent", "Last", "Iron", "Midnight", "Broken", "Golden", "Hidden", "Savage", "Frozen",
    "Electric", "Wild", "Dark", "Burning", "Eternal", "Scarlet", "Hollow", "Lost", "Velvet", "Rogue",
    "Infinite", "Shattered", "Sacred", "Quiet", "Fallen", "Blind", "Cold", "Bright", "Deadly", "Distant",
    "Forgotten", "Rising", "Endless", "Secret", "Lucky", "Little", "Great", "Black", "White", "Blue",
    "Northern", "Southern", "Perfect", "Final", "Brave", "Lonely", "Stolen", "Wicked", "Gentle", "Radiant",
    "Électrique", "Fantôme", "Mañana", "Über", "Señor",
)  # fmt: skip
_NOUNS = (
    "Horizon", "Protocol", "Empire", "Kingdom", "Tide", "Garden", "Frontier", "Code", "Dragon", "Odyssey",
    "Signal", "Harbor", "Legacy", "Mirror", "Shadow", "Storm", "River", "Crown", "Machine", "Planet",
    "Witness", "Island", "Voyage", "Station", "Heist", "Circuit", "Reckoning", "Paradox", "Sanctuary", "Outpost",
    "Cartel", "Symphony", "Ember", "Canyon", "Labyrinth", "Orbit", "Citadel", "Covenant", "Requiem", "Pursuit",
    "Nation", "Summer", "Winter", "Highway", "Carnival", "Fortress", "Engine", "Meridian", "Lantern", "Vendetta",
    "Mirage", "Tempest", "Archive", "Dynasty", "Ballad", "Express", "Asylum", "Monsoon", "Atlas", "Zenith",
    "Café", "Château", "Piñata", "Fjörd", "Saga",
)  # fmt: skip
_EMOJI = ("✨", "🔥", "💔", "🚀", "🌙", "⚡", "🎬", "👻")
_SUBTITLE_PATTERNS = (
    "Rise of the {N}", "Return of the {N}", "The {A} {N}", "{N} Rising", "{A} {N}", "Beyond the {N}",
    "Revenge of the {N}", "The Last {N}", "{N} of Fire", "Into the {N}", "Dawn of the {N}", "The {N}'s Gambit",
    "{A} Reckoning", "Age of the {N}", "Escape from the {N}", "Legend of the {N}", "Shadow of the {N}",
)  # fmt: skip
_FIRST_NAMES = (
    "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William", "Elizabeth",
    "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen",
    "Daniel", "Nancy", "Matthew", "Lisa", "Anthony", "Betty", "Mark", "Margaret", "Paul", "Sandra",
    "Steven", "Ashley", "Andrew", "Kimberly", "Kenneth", "Emily", "Joshua", "Donna", "Kevin", "Michelle",
    "Brian", "Carol", "George", "Amanda", "Timothy", "Melissa", "Ronald", "Deborah", "Jason", "Stephanie",
    "Ryan", "Rebecca", "Jacob", "Laura", "Gary", "Helen", "Nicholas", "Sharon", "Eric", "Cynthia",
    "Zoë", "Søren", "Óscar", "Chloé", "Mikaël", "Ingrid", "Dagný", "Łukasz", "Bjørn", "José",
    "Renée", "Anaïs", "Çağan", "Ximena", "Siobhán", "Małgorzata", "Jürgen", "Aurélie", "Nuño", "Thandiwe",
    "Hiroshi", "Yuki", "Mei", "Wei", "Priya", "Arjun", "Amara", "Kwame", "Fatima", "Omar",
    "Ana", "Luca", "Sofia", "Mateo", "Elena", "Ivan", "Olga", "Dmitri", "Hana", "Kenji",
    "Ving", "Rebecca", "Vanessa", "Ethan", "Benji", "Ilsa", "Luther", "Grace", "Gabriel", "Paris",
)  # fmt: skip
_SURNAME_SYLLABLES = (
    "an", "ber", "car", "dan", "el", "fer", "gar", "hol", "in", "jor", "kal", "lan", "mor", "nov", "or",
    "per", "quin", "ros", "sal", "tor", "ul", "val", "wes", "yar", "zan", "ski", "son", "berg", "ley", "ton",
    "man", "ez", "ov", "ić", "ás", "ö", "ø", "ü", "é", "ña", "ier", "ault", "stein", "well", "ford",
)  # fmt: skip
_COMMON_SURNAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
    "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
    "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
    "O'Brien", "D'Angelo", "Núñez", "Müller", "Dapkūnaitė", "Šerbedžija", "Béart", "Nguyen", "Kim", "Tanaka",
    "McQuarrie", "MacLeod", "Fitzgerald", "van der Berg", "de la Cruz", "von Trier", "Le Brun", "Ó Ceallaigh",
)  # fmt: skip
_COUNTRIES = ("US", "GB", "FR", "DE", "JP", "KR", "BR", "IN", "AU", "ES", "IT", "MX", "CA", "SE", "NL")
_CREW_JOBS = (
    ("Directing", "Director"),
    ("Writing", "Screenplay"),
    ("Production", "Producer"),
    ("Sound", "Original Music Composer"),
    ("Camera", "Director of Photography"),
    ("Editing", "Editor"),
)
_NUMBER_WORDS = ("One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten")


LAST_YEAR = 2030
"""Long franchises stop here: packs refuse films more than ten years ahead of today."""


def roman(number: int) -> str:
    """1..39 in Roman numerals (the range the matcher reads)."""
    tens, units = divmod(number, 10)
    return "X" * tens + ("", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX")[units]


def slug(text: str) -> str:
    """ASCII-folded slug, as pack keys are built (docs/content-packs.md)."""
    folded = unicodedata.normalize("NFKD", text.replace("ø", "o").replace("Ø", "O").replace("ł", "l"))
    ascii_text = folded.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-") or "x"


def initials(name: str) -> str:
    words = [w for w in re.split(r"[\s:–—-]+", name) if w and w.lower() not in {"the", "of", "a", "an", "and"}]
    return "".join(w[0] for w in words if w[0].isalpha()).upper()


# --------------------------------------------------------------------------- model


@dataclass
class SynPerson:
    key: str
    name: str
    aliases: list[str] = field(default_factory=list)


@dataclass
class SynFilm:
    key: str
    order: int | None
    title: str
    year: int
    aliases: list[str]
    runtime: int
    companies: list[str]
    crew: list[tuple[str, str, str]]  # person key, department, job
    cast: list[tuple[str, str | None]]  # person key, character
    releases: list[tuple[str, dt.date, int, str | None]]


@dataclass
class SynPack:
    id: str
    name: str
    franchise: tuple[str, str] | None
    films: list[SynFilm]
    trivia: list[dict[str, object]]
    people: set[str] = field(default_factory=set)
    companies: set[str] = field(default_factory=set)


@dataclass
class Catalogue:
    """The generated catalogue: what the benchmark needs to build queries from."""

    packs: list[SynPack]
    people: dict[str, SynPerson]
    companies: dict[str, str]
    characters: list[str]

    @property
    def films(self) -> list[SynFilm]:
        return [film for pack in self.packs for film in pack.films]

    @property
    def franchise_names(self) -> list[str]:
        return [pack.franchise[1] for pack in self.packs if pack.franchise]

    def counts(self) -> dict[str, int]:
        films = self.films
        return {
            "packs": len(self.packs),
            "franchises": len(self.franchise_names),
            "films": len(films),
            "people": len(self.people),
            "cast credits": sum(len(f.cast) for f in films),
            "crew credits": sum(len(f.crew) for f in films),
            "releases": sum(len(f.releases) for f in films),
            "aliases": sum(len(f.aliases) for f in films),
            "trivia": sum(len(p.trivia) for p in self.packs),
        }


# --------------------------------------------------------------------------- generation


class _Generator:
    def __init__(self, films: int, people: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.n_films = films
        self.n_people = people
        self.people: dict[str, SynPerson] = {}
        self.companies: dict[str, str] = {}
        self.characters: list[str] = []

    # ---- names ------------------------------------------------------------------------------------
    def surname(self) -> str:
        rng = self.rng
        if rng.random() < 0.25:
            return rng.choice(_COMMON_SURNAMES)
        parts = [rng.choice(_SURNAME_SYLLABLES) for _ in range(rng.choice((2, 2, 3)))]
        return "".join(parts).capitalize()

    def first_name(self) -> str:
        rng = self.rng
        if rng.random() < 0.8:
            return rng.choice(_FIRST_NAMES)
        return "".join(rng.choice(_SURNAME_SYLLABLES) for _ in range(2)).capitalize()

    def person_name(self) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.08:
            return f"{self.first_name()} {chr(rng.randrange(65, 91))}. {self.surname()}"
        if roll < 0.11:
            return f"{chr(rng.randrange(65, 91))}. {chr(rng.randrange(65, 91))}. {self.surname()}"
        return f"{self.first_name()} {self.surname()}"

    def make_people(self) -> list[str]:
        used: dict[str, int] = {}
        keys: list[str] = []
        for _ in range(self.n_people):
            name = self.person_name()
            base = slug(name)
            used[base] = used.get(base, 0) + 1
            key = base if used[base] == 1 else f"{base}-{used[base]}"
            aliases: list[str] = []
            folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
            if folded != name and self.rng.random() < 0.5:
                aliases.append(folded)
            elif self.rng.random() < 0.03:
                aliases.append(f"{self.first_name()} {name.split()[-1]}")
            self.people[key] = SynPerson(key, name, aliases)
            keys.append(key)
        return keys

    def character_name(self) -> str:
        rng = self.rng
        roll = rng.random()
        name = f"{self.first_name()} {self.surname()}"
        if roll < 0.05:
            first, _, last = name.partition(" ")
            return f'{first} "{rng.choice(_NOUNS)}" {last}'
        if roll < 0.08:
            return f"{name} / The {rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}"
        if roll < 0.12:
            return f"Agent {self.surname()}"
        if roll < 0.14:
            return f"{name} (uncredited)"
        return name

    def franchise_name(self, used: set[str]) -> str:
        rng = self.rng
        while True:
            a, n, n2 = rng.choice(_ADJECTIVES), rng.choice(_NOUNS), rng.choice(_NOUNS)
            pattern = rng.random()
            if pattern < 0.35:
                name = f"The {a} {n}"
            elif pattern < 0.6:
                name = f"{a} {n}"
            elif pattern < 0.72:
                name = f"{n} of {n2}s"
            elif pattern < 0.82:
                name = f"{self.first_name()}'s {n}"
            elif pattern < 0.92:
                name = f"{n}: {a} {n2}"
            else:
                name = n if rng.random() < 0.5 else f"{a}{n.lower()}"
            if rng.random() < 0.02:
                name = f"{name} {rng.choice(_EMOJI)}"
            if name.casefold() not in used:
                used.add(name.casefold())
                return name

    def subtitle(self, used: set[str]) -> str:
        rng = self.rng
        for _ in range(100):
            text = rng.choice(_SUBTITLE_PATTERNS).format(A=rng.choice(_ADJECTIVES), N=rng.choice(_NOUNS))
            if text.casefold() not in used:
                used.add(text.casefold())
                return text
        text = f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)} {len(used)}"
        used.add(text.casefold())
        return text

    def sequel_title(self, franchise: str, order: int, style: str, subtitles: set[str]) -> tuple[str, str | None]:
        """A title for film ``order`` (≥ 2) and its subtitle if it has one."""
        rng = self.rng
        if style == "number":
            return f"{franchise} {order}", None
        if style == "roman":
            return f"{franchise} {roman(order)}", None
        if style == "part" and order <= len(_NUMBER_WORDS):
            return f"{franchise} Part {_NUMBER_WORDS[order - 1]}", None
        sub = self.subtitle(subtitles)
        roll = rng.random()
        if style == "numbered":
            return f"{franchise} {order}: {sub}", sub
        if roll < 0.5:
            return f"{franchise}: {sub}", sub
        if roll < 0.8:
            return f"{franchise} – {sub}", sub
        return f"{franchise} - {sub}", sub

    # ---- packs ------------------------------------------------------------------------------------
    def film(
        self,
        pack: SynPack,
        key: str,
        order: int | None,
        title: str,
        year: int,
        aliases: list[str],
        own: list[str],
        stars: list[str],
        regulars: list[tuple[str, str]],
        director: str,
    ) -> SynFilm:
        rng = self.rng
        cast: list[tuple[str, str | None]] = []
        taken: set[str] = set()
        for person, character in regulars:
            if rng.random() < 0.85:
                cast.append((person, character))
                taken.add(person)
        size = rng.randint(17, 23)
        while len(cast) < size:
            person = rng.choice(stars) if rng.random() < 0.15 else rng.choice(own)
            if person in taken:
                continue
            taken.add(person)
            character = None if rng.random() < 0.05 else self.character_name()
            cast.append((person, character))
        crew: list[tuple[str, str, str]] = []
        for department, job in _CREW_JOBS[: rng.randint(4, 6)]:
            person = director if job == "Director" else rng.choice(own)
            crew.append((person, department, job))
        if rng.random() < 0.3:
            crew.append((director, "Writing", "Story"))
        countries = rng.sample(_COUNTRIES, rng.randint(3, 5))
        premiere = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
        releases: list[tuple[str, dt.date, int, str | None]] = [
            (countries[0], premiere, 1, f"World premiere, {rng.choice(_NOUNS)} Theatre")
        ]
        for country in countries:
            releases.append((country, premiere + dt.timedelta(days=rng.randint(3, 60)), 3, None))
        if rng.random() < 0.5:
            releases.append(("US", premiere + dt.timedelta(days=rng.randint(90, 200)), 4, None))
        companies = [rng.choice(list(self.companies)) for _ in range(rng.randint(1, 3))]
        companies = list(dict.fromkeys(companies))
        pack.people.update(p for p, _ in cast)
        pack.people.update(p for p, _, _ in crew)
        pack.companies.update(companies)
        return SynFilm(key, order, title, year, aliases, rng.randint(80, 190), companies, crew, cast, releases)

    def franchise_sizes(self, franchise_films: int) -> list[int]:
        count = max(1, round(franchise_films / FILMS_PER_FRANCHISE))
        sizes = [self.rng.randint(1, 39) for _ in range(count)]
        total = sum(sizes)
        sizes = [max(1, round(size * franchise_films / total)) for size in sizes]
        # Fix rounding so the total is exact, keeping every size in 1..39.
        index = 0
        while sum(sizes) != franchise_films:
            step = 1 if sum(sizes) < franchise_films else -1
            if 1 <= sizes[index % count] + step <= 39:
                sizes[index % count] += step
            index += 1
        return sizes

    def generate(self) -> Catalogue:
        rng = self.rng
        keys = self.make_people()
        for _ in range(max(10, self.n_films // 50)):
            name = f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)} {rng.choice(('Pictures', 'Films', 'Studios'))}"
            self.companies[slug(name)] = name
        rng.shuffle(keys)
        n_stars = max(20, int(len(keys) * STAR_POOL_SHARE))
        stars, rest = keys[:n_stars], keys[n_stars:]
        standalone = int(self.n_films * STANDALONE_SHARE) if self.n_films >= 100 else 0
        sizes = self.franchise_sizes(self.n_films - standalone)
        slices = len(sizes) + (1 if standalone else 0)
        per_slice = max(30, len(rest) // slices)
        packs: list[SynPack] = []
        used_names: set[str] = set()
        for index, size in enumerate(sizes):
            own = rest[index * per_slice : (index + 1) * per_slice] or rng.sample(rest, 30)
            packs.append(self.franchise_pack(index, size, own, stars, used_names))
        if standalone:
            own = rest[len(sizes) * per_slice :] or rng.sample(rest, 30)
            packs.append(self.standalone_pack(standalone, own, stars, used_names))
        # Everyone is defined somewhere even if no credit drew them.
        defined = set().union(*(pack.people for pack in packs))
        for number, key in enumerate(k for k in keys if k not in defined):
            packs[number % len(packs)].people.add(key)
        for pack in packs:
            pack.trivia = self.trivia(pack)
        return Catalogue(packs, self.people, self.companies, self.characters)

    def franchise_pack(self, index: int, size: int, own: list[str], stars: list[str], used: set[str]) -> SynPack:
        rng = self.rng
        name = self.franchise_name(used)
        pack = SynPack(f"syn-{index:04d}", name, (f"syn-fr-{index:04d}", name), [], [])
        style = rng.choice(("number", "number", "roman", "subtitle", "subtitle", "subtitle", "numbered", "part"))
        subtitles: set[str] = set()
        titles: set[str] = set()
        regulars = [(rng.choice(own), self.character_name()) for _ in range(rng.randint(3, 7))]
        regulars = list(dict(regulars).items())
        self.characters.extend(character for _, character in regulars)
        director = rng.choice(own)
        year = rng.randint(1930, 2020)
        abbreviation = initials(name)
        for order in range(1, size + 1):
            if order == 1:
                title, sub = name, None
            else:
                title, sub = self.sequel_title(name, order, style, subtitles)
            aliases: list[str] = []
            if len(abbreviation) >= 2:
                aliases += [f"{abbreviation}{order}", f"{abbreviation} {order}"]
            if sub and rng.random() < 0.6:
                aliases.append(sub)
            if ":" in title and rng.random() < 0.5:
                aliases.append(title.replace(":", ""))
            folded = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().strip()
            if folded and folded != title:
                aliases.append(folded)
            aliases = [
                a for a in dict.fromkeys(aliases) if a.casefold() not in titles and a.casefold() != title.casefold()
            ]
            titles.add(title.casefold())
            titles.update(a.casefold() for a in aliases)
            if rng.random() < 0.25:
                director = rng.choice(own)
            key = f"s{index}f{order}"
            pack.films.append(
                self.film(pack, key, order, title, min(year, LAST_YEAR), aliases, own, stars, regulars, director)
            )
            year += rng.randint(1, 4)
        return pack

    def standalone_pack(self, count: int, own: list[str], stars: list[str], used: set[str]) -> SynPack:
        pack = SynPack("syn-standalone", "Standalone films", None, [], [])
        for number in range(count):
            title = self.franchise_name(used)
            year = self.rng.randint(1920, 2025)
            director = self.rng.choice(own)
            pack.films.append(self.film(pack, f"solo{number}", None, title, year, [], own, stars, [], director))
        return pack

    def trivia(self, pack: SynPack) -> list[dict[str, object]]:
        rng = self.rng
        questions: list[dict[str, object]] = []
        names = [self.people[key].name for key in sorted(pack.people)]
        for film in rng.sample(pack.films, min(len(pack.films), 5)):
            director = self.people[film.crew[0][0]].name
            wrong = [
                n for n in dict.fromkeys(rng.sample(names, min(len(names), 12))) if n.casefold() != director.casefold()
            ]
            wrong = list({n.casefold(): n for n in wrong}.values())[:3]
            if len(wrong) == 3:
                questions.append(
                    {
                        "key": f"{film.key}-director",
                        "film": film.key,
                        "question": f"Who directed {film.title} ({film.year})?",
                        "answers": [director],
                        "wrong": wrong,
                        "difficulty": rng.choice(("easy", "medium", "hard")),
                        "category": "crew",
                    }
                )
            questions.append(
                {
                    "key": f"{film.key}-year",
                    "film": film.key,
                    "question": f"In which year was {film.title} first released?",
                    "answers": [str(film.year)],
                    "wrong": [str(film.year + d) for d in (-2, 1, 3)],
                    "difficulty": "medium",
                    "category": "release",
                }
            )
        return questions


def generate(films: int, people: int, seed: int = 20250601) -> Catalogue:
    """The synthetic catalogue for ``films`` films and ``people`` people (deterministic per seed)."""
    return _Generator(films, people, seed).generate()


# --------------------------------------------------------------------------- TOML


def _q(text: str) -> str:
    """A TOML basic string (JSON string escapes are valid TOML escapes)."""
    return json.dumps(text, ensure_ascii=False)


def _list(values: Iterable[str]) -> str:
    return "[" + ", ".join(_q(v) for v in values) + "]"


def pack_toml(pack: SynPack, catalogue: Catalogue) -> str:
    out: list[str] = [
        "# Synthetic benchmark pack, generated by bench/synthetic.py. Not real films.",
        "[pack]",
        f"id = {_q(pack.id)}",
        f"name = {_q(pack.name)}",
        'version = "1.0.0"',
        "",
    ]
    if pack.franchise:
        out += ["[franchise]", f"key = {_q(pack.franchise[0])}", f"name = {_q(pack.franchise[1])}", ""]
    out += ["[[source]]", 'key = "synthetic"', 'ref = "bench/synthetic.py (generated, seeded)"', ""]
    for key in sorted(pack.companies):
        out += ["[[company]]", f"key = {_q(key)}", f"name = {_q(catalogue.companies[key])}", ""]
    for key in sorted(pack.people):
        person = catalogue.people[key]
        out += ["[[person]]", f"key = {_q(key)}", f"name = {_q(person.name)}"]
        if person.aliases:
            out.append(f"aliases = {_list(person.aliases)}")
        out.append("")
    for film in pack.films:
        out += ["[[film]]", f"key = {_q(film.key)}"]
        if film.order is not None:
            out.append(f"franchise_order = {film.order}")
        out += [
            f"title = {_q(film.title)}",
            f"year = {film.year}",
            f"runtime = {film.runtime}",
            f"synopsis = {_q(f'A synthetic film about {film.title}. Written for the benchmark only.')}",
            f"tagline = {_q('Nothing here is real.')}",
        ]
        if film.aliases:
            out.append(f"aliases = {_list(film.aliases)}")
        out += [f"companies = {_list(film.companies)}", 'source = "synthetic"', ""]
        for person, department, job in film.crew:
            out += [
                "[[film.crew]]",
                f"person = {_q(person)}",
                f"department = {_q(department)}",
                f"job = {_q(job)}",
                'source = "synthetic"',
                "",
            ]
        for order, (person, character) in enumerate(film.cast, start=1):
            out += ["[[film.cast]]", f"person = {_q(person)}"]
            if character is not None:
                out.append(f"character = {_q(character)}")
            out += [f"order = {order}", 'source = "synthetic"', ""]
        for country, date, kind, note in film.releases:
            out += ["[[film.release]]", f"country = {_q(country)}", f'date = "{date.isoformat()}"', f"type = {kind}"]
            if note:
                out.append(f"note = {_q(note)}")
            out += ['source = "synthetic"', ""]
    for question in pack.trivia:
        out.append("[[trivia]]")
        for name in ("key", "film", "question", "difficulty", "category"):
            out.append(f"{name} = {_q(str(question[name]))}")
        out.append(f"answers = {_list(question['answers'])}")  # type: ignore[arg-type]
        out.append(f"wrong = {_list(question['wrong'])}")  # type: ignore[arg-type]
        out += ['source = "synthetic"', ""]
    return "\n".join(out) + "\n"


def write_packs(catalogue: Catalogue, folder: Path) -> list[Path]:
    """One TOML file per pack in ``folder``; returns the paths in load order."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for pack in catalogue.packs:
        path = folder / f"{pack.id}.toml"
        path.write_text(pack_toml(pack, catalogue), encoding="utf-8")
        paths.append(path)
    return paths
