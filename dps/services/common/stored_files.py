"""Files stored with the transaction that records them: one mechanism for every upload.

A file is written to storage before the row that names it is committed, so that no committed
row ever names a file that is not there. If that transaction then does not commit (the commit
fails, a refusal rolls it back, the request ends without committing), the file has no row and
nothing would ever show it or find it. ``store`` notes each key on the session; when the
outermost transaction commits the notes are dropped, and when it ends any other way the files
are discarded. A retry after a failure therefore stores its file once, not twice.

Only a file that never had a committed row is ever discarded: evidence that was recorded is
kept (storage has no delete for it).
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from dps.extensions import db
from dps.outside import storage

PENDING = "dps_uncommitted_files"
log = logging.getLogger(__name__)


def store(data: bytes) -> str:
    """Put ``data`` under a fresh key, kept only if the current transaction commits."""
    store_in = storage.get_storage()
    key = storage.new_key()
    store_in.put(key, data)
    db.session.info.setdefault(PENDING, []).append((store_in, key))
    return key


def uncommitted(session: Session | None = None) -> list[str]:
    """The keys stored in the session's transaction and not yet committed."""
    session = session if session is not None else db.session()
    return [key for _, key in session.info.get(PENDING, [])]


@event.listens_for(Session, "after_commit")
def _keep_committed(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint: the outer transaction decides
        return
    session.info.pop(PENDING, None)


@event.listens_for(Session, "after_transaction_end")
def _discard_uncommitted(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:
        return
    for store_in, key in session.info.pop(PENDING, None) or ():
        _discard(store_in, key)


def _discard(store_in: Any, key: str) -> None:
    discard = getattr(store_in, "discard", None)
    if discard is None:
        log.warning("Stored file %s has no row, and its storage cannot discard it", key)
        return
    try:
        discard(key)
    except Exception:  # the request's own failure matters more than the tidying
        log.exception("Could not discard stored file %s, which has no row", key)
