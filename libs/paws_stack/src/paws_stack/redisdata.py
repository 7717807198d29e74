"""Redis in a backup: the BGSAVE wait, a digest of the data, and an RDB made into an AOF.

The nodes run with `appendonly yes`, and Redis 7 then loads only its append-only files at
start, never dump.rdb. A multi-part AOF may start from an RDB-format base file, so the
restore puts the backup's RDB there, with a manifest naming it and an empty increment.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from .errors import BackupError

if TYPE_CHECKING:
    import redis

# Redis' defaults (compose/config/redis/redis.conf sets neither appenddirname nor appendfilename).
AOF_DIR = "appendonlydir"
AOF_BASE = "appendonly.aof.1.base.rdb"
AOF_INCR = "appendonly.aof.1.incr.aof"
AOF_MANIFEST = "appendonly.aof.manifest"
SAVE_TIMEOUT_S = 60.0
POLL_S = 0.1

# The digest of one database: every key (sorted) with its type and its value in an order
# that does not depend on the encoding (hash fields and set members sorted). TTLs are left
# out: they run down between the backup and the check.
DIGEST_SCRIPT = """
local function flat(value, out)
  if type(value) == 'table' then
    for _, item in ipairs(value) do flat(item, out) end
  else
    local text = tostring(value)
    out[#out + 1] = #text .. ':' .. text
  end
end
local function sorted_pairs(list)
  local items = {}
  for i = 1, #list, 2 do items[#items + 1] = {list[i], list[i + 1]} end
  table.sort(items, function(a, b) return a[1] < b[1] end)
  return items
end
local keys = redis.call('KEYS', '*')
table.sort(keys)
local digest = ''
for _, key in ipairs(keys) do
  local kind = redis.call('TYPE', key)['ok']
  local value = {}
  if kind == 'string' then value = redis.call('GET', key)
  elseif kind == 'list' then value = redis.call('LRANGE', key, 0, -1)
  elseif kind == 'set' then value = redis.call('SMEMBERS', key); table.sort(value)
  elseif kind == 'zset' then value = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
  elseif kind == 'hash' then value = sorted_pairs(redis.call('HGETALL', key))
  elseif kind == 'stream' then value = redis.call('XRANGE', key, '-', '+')
  end
  local parts = {}
  flat({kind, key, value}, parts)
  digest = redis.sha1hex(digest .. table.concat(parts, ','))
end
return {#keys, digest}
"""


def aof_manifest() -> str:
    """A Redis 7 multi-part AOF manifest: the RDB as its base, then an empty increment.

    >>> print(aof_manifest(), end="")
    file appendonly.aof.1.base.rdb seq 1 type b
    file appendonly.aof.1.incr.aof seq 1 type i
    """
    return f"file {AOF_BASE} seq 1 type b\nfile {AOF_INCR} seq 1 type i\n"


def databases(keyspace: dict[str, Any]) -> list[int]:
    """The indexes of the databases that hold keys, from INFO keyspace.

    >>> databases({"db0": {"keys": 3}, "db2": {"keys": 1}})
    [0, 2]
    """
    return sorted(int(name[2:]) for name in keyspace if name.startswith("db"))


def digests(client: redis.Redis, indexes: list[int]) -> tuple[dict[str, int], dict[str, str]]:
    """(keys, digest) per database index, as strings for JSON."""
    keys: dict[str, int] = {}
    found: dict[str, str] = {}
    for index in indexes:
        client.execute_command("SELECT", index)  # type: ignore[no-untyped-call]
        count, digest = client.eval(DIGEST_SCRIPT, 0)
        keys[str(index)] = int(count)
        found[str(index)] = digest.decode() if isinstance(digest, bytes) else str(digest)
    client.execute_command("SELECT", 0)  # type: ignore[no-untyped-call]
    return keys, found


def save_counter(info: dict[str, Any]) -> tuple[int, int]:
    """What changes when a save completes: (saves since start, time of the last save).

    >>> save_counter({"rdb_saves": 4, "rdb_last_save_time": 17})
    (4, 17)
    """
    return int(info.get("rdb_saves", 0)), int(info.get("rdb_last_save_time", 0))


def bgsave_and_wait(client: redis.Redis, timeout: float = SAVE_TIMEOUT_S) -> None:
    """BGSAVE, then wait until it finished with rdb_last_bgsave_status:ok."""
    before = save_counter(client.info("persistence"))
    if before[1] >= int(time.time()):
        time.sleep(1.05)  # a save in this very second: rdb_last_save_time could not move
    # SCHEDULE: a replica's sync or an AOF rewrite may be running; the save then follows it.
    client.execute_command("BGSAVE", "SCHEDULE")  # type: ignore[no-untyped-call]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        info = client.info("persistence")
        if not info.get("rdb_bgsave_in_progress") and save_counter(info) != before:
            if info.get("rdb_last_bgsave_status") != "ok":
                raise BackupError(
                    "Redis BGSAVE failed (rdb_last_bgsave_status:"
                    f"{info.get('rdb_last_bgsave_status')})",
                    "see `paws-stack logs redis` for the reason (disk full?), then run again",
                )
            return
        time.sleep(POLL_S)
    raise BackupError(
        f"Redis BGSAVE did not finish within {timeout:.0f} s",
        "see `paws-stack logs redis`; a large dataset needs more time: run again",
    )
