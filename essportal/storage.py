"""Uploaded files (today: employers' logos) stored so that a failure leaves nothing half-written.

Django's FileSystemStorage writes straight into the final name: a full disk in the middle of a
write left a truncated file there, and the request failed with a 500. Here the file is written
under a temporary name in the same directory, flushed to the disk, and only then renamed into
place with `os.replace`, which is atomic within one filesystem: the final name holds the whole
file or does not exist. On any OSError (ENOSPC, EDQUOT, EIO, ...) the temporary file is removed
and the error goes to the caller, whose form says so; the database row still names the previous
file, because Django saves the row only after the storage returned.
"""

import contextlib
import os
import tempfile

from django.core.files.storage import FileSystemStorage

# What the file gets when FILE_UPLOAD_PERMISSIONS is None (mkstemp creates it 0600).
DEFAULT_FILE_MODE = 0o644


class AtomicFileSystemStorage(FileSystemStorage):
    def _save(self, name, content):
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        os.makedirs(directory, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=directory, prefix=".upload-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as file:
                for chunk in content.chunks():
                    file.write(chunk if isinstance(chunk, bytes) else chunk.encode())
                file.flush()
                os.fsync(file.fileno())
            os.chmod(temporary, self.file_permissions_mode or DEFAULT_FILE_MODE)
            # get_available_name chose a free name before the write; another upload may have
            # taken it since.
            while os.path.exists(full_path) and not self._allow_overwrite:
                name = self.get_available_name(name)
                full_path = self.path(name)
            os.replace(temporary, full_path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise
        self._ensure_location_group_id(full_path)
        return os.path.relpath(full_path, self.location).replace("\\", "/")
