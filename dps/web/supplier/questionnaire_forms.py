"""The form of a questionnaire section, built from its definition when the page is asked for.

Each question becomes a field drawn by a govuk-frontend-wtf widget; a repeating group becomes a
FieldList of item forms. The form only carries what was typed: the rules (what is required,
formats, word limits, conditions) are the service's, which returns errors by field name, put
back on the fields here so that the page and its error summary show them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovRadioInput,
    GovTextInput,
)
from werkzeug.datastructures import MultiDict
from wtforms import (
    Field,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice

from dps.rules import digits
from dps.rules.questionnaire.definition import Question, QuestionType, Section, reveal_target
from dps.web.fields import DateBoxesInput
from dps.web.forms import PortalForm

# The posted name and value of the buttons that change a repeating group without leaving it.
ACTION = "action"
ADD = "add"
REMOVE = "remove"


class DatePartsField(Field):
    """A date kept as the boxes typed (three, or more in a hand-made request), drawn by the
    shared GOV.UK date input; the questionnaire service reads them into a date."""

    widget = DateBoxesInput()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parts = ["", "", ""]

    def process_formdata(self, valuelist: list[Any]) -> None:
        typed = [str(value) for value in valuelist]
        self.parts = [*typed, *[""] * (3 - len(typed))]
        self.data = self.parts

    def _value(self) -> str:
        return " ".join(self.parts)


@dataclass
class Node:
    """A question on the page, with the questions revealed under each of its radio choices."""

    question: Question
    field: Any
    reveals: dict[str, list[Node]] = field(default_factory=dict)


def _field_for(question: Question) -> Field:
    label = question.label
    match question.type:
        case QuestionType.TEXTAREA:
            return TextAreaField(label, widget=GovCharacterCount())
        case QuestionType.RADIOS | QuestionType.YESNO:
            return RadioField(
                label,
                choices=[SelectChoice(o.value, o.label) for o in question.choices],
                validate_choice=False,
                widget=GovRadioInput(),
            )
        case QuestionType.CHECKBOXES:
            return SelectMultipleField(
                label,
                choices=[SelectChoice(o.value, o.label) for o in question.options],
                validate_choice=False,
                widget=GovCheckboxesInput(),
            )
        case QuestionType.DATE:
            return DatePartsField(label)
        case QuestionType.GROUP:
            item_form = type(
                f"{question.id.title()}Item",
                (Form,),
                {sub.id: _field_for(sub) for sub in question.questions},
            )
            # More items than allowed are never drawn, so none are read either.
            return FieldList(FormField(item_form), label=label, max_entries=question.max_items)
        case _:
            return StringField(label, widget=GovTextInput())


class SectionForm(PortalForm):
    """Fields are added per question by ``section_form``; errors come from the service."""

    section: Section
    nodes: list[Node]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.summary: dict[str, list[str]] = {}

    @property
    def errors(self) -> dict[str, list[str]]:
        """By the id of the box each message links to, in page order (for the summary)."""
        return self.summary

    def raw_input(self) -> dict[str, Any]:
        """What was typed, in the shape the questionnaire service reads."""
        return {q.id: _raw(q, self[q.id]) for q in self.section.questions}

    def show_errors(self, errors: Mapping[str, str]) -> None:
        """Put the service's messages (by field name) on the fields and in the summary."""
        for name, message in errors.items():
            question_id, _, rest = name.partition("-")
            target = self[question_id]
            question = self.section.question(question_id)
            anchor = name
            if rest:
                index, _, sub_id = rest.partition("-")
                entry = next(
                    (e for e in target.entries if e.name == f"{question_id}-{index}"), None
                )
                if entry is None:
                    continue
                target = entry.form[sub_id]
                if isinstance(target, DatePartsField):
                    anchor = f"{name}-day"
            elif question is not None and question.type == QuestionType.DATE:
                anchor = f"{name}-day"
            target.errors = [message]
            self.summary[anchor] = [message]


def _raw(question: Question, bound: Any) -> Any:
    if question.type == QuestionType.GROUP:
        return [
            {sub.id: _raw(sub, entry.form[sub.id]) for sub in question.questions}
            for entry in bound.entries
        ]
    if question.type == QuestionType.DATE:
        return list(bound.parts)
    if question.type == QuestionType.CHECKBOXES:
        return list(bound.data or [])
    return bound.data or ""


