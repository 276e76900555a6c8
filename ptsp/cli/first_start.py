"""`ptsp init`: the first start of a real office: a fresh database, the office and its admin account."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from string import Template

import click

from ._base import _app, cli

KINDS = ("kelurahan", "kecamatan", "mpp", "city")
# The starter set-up file `ptsp init` writes (string.Template: $name placeholders).
STARTER = Template('''# Set-up of $name_plain: edit, then `ptsp setup load $slug_plain.toml` (again after every change).
# Every field: README "Set up a real office", docs/kiosk.md "The service standard"; ptsp/demo_office.toml is a
# complete example with two kelurahan under a kecamatan.

[[offices]]
slug = $slug
name = $name
kind = $kind
timezone = $zone
last_ticket_minutes = 30            # the kiosk stops issuing this long before closing
complaint_channel = ""              # printed on every ticket, e.g. "WhatsApp Pengaduan 0812-…"
running_text = "Selamat datang. Ambil nomor antrean di kios. Tolak pungutan liar."

  # Opening hours per weekday (mon … sun); a day left out is closed. A gap between two intervals is a staff
  # break (the office stays open) unless [offices.closures] closes it.
  [offices.hours]
  mon = [["08:00", "12:00"], ["13:00", "16:00"]]
  tue = [["08:00", "12:00"], ["13:00", "16:00"]]
  wed = [["08:00", "12:00"], ["13:00", "16:00"]]
  thu = [["08:00", "12:00"], ["13:00", "16:00"]]
  fri = [["07:30", "11:30"], ["13:30", "16:30"]]

  [offices.closures]
  fri = [["11:30", "13:30", "Sholat Jumat"]]

  # One block per service: prefix (1-2 capital letters, the ticket's letter), names, standard minutes per
  # resident, and the published service standard (requirements, official fee with its legal basis, days).
  [[offices.services]]
  prefix = "A"
  name_id = "Surat Keterangan"
  name_en = "Certificates"
  standard_minutes = 10
  requirements = ["KTP-el", "Kartu Keluarga", "Surat pengantar RT/RW"]
  fee_rupiah = 0                    # 0 = free; above 0 also needs fee_basis = "the regulation"
  completion_days = 0               # working days; 0 = finished the same day

  [[offices.counters]]
  number = 1
  services = ["A"]

  # Staff: role clerk, supervisor or manager. Without a password, loading prints a generated one once.
  [[offices.staff]]
  username = "petugas1"
  name = "Petugas Satu"
  role = "clerk"
  supervisor = $admin
''')


def demo_slugs() -> set[str]:
    """The demo file's office slugs: a database holding one of them holds the demo and its published logins."""
    from ..demo import DEMO_FILE

    return {office["slug"] for office in tomllib.loads(DEMO_FILE.read_text())["offices"]}


def _password(password_file: Path | None) -> str:
    if password_file is not None:
        lines = password_file.read_text(encoding="utf-8").splitlines()
        if not lines or not lines[0].strip():
            raise click.ClickException(f"{password_file} holds no password on its first line")
        return lines[0].strip()
    return click.prompt("Admin password (at least 8 characters)", hide_input=True, confirmation_prompt=True)


def _refusal(database: str, held, force: bool) -> str | None:
    """Why this database must not receive a new office, or None when it may."""
    if held.empty or force:
        return None
    demo = sorted(set(held.offices) & demo_slugs())
    if demo:
        return (f"{database} holds the demo ({', '.join(demo)}), whose logins and passwords are published in the "
                "README: a real office must not start next to them. The demo now keeps its own file "
                "(ptsp-demo.db); use a fresh database (delete or move this SQLite file, or set PTSP_DATABASE_URL "
                "to an empty one), or add --force if you really mean this database.")
    return (f"{database} is not empty ({len(held.offices)} office(s), {held.staff} account(s), {held.tickets} "
            "ticket(s)). `ptsp init` starts a new installation; to add an office to a running one use "
            "`ptsp setup load`. Add --force to create the office and admin here anyway.")


@cli.command("init")
@click.option("--office-name", prompt="Office name (e.g. PTSP Kelurahan Sukamaju)", help="The office's full name")
@click.option("--office-slug", prompt="Office short name for addresses and commands (e.g. kel-sukamaju)",
              help="Lower-case letters, digits and '-' (2-64)")
