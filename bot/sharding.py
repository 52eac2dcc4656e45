"""Which of Discord's shards a process runs: `sharding.count` and `run --shards A-B --shard-count N`.

Discord serves guild `g` on shard `(g >> 22) % shard_count`, and DMs on shard 0 only. One process may run
every shard (count 1, a number, or "auto" for the count Discord recommends), or several processes may each
run some of them (`--shards 0-3 --shard-count 8`). Plain: no discord.py here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

AUTO: Literal["auto"] = "auto"
ShardCount = int | Literal["auto"]
"""`sharding.count`: a number of shards (1 is unsharded), or "auto" for the count Discord recommends."""

MAX_SHARD_COUNT = 1_000_000
"""Far above any bot's shard count (Discord's largest run tens of thousands): beyond it is a typo."""


class ShardingError(ValueError):
    """`--shards` or `--shard-count` is not a shard plan that can run; the message is one line to print."""


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard that serves `guild_id` when the bot runs `shard_count` shards."""
    return (guild_id >> 22) % shard_count


def shard_count_problem(value: object) -> str | None:
    """Why `value` is not a shard count (an integer of at least 1, or "auto"), or None when it is one."""
    if value == AUTO:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_SHARD_COUNT:
        return None
    return f'must be "auto" or a whole number of shards from 1 to {MAX_SHARD_COUNT:,}, not {value!r}'


def parse_shard_count(text: str) -> ShardCount:
    """`--shard-count`: "auto" or a number of shards; ShardingError otherwise."""
    cleaned = text.strip().lower()
    if cleaned == AUTO:
        return AUTO
    value = _integer(cleaned)
    if value is None or shard_count_problem(value) is not None:
        raise ShardingError(
            f"--shard-count must be auto or a whole number of shards from 1 to {MAX_SHARD_COUNT:,}, not {text!r}"
        )
    return value


def parse_shard_ids(text: str, shard_count: int) -> tuple[int, ...]:
    """`--shards`: a range `A-B` (both included) or a comma list `0,2,5` of shard ids below `shard_count`,
    sorted, each once. ShardingError, naming what is wrong, otherwise."""
    ids: set[int] = set()
    for part in text.split(","):
        piece = part.strip()
        low_text, dash, high_text = piece.partition("-")
        low, high = _integer(low_text), _integer(high_text) if dash else _integer(low_text)
        if low is None or high is None:
            raise ShardingError(f"--shards takes a range like 0-3 or a list like 0,2,5, not {text!r}")
        if low > high:
            raise ShardingError(f"--shards range {piece} runs backwards; write {high}-{low}")
        if high >= shard_count:
            raise ShardingError(
                f"--shards {text}: there is no shard {high} of {shard_count} (shard ids are 0 to {shard_count - 1})"
            )
        ids.update(range(low, high + 1))
    return tuple(sorted(ids))


def _integer(text: str) -> int | None:
    cleaned = text.strip()
    return int(cleaned) if cleaned.isascii() and cleaned.isdigit() else None


@dataclass(frozen=True)
class ShardPlan:
    """The shards one process runs.

    `count` None: as many as Discord recommends (`GET /gateway/bot`), all in this process. `ids` None: every
    shard of `count`. `count` 1 and `ids` None is the unsharded bot.
    """

    count: int | None = 1
    ids: tuple[int, ...] | None = None

    @property
    def sharded(self) -> bool:
        """Whether the bot runs as discord.py's AutoShardedBot (anything but one shard in one process)."""
        return self.count != 1 or self.ids is not None

    @property
    def syncs_commands(self) -> bool:
        """Whether this process syncs the slash commands: only the one running shard 0, so that several
        processes sync once between them."""
        return self.ids is None or 0 in self.ids

    def owns(self, guild_id: int) -> bool:
        """Whether this process serves `guild_id` (always, when it runs every shard)."""
        if self.ids is None or self.count is None:
            return True
        return shard_of(guild_id, self.count) in self.ids

    def describe(self) -> str:
        """The plan in a few words, for the log: "shards 0-3 of 8", "all 4 shards", "auto-sharded"."""
        if self.count is None:
            return "auto-sharded (the shard count Discord recommends)"
        if self.ids is None:
            return "unsharded" if self.count == 1 else f"all {self.count} shards"
        return f"shards {','.join(str(i) for i in self.ids)} of {self.count}"


def shard_plan(setting: ShardCount, shards: str | None = None, shard_count: str | None = None) -> ShardPlan:
    """The plan from `sharding.count` and the command line's `--shards` and `--shard-count` (which overrides
    the setting). `--shards` needs a number of shards, not "auto". ShardingError, one line, otherwise."""
    count = parse_shard_count(shard_count) if shard_count is not None else setting
    if shards is None:
        return ShardPlan(None if count == AUTO else int(count))
    if count == AUTO:
        raise ShardingError('--shards needs a shard count: give --shard-count N (sharding.count is "auto")')
    return ShardPlan(int(count), parse_shard_ids(shards, int(count)))
