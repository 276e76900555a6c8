"""The office calendar: national holidays and cuti bersama from the `holidays` package, in Indonesian, then the
office's own closure days."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

from ptsp.domain import office_calendar as cal
from ptsp.domain.opening import holidays_between


def test_independence_day_is_a_national_holiday_named_in_indonesian():
    closed = cal.closed_day(date(2026, 8, 17))
    assert closed == cal.ClosedDay(date(2026, 8, 17), cal.NATIONAL, "Hari Kemerdekaan Republik Indonesia")
    assert cal.closed_day(date(2026, 8, 18)) is None  # the Tuesday after is an ordinary day


def test_cuti_bersama_closes_too_and_each_kind_is_told_apart():
    days = cal.closed_days(date(2026, 12, 21), date(2026, 12, 28))
    assert {d: (c.kind, c.name) for d, c in days.items()} == {
        date(2026, 12, 24): (cal.JOINT_LEAVE, "Cuti Bersama Hari Raya Natal"),
        date(2026, 12, 25): (cal.NATIONAL, "Hari Raya Natal"),
    }


def test_the_offices_own_days_join_the_calendar_and_a_national_holiday_keeps_its_name():
    own = {date(2026, 11, 24): "Rapat kerja", date(2026, 8, 17): "Upacara", date(2027, 1, 4): "Banjir"}
    days = cal.closed_days(date(2026, 8, 1), date(2026, 12, 1), own)
    assert days[date(2026, 11, 24)] == cal.ClosedDay(date(2026, 11, 24), cal.OFFICE, "Rapat kerja")
    assert days[date(2026, 8, 17)].kind == cal.NATIONAL  # what residents know the day as
    assert date(2027, 1, 4) not in days  # outside [start, end)
    assert holidays_between(date(2026, 11, 23), date(2026, 11, 30), office_days=own) == {
        date(2026, 11, 24): "Rapat kerja"}


def test_names_follow_the_page_language_when_the_package_has_it():
    assert cal.closed_day(date(2026, 8, 17), language="en").name == "Independence Day"
    assert cal.closed_day(date(2026, 8, 17), language="jv").name == "Hari Kemerdekaan Republik Indonesia"
    assert cal.calendar_language("en") == "en_US" and cal.calendar_language("jv") == "id"


def test_warm_loads_the_calendar_so_the_first_request_does_not():
    # In a fresh interpreter (this one may have loaded the package's countries already): before `warm` the
    # countries are not imported; after it they are and the years are cached, so a lookup costs no import.
    code = ("import sys; from datetime import date; from ptsp.domain import office_calendar as c; "
            "before = 'holidays.countries' in sys.modules; c.warm(date(2026, 12, 7)); "
            "c.closed_days(date(2027, 3, 1), date(2027, 4, 1)); "
            "print(before, 'holidays.countries' in sys.modules, c._national_year.cache_info().misses)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    before, after, misses = out.stdout.split()
    assert (before, after) == ("False", "True")
    assert int(misses) == 3  # 2026, 2027 and 2028: the lookup of 2027 above hit the cache
