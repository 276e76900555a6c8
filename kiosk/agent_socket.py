"""The server side of the print agent: hand jobs to it, let it claim each, record what it says.

Events from an agent (each acknowledged): `agent_ready` joins the agent's room and
answers with the jobs waiting for it; `print_claim {job}` answers {ok} when the job
may be printed now (one claim per attempt, so a job is never printed twice by
accident); `print_done {job, ok, status, error, may_have_printed}` records the
outcome. The server pushes new jobs as `print_job`, after the job commits.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask_socketio import join_room

from ptsp import schemas
from ptsp.context import db_session, now
from ptsp.domain.errors import Forbidden, InvalidTransition, NotFound
from ptsp.extensions import socketio
from ptsp.models import PrintJob
from ptsp.printing_runner import outcome_from_status
from ptsp.realtime import DISCONNECT_HOOKS, agent_room, validated
from ptsp.services import printing


def _agent() -> tuple[int, int] | None:
    listener = request.environ.get("ptsp.listener")
    if listener is None:
        return None
    actor, office_id = listener
    if actor.kind != "device" or actor.role != "agent":
        return None
    return actor.device_id, office_id


def _own_job(session: Any, agent_id: int, job_id: int) -> PrintJob | None:
    job = session.get(PrintJob, job_id)
    return job if job is not None and job.printer.agent_id == agent_id else None


def agent_gone(actor: Any, _office_id: int) -> None:
    """Show an agent's printers offline once the agent has disconnected."""
    if actor.kind != "device" or actor.role != "agent":
        return
    with db_session() as session:
        for printer in printing.agent_printers(session, actor.device_id):
            printing.note_printer_state(session, printer, online=False, paper=printer.paper,
                                        error=printing.AGENT_GONE, now=now())
        session.commit()


@validated(schemas.Empty)
def on_agent_ready(_body: schemas.Empty) -> dict[str, Any]:
    """Join the agent's room, show its printers online and answer with the jobs waiting for it."""
    agent = _agent()
    if agent is None:
        raise Forbidden("print_jobs_agents_only")
    join_room(agent_room(agent[0]))
    with db_session() as session:
        printer_ids = [p.id for p in printing.agent_printers(session, agent[0])]
        jobs = [printing.job_payload(session, session.get_one(PrintJob, job_id), now())
                for job_id in printing.retryable_jobs(session, printer_ids)] if printer_ids else []
        for printer in printing.agent_printers(session, agent[0]):
            error = None if printer.last_error == printing.AGENT_GONE else printer.last_error
            printing.note_printer_state(session, printer, online=True, paper=printer.paper, error=error,
                                        now=now())
        session.commit()
    return {"status": 200, "jobs": jobs}


@validated(schemas.PrintClaim)
def on_print_claim(body: schemas.PrintClaim) -> dict[str, Any]:
    agent = _agent()
    if agent is None:
        raise Forbidden("print_jobs_agents_only")
    with db_session() as session:
        if _own_job(session, agent[0], body.job) is None:
            raise NotFound("unknown_print_job", job=body.job)
        ok = printing.claim(session, body.job, now())
        session.commit()
    return {"status": 200, "ok": ok}


@validated(schemas.PrintDone)
def on_print_done(body: schemas.PrintDone) -> dict[str, Any]:
    agent = _agent()
    if agent is None:
        raise Forbidden("print_jobs_agents_only")
    with db_session() as session:
        job = _own_job(session, agent[0], body.job)
        if job is None:
            raise NotFound("unknown_print_job", job=body.job)
        if job.status != "printing":
            raise InvalidTransition("print_job_not_printing", job=body.job)
        job = printing.finish(session, body.job, ok=body.ok, now=now(), error=body.error,
                              printer_status=outcome_from_status(body.status),
                              may_have_printed=body.may_have_printed)
        session.commit()
        return {"status": 200, "job": printing.job_view(job)}


def register_agent_handlers() -> None:
    """Attach the print agent's events to `socketio`."""
    if agent_gone not in DISCONNECT_HOOKS:
        DISCONNECT_HOOKS.append(agent_gone)
    socketio.on_event("agent_ready", on_agent_ready)
    socketio.on_event("print_claim", on_print_claim)
    socketio.on_event("print_done", on_print_done)
