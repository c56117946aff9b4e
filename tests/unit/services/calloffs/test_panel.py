"""The panel: buyers of the organisation only, one lead."""

from __future__ import annotations

from dps.services.calloffs import drafting, panel
from tests.fixtures.calloffs_world import CallOffWorld


def test_only_buyers_of_the_organisation_and_a_lead(cw: CallOffWorld) -> None:
    call_off = drafting.start_draft(cw.council.id, cw.world.lots[1].id, actor=cw.buyer)
    assert panel.candidates(cw.council.id) == [cw.buyer, cw.colleague] or set(
        panel.candidates(cw.council.id)
    ) == {cw.buyer, cw.colleague}
    problems = panel.save_panel(call_off, [cw.viewer.id, cw.world.owner.id], None, actor=cw.buyer)
    assert [p.message for p in problems] == [
        "Only buyers of your organisation can sit on the evaluation panel",
        "Choose at least one person for the evaluation panel",
    ]
    problems = panel.save_panel(call_off, [cw.buyer.id, cw.colleague.id], None, actor=cw.buyer)
    assert [p.field for p in problems] == ["lead"]
    assert panel.save_panel(call_off, [cw.colleague.id], cw.colleague.id, actor=cw.buyer) == []
    assert [(m.user_id, m.is_lead) for m in call_off.panel] == [(cw.colleague.id, True)]
