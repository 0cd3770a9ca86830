"""Storage: every SQL statement of cxchange, one module per aggregate, on one SQLite file.

Reads return DataFrames or plain values; writes run in the caller's transaction
(`write_transaction`) and check nothing: `cxchange.services` checks, then writes.
"""

from cxchange.store import actions, bank, champions, health, kotter, org, outcomes, responses, settings
from cxchange.store.base import (
    BUSY_TIMEOUT_MS,
    DATA_TABLES,
    backup,
    backup_path,
    backups,
    busy_timeout_ms,
    clear_data,
    connect,
    count,
    default_path,
    failure_text,
    frame,
    has_data,
    insert_rows,
    is_damaged,
    open_db,
    replace_file,
    restore,
    set_aside,
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
    "busy_timeout_ms",
    "champions",
    "clear_data",
    "connect",
    "count",
    "default_path",
    "failure_text",
    "frame",
    "has_data",
    "health",
    "insert_rows",
    "is_damaged",
    "kotter",
    "open_db",
    "org",
    "outcomes",
    "replace_file",
    "responses",
    "restore",
    "set_aside",
    "settings",
    "write_transaction",
]
