"""Write the benchmark's figures into docs/benchmarks.md, between two markers, keeping the prose around them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

BEGIN, END = "<!-- bench:begin (written by python -m bench) -->", "<!-- bench:end -->"
TARGETS = {
    "issue": ("Issue p99 at 100 tickets/s, SQLite", 25.0, "ms"),
    "call": ("Call → display p99 with 1,000 sockets, SQLite (probe sockets)", 50.0, "ms"),
    "scale": ("Issue throughput, 2 processes ÷ 1, PostgreSQL", 1.6, "×"),
    "rss": ("Server RSS with 1,000 sockets, SQLite", 300.0, "MB"),
}


def _ms(summary: dict[str, Any]) -> str:
    if not summary.get("count"):
        return "– | – | – | –"
    return " | ".join(f"{summary[k]:.1f}" for k in ("p50", "p95", "p99", "max"))


def _errors(errors: dict[str, int]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in errors.items()) or "none"


def target_figures(results: dict[str, Any]) -> dict[str, float | None]:
    figures: dict[str, float | None] = dict.fromkeys(TARGETS)
    sqlite = results.get("sqlite")
    if sqlite:
        figures["issue"] = next((r["latency_ms"].get("p99") for r in sqlite["issue"] if r["offered_per_s"] == 100),
                                None)
        tier = next((t for t in sqlite["sockets"] if t["sockets"] == 1000 and "failed" not in t), None)
        if tier:
            figures["call"] = (tier.get("call_to_probe_ms") or tier["call_to_socket_ms"]).get("p99")
            figures["rss"] = tier["server_rss_mb"]
    pg = results.get("postgresql") or []
    if len(pg) == 2 and pg[0]["throughput"]["tickets_per_s"]:
        figures["scale"] = round(pg[1]["throughput"]["tickets_per_s"] / pg[0]["throughput"]["tickets_per_s"], 2)
    return figures


def render(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [BEGIN, "", f"### Last run: {m['date']}{' (quick run: not comparable)' if results['quick'] else ''}", "",
             f"- Command: `{results['command'].strip()}` ({results['seconds']} s)",
             f"- Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB RAM, Linux {m['kernel']}, "
             f"Python {m['python']}; open-files limit {results['fd_limit']}",
             "- Load average (1/5/15 min) before: " + " / ".join(f"{x:.2f}" for x in m["load_before"])
             + ", after: " + " / ".join(f"{x:.2f}" for x in m["load_after"])]
    if results.get("note"):
        lines.append(f"- Conditions: {results['note']}")
    lines.append("")
    if "soak" not in results:
        figures = target_figures(results)
        lines += ["| Target | Goal | Measured | Met |", "| --- | --- | --- | --- |"]
        for key, (label, goal, unit) in TARGETS.items():
            value = figures[key]
            better = value is not None and (value >= goal if key == "scale" else value <= goal)
            shown = "not measured" if value is None else f"{value} {unit}"
            lines.append(f"| {label} | {'≥' if key == 'scale' else '≤'} {goal} {unit} | {shown} | "
                         f"{'yes' if better else 'no'} |")
        lines.append("")
    sqlite = results.get("sqlite")
    if sqlite:
        lines += [f"#### Ticket issue, open loop ({sqlite['mode']})", "",
                  "| Offered /s | Requests | Acknowledged | Achieved /s | p50 ms | p95 ms | p99 ms | max ms | Errors |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        for r in sqlite["issue"]:
            lines.append(f"| {r['offered_per_s']} | {r['requests']} | {r['acknowledged']} | {r['achieved_per_s']} | "
                         f"{_ms(r['latency_ms'])} | {_errors(r['errors'])} |")
        lines += ["", f"#### Call-next → `ticket_called` at every socket ({sqlite['mode']})", "",
                  "Every socket is a lobby display (before issue 13, half were residents' status pages, which now hear "
                  "no other ticket's call); each call is timed from its "
                  "scheduled instant to its arrival at each socket. *Probe* sockets are held by a process of their "
                  "own that has nothing else to do, as a lobby display's browser has: they show when the server "
                  "delivered. *Every socket* includes the listener processes' own backlog: they parse hundreds of "
                  "clients' messages on the same cores as the server.", "",
                  "| Sockets | Calls | Probe p50 ms | Probe p95 ms | Probe p99 ms | Probe max ms | "
                  "Every socket p50 ms | Every socket p99 ms | Call API p99 ms | Missing deliveries | Server RSS MB | "
                  "RSS per 1,000 sockets MB | Server CPU (cores) | Clients CPU (cores) |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        for t in sqlite["sockets"]:
            if "failed" in t:
                lines.append(f"| {t['sockets']} | failed: {t['failed']} |" + " |" * 12)
                continue
            every = t["call_to_socket_ms"]
            lines.append(f"| {t['sockets']} | {t['calls']} | {_ms(t.get('call_to_probe_ms') or {})} | "
                         f"{every.get('p50', '–')} | {every.get('p99', '–')} | "
                         f"{t['call_api_ms'].get('p99', '–')} | {t['deliveries_missing']} | {t['server_rss_mb']} | "
                         f"{t['rss_per_1000_sockets_mb']} | {t.get('server_cpu_share', '–')} | "
                         f"{t.get('listeners_cpu_share', '–')} |")
        lines += ["", f"Idle server RSS: {sqlite['rss_idle_mb']} MB. Invariants: {_invariants(sqlite['invariants'])}",
                  ""]
    if results.get("postgresql"):
        lines += ["#### PostgreSQL + Redis, one and two processes", "",
                  "| Mode | Issue at 100/s p50 / p99 ms | Throughput (32 kiosks in 8 offices, closed loop) tickets/s | "
                  "Throughput p99 ms | Server CPU (cores, per process) | PostgreSQL CPU | Redis CPU | Harness CPU | "
                  "Call → probe sockets p50 / p99 ms | Every socket p99 ms | Sockets | Missing | Invariants |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        for run in results["postgresql"]:
            issue, tp, sk = run["issue"]["latency_ms"], run["throughput"], run["sockets"]
            probe = sk.get("call_to_probe_ms") or {}
            lines.append(f"| {run['mode']} | {issue.get('p50')} / {issue.get('p99')} | {tp['tickets_per_s']} | "
                         f"{tp['latency_ms'].get('p99')} | {' + '.join(map(str, tp.get('server_cpu_shares', [])))} | "
                         f"{tp.get('postgres_cpu_share', '–')} | {tp.get('redis_cpu_share', '–')} | "
                         f"{tp.get('harness_cpu_share', '–')} | {probe.get('p50', '–')} / {probe.get('p99', '–')} | "
                         f"{sk['call_to_socket_ms'].get('p99')} | {sk['sockets']} | {sk['deliveries_missing']} | "
                         f"{_invariants(run['invariants'])} |")
        lines += ["", "With two processes the calls go through the first and half the sockets are on the second, "
                  "so half the deliveries cross Redis.", ""]
    elif results.get("postgresql_skipped"):
        lines += [f"PostgreSQL + Redis not run: {results['postgresql_skipped']}.", ""]
    soak = results.get("soak")
    if soak:
        lines += [f"#### Soak, {soak['seconds']:.0f} s ({soak['mode']})", "",
                  f"RSS growth after warm-up: {soak['rss_growth_mb']} MB; open fds growth: {soak['fds_growth']}; "
                  f"flat: {'yes' if soak['flat'] else 'no'}; missing deliveries: {soak['deliveries_missing']}; "
                  f"invariants: {_invariants(soak['invariants'])}", "",
                  "| t s | RSS MB | open fds | issue p99 ms | call → socket p99 ms |",
                  "| --- | --- | --- | --- | --- |"]
        for s in soak["samples"]:
            lines.append(f"| {s['t']} | {s['rss_mb']} | {s['fds']} | {s['issue_p99_ms']} | {s['call_p99_ms']} |")
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


def _invariants(inv: dict[str, Any]) -> str:
    if inv["ok"]:
        return (f"ok ({inv['acknowledged_tickets']} tickets acknowledged, all present, no duplicate number; "
                f"{inv['acknowledged_calls']} calls, none twice)")
    return "BROKEN " + ", ".join(f"{k}={v}" for k, v in inv.items() if k != "ok")


def write_report(path: Path, results: dict[str, Any]) -> None:
    """Replace the figures between the markers (or the soak's own section), keeping everything else."""
    block = render(results)
    begin, end = (BEGIN, END) if "soak" not in results else (BEGIN.replace("bench:", "soak:"),
                                                             END.replace("bench:", "soak:"))
    block = block.replace(BEGIN, begin).replace(END, end)
    text = path.read_text() if path.exists() else f"# Benchmarks\n\n{begin}\n{end}\n"
    if begin not in text:
        text = text.rstrip() + f"\n\n{begin}\n{end}\n"
    head, rest = text.split(begin, 1)
    tail = rest.split(end, 1)[1] if end in rest else ""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(head + block + tail)
