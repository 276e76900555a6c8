"""The root `ptsp` group and helpers shared by the command modules."""

from __future__ import annotations

import click

from ..domain.errors import DomainError
from ..i18n.errors import describe


def _app(**overrides: object):
    """The app for a command that only works on the database: without the API and the pages."""
    from ..app import create_app

    return create_app({"WEB_PAGES": False, **overrides})


def _web_app(**overrides: object):
    """The whole app, for the commands that serve it (`DEMO=True`: on the demo's own database)."""
    from ..app import create_app

    return create_app(overrides or None)


class DescribedGroup(click.Group):
    """A group whose commands' domain refusals end as click's error line, worded by `describe`, not a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except DomainError as exc:
            raise click.ClickException(describe(exc)) from None


@click.group(cls=DescribedGroup)
def cli() -> None:
    """PTSP: antrian dan loket layanan publik (queue and counter service desk)."""


def _office(session, slug: str):
    from sqlalchemy import select

    from ..models import Office

    office = session.scalar(select(Office).where(Office.slug == slug))
    if office is None:
        raise click.ClickException(f"unknown office {slug!r}")
    return office
