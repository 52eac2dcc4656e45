"""The import contracts of docs/architecture.md, as tests.

An import graph of bot/, cogs/ and db/ is read from the source (every import, at the top of a module or
late inside a function; never those under `if TYPE_CHECKING:`, which do not run), and four rules are
checked on it:

a. plain modules (logic: matching, look-up, questions, game rules, scoring, answers, dates, reminder
   timing; all of db; the bot's kernel of settings, clocks and time zones) import neither `discord` nor
   `bot.client`, even through another module. Every module is declared plain or Discord-side below, so
   that a new one cannot slip past;
b. no import cycle, among modules or among packages (each feature `cogs.<name>`, `bot`, `db`), except
   that the composition root may import the features it puts together; `db` imports nothing of bot or cogs;
c. no feature reaches another through `get_cog` (only `bot.views.cog_of` may, for a component to find
   its own feature's cog), and no cog dispatches or listens to an event of its own making;
d. a feature package's `__init__.py` holds a docstring, imports under TYPE_CHECKING and an
   `async def setup(bot)` that imports its cog late;
e. each performance trick that leans on a library's internals stays in its one module, whose own test
   fails when the library changes: `gc.freeze` and friends in bot/memory.py, discord.py's bucket sweep
   in bot/discord_tuning.py, aiosqlite's private `_execute` in db/aiosqlite_internals.py.

Each checker is also run on a tiny tree made for it, to show that it fails when its rule is broken.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("bot", "cogs", "db")

# ---- the classification: every module under bot/, cogs/ and db/ is in exactly one of these ----------------

# Plain: importing one (or calling it) never loads discord.py or the bot. A module it imports from
# bot/, cogs/ or db/ must be plain too.
PLAIN = frozenset(
    {
        "bot",
        "bot.clock",
        "bot.database_lock",
        "bot.i18n",
        "bot.localtime",
        "bot.logs",
        "bot.memory",
        "bot.red_trivia",
        "bot.regions",
        "bot.scheduler",
        "bot.settings",
        "bot.sharding",
        "bot.targets",
        "bot.tmdb",
        "bot.tmdb.client",
        "bot.tmdb.connect",
        "bot.tmdb.document",
        "bot.tmdb.fetch",
        "bot.tmdb.pack_file",
        "bot.tmdb.refresh",
        "cogs",
        "cogs.countdowns.dates",
        "cogs.films.lookup",
        "cogs.films.region_cache",
        "cogs.films.search",
        "cogs.films.search.characters",
        "cogs.films.search.films",
        "cogs.films.search.index",
        "cogs.films.search.people",
        "cogs.films.search.snapshots",
        "cogs.films.search.tables",
        "cogs.films.search.text",
        "cogs.reminders.timing",
        "cogs.trivia.answers",
        "cogs.trivia.credits",
        "cogs.trivia.game",
        "cogs.trivia.packed",
        "cogs.trivia.peers",
        "cogs.trivia.questions",
        "cogs.trivia.scoring",
    }
)
# Every module of these packages is plain: the database layer knows nothing of Discord or the bot.
PLAIN_PACKAGES = ("db",)
# Discord-side: cogs, views, renderers, engines that send, the bot and what runs it.
DISCORD_SIDE = frozenset(
    {
        "bot.__main__",  # `run` imports discord.py late; the offline commands never do (tests/bot/test_cli.py)
        "bot.catalogue_watch",  # the running bot's alarm (bot.delivery's DueWorkRunner)
        "bot.client",
        "bot.cog_check",
        "bot.components",
        "bot.delivery",
        "bot.discord_tuning",
        "bot.errors",
        "bot.formatting",
        "bot.i18n_extract",  # loads the cogs to read the command tree's strings
        "bot.offline",  # discord-free at run time (tests/bot/test_cli.py), but `check` starts bot.cog_check
        "bot.options",
        "bot.permissions",
        "bot.replies",
        "bot.runner",
        "bot.services",
        "bot.tmdb.commands",  # discord-free at run time; `pack refresh --yes` keeps the look-up indexes (bot.offline)
        "bot.tmdb.daily",  # the running bot's alarm (bot.delivery's DueWorkRunner)
        "bot.translator",
        "bot.tree",
        "bot.views",
        "cogs.about",
        "cogs.countdowns",
        "cogs.countdowns.cog",
        "cogs.countdowns.engine",
        "cogs.countdowns.mirror",
        "cogs.countdowns.render",
        "cogs.countdowns.settings",
        "cogs.films",
        "cogs.films.catalogue_reads",
        "cogs.films.cog",
        "cogs.films.render",
        "cogs.films.service",
        "cogs.films.views",
        "cogs.help",
        "cogs.preferences",
        "cogs.privacy",
        "cogs.reminders",
        "cogs.reminders.cog",
        "cogs.reminders.engine",
        "cogs.reminders.membership",
        "cogs.reminders.render",
        "cogs.reminders.views",
        "cogs.server_data",
        "cogs.settings",
        "cogs.trivia",
        "cogs.trivia.cog",
        "cogs.trivia.daily",
        "cogs.trivia.engine",
        "cogs.trivia.pool",
        "cogs.trivia.render",
        "cogs.trivia.settings",
        "cogs.trivia.views",
    }
)
FORBIDDEN_IN_PLAIN = ("discord", "bot.client")

# The composition root builds the services and the bot from the features, so it may import them; no
# other module of bot/ may (a feature imports the bot's kernel, and the kernel must not import it back).
# bot.offline composes the offline commands: `pack load` builds the film look-up indexes.
COMPOSITION_ROOT = frozenset({"bot.services", "bot.client", "bot.offline"})

# The one call of `get_cog`: a component finding its own feature's cog (components outlive views).
GET_COG_ALLOWED = frozenset({("bot.views", "cog_of")})

# discord.py's own events a cog may listen to; an event Marquee makes up itself is a hidden call
# between features: give the service a method, or put it on `Services`.
DISCORD_EVENTS = frozenset(
    {
        "on_ready",
        "on_resumed",
        "on_connect",
        "on_disconnect",
        "on_shard_ready",
        "on_guild_join",
        "on_guild_remove",
        "on_guild_available",
        "on_guild_unavailable",
        "on_guild_update",
        "on_guild_channel_delete",
        "on_guild_role_delete",
        "on_interaction",
        "on_app_command_completion",
        "on_command_error",
        "on_raw_member_remove",
        "on_raw_message_delete",
        "on_error",
    }
)


# Where each library internal may be used (see bot/memory.py, bot/discord_tuning.py, db/aiosqlite_internals.py).
GC_CONTROLS = frozenset({"freeze", "unfreeze", "disable", "enable"})
TRICK_OWNERS = {
    "gc": "bot.memory",
    "_try_clear_expired_ratelimits": "bot.discord_tuning",
    "_execute": "db.aiosqlite_internals",
}


# ---- the import graph ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Import:
    importer: str
    name: str  # made absolute; with `from`, the name imported: "discord.ext.commands", "cogs.films.matching.rank"
    line: int
    late: bool  # inside a function: runs when it is called, not when the module is imported


@dataclass(frozen=True)
class Source:
    module: str
    path: Path
    tree: ast.Module

    @property
    def is_package(self) -> bool:
        return self.path.name == "__init__.py"


def sources(root: Path) -> dict[str, Source]:
    """Every module under bot/, cogs/ and db/ of `root`, by dotted name."""
    found: dict[str, Source] = {}
    for layer in LAYERS:
        for path in sorted((root / layer).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            module = ".".join(parts)
            found[module] = Source(module, path, ast.parse(path.read_text(encoding="utf-8"), str(path)))
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_nodes(nodes: Iterable[ast.AST], late: bool = False) -> Iterator[tuple[ast.AST, bool]]:
    """Each node that may run, with whether it runs late (in a function); skips `if TYPE_CHECKING:`."""
    for node in nodes:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            yield from _runtime_nodes(node.orelse, late)
            continue
        yield node, late
        inner = late or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        yield from _runtime_nodes(ast.iter_child_nodes(node), inner)


def imports_of(source: Source) -> list[Import]:
    found: list[Import] = []
    for node, late in _runtime_nodes(source.tree.body):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = source.module if source.is_package else source.module.rpartition(".")[0]
                for _ in range(node.level - 1):
                    package = package.rpartition(".")[0]
                base = f"{package}.{base}".strip(".")
            if base == "__future__":
                continue
            # `from a.b import c` imports module a.b.c if there is one, else a.b: `resolve` finds which.
            names = [f"{base}.{alias.name}" for alias in node.names]
        found += [Import(source.module, name, node.lineno, late) for name in names]
    return found


def resolve(name: str, modules: Iterable[str]) -> str | None:
    """The module of bot/, cogs/ or db/ that importing `name` runs last (None for another library)."""
    known = set(modules)
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def ancestors(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def import_graph(found: dict[str, Source]) -> dict[str, set[str]]:
    """Which modules each module imports, top-level or late. Importing `a.b.c` runs `a` and `a.b` first,
    so those are edges too; a module's own packages are not (they are always imported before it)."""
    graph: dict[str, set[str]] = {module: set() for module in found}
    for module, source in found.items():
        own = set(ancestors(module))
        for imported in imports_of(source):
            target = resolve(imported.name, found)
            if target is None:
                continue
            for reached in (*ancestors(target), target):
                if reached in found and reached != module and reached not in own:
                    graph[module].add(reached)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(set(graph) | {t for targets in graph.values() for t in targets}):
        if node not in index:
            visit(node)
    return found


