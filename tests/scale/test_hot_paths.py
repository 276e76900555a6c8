"""The hot-path shortcuts give the same answers as the slow, obvious computation they replace."""

from __future__ import annotations

import random

from ptsp.models import Office, Ticket
from ptsp.services import tickets
from ptsp.services.actors import Actor
from ptsp.services.serializers import people_ahead, waiting_line


def test_people_ahead_counts_exactly_the_tickets_before_it_in_calling_order(app, world, clock):
    rng = random.Random(7)
    kiosk = Actor("device", None, "kiosk", world.office)
    positions = {}
    with app.extensions["ptsp.sessions"]() as session:
        for i in range(60):
            service = world.services["AC"[i % 2]]
            priority = rng.choice(["regular"] * 4 + ["elderly", "pregnant"])
            ticket, position = tickets.issue(session, office_id=world.office, service_id=service,
                                             priority=priority, actor=kiosk, now=clock())
            session.commit()
            positions[ticket.id] = (service, position["people_ahead"])
            clock.advance(minutes=rng.choice([0, 0, 1, 2, 7]))  # ties, and some past the 30-minute limit
        office = session.get(Office, world.office)
        # The answer given at issue time was the ticket's place in the line at that moment.
        checked = 0
        for service in (world.services["A"], world.services["C"]):
            line = [e.ticket_id for e in waiting_line(session, office, service, clock())]
            for index, ticket_id in enumerate(line):
                ticket = session.get(Ticket, ticket_id)
                assert people_ahead(session, ticket, clock()) == index
                checked += 1
        assert checked == 60
        # Every issue answer agrees with a line recomputed as of that ticket's issue (tickets after it excluded).
        for ticket_id, (service, ahead) in positions.items():
            ticket = session.get(Ticket, ticket_id)
            at_issue = [e.ticket_id for e in waiting_line(session, office, service, ticket.issued_at)
                        if e.ticket_id <= ticket_id]
            assert at_issue.index(ticket_id) == ahead
