"""The parameters of the demo history and the small random helpers (see docs/dashboard.md)."""

from __future__ import annotations

import base64
import math
from datetime import timedelta
from typing import Any

import numpy as np

from ..domain.calling_order import Priority

BASE_VOLUME = {"A": 28.0, "B": 11.0, "C": 22.0, "D": 8.0, "E": 6.0}  # residents on an ordinary Wednesday
DEFAULT_VOLUME = 20.0
WEEKDAY_FACTOR = (1.3, 1.05, 1.0, 0.95, 0.8, 0.5, 0.4)
AFTER_HOLIDAY_FACTOR = 1.25
TRANSFER_TO = {"A": "D", "C": "A", "E": "A", "D": "A"}
OUTCOMES = (("selesai", 0.88), ("berkas_kurang", 0.07), ("ditolak", 0.02), ("dirujuk", 0.03))
PRIORITIES = ((Priority.REGULAR, 0.90), (Priority.ELDERLY, 0.06), (Priority.DISABLED, 0.02),
              (Priority.PREGNANT, 0.02))
P_NO_SHOW, P_RECALL, P_TRANSFER = 0.05, 0.07, 0.04
P_SEND_BACK = 0.2  # of transferred tickets, sent back to the service they came from (ping-pong)
PATIENCE_MINUTES = 200.0  # mean of each resident's exponential patience; a resident who waits longer walks away
OFFICE_VOLUME = {"kel-gondangdia": 0.3}  # residents relative to BASE_VOLUME (the quiet office serves too few)
P_ABSENT, P_SHORT_BREAK, P_EARLY_LUNCH = 0.03, 0.3, 0.2
P_LONG_BREAK = 0.08  # of short breaks, one of 50-90 minutes (over the day's break allowance)
P_RATED, P_SKM, P_TABLET = 0.35, 0.4, 0.3  # share of completed tickets rated; of those with SKM; on the tablet
P_RATED_LATER = 0.15  # of status-page ratings, given from home one to three days later (dropped if after now)
QUICK = ((4, 0.5), (3, 0.35), (2, 0.1), (1, 0.05))
QUICK_AFTER_LONG_WAIT = ((4, 0.25), (3, 0.4), (2, 0.25), (1, 0.1))  # first called after more than 30 minutes


def token(rng: np.random.Generator) -> str:
    return base64.urlsafe_b64encode(rng.bytes(18)).decode()


def pick(rng: np.random.Generator, choices: tuple) -> Any:
    values, weights = zip(*choices, strict=True)
    return values[int(rng.choice(len(values), p=np.array(weights) / sum(weights)))]


def minutes(value: float) -> timedelta:
    return timedelta(seconds=round(value * 60))


def arrival_weight(local_hour: float, in_break: bool) -> float:
    """Relative arrival intensity at a local hour: a morning peak around 09:20, a smaller one after lunch."""
    weight = 0.45 + math.exp(-(((local_hour - 9.5) / 1.5) ** 2)) + 0.35 * math.exp(-(((local_hour - 13.8) / 1.0) ** 2))
    return weight * (0.2 if in_break else 1.0)
