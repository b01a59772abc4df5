"""A disk that fills up in the middle of a write, for the tests of what uploads do then."""

import errno
import os


class _FillingFile:
    """Writes `room` bytes to the real file, then fails as a full disk does."""

    def __init__(self, real, room: int):
        self.real, self.room = real, room

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def write(self, data):
        if len(data) > self.room:
            self.real.write(bytes(data[: self.room]))
            self.real.flush()
            self.room = 0
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.room -= len(data)
        return self.real.write(data)

    def flush(self):
        self.real.flush()

    def fileno(self):
        return self.real.fileno()

    def close(self):
        self.real.close()


def disk_full_after(monkeypatch, directory, *, written: int) -> None:
    """Every file opened from a descriptor under `directory` takes `written` bytes, then the
    disk is full. Patches os.fdopen, through which Django's storage and ours both write."""
    real_fdopen = os.fdopen
    root = os.path.realpath(directory)

    def fdopen(fd, *args, **kwargs):
        file = real_fdopen(fd, *args, **kwargs)
        if os.readlink(f"/proc/self/fd/{fd}").startswith(root):
            return _FillingFile(file, written)
        return file

    monkeypatch.setattr(os, "fdopen", fdopen)
