"""The session engine with Redis: Django's cached_db, with the database as the record.

Django's engine reads the cache and, on a miss, writes the database's copy back to it without
guarding that write, and deletes from the cache unguarded: with Redis down every signed-in request
and every sign-in failed. Here every cache call goes through `cache_guard`, so an outage falls
back to the database (one log line per outage, and a hung Redis is left alone after its first
timeout).

A session deleted or changed while the cache was unreachable may still be in Redis afterwards (a
hung or cut-off Redis keeps its data). Its cache copy is removed when the cache answers again, in
this process; the copy also expires with the session's idle timeout.
"""

import threading

from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.contrib.sessions.backends.db import SessionStore as DBStore
from django.core.cache import caches

from essportal.web.cache_guard import guarded, on_recovery

# Cache keys of sessions deleted or saved while the cache was down, to remove once it is back.
# Bounded: past it the idle timeout is what ends a stale copy.
_STALE_LIMIT = 10_000
_stale: set[str] = set()
_stale_lock = threading.Lock()


def _remember_stale(cache_key: str) -> None:
    with _stale_lock:
        if len(_stale) < _STALE_LIMIT:
            _stale.add(cache_key)


def _forget_stale_copies() -> None:
    with _stale_lock:
        keys = list(_stale)
        _stale.clear()
    if not keys:
        return
    try:
        caches[settings.SESSION_CACHE_ALIAS].delete_many(keys)
    except Exception:
        for key in keys:
            _remember_stale(key)
        raise


on_recovery(_forget_stale_copies)


class SessionStore(CachedDBStore):
    def load(self):
        cache_key = self.cache_key
        data = guarded("session read", lambda: self._cache.get(cache_key), None)
        if data is not None:
            return data
        stored = self._get_session_from_db()
        if not stored:
            return {}
        data = self.decode(stored.session_data)
        age = self.get_expiry_age(expiry=stored.expire_date)
        guarded("session write", lambda: self._cache.set(cache_key, data, age), None)
        return data

    def exists(self, session_key):
        if not session_key:
            return False
        cache_key = self.cache_key_prefix + session_key
        return guarded("session read", lambda: cache_key in self._cache, False) or DBStore.exists(
            self, session_key
        )

    def save(self, must_create=False):
        DBStore.save(self, must_create)
        cache_key = self.cache_key
        written = guarded(
            "session write",
            lambda: self._cache.set(cache_key, self._session, self.get_expiry_age()) or True,
            False,
        )
        if not written:
            _remember_stale(cache_key)

    def delete(self, session_key=None):
        DBStore.delete(self, session_key)
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        cache_key = self.cache_key_prefix + session_key
        if not guarded("session delete", lambda: self._cache.delete(cache_key) or True, False):
            _remember_stale(cache_key)