def formdata_from(section: Section, raw: Mapping[str, Any]) -> MultiDict[str, str]:
    """Raw values as a browser would post them, so a stored answer fills the form like typing."""
    pairs: list[tuple[str, str]] = []
    for question in section.questions:
        value = raw.get(question.id)
        if question.type == QuestionType.GROUP:
            for index, item in enumerate(value or []):
                for sub in question.questions:
                    # An empty value still names the item, so an item just added is drawn.
                    given = item.get(sub.id)
                    name = f"{question.id}-{index}-{sub.id}"
                    pairs.extend(_pairs(name, "" if given in (None, []) else given))
        else:
            pairs.extend(_pairs(question.id, value))
    return MultiDict(pairs)


def _pairs(name: str, value: Any) -> list[tuple[str, str]]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [(name, str(v)) for v in value]
    return [(name, str(value))]


def section_form(section: Section, formdata: MultiDict[str, str]) -> SectionForm:
    """A form for ``section`` filled from ``formdata`` (the request's, or ``formdata_from``)."""
    fields = {question.id: _field_for(question) for question in section.questions}
    form_class = type("QuestionnaireSectionForm", (SectionForm,), fields)
    form: SectionForm = form_class(formdata=formdata)
    form.section = section
    for question in section.questions:
        if question.type == QuestionType.GROUP:
            _at_least_one_item(form[question.id])
    form.nodes = _layout(section, form)
    return form


def _at_least_one_item(field_list: FieldList) -> None:
    # An empty group shows one blank item to fill in, as the "add another" pattern does.
    if not field_list.entries:
        field_list.append_entry()


def _layout(section: Section, form: SectionForm) -> list[Node]:
    """The questions in page order, each revealed under the radio choice it depends on."""
    nodes: dict[str, Node] = {}
    top: list[Node] = []
    for question in section.questions:
        node = Node(question, form[question.id])
        nodes[question.id] = node
        target = reveal_target(section, question)
        if target is not None and target[0] in nodes:
            nodes[target[0]].reveals.setdefault(target[1], []).append(node)
        else:
            top.append(node)
    return top


def changed_group(section: Section, action: str, raw: dict[str, Any]) -> dict[str, Any] | None:
    """The raw input after an "add another" or "remove" button, or None for another button.

    The button's value is ``add:<group>`` or ``remove:<group>:<index>``.
    """
    verb, _, rest = action.partition(":")
    group_id, _, index = rest.partition(":")
    group = section.question(group_id)
    if verb not in (ADD, REMOVE) or group is None or group.type != QuestionType.GROUP:
        return None
    items = list(raw.get(group_id) or [])
    if verb == ADD and len(items) < group.max_items:
        items.append({})
    elif verb == REMOVE and digits.is_digits(index, most=4) and int(index) < len(items):
        items.pop(int(index))
    return {**raw, group_id: items}


# --- GOV.UK parameters for each kind of question -------------------------------------------------

INPUT_PARAMS: dict[QuestionType, dict[str, Any]] = {
    QuestionType.MONEY: {
        "prefix": {"text": "£"},
        "classes": "govuk-input--width-10",
        "inputmode": "decimal",
        "spellcheck": False,
    },
    QuestionType.NUMBER: {"classes": "govuk-input--width-4", "inputmode": "numeric"},
    QuestionType.EMAIL: {"type": "email", "autocomplete": "email", "spellcheck": False},
    QuestionType.URL: {"type": "url", "autocomplete": "url", "spellcheck": False},
}
SHORT_TEXT = 20  # characters: a registered number, not a name


def params_for(question: Question, reveals: bool = False) -> dict[str, Any]:
    """The GOV.UK macro parameters that draw ``question`` (beyond what the widget sets)."""
    params: dict[str, Any] = {"hint": {"text": question.hint} if question.hint else None}
    legend = {"legend": {"text": question.label, "classes": "govuk-fieldset__legend--s"}}
    match question.type:
        case QuestionType.RADIOS | QuestionType.YESNO:
            params["fieldset"] = legend
            params["items"] = [
                {"hint": {"text": o.hint}} if o.hint else {} for o in question.choices
            ]
            if question.type == QuestionType.YESNO and not reveals:
                params["classes"] = "govuk-radios--inline"
        case QuestionType.CHECKBOXES:
            params["fieldset"] = legend
            params["items"] = [
                {"behaviour": "exclusive"} if o.exclusive else {} for o in question.options
            ]
        case QuestionType.DATE:
            params["fieldset"] = legend
        case QuestionType.TEXTAREA:
            words = question.max_words or 0
            params |= {"label": {"classes": "govuk-label--s"}, "maxwords": words}
            params["rows"] = 8 if words > 250 else 5
        case _:
            params["label"] = {"classes": "govuk-label--s"}
            params |= INPUT_PARAMS.get(question.type, {})
            if question.type == QuestionType.TEXT and (question.max_length or 200) <= SHORT_TEXT:
                params["classes"] = "govuk-input--width-10"
    return params
