"""A lot's pool of admitted suppliers, filtered and downloaded: drawn the same way for buyers
(dps.web.buyer) and administrators (dps.web.admin), each under their own access rule."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, render_template, request, url_for
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSubmitInput
from wtforms import SelectMultipleField, SubmitField
from wtforms.fields.choices import SelectChoice

from dps.rules.enums import OrganisationSize
from dps.rules.profile_values import REGIONS
from dps.services.pool import listing
from dps.web.forms import PortalForm

SIZE_CHOICES = [SelectChoice(size.value, listing.SIZE_LABELS[size]) for size in OrganisationSize]
REGION_CHOICES = [SelectChoice(key, label) for key, label in REGIONS.items()]


class PoolFilterForm(PortalForm):
    """Read from the query string: a bookmarkable, downloadable view, so no CSRF token."""

    class Meta:
        csrf = False

    size = SelectMultipleField("Size", choices=SIZE_CHOICES, widget=GovCheckboxesInput())
    status = SelectMultipleField(
        "Kind of organisation",
        choices=[
            SelectChoice("vcse", "VCSE (voluntary, community or social enterprise)"),
            SelectChoice("cooperative", "Co-operative or mutual"),
        ],
        widget=GovCheckboxesInput(),
    )
    region = SelectMultipleField(
        "Region served", choices=REGION_CHOICES, widget=GovCheckboxesInput()
    )
    submit = SubmitField("Filter suppliers", widget=GovSubmitInput())

    def filters(self) -> listing.PoolFilters:
        """What was asked for; a value not on offer (an edited link) is ignored."""
        sizes = {size for size in OrganisationSize if size.value in (self.size.data or [])}
        status = set(self.status.data or [])
        return listing.PoolFilters(
            sizes=frozenset(sizes),
            vcse_only="vcse" in status,
            cooperative_only="cooperative" in status,
            regions=frozenset(value for value in self.region.data or [] if value in REGIONS),
        )


def _lot_and_filters(lot_id: int) -> tuple[Any, listing.PoolFilters, PoolFilterForm]:
    lot = listing.get_lot(lot_id)
    if lot is None:
        abort(404)
    form = PoolFilterForm(formdata=request.args)
    return lot, form.filters(), form


def pool_page(lot_id: int, *, page_endpoint: str, csv_endpoint: str, back: dict[str, str]) -> str:
    lot, filters, form = _lot_and_filters(lot_id)
    rows = listing.admitted_suppliers(lot.id, filters)
    return render_template(
        "pool/lot.html",
        lot=lot,
        rows=rows,
        form=form,
        filters=filters,
        heading=listing.heading(len(rows), filters),
        page_href=url_for(page_endpoint, lot_id=lot.id),
        csv_href=url_for(csv_endpoint, lot_id=lot.id, **_filter_arguments()),
        back=back,
    )


def _filter_arguments() -> dict[str, Any]:
    """The filters of this request, to carry to the download (exactly the rows shown)."""
    return {key: request.args.getlist(key) for key in ("size", "status", "region")}


def pool_csv(lot_id: int) -> Response:
    lot, filters, _form = _lot_and_filters(lot_id)
    body = listing.as_csv(listing.admitted_suppliers(lot.id, filters))
    return Response(
        body.encode("utf-8"),
        mimetype="text/csv",
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="lot-{lot.number}-suppliers.csv"',
            "Cache-Control": "no-store",
        },
    )
