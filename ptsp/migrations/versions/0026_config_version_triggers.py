"""config_version raised by the database too: a revocation or an edit by raw SQL reaches every process's copies

The `before_execute` hook in ptsp/config_cache.py raises the number for every change made through SQLAlchemy.
A change made outside it (psql, a script's `sqlite3`, a hand-written migration) raised nothing, so a kiosk token
revoked by SQL stayed usable until a restart. These triggers raise the number after any such change, in the
changing transaction. Through SQLAlchemy the hook has raised it already; the trigger raises it once more (the
number only has to change). A printer's state columns (online, paper, last error, last seen), written after each
print, are left out, as in the hook.

Revision ID: 0026_config_version_triggers
Revises: 0025_config_version
"""

from alembic import op


revision = '0026_config_version_triggers'
down_revision = '0025_config_version'
branch_labels = None
depends_on = None

WATCHED = ('offices', 'agencies', 'services', 'office_closed_days', 'devices', 'staff')
PRINTER_SETUP = ('office_id', 'device_id', 'agent_id', 'name', 'setting', 'width_chars', 'codepage', 'language')
RAISE = 'UPDATE config_version SET n = n + 1 WHERE id = 1'


def _sqlite_triggers() -> list[tuple[str, str]]:
    """(name, event) pairs: SQLite triggers are per row and name one event each."""
    pairs = [(f'{table}_{verb.lower()}', f'{verb} ON {table}') for table in WATCHED
             for verb in ('INSERT', 'UPDATE', 'DELETE')]
    pairs += [('printers_insert', 'INSERT ON printers'), ('printers_delete', 'DELETE ON printers'),
              ('printers_update', f"UPDATE OF {', '.join(PRINTER_SETUP)} ON printers")]
    return [(f'config_version_{name}', event) for name, event in pairs]


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f"""CREATE FUNCTION ptsp_config_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN {RAISE}; RETURN NULL; END $$""")
        for table in WATCHED:  # once per statement, however many rows it changes
            op.execute(f'CREATE TRIGGER config_version_{table} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE '
                       f'ON {table} FOR EACH STATEMENT EXECUTE FUNCTION ptsp_config_changed()')
        op.execute(f"CREATE TRIGGER config_version_printers AFTER INSERT OR DELETE OR TRUNCATE "
                   f"OR UPDATE OF {', '.join(PRINTER_SETUP)} ON printers "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION ptsp_config_changed()")
        return
    for name, event in _sqlite_triggers():
        op.execute(f'CREATE TRIGGER {name} AFTER {event} BEGIN {RAISE}; END')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for table in (*WATCHED, 'printers'):
            op.execute(f'DROP TRIGGER config_version_{table} ON {table}')
        op.execute('DROP FUNCTION ptsp_config_changed()')
        return
    for name, _event in _sqlite_triggers():
        op.execute(f'DROP TRIGGER {name}')
