"""Half-open time intervals [start, end) as sorted, disjoint lists: union, intersection, difference."""

from __future__ import annotations

from datetime import datetime

Span = tuple[datetime, datetime]


def union(spans: list[Span]) -> list[Span]:
    """Merge overlapping or touching spans; drop empty ones."""
    merged: list[Span] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def intersect(a: list[Span], b: list[Span]) -> list[Span]:
    """Return the time covered by both."""
    a, b = union(a), union(b)
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def subtract(a: list[Span], b: list[Span]) -> list[Span]:
    """Return the time in `a` not covered by `b`."""
    out = []
    b = union(b)
    for start, end in union(a):
        cursor = start
        for b_start, b_end in b:
            if b_end <= cursor or b_start >= end:
                continue
            if b_start > cursor:
                out.append((cursor, b_start))
            cursor = max(cursor, b_end)
        if cursor < end:
            out.append((cursor, end))
    return out


def minutes(spans: list[Span]) -> float:
    return sum((end - start).total_seconds() for start, end in spans) / 60
