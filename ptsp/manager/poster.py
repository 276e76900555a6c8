"""The A4 poster for the office's door: a QR code to `/ambil/<office>`, where a resident takes a ticket from their
phone (docs/residents.md). A supervisor or manager prints it for an office they see."""

from __future__ import annotations

from flask import current_app, render_template, request

from printers.html_render import qr_svg

from .access import manager_page, visible_offices
from .blueprint import bp


@bp.get("/poster/<slug>")
@manager_page
def poster(slug: str) -> tuple[str, int]:
    office = next((o for o in visible_offices() if o.slug == slug), None)
    if office is None:
        return render_template("manager/refused.html"), 404
    base = (current_app.config.get("PUBLIC_URL") or request.host_url).rstrip("/")
    url = f"{base}/ambil/{office.slug}"
    complaints = f"{base}/pengaduan/{office.slug}"  # anyone's complaint, with or without a ticket (docs/complaints.md)
    return render_template("manager/poster.html", office=office, url=url, qr=qr_svg(url),
                           complaint_url=complaints, complaint_qr=qr_svg(complaints)), 200