def package_of(module: str) -> str:
    """A feature (`cogs.films`, also `cogs.about` for a one-module cog), `cogs` itself, `bot` or `db`."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "cogs" else parts[0]


# ---- the checkers: each returns what breaks its rule, one line each ----------------------------------------


def is_plain(module: str, plain: frozenset[str] = PLAIN, plain_packages: tuple[str, ...] = PLAIN_PACKAGES) -> bool:
    return module in plain or any(module == p or module.startswith(p + ".") for p in plain_packages)


def unclassified(
    found: dict[str, Source],
    plain: frozenset[str] = PLAIN,
    discord_side: frozenset[str] = DISCORD_SIDE,
    plain_packages: tuple[str, ...] = PLAIN_PACKAGES,
) -> list[str]:
    problems = []
    for module in sorted(found):
        declared_plain = is_plain(module, plain, plain_packages)
        if declared_plain == (module in discord_side):
            where = "both PLAIN and DISCORD_SIDE" if declared_plain else "neither PLAIN nor DISCORD_SIDE"
            problems.append(
                f"{module} is {where} in tests/test_architecture.py: add it to PLAIN if it is logic that needs "
                "neither discord nor the bot (then it may import only plain modules), else to DISCORD_SIDE"
            )
    for module in sorted((plain | discord_side) - set(found)):
        problems.append(f"{module} is classified in tests/test_architecture.py but no longer exists: remove it")
    return problems


def plain_imports(
    found: dict[str, Source], plain: frozenset[str] = PLAIN, plain_packages: tuple[str, ...] = PLAIN_PACKAGES
) -> list[str]:
    """Plain modules importing discord, bot.client or a module that is not plain (so, by induction, none
    of them reaches discord or the bot through another module), at the top or late."""
    problems = []
    for module, source in sorted(found.items()):
        if not is_plain(module, plain, plain_packages):
            continue
        for imported in imports_of(source):
            when = "late" if imported.late else "at import"
            forbidden = [f for f in FORBIDDEN_IN_PLAIN if imported.name == f or imported.name.startswith(f + ".")]
            target = resolve(imported.name, found)
            if forbidden:
                problems.append(f"{module} (plain) imports {forbidden[0]} {when}, line {imported.line}")
            elif target not in (None, module, *ancestors(module)) and not is_plain(target, plain, plain_packages):
                problems.append(
                    f"{module} (plain) imports {target}, which is Discord-side, {when}, line {imported.line}"
                )
    return sorted(set(problems))


PLAIN_IMPORT_PROBE = """
import importlib, json, sys
forbidden = set(sys.argv[2:])
module = sys.argv[1]
importlib.import_module(module)
print(json.dumps(sorted(forbidden & set(sys.modules))))
"""


def plain_at_run_time(root: Path, modules: Iterable[str]) -> list[str]:
    """Each plain module imported alone in a fresh interpreter: what it loaded of discord or the bot
    (package `__init__` files and other libraries included, which the source graph does not follow)."""
    problems = []
    env = {**os.environ, "PYTHONPATH": str(root)}
    for module in sorted(modules):
        result = subprocess.run(
            [sys.executable, "-c", PLAIN_IMPORT_PROBE, module, *FORBIDDEN_IN_PLAIN],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if result.returncode != 0:
            last = (result.stderr.strip().splitlines() or ["no output"])[-1]
            problems.append(f"{module} (plain) cannot be imported alone: {last}")
            continue
        loaded = json.loads(result.stdout.strip().splitlines()[-1])
        if loaded:
            problems.append(f"{module} (plain) loads {', '.join(loaded)} when imported")
    return problems


def module_cycles(found: dict[str, Source]) -> list[str]:
    return sorted(" -> ".join(component) for component in cycles(import_graph(found)))


def package_cycles(found: dict[str, Source], composition_root: frozenset[str] = COMPOSITION_ROOT) -> list[str]:
    graph: dict[str, set[str]] = defaultdict(set)
    for module, targets in import_graph(found).items():
        if module in composition_root:
            continue
        for target in targets:
            if package_of(target) != package_of(module):
                graph[package_of(module)].add(package_of(target))
    return sorted(" <-> ".join(component) for component in cycles(graph))


def db_imports_above_it(found: dict[str, Source]) -> list[str]:
    problems = []
    for module, source in sorted(found.items()):
        if package_of(module) != "db":
            continue
        for imported in imports_of(source):
            if imported.name.split(".")[0] in ("bot", "cogs"):
                problems.append(f"{module} imports {imported.name}, line {imported.line}: db imports nothing above it")
    return problems


def _functions(tree: ast.Module) -> Iterator[tuple[str, ast.AST]]:
    """Each node with the name of the outermost function (or class) holding it ("" at module level)."""
    for top in tree.body:
        name = top.name if isinstance(top, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else ""
        for node in ast.walk(top):
            yield name, node


def _string(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def feature_coupling(
    found: dict[str, Source],
    get_cog_allowed: frozenset[tuple[str, str]] = GET_COG_ALLOWED,
    discord_events: frozenset[str] = DISCORD_EVENTS,
) -> list[str]:
    """`get_cog` outside its one place, a custom event dispatched, a listener for an event discord.py
    never sends."""
    problems: list[tuple[str, int, str]] = []
    for module, source in sorted(found.items()):
        for holder, node in _functions(source.tree):
            line = getattr(node, "lineno", 0)
            where = f"{module}, line {line}"
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                method = node.func.attr
                if method == "get_cog" and (module, holder) not in get_cog_allowed:
                    problems.append(
                        (module, line, f"{where}: get_cog; take the service you need in the constructor instead")
                    )
                elif method == "dispatch":
                    event = _string(node.args[0]) if node.args else None
                    problems.append(
                        (module, line, f"{where}: dispatches the custom event {event!r}; call a service method instead")
                    )
                elif method == "add_listener":
                    name = _string(node.args[1]) if len(node.args) > 1 else None
                    if name is not None and name not in discord_events:
                        problems.append((module, line, f"{where}: listens to {name!r}, which discord.py never sends"))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for decorator in node.decorator_list:
                    call = decorator if isinstance(decorator, ast.Call) else None
                    target = call.func if call is not None else decorator
                    if not (isinstance(target, ast.Attribute) and target.attr == "listener"):
                        continue
                    given = _string(call.args[0]) if call is not None and call.args else None
                    event = given or node.name
                    if event not in discord_events:
                        problems.append(
                            (
                                module,
                                node.lineno,
                                f"{module}, line {node.lineno}: listens to {event!r}, not one of discord.py's events "
                                "(DISCORD_EVENTS in tests/test_architecture.py); call a service method instead",
                            )
                        )
    return [text for _, _, text in sorted(set(problems))]


def _allowed_in_package_init(node: ast.stmt) -> bool:
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
        return True  # the docstring
    if isinstance(node, ast.ImportFrom) and (
        node.module == "__future__" or (node.module == "typing" and [a.name for a in node.names] == ["TYPE_CHECKING"])
    ):
        return True
    if isinstance(node, ast.If) and _is_type_checking(node.test) and not node.orelse:
        return all(isinstance(inner, (ast.Import, ast.ImportFrom)) for inner in node.body)
    return isinstance(node, ast.AsyncFunctionDef) and node.name == "setup"


def thick_package_inits(found: dict[str, Source]) -> list[str]:
    problems = []
    for module, source in sorted(found.items()):
        if not (source.is_package and package_of(module).startswith("cogs")):
            continue
        for node in source.tree.body:
            if not _allowed_in_package_init(node):
                what = getattr(node, "name", type(node).__name__)
                problems.append(
                    f"{module.replace('.', '/')}/__init__.py, line {node.lineno}: {what}; a package __init__ holds "
                    "a docstring, imports under TYPE_CHECKING and `async def setup(bot)` importing its cog late: "
                    "move it to a module"
                )
    return problems


def _trick_used(node: ast.AST) -> str | None:
    """Which library internal `node` uses, if any: a key of TRICK_OWNERS."""
    if isinstance(node, ast.Attribute):
        if node.attr in GC_CONTROLS and isinstance(node.value, ast.Name) and node.value.id == "gc":
            return "gc"
        if node.attr in TRICK_OWNERS:
            return node.attr
    if isinstance(node, ast.ImportFrom) and node.module == "gc":
        return "gc"
    if isinstance(node, ast.Constant) and node.value in TRICK_OWNERS and node.value != "gc":
        return str(node.value)  # getattr(http, "_try_clear_expired_ratelimits")
    return None


def tricks_out_of_place(found: dict[str, Source], owners: dict[str, str] = TRICK_OWNERS) -> list[str]:
    problems = set()
    for module, source in found.items():
        for node in ast.walk(source.tree):
            trick = _trick_used(node)
            if trick is not None and owners[trick] != module:
                problems.add(
                    (module, getattr(node, "lineno", 0), f"uses {trick!r}: only {owners[trick]} may; call it instead")
                )
    return [f"{module}, line {line}: {text}" for module, line, text in sorted(problems)]


# ---- the contracts on Marquee ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def marquee() -> dict[str, Source]:
    return sources(ROOT)


def test_every_module_is_classified_plain_or_discord_side(marquee: dict[str, Source]) -> None:
    assert unclassified(marquee) == []


def test_plain_modules_import_only_plain_modules(marquee: dict[str, Source]) -> None:
    assert plain_imports(marquee) == []


def test_plain_modules_load_neither_discord_nor_the_bot(marquee: dict[str, Source]) -> None:
    assert plain_at_run_time(ROOT, [module for module in marquee if is_plain(module)]) == []


def test_no_import_cycle_between_modules(marquee: dict[str, Source]) -> None:
    assert module_cycles(marquee) == []


def test_no_import_cycle_between_packages_but_the_composition_root(marquee: dict[str, Source]) -> None:
    assert package_cycles(marquee) == []


def test_db_imports_nothing_of_bot_or_cogs(marquee: dict[str, Source]) -> None:
    assert db_imports_above_it(marquee) == []


def test_features_talk_through_services_not_get_cog_or_custom_events(marquee: dict[str, Source]) -> None:
    assert feature_coupling(marquee) == []


def test_feature_package_inits_are_thin(marquee: dict[str, Source]) -> None:
    assert thick_package_inits(marquee) == []


def test_library_internals_stay_in_their_one_module(marquee: dict[str, Source]) -> None:
    assert tricks_out_of_place(marquee) == []


# ---- each checker fails when its rule is broken -----------------------------------------------------------


def make_tree(root: Path, files: dict[str, str]) -> dict[str, Source]:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for layer in LAYERS:
        (root / layer).mkdir(exist_ok=True)
        (root / layer / "__init__.py").touch()
    return sources(root)


THIN_INIT = '''"""A feature."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.client import MarqueeBot


