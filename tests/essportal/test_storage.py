"""Uploads are written under a temporary name and renamed into place: a full disk leaves
nothing behind, neither a truncated file nor the temporary one."""

import errno
import os

import pytest
from django.core.files.base import ContentFile

from essportal.storage import AtomicFileSystemStorage
from tests.disk import disk_full_after


def files_in(path) -> list[str]:
    return sorted(str(p.relative_to(path)) for p in path.rglob("*") if p.is_file())


def test_a_file_is_stored_whole_readable_and_without_a_temporary_left(tmp_path):
    storage = AtomicFileSystemStorage(location=tmp_path)
    name = storage.save("logos/logo.png", ContentFile(b"x" * 100_000))
    assert name == "logos/logo.png"
    assert (tmp_path / name).read_bytes() == b"x" * 100_000
    assert oct(os.stat(tmp_path / name).st_mode & 0o777) == oct(0o644)
    assert files_in(tmp_path) == ["logos/logo.png"]


def test_a_second_file_of_the_same_name_gets_a_name_of_its_own(tmp_path):
    storage = AtomicFileSystemStorage(location=tmp_path)
    first = storage.save("logos/logo.png", ContentFile(b"first"))
    second = storage.save("logos/logo.png", ContentFile(b"second"))
    assert first != second
    assert (tmp_path / first).read_bytes() == b"first"
    assert (tmp_path / second).read_bytes() == b"second"


def test_a_full_disk_mid_write_leaves_no_file_at_all(tmp_path, monkeypatch):
    storage = AtomicFileSystemStorage(location=tmp_path)
    disk_full_after(monkeypatch, tmp_path, written=10)
    with pytest.raises(OSError) as raised:
        storage.save("logos/logo.png", ContentFile(b"x" * 100_000))
    assert raised.value.errno == errno.ENOSPC
    assert files_in(tmp_path) == []


def test_a_full_disk_does_not_touch_the_file_already_there(tmp_path, monkeypatch):
    storage = AtomicFileSystemStorage(location=tmp_path)
    storage.save("logos/logo.png", ContentFile(b"the old logo"))
    disk_full_after(monkeypatch, tmp_path, written=3)
    with pytest.raises(OSError):
        storage.save("logos/logo.png", ContentFile(b"x" * 100_000))
    assert files_in(tmp_path) == ["logos/logo.png"]
    assert (tmp_path / "logos/logo.png").read_bytes() == b"the old logo"
