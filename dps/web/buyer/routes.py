"""The member councils' home page: what the organisation may do, and what comes next."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from dps.services.accounts import organisations as organisations_service
from dps.services.calloffs import drafting
from dps.services.pool import listing
from dps.web.access import Area, allow
from dps.web.buyer import bp


@bp.get("/")
@allow(Area.MEMBER)
def home() -> str:
    membership = current_user.membership
    may_buy = membership.effective_role.value == "buyer"
    return render_template(
        "buyer/home.html",
        organisation=membership.organisation,
        refusal=None if may_buy else organisations_service.buying_refusal(membership),
        lots=listing.lots() if may_buy else [],
        call_offs=drafting.call_offs_for(membership.organisation_id),
    )