async def setup(bot: MarqueeBot) -> None:
    from cogs.feature.cog import Feature

    await bot.add_cog(Feature(bot))
'''


def test_a_sound_tree_passes_every_checker(tmp_path: Path) -> None:
    tree = make_tree(
        tmp_path,
        {
            "bot/client.py": "import discord\nimport cogs.feature\n",
            "bot/services.py": "from cogs.feature.engine import Engine\n",
            "bot/text.py": "from db import names\n",
            "cogs/feature/__init__.py": THIN_INIT,
            "cogs/feature/cog.py": "import discord\nfrom cogs.feature import logic\nfrom bot.text import x\n",
            "cogs/feature/engine.py": "from cogs.feature.logic import rule\n",
            "cogs/feature/logic.py": "import math\n",
            "cogs/other/__init__.py": "",
            "cogs/other/rules.py": "from cogs.feature import logic\n",  # the module, not the package's setup
            "db/names.py": "import unicodedata\n",
        },
    )
    plain = frozenset({"bot", "bot.text", "cogs", "cogs.feature.logic", "cogs.feature.engine", "cogs.other.rules"})
    discord_side = frozenset({"bot.client", "bot.services", "cogs.feature", "cogs.feature.cog", "cogs.other"})
    assert unclassified(tree, plain, discord_side) == []
    assert plain_imports(tree, plain) == []
    assert module_cycles(tree) == []
    assert package_cycles(tree, frozenset({"bot.client", "bot.services"})) == []
    assert db_imports_above_it(tree) == []
    assert feature_coupling(tree) == []
    assert thick_package_inits(tree) == []


def test_an_unclassified_module_is_named_with_how_to_classify_it(tmp_path: Path) -> None:
    tree = make_tree(tmp_path, {"cogs/new.py": "", "cogs/gone_soon.py": ""})
    problems = unclassified(
        tree, frozenset({"bot", "cogs", "cogs.gone_soon", "cogs.old"}), frozenset({"cogs.gone_soon"})
    )
    assert problems[0].startswith("cogs.gone_soon is both PLAIN and DISCORD_SIDE")
    assert problems[1].startswith("cogs.new is neither PLAIN nor DISCORD_SIDE") and "add it to PLAIN" in problems[1]
    assert problems[2].startswith("cogs.old is classified") and len(problems) == 3


def test_a_plain_module_importing_discord_or_the_bot_fails_even_late_or_through_another(tmp_path: Path) -> None:
    tree = make_tree(
        tmp_path,
        {
            "cogs/logic.py": "import discord.ext.commands\n",
            "cogs/late.py": "def f():\n    from bot.client import MarqueeBot\n",
            "cogs/through.py": "from cogs.view import thing\n",
            "cogs/hidden.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import discord\n",
            "cogs/view.py": "import discord\n",
            "bot/client.py": "",
        },
    )
    plain = frozenset({"bot", "cogs", "cogs.logic", "cogs.late", "cogs.through", "cogs.hidden"})
    assert plain_imports(tree, plain, ()) == [
        "cogs.late (plain) imports bot.client late, line 2",
        "cogs.logic (plain) imports discord at import, line 1",
        "cogs.through (plain) imports cogs.view, which is Discord-side, at import, line 1",
    ]


def test_a_plain_module_whose_package_loads_discord_fails_at_run_time(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "discord/__init__.py": "",  # a stand-in: the check looks at sys.modules, not at the real library
            "cogs/feature/__init__.py": "import discord\n",
            "cogs/feature/logic.py": "import math\n",
            "cogs/clean.py": "import math\n",
        },
    )
    assert plain_at_run_time(tmp_path, ["cogs.feature.logic", "cogs.clean"]) == [
        "cogs.feature.logic (plain) loads discord when imported"
    ]


def test_an_import_cycle_fails_even_through_a_late_import_or_a_package(tmp_path: Path) -> None:
    tree = make_tree(
        tmp_path,
        {
            "cogs/a.py": "from cogs.b import x\n",
            "cogs/b.py": "def f():\n    import cogs.a\n",
            "cogs/films/__init__.py": "from cogs.films.cog import Films\n",
            "cogs/films/cog.py": "from cogs.trivia.game import Game\n",
            "cogs/trivia/__init__.py": "",
            "cogs/trivia/game.py": "from cogs.films.logic import rule\n",  # runs cogs/films/__init__.py first
            "cogs/films/logic.py": "",
        },
    )
    assert module_cycles(tree) == [
        "cogs.a -> cogs.b",
        "cogs.films -> cogs.films.cog -> cogs.trivia.game",
    ]
    assert package_cycles(tree) == ["cogs.a <-> cogs.b", "cogs.films <-> cogs.trivia"]  # one-module cogs a and b


def test_a_late_import_of_a_packages_own_module_is_no_cycle(tmp_path: Path) -> None:
    tree = make_tree(
        tmp_path,
        {
            "cogs/feature/__init__.py": THIN_INIT,
            "cogs/feature/cog.py": "from cogs.feature import logic\nfrom cogs.feature.logic import rule\n",
            "cogs/feature/logic.py": "",
        },
    )
    assert module_cycles(tree) == []


def test_only_the_composition_root_may_import_features_back(tmp_path: Path) -> None:
    files = {
        "bot/services.py": "from cogs.feature.engine import Engine\n",
        "bot/formatting.py": "",
        "cogs/feature/__init__.py": "",
        "cogs/feature/engine.py": "from bot.formatting import x\n",
    }
    tree = make_tree(tmp_path, files)
    assert package_cycles(tree, frozenset({"bot.services"})) == []
    assert package_cycles(tree, frozenset()) == ["bot <-> cogs.feature"]
    tree = make_tree(tmp_path, {"bot/formatting.py": "def f():\n    from cogs.feature import engine\n"})
    assert package_cycles(tree, frozenset({"bot.services"})) == ["bot <-> cogs.feature"]


def test_db_importing_the_bot_fails(tmp_path: Path) -> None:
    tree = make_tree(tmp_path, {"db/repositories/events.py": "import sqlite3\n\nfrom bot import names\n"})
    assert db_imports_above_it(tree) == [
        "db.repositories.events imports bot.names, line 3: db imports nothing above it"
    ]


def test_get_cog_and_custom_events_fail(tmp_path: Path) -> None:
    tree = make_tree(
        tmp_path,
        {
            "bot/views.py": "def cog_of(interaction, name, kind):\n    return interaction.client.get_cog(name)\n",
            "cogs/privacy.py": (
                "from discord.ext import commands\n"
                "class Privacy(commands.Cog):\n"
                "    async def erase(self, user_id):\n"
                "        self.bot.dispatch('member_data_erased', user_id)\n"
                "        self.bot.get_cog('Reminders').forget(user_id)\n"
                "    @commands.Cog.listener()\n"
                "    async def on_guild_remove(self, guild): ...\n"
                "    @commands.Cog.listener()\n"
                "    async def on_member_data_erased(self, user_id): ...\n"
                "    @commands.Cog.listener('on_lookup_rebuilt')\n"
                "    async def rebuilt(self): ...\n"
            ),
        },
    )
    assert feature_coupling(tree) == [
        "cogs.privacy, line 4: dispatches the custom event 'member_data_erased'; call a service method instead",
        "cogs.privacy, line 5: get_cog; take the service you need in the constructor instead",
        "cogs.privacy, line 9: listens to 'on_member_data_erased', not one of discord.py's events "
        "(DISCORD_EVENTS in tests/test_architecture.py); call a service method instead",
        "cogs.privacy, line 11: listens to 'on_lookup_rebuilt', not one of discord.py's events "
        "(DISCORD_EVENTS in tests/test_architecture.py); call a service method instead",
    ]


def test_a_package_init_with_helpers_or_top_level_imports_fails(tmp_path: Path) -> None:
    tree = make_tree(
        tmp_path,
        {
            "cogs/thin/__init__.py": THIN_INIT,
            "cogs/thick/__init__.py": (
                '"""A feature."""\n'
                "from discord import app_commands\n"
                "async def setup(bot):\n    pass\n"
                "def films_of(bot):\n    return bot.get_cog('Films')\n"
            ),
        },
    )
    problems = thick_package_inits(tree)
    assert [problem.split(";")[0] for problem in problems] == [
        "cogs/thick/__init__.py, line 2: ImportFrom",
        "cogs/thick/__init__.py, line 5: films_of",
    ]


def test_a_library_internal_used_outside_its_module_fails(tmp_path: Path) -> None:
    tree = make_tree(
        tmp_path,
        {
            "bot/memory.py": "import gc\n\ndef keep():\n    gc.freeze()\n",
            "cogs/trivia/pool.py": "import gc\n\ndef build():\n    gc.collect()\n    gc.freeze()\n",
            "cogs/films/service.py": "from gc import disable\n",
            "bot/client.py": "def tame(http):\n    getattr(http, '_try_clear_expired_ratelimits')\n",
            "db/connection.py": "async def run(conn, work):\n    return await conn._execute(work)\n",
        },
    )
    assert tricks_out_of_place(tree) == [
        "bot.client, line 2: uses '_try_clear_expired_ratelimits': only bot.discord_tuning may; call it instead",
        "cogs.films.service, line 1: uses 'gc': only bot.memory may; call it instead",
        "cogs.trivia.pool, line 5: uses 'gc': only bot.memory may; call it instead",
        "db.connection, line 2: uses '_execute': only db.aiosqlite_internals may; call it instead",
    ]
