"""Storage: every SQL statement of cxchange, one module per aggregate, on one SQLite file.

Reads return DataFrames or plain values; writes run in the caller's transaction
(`write_transaction`) and check nothing: `cxchange.services` checks, then writes.
"""

from cxchange.store import actions, bank, champions, health, kotter, org, outcomes, people, responses, settings
from cxchange.store.base import (
    BUSY_TIMEOUT_MS,
    DATA_TABLES,
    backup,
    backup_path,
    backups,
    clear_data,
    connect,
    count,
    default_path,
    frame,
    has_data,
    insert_rows,
    open_db,
    path_of,
    restore,
    write_transaction,
)

__all__ = [
    "BUSY_TIMEOUT_MS",
    "DATA_TABLES",
    "actions",
    "backup",
    "backup_path",
    "backups",
    "bank",
    "champions",
    "clear_data",
    "connect",
    "count",
    "default_path",
    "frame",
    "has_data",
    "health",
    "insert_rows",
    "kotter",
    "open_db",
    "org",
    "outcomes",
    "path_of",
    "people",
    "responses",
    "restore",
    "settings",
    "write_transaction",
]
