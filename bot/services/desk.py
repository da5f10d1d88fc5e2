"""Read models of the kecamatan's desk (/tenggat, /cabut, /arsip): what the chat lists for staf to choose from."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models.tables import Desa, Obligation, Person, RoleAssignment, Submission


async def first_desa(session: AsyncSession, kecamatan_kode: str) -> Desa | None:
    return await session.scalar(select(Desa).where(Desa.kecamatan_kode == kecamatan_kode).order_by(Desa.kode))


async def active_assignments(session: AsyncSession) -> list[tuple[RoleAssignment, Person]]:
    """Every role held now, with its person, by place and name."""
    rows = await session.execute(
        select(RoleAssignment, Person)
        .join(Person, Person.id == RoleAssignment.person_id)
        .where(RoleAssignment.revoked_at.is_(None))
        .order_by(RoleAssignment.scope_code, Person.name)
    )
    return [(assignment, person) for assignment, person in rows]


async def obligations_with_versions(session: AsyncSession, desa_kode: str) -> list[Obligation]:
    """A desa's obligations that received at least one version, the latest deadline first."""
    return list(
        await session.scalars(
            select(Obligation)
            .where(Obligation.desa_kode == desa_kode, Obligation.id.in_(select(Submission.obligation_id)))
            .order_by(Obligation.legal_deadline.desc())
        )
    )


async def versions_of(session: AsyncSession, obligation_id: int) -> list[Submission]:
    """Every version of an obligation with its files, oldest first."""
    return list(
        await session.scalars(
            select(Submission)
            .where(Submission.obligation_id == obligation_id)
            .options(selectinload(Submission.files))
            .order_by(Submission.version)
        )
    )


async def version_with_files(session: AsyncSession, submission_id: int) -> Submission | None:
    return await session.scalar(
        select(Submission)
        .where(Submission.id == submission_id)
        .options(selectinload(Submission.files), selectinload(Submission.obligation))
    )
