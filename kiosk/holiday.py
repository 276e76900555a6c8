"""The kiosk's holiday screen: on a closed day of the office's calendar (a national holiday, cuti bersama or
the office's own closure day) the kiosk shows why, and when it opens again, instead of the service tiles.

`/kiosk/state` carries `closed_day` (None on an ordinary day); `kiosk/static/kiosk/holiday.js` shows it in the
`#holiday` section of `templates/kiosk/_holiday.html`. The words are translated here, in the page's language.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from babel import dates as babel_dates
from flask_babel import gettext

from ptsp.domain import hours as office_hours
from ptsp.domain.office_calendar import JOINT_LEAVE, NATIONAL
from ptsp.i18n import current_language
from ptsp.models import Office
from ptsp.services.office_calendar import closed_day, next_open_day


def holiday_screen(session: Any, office: Office, at: datetime) -> dict[str, Any] | None:
    """What the kiosk shows on a closed day, in the page's language; None when today is not closed."""
    language = current_language()
    day = office_hours.service_day(at, office.timezone)
    closed = closed_day(session, office.id, day, language)
    if closed is None:
        return None
    if closed.kind == NATIONAL:
        title = gettext("Libur nasional: %(name)s", name=closed.name)
    elif closed.kind == JOINT_LEAVE:
        title = gettext("Cuti bersama: %(name)s", name=closed.name)
    else:
        title = gettext("Kantor tutup: %(name)s", name=closed.name)
    reopens = next_open_day(session, office, day)
    if reopens is None:
        text = gettext("Hari ini tidak ada layanan dan tidak ada pengambilan nomor antrean.")
    else:
        opens = office_hours.local_now(reopens[1], office.timezone)
        text = gettext("Hari ini tidak ada layanan dan tidak ada pengambilan nomor antrean. "
                       "Layanan buka kembali %(day)s pukul %(time)s %(zone)s.",
                       day=babel_dates.format_date(reopens[0], "EEEE, d MMMM y", locale=language),
                       time=babel_dates.format_skeleton("Hm", opens, locale=language),
                       zone=office_hours.zone_label(office.timezone))
    return {"day": day.isoformat(), "kind": closed.kind, "name": closed.name, "title": title, "text": text,
            "reopens": reopens[0].isoformat() if reopens else None}
