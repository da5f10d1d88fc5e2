"""Texts of the operator's commands: backups and personal data (merged into `bot.i18n.CATALOG`)."""

from __future__ import annotations

from bot.i18n.doctor import DOCTOR_TEXTS

OPS_TEXTS: dict[str, tuple[str, str]] = {
    "cli.backup.done": (
        "Cadangan {database} dibuat di {path}: basis data dan {files} berkas ({size}).",
        "{database} backup written to {path}: the database and {files} files ({size}).",
    ),
    "cli.backup.restored": (
        "Cadangan {path} dipulihkan: basis data ({database}) dan {files} berkas, semua cocok dengan sidik SHA-256.",
        "Backup {path} restored: the database ({database}) and {files} files, all matching their SHA-256.",
    ),
    "cli.backup.no_pg_tool": (
        "{tool} tidak ditemukan: pasang klien PostgreSQL (mis. paket postgresql-client) atau tambahkan ke PATH.",
        "{tool} not found: install the PostgreSQL client (e.g. the postgresql-client package) or put it on PATH.",
    ),
    "cli.backup.tool_failed": ("{tool} gagal: {reason}", "{tool} failed: {reason}"),
    "cli.backup.no_database": ("Basis data {path} tidak ada.", "The database {path} does not exist."),
    "cli.backup.not_found": ("Cadangan {path} tidak ada.", "The backup {path} does not exist."),
    "cli.backup.not_a_backup": (
        "{path} bukan cadangan klambi (manifest.json tidak ada atau tidak terbaca).",
        "{path} is not a klambi backup (manifest.json missing or unreadable).",
    ),
    "cli.backup.other_database": (
        "Cadangan ini dari {made}, sedangkan [database] url di sini {here}.",
        "This backup is of {made}, but [database] url here is {here}.",
    ),
    "cli.backup.database_not_empty": (
        "Basis data tujuan sudah berisi tabel: pulihkan hanya ke basis data kosong (buat yang baru).",
        "The target database already has tables: restore only into an empty database (create a new one).",
    ),
    "cli.backup.storage_not_empty": (
        "Folder berkas {path} sudah berisi: pulihkan hanya ke folder kosong.",
        "The storage folder {path} is not empty: restore only into an empty folder.",
    ),
    "cli.backup.damaged": (
        "Cadangan rusak: {path} tidak cocok dengan sidik SHA-256 di manifest. Tidak ada yang dipulihkan.",
        "The backup is damaged: {path} does not match its SHA-256 in the manifest. Nothing was restored.",
    ),
    "cli.backup.output_exists": (
        "{path} sudah ada: pilih nama lain (cadangan tidak pernah menimpa).",
        "{path} already exists: choose another name (a backup never overwrites).",
    ),
    "cli.backup.suffix": (
        "-o {path}: cadangan ditulis sebagai folder baru (tanpa akhiran) atau berkas .tar.gz.",
        "-o {path}: a backup is written as a new folder (no suffix) or a .tar.gz file.",
    ),
    "cli.backup.unsafe_path": (
        "Cadangan ditolak: berkas {path} akan ditulis di luar folder berkas {storage}. Tidak ada yang dipulihkan.",
        "Backup refused: the file {path} would be written outside the storage folder {storage}. Nothing was restored.",
    ),
    "cli.person.unknown": ("Tidak ada orang dengan id {id}.", "No person with id {id}."),
    "cli.person.forget_confirm": (
        "Menghapus data pribadi orang #{id} tidak bisa dibatalkan: ulangi dengan --yes.",
        "Forgetting person #{id} cannot be undone: repeat with --yes.",
    ),
    "cli.person.forgotten": (
        "Data pribadi orang #{id} dihapus: nama, akun Telegram dan perannya. Dokumen, putusan dan jejak audit tetap, "
        'atas nama "{label}".',
        "Personal data of person #{id} removed: name, Telegram account and roles. Documents, verdicts and the audit "
        'trail stay, under "{label}".',
    ),
}

# `klambi doctor`'s texts (bot/i18n/doctor.py) join the catalog with the operator's commands
assert not OPS_TEXTS.keys() & DOCTOR_TEXTS.keys()
OPS_TEXTS.update(DOCTOR_TEXTS)
