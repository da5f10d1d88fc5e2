"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-27

The tables of models/tables.py, the default document types, and the guard that keeps audit_log append-only.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_override",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("is_working", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_calendar_override")),
    )
    op.create_table(
        "document_type",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("deadline_month", sa.Integer(), nullable=False),
        sa.Column("deadline_day", sa.Integer(), nullable=True),
        sa.Column("deadline_year_offset", sa.Integer(), nullable=False),
        sa.Column("roll_to_working_day", sa.Boolean(), nullable=False),
        sa.Column(
            "timeliness_basis",
            sa.Enum(
                "penetapan",
                "diterima",
                name="timeliness_basis",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("counted", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_document_type")),
    )
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint("telegram_user_id", name=op.f("uq_person_telegram_user_id")),
    )
    op.create_table(
        "provinsi",
        sa.Column("kode", sa.String(length=2), nullable=False),
        sa.Column("nama", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("kode", name=op.f("pk_provinsi")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.String(length=60), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=40), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["person.id"], name=op.f("fk_audit_log_actor_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)

    op.create_table(
        "kabupaten",
        sa.Column("kode", sa.String(length=5), nullable=False),
        sa.Column("nama", sa.String(length=120), nullable=False),
        sa.Column("provinsi_kode", sa.String(length=2), nullable=False),
        sa.ForeignKeyConstraint(["provinsi_kode"], ["provinsi.kode"], name=op.f("fk_kabupaten_provinsi_kode_provinsi")),
        sa.PrimaryKeyConstraint("kode", name=op.f("pk_kabupaten")),
    )
    with op.batch_alter_table("kabupaten", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kabupaten_provinsi_kode"), ["provinsi_kode"], unique=False)

    op.create_table(
        "role_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "sekdes",
                "pendamping",
                "staf",
                "camat",
                "admin",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "scope_kind",
            sa.Enum(
                "desa",
                "kecamatan",
                "kabupaten",
                "deployment",
                name="scope_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("scope_code", sa.String(length=13), nullable=True),
        sa.Column("granted_at", sa.DateTime(), nullable=False),
        sa.Column("granted_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["granted_by_id"], ["person.id"], name=op.f("fk_role_assignment_granted_by_id_person")),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_role_assignment_person_id_person")),
        sa.ForeignKeyConstraint(["revoked_by_id"], ["person.id"], name=op.f("fk_role_assignment_revoked_by_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role_assignment")),
    )
    with op.batch_alter_table("role_assignment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_role_assignment_person_id"), ["person_id"], unique=False)

    op.create_table(
        "kecamatan",
        sa.Column("kode", sa.String(length=8), nullable=False),
        sa.Column("nama", sa.String(length=120), nullable=False),
        sa.Column("kabupaten_kode", sa.String(length=5), nullable=False),
        sa.Column("timezone", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["kabupaten_kode"], ["kabupaten.kode"], name=op.f("fk_kecamatan_kabupaten_kode_kabupaten")
        ),
        sa.PrimaryKeyConstraint("kode", name=op.f("pk_kecamatan")),
    )
    with op.batch_alter_table("kecamatan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kecamatan_kabupaten_kode"), ["kabupaten_kode"], unique=False)

    op.create_table(
        "desa",
        sa.Column("kode", sa.String(length=13), nullable=False),
        sa.Column("nama", sa.String(length=120), nullable=False),
        sa.Column("kecamatan_kode", sa.String(length=8), nullable=False),
        sa.Column("is_adat", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["kecamatan_kode"], ["kecamatan.kode"], name=op.f("fk_desa_kecamatan_kode_kecamatan")),
        sa.PrimaryKeyConstraint("kode", name=op.f("pk_desa")),
    )
    with op.batch_alter_table("desa", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_desa_kecamatan_kode"), ["kecamatan_kode"], unique=False)

    op.create_table(
        "target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kecamatan_kode", sa.String(length=8), nullable=False),
        sa.Column("indicator", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("awal", sa.Integer(), nullable=True),
        sa.Column("perubahan", sa.Integer(), nullable=True),
        sa.Column("renstra", sa.Integer(), nullable=True),
        sa.Column("higher_is_better", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["kecamatan_kode"], ["kecamatan.kode"], name=op.f("fk_target_kecamatan_kode_kecamatan")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_target")),
        sa.UniqueConstraint("kecamatan_kode", "indicator", "year", name="uq_target_kecamatan_indicator_year"),
    )
    op.create_table(
        "obligation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("desa_kode", sa.String(length=13), nullable=False),
        sa.Column("document_code", sa.String(length=16), nullable=False),
        sa.Column("tahun_anggaran", sa.Integer(), nullable=False),
        sa.Column("legal_deadline", sa.Date(), nullable=False),
        sa.Column("agreed_date", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["desa_kode"], ["desa.kode"], name=op.f("fk_obligation_desa_kode_desa")),
        sa.ForeignKeyConstraint(
            ["document_code"], ["document_type.code"], name=op.f("fk_obligation_document_code_document_type")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_obligation")),
        sa.UniqueConstraint("desa_kode", "document_code", "tahun_anggaran", name="uq_obligation_desa_document_ta"),
    )
    with op.batch_alter_table("obligation", schema=None) as batch_op:
        batch_op.create_index("ix_obligation_document_ta", ["document_code", "tahun_anggaran"], unique=False)

    op.create_table(
        "extension",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("obligation_id", sa.Integer(), nullable=False),
        sa.Column("previous_agreed_date", sa.Date(), nullable=False),
        sa.Column("new_agreed_date", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("granted_by_id", sa.Integer(), nullable=True),
        sa.Column("granted_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["granted_by_id"], ["person.id"], name=op.f("fk_extension_granted_by_id_person")),
        sa.ForeignKeyConstraint(
            ["obligation_id"], ["obligation.id"], name=op.f("fk_extension_obligation_id_obligation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_extension")),
    )
    with op.batch_alter_table("extension", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_extension_obligation_id"), ["obligation_id"], unique=False)

    op.create_table(
        "submission",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("obligation_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("tanggal_penetapan", sa.Date(), nullable=False),
        sa.Column("nomor", sa.String(length=120), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("received_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "channel",
            sa.Enum(
                "telegram",
                "kertas",
                "cli",
                "impor",
                name="channel",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "review_status",
            sa.Enum(
                "menunggu",
                "diterima",
                "ditolak",
                name="review_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.Column("review_reason", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["obligation_id"], ["obligation.id"], name=op.f("fk_submission_obligation_id_obligation")
        ),
        sa.ForeignKeyConstraint(["received_by_id"], ["person.id"], name=op.f("fk_submission_received_by_id_person")),
        sa.ForeignKeyConstraint(["reviewed_by_id"], ["person.id"], name=op.f("fk_submission_reviewed_by_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission")),
        sa.UniqueConstraint("obligation_id", "version", name="uq_submission_obligation_version"),
    )
    op.create_table(
        "submission_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("stored_path", sa.String(length=255), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=True),
        sa.Column("mime_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["submission.id"], name=op.f("fk_submission_file_submission_id_submission")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission_file")),
        sa.UniqueConstraint("submission_id", "position", name="uq_submission_file_position"),
    )
    with op.batch_alter_table("submission_file", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_submission_file_sha256"), ["sha256"], unique=False)
        batch_op.create_index(batch_op.f("ix_submission_file_submission_id"), ["submission_id"], unique=False)

    document_type = sa.table(
        "document_type",
        sa.column("code", sa.String),
        sa.column("name", sa.String),
        sa.column("deadline_month", sa.Integer),
        sa.column("deadline_day", sa.Integer),
        sa.column("deadline_year_offset", sa.Integer),
        sa.column("roll_to_working_day", sa.Boolean),
        sa.column("timeliness_basis", sa.String),
        sa.column("counted", sa.Boolean),
        sa.column("position", sa.Integer),
    )
    # Legal deadlines (docs/domain.md): RKPDes TA Y by 30 Sep Y-1, APBDes by 31 Dec Y-1, LPPDes by 31 Mar Y+1.
    op.bulk_insert(
        document_type,
        [
            _doc("RKPDES", "Rencana Kerja Pemerintah Desa", 9, 30, -1, "penetapan", True, 1),
            _doc("APBDES", "Anggaran Pendapatan dan Belanja Desa", 12, 31, -1, "penetapan", True, 2),
            _doc("LPPDES", "Laporan Penyelenggaraan Pemerintahan Desa", 3, 31, 1, "diterima", True, 3),
            _doc("LRA_SEM1", "Laporan Realisasi APBDes Semester I", 7, None, 0, "diterima", False, 4),
            _doc("LPJ_APBDES", "Laporan Pertanggungjawaban Realisasi APBDes", 3, 31, 1, "diterima", False, 5),
        ],
    )
    _guard_audit_log()


def _doc(code, name, month, day, offset, basis, counted, position):
    return {
        "code": code,
        "name": name,
        "deadline_month": month,
        "deadline_day": day,
        "deadline_year_offset": offset,
        "roll_to_working_day": False,
        "timeliness_basis": basis,
        "counted": counted,
        "position": position,
    }


def _guard_audit_log() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
            )
    else:
        op.execute(
            "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    with op.batch_alter_table("submission_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submission_file_submission_id"))
        batch_op.drop_index(batch_op.f("ix_submission_file_sha256"))

    op.drop_table("submission_file")
    op.drop_table("submission")
    with op.batch_alter_table("extension", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_extension_obligation_id"))

    op.drop_table("extension")
    with op.batch_alter_table("obligation", schema=None) as batch_op:
        batch_op.drop_index("ix_obligation_document_ta")

    op.drop_table("obligation")
    op.drop_table("target")
    with op.batch_alter_table("desa", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_desa_kecamatan_kode"))

    op.drop_table("desa")
    with op.batch_alter_table("kecamatan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kecamatan_kabupaten_kode"))

    op.drop_table("kecamatan")
    with op.batch_alter_table("role_assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_role_assignment_person_id"))

    op.drop_table("role_assignment")
    with op.batch_alter_table("kabupaten", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kabupaten_provinsi_kode"))

    op.drop_table("kabupaten")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))

    op.drop_table("audit_log")
    op.drop_table("provinsi")
    op.drop_table("person")
    op.drop_table("document_type")
    op.drop_table("calendar_override")
