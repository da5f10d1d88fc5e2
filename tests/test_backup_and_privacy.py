"""`klambi backup` / `klambi restore` into an empty place, and `klambi person export` / `klambi person forget`."""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.chat.messages import Sender
from bot.db import make_engine
from bot.services.audit import Actor
from bot.storage import minimal_pdf
from models.tables import AuditEntry, Contact, Person, RoleAssignment, Submission
from tests.conftest import POSTGRES_URL, _admin, _pg_url, query, table_counts
from tests.test_cli import DESA, JATIROTO, record_all_on_time

PDF = minimal_pdf(b" scan of a Perdes " + b"y" * 3000)


def _hashes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def empty_place(database_url, tmp_path):
    """Another, empty database of the same kind and an empty storage folder."""
    if database_url.startswith("sqlite"):
        yield f"sqlite+aiosqlite:///{tmp_path / 'restored' / 'klambi.db'}", tmp_path / "restored-files"
        return
    assert POSTGRES_URL
    name = f"klambi_restore_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(f"CREATE DATABASE {name}"))
    yield _pg_url(name), tmp_path / "restored-files"
    asyncio.run(_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.mark.parametrize("packed", [False, True], ids=["folder", "tar.gz"])
def test_a_backup_restored_into_an_empty_place_gives_the_same_indicator_and_files(
    klambi, database_url, tmp_path, monkeypatch, empty_place, packed
):
    assert klambi("villages", "import", "--area", JATIROTO).code == 0
    record_all_on_time(klambi)
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(PDF)
    assert klambi("record", "--desa", DESA[0], "--doc", "LPPDES", "--ta", "2024", "--penetapan", "2025-01-10",
                  "--diterima", "2025-01-10", "--file", str(scan)).code == 0  # fmt: skip
    assert klambi("target", "set", "--kecamatan", JATIROTO, "--year", "2024", "--awal", "88,89").code == 0
    indicator = klambi("indicator", "--kecamatan", JATIROTO, "--year", "2024", "--format", "json")
    files = _hashes(tmp_path / "files")
    assert files
    target = tmp_path / ("backup.tar.gz" if packed else "backup")
    made = klambi("backup", "-o", str(target))
    assert made.code == 0, made
    assert "Cadangan" in made.out and f"{len(files)} berkas" in made.out
    again = klambi("backup", "-o", str(target))
    assert again.code == 2 and "sudah ada" in again.err and again.err.count("\n") == 1

    url, storage = empty_place
    monkeypatch.setenv("KLAMBI_DATABASE__URL", url)
    monkeypatch.setenv("KLAMBI_STORAGE__PATH", str(storage))
    restored = klambi("restore", str(target))
    assert restored.code == 0, restored
    assert klambi("indicator", "--kecamatan", JATIROTO, "--year", "2024", "--format", "json").out == indicator.out
    assert _hashes(storage) == files
    assert table_counts(url) == table_counts(database_url)
    twice = klambi("restore", str(target))  # the place is no longer empty
    assert twice.code == 2 and "kosong" in twice.err and twice.err.count("\n") == 1


def test_restore_refuses_a_damaged_backup_and_writes_nothing(klambi, database_url, tmp_path, monkeypatch, empty_place):
    assert klambi("villages", "import", "--area", JATIROTO).code == 0
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(PDF)
    assert klambi("record", "--desa", DESA[0], "--doc", "RKPDES", "--ta", "2025", "--penetapan", "2024-09-27",
                  "--file", str(scan)).code == 0  # fmt: skip
    assert klambi("backup", "-o", str(tmp_path / "backup")).code == 0
    [stored] = [p for p in (tmp_path / "backup" / "files").rglob("*") if p.is_file()]
    stored.write_bytes(PDF + b"tampered")
    url, storage = empty_place
    monkeypatch.setenv("KLAMBI_DATABASE__URL", url)
    monkeypatch.setenv("KLAMBI_STORAGE__PATH", str(storage))
    result = klambi("restore", str(tmp_path / "backup"))
    assert result.code == 2 and "rusak" in result.err, result
    assert not storage.exists()
    assert klambi("restore", str(tmp_path / "nothing-here")).code == 2


KEY = b"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAttackerKey attacker@example\n"


@pytest.mark.parametrize(
    ("packed", "attack"),
    [(False, "dotdot"), (True, "dotdot"), (False, "absolute"), (False, "symlink"), (True, "symlink")],
)
def test_restore_refuses_a_path_outside_the_storage_folder_and_writes_nothing(
    klambi, database_url, tmp_path, monkeypatch, empty_place, packed, attack
):
    """A manifest entry `../../.ssh/authorized_keys` with a correct hash (or an absolute path, a link out of the
    backup): refused before anything is written, the database included."""
    import tarfile

    assert klambi("villages", "import", "--area", JATIROTO).code == 0
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(PDF)
    assert klambi("record", "--desa", DESA[0], "--doc", "RKPDES", "--ta", "2025", "--penetapan", "2024-09-27",
                  "--file", str(scan)).code == 0  # fmt: skip
    backup = tmp_path / "usb" / "backup"
    backup.parent.mkdir()
    assert klambi("backup", "-o", str(backup)).code == 0
    manifest = json.loads((backup / "manifest.json").read_text())
    entry = {"sha256": hashlib.sha256(KEY).hexdigest(), "size": len(KEY)}
    victim = tmp_path / ".ssh" / "authorized_keys"  # where ../../ from the storage folder leads
    if attack in ("dotdot", "symlink"):
        (tmp_path / "usb" / ".ssh").mkdir()
        (tmp_path / "usb" / ".ssh" / "authorized_keys").write_bytes(KEY)  # ../../ from the backup's files/
    if attack == "dotdot":
        entry["path"] = "../../.ssh/authorized_keys"
    elif attack == "absolute":
        entry["path"] = str(victim)
    else:
        (backup / "files" / "keys").symlink_to("../../.ssh")  # reads a secret from outside the backup
        entry["path"] = "keys/authorized_keys"
    manifest["files"].append(entry)
    (backup / "manifest.json").write_text(json.dumps(manifest))
    source = backup
    if packed:
        source = tmp_path / "usb" / "backup.tar.gz"
        with tarfile.open(source, "w:gz") as archive:
            archive.add(backup, arcname="klambi-backup")
            archive.add(tmp_path / "usb" / ".ssh", arcname=".ssh")  # beside the backup, inside the unpacking folder
    url, _ = empty_place
    storage = tmp_path / "srv" / "files"
    monkeypatch.setenv("KLAMBI_DATABASE__URL", url)
    monkeypatch.setenv("KLAMBI_STORAGE__PATH", str(storage))
    result = klambi("restore", str(source))
    assert result.code == 2, result
    assert "di luar folder berkas" in result.err and len(result.err.strip().splitlines()) == 1, result.err
    assert not victim.exists() and not storage.exists()
    assert _database_is_empty(url)


def _database_is_empty(url: str) -> bool:
    from bot.backup import database_is_empty

    async def check() -> bool:
        engine = make_engine(url)
        try:
            return await database_is_empty(engine)
        finally:
            await engine.dispose()

    return asyncio.run(check())


def test_backup_refuses_a_zip_name_and_suggests_no_option_it_lacks(klambi, tmp_path):
    """`-o x.zip` made a folder named x.zip; an existing name suggested `--force`, which backup does not have."""
    assert klambi("villages", "import", "--area", JATIROTO).code == 0
    for name in ("x.zip", "x.tar", "x.gz"):
        result = klambi("backup", "-o", str(tmp_path / name))
        assert result.code == 2 and ".tar.gz" in result.err and len(result.err.strip().splitlines()) == 1, result
        assert not (tmp_path / name).exists()
    assert klambi("backup", "-o", str(tmp_path / "klambi-2025.01.15")).code == 0  # a folder may have dots
    again = klambi("backup", "-o", str(tmp_path / "klambi-2025.01.15"))
    assert again.code == 2 and "sudah ada" in again.err and "--force" not in again.err


def _people(klambi, database_url):
    """Siti, a sekdes who submitted; Budi, the staf who decided. Both through the real bot's services."""
    from bot.services.people import create_invitation, redeem_invitation
    from models.tables import Role

    assert klambi("villages", "import", "--area", JATIROTO).code == 0

    async def join():
        from datetime import datetime

        from bot.db import session_factory
        from tests.conftest import WIB

        engine = make_engine(database_url)
        now = datetime(2024, 9, 27, 9, 0, tzinfo=WIB)
        try:
            async with session_factory(engine)() as session, session.begin():
                for user_id, name, role, place in ((101, "Siti Aminah", Role.SEKDES, DESA[1]),
                                                   (201, "Budi Santoso", Role.STAF, JATIROTO)):  # fmt: skip
                    code = (await create_invitation(session, role, place, now)).code
                    await redeem_invitation(session, code, Sender("telegram", str(user_id), str(user_id), name), now)
            async with session_factory(engine)() as session, session.begin():  # Siti asks the kecamatan something
                from bot.services.contacts import known_person
                from bot.services.forum import raise_thread
                from bot.services.people import active_grants
                from models.tables import ThreadKind

                siti = await known_person(session, Sender("telegram", "101", "101"))
                grants = await active_grants(session, siti.id)
                await raise_thread(session, ThreadKind.TANYA, siti, grants, DESA[1], None, "Kapan rapat?", now, "id",
                                   actor=Actor(siti.id, "telegram"))  # fmt: skip
        finally:
            await engine.dispose()

    asyncio.run(join())
    siti = query(database_url, select(Contact.person_id).where(Contact.user_id == "101"))[0][0]
    return siti


def test_person_export_gives_everything_about_a_person_as_json(klambi, database_url):
    siti = _people(klambi, database_url)
    result = klambi("person", "export", "--person", str(siti))
    assert result.code == 0, result
    data = json.loads(result.out)
    assert data["person"]["name"] == "Siti Aminah"
    assert [(c["channel"], c["user_id"]) for c in data["contacts"]] == [("telegram", "101")]
    assert [(r["role"], r["scope_code"]) for r in data["roles"]] == [("sekdes", DESA[1])]
    assert [i["relation"] for i in data["invitations"]] == ["used"]
    assert [a["action"] for a in data["audit"]] == ["invitation.redeem", "tanya.raise"]
    assert [q["text"] for q in data["forum"]["problems_and_questions"]] == ["Kapan rapat?"]
    assert "Budi" not in result.out  # only this person's data
    bad = klambi("person", "export", "--person", "999")
    assert bad.code == 2 and "Tidak ada orang dengan id 999" in bad.err


def test_person_forget_removes_the_identity_and_keeps_documents_and_the_audit_trail(klambi, database_url):
    siti = _people(klambi, database_url)
    # a submission attributed to Siti (as the chat would record it)
    assert klambi("record", "--desa", DESA[1], "--doc", "RKPDES", "--ta", "2025", "--penetapan", "2024-09-27").code == 0
    from sqlalchemy import update

    async def attribute():
        engine = make_engine(database_url)
        try:
            async with engine.begin() as connection:
                await connection.execute(update(Submission).values(received_by_id=siti))
        finally:
            await engine.dispose()

    asyncio.run(attribute())
    indicator = klambi("indicator", "--kecamatan", JATIROTO, "--year", "2024", "--format", "json").out
    audit_before = query(database_url, select(AuditEntry.id, AuditEntry.actor_id, AuditEntry.action))
    refused = klambi("person", "forget", "--person", str(siti))
    assert refused.code == 2 and "--yes" in refused.err
    before = table_counts(database_url)
    result = klambi("person", "forget", "--person", str(siti), "--yes")
    assert result.code == 0, result
    [(name, forgotten)] = query(database_url, select(Person.name, Person.forgotten_at).where(Person.id == siti))
    assert name == f"Orang terhapus #{siti}" and forgotten is not None
    assert query(database_url, select(Contact.id).where(Contact.person_id == siti)) == []  # their accounts: gone
    assert query(database_url, select(RoleAssignment.revoked_at).where(RoleAssignment.person_id == siti))[0][0]
    assert query(database_url, select(Submission.received_by_id)) == [(siti,)]  # the document stays, by id
    audit_after = query(database_url, select(AuditEntry.id, AuditEntry.actor_id, AuditEntry.action))
    assert audit_after[: len(audit_before)] == audit_before  # the trail is untouched (its triggers forbid edits)
    assert [a for _, _, a in audit_after[len(audit_before) :]] == ["person.forget"]
    after = table_counts(database_url)
    assert {k: v for k, v in after.items() if v != before[k]} == {
        "audit_log": before["audit_log"] + 1,
        "contact": before["contact"] - 1,
    }
    export = klambi("person", "export", "--person", str(siti)).out
    assert "Siti" not in export and "Aminah" not in export and '"user_id": "101"' not in export
    assert klambi("indicator", "--kecamatan", JATIROTO, "--year", "2024", "--format", "json").out == indicator
    assert klambi("person", "forget", "--person", str(siti), "--yes").code == 0  # again: nothing more to do
    assert table_counts(database_url) == after
