"""The task list: not started, in progress, completed; documents optional."""

from __future__ import annotations

from dps.rules.enums import SectionStatus
from dps.services.calloffs import drafting, task_list
from tests.fixtures.calloffs_world import SENT_AT, CallOffWorld, ready_draft


def test_statuses_follow_what_was_saved(cw: CallOffWorld) -> None:
    call_off = drafting.start_draft(cw.council.id, cw.world.lots[1].id, actor=cw.buyer)
    assert {t.status for t in task_list.tasks(call_off, SENT_AT)} == {SectionStatus.NOT_STARTED}
    drafting.save_details(call_off, {"title": "A title"}, actor=cw.buyer)
    statuses = {t.section.key: t.status for t in task_list.tasks(call_off, SENT_AT)}
    assert statuses["details"] == SectionStatus.IN_PROGRESS

    ready = ready_draft(cw)
    statuses = {t.section.key: t.status for t in task_list.tasks(ready, SENT_AT)}
    assert statuses.pop("documents") == SectionStatus.NOT_STARTED
    assert set(statuses.values()) == {SectionStatus.COMPLETED}
    assert task_list.incomplete_problems(ready, SENT_AT) == []