@click.option("--kind", type=click.Choice(KINDS), default="kelurahan", show_default=True, prompt="Kind of office")
@click.option("--timezone", type=click.Choice(["WIB", "WITA", "WIT"], case_sensitive=False), default="WIB",
              show_default=True, prompt="Time zone")
@click.option("--admin-username", prompt="Admin username (e.g. admin)", help="Lower-case, 3-64 characters")
@click.option("--admin-name", prompt="Admin's full name")
@click.option("--password-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Read the admin's password from the first line of this file instead of asking twice")
@click.option("--force", is_flag=True, help="Create the office even in a database that already holds data")
@click.option("--setup-file", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write a starter set-up file for the office (default: <slug>.toml here; never overwritten)")
def init(office_name: str, office_slug: str, kind: str, timezone: str, admin_username: str, admin_name: str,
         password_file: Path | None, force: bool, setup_file: Path | None) -> None:
    """Start a real office: a fresh database (never the demo's), the office and an admin account.

    Refuses a database that already holds an office, an account or a ticket, and above all the demo's,
    unless --force is given. Then prints what to do next.
    """
    from sqlalchemy.engine import make_url

    from ..domain.errors import DomainError
    from ..i18n.errors import describe
    from ..migrate import upgrade
    from ..services.first_start import contents, create_office_and_admin

    app = _app()
    engine = app.extensions["ptsp.engine"]
    database = make_url(app.config["DATABASE_URL"]).render_as_string(hide_password=True)
    refusal = _refusal(database, contents(engine), force)
    if refusal:
        raise click.ClickException(refusal)
    password = _password(password_file)
    upgrade(engine)
    with app.app_context():
        from ..context import db_session

        with db_session() as session:
            try:
                office, _admin = create_office_and_admin(
                    session, slug=office_slug.strip(), name=office_name.strip(), kind=kind, timezone=timezone,
                    username=admin_username.strip(), admin_name=admin_name.strip(), password=password)
            except DomainError as exc:  # a refused office is a set-up file refusal: say each problem
                problems = getattr(exc, "problems", None) or [exc]
                raise click.ClickException("; ".join(describe(p) for p in problems)) from None
            session.commit()
            slug, name, zone = office.slug, office.name, office.timezone
    starter = setup_file or Path(f"{slug}.toml")
    written = not starter.exists()
    if written:
        starter.write_text(starter_setup(slug, name, kind, zone, admin_username.strip()), encoding="utf-8")
    click.echo(next_steps(database, name, slug, admin_username.strip(), starter, written))


def starter_setup(slug: str, name: str, kind: str, zone: str, admin: str) -> str:
    """A set-up file for the new office to edit: its hours, one service with its standard, a counter, a clerk."""
    def q(text: str) -> str:  # a TOML basic string (JSON's escapes are TOML's)
        return json.dumps(text, ensure_ascii=False)

    return STARTER.substitute(slug=q(slug), name=q(name), kind=q(kind), zone=q(zone), admin=q(admin),
                              slug_plain=slug, name_plain=name)


def next_steps(database: str, name: str, slug: str, username: str, starter: Path, written: bool) -> str:
    """What the officer does after `ptsp init`, in order."""
    file_line = (f"     A starter file to edit is written: {starter}" if written
                 else f"     ({starter} already exists and was left as it is.)")
    return "\n".join([
        f"Created {name} ({slug}) and the admin account {username} in {database}.",
        "",
        "Next:",
        "  1. Keep PTSP_SECRET_KEY (and PTSP_DATABASE_URL if you set one) in the environment of every ptsp command.",
        "  2. Start the server:  ptsp run --host 0.0.0.0 --port 5000",
        "     and open http://<server>:5000/ : the office's stations and what it still lacks.",
        f"  3. Log in as {username} at /manager/login. Under the Administrasi menu set the services, counters,",
        "     opening hours and holidays, the staff, and pair each station by the code it shows (README, step 4).",
        "  4. Or, in bulk, describe them in the set-up file and load it:",
        file_line,
        f"     ptsp setup load {starter}",
        f"     and pair stations from here too: ptsp device add --office {slug} --kind kiosk --name \"Kiosk lobi\"",
        "  Clerks log in at /counter/login.",
    ])
