"""What the demo call-offs say, and the tenders sent for the closed one (``dps.demo.calloffs``).

Dates are relative to the load: ``published_days_ago`` (0: at the load itself) and
``tender_period_days`` (the tender deadline is 17:00 London time that many days after the day of
publishing; the deadline for questions a week before it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class DemoTender:
    supplier: str
    days_before_deadline: int  # sent on this day before the deadline
    answers: Sequence[str]  # one per question, in order
    prices: Sequence[str]  # the price of each line (quantity included), in order, as typed


@dataclass(frozen=True)
class DemoCallOff:
    title: str
    description: str
    delivery_location: str
    estimated_value: str
    questions: Sequence[Mapping[str, str]]
    price_lines: Sequence[Mapping[str, str]]
    price_weight: str
    weights: Mapping[int, str]  # by question position, from 1
    published_days_ago: int
    tender_period_days: int
    contract_weeks_after_deadline: int
    contract_months: int
    tenders: Sequence[DemoTender] = field(default_factory=tuple)
    declines: Mapping[str, str] = field(default_factory=dict)


OPEN = DemoCallOff(
    title="Co-operative community wealth building policy for Tameside",
    description=(
        "Tameside Council wants a co-operative community wealth building policy, written with "
        "residents, local co-operatives and anchor institutions, ready for Cabinet. The work "
        "covers an evidence review of what other network members have done; six co-design "
        "workshops in the borough's towns; a draft policy with an action plan for the "
        "council's spending, land and assets; and a short test of two of its proposals with "
        "local partners, reported with what was learnt."
    ),
    delivery_location="Tameside, with workshops in Ashton-under-Lyne, Hyde and Stalybridge",
    estimated_value="£60,000",
    questions=[
        {
            "kind": "quality",
            "text": (
                "Describe how you will co-design the policy with residents, local "
                "co-operatives and anchor institutions, including those rarely heard."
            ),
            "guidance": "Say who you will reach, how, and how what they say shapes the policy.",
            "max_score": "5",
            "scoring_scale": "0 no answer, 1 poor, 2 weak, 3 satisfactory, 4 good, 5 excellent",
            "word_limit": "750",
        },
        {
            "kind": "quality",
            "text": (
                "Set out your plan, team and timetable for delivering a draft policy ready for "
                "Cabinet within six months, and how you will manage the risks."
            ),
            "guidance": "Name the people who will do the work and their time on it.",
            "max_score": "5",
            "scoring_scale": "0 no answer, 1 poor, 2 weak, 3 satisfactory, 4 good, 5 excellent",
            "word_limit": "500",
        },
        {
            "kind": "social_value",
            "text": (
                "How will this work strengthen co-operatives and the social economy in "
                "Tameside, during the contract and after it?"
            ),
            "guidance": "Give commitments we can measure, such as local spend or people trained.",
            "max_score": "5",
            "scoring_scale": "0 no answer, 1 poor, 2 weak, 3 satisfactory, 4 good, 5 excellent",
            "word_limit": "400",
            "theme": "enterprise_social_economy",
        },
    ],
    price_lines=[
        {
            "description": "Evidence review and co-design workshops",
            "unit": "workshop",
            "quantity": "6",
        },
        {
            "description": "Draft policy, action plan and test report",
            "unit": "report",
            "quantity": "1",
        },
    ],
    price_weight="30",
    weights={1: "30", 2: "25", 3: "15"},
    published_days_ago=0,
    tender_period_days=21,
    contract_weeks_after_deadline=6,
    contract_months=6,
)

CLOSED = DemoCallOff(
    title="Testing a co-operative model for neighbourhood youth services",
    description=(
        "Tameside Council wants to test whether youth services run with young people, parents "
        "and community groups as members of a co-operative can work in two neighbourhoods. "
        "The work covers a review of co-operative youth services elsewhere, a design worked "
        "out with young people, a twelve-week pilot in Denton and Droylsden, and an "
        "evaluation with a recommendation to the council on whether to go further."
    ),
    delivery_location="Denton and Droylsden, Tameside",
    estimated_value="£45,000",
    questions=[
        {
            "kind": "quality",
            "text": (
                "How will you involve young people in designing and running the pilot, so that "
                "it is theirs and not only consulted on?"
            ),
            "guidance": "Describe your methods and how you will reach young people not in groups.",
            "max_score": "5",
            "scoring_scale": "0 no answer, 1 poor, 2 weak, 3 satisfactory, 4 good, 5 excellent",
            "word_limit": "600",
        },
        {
            "kind": "quality",
            "text": "How will you evaluate the pilot, and what evidence will the council receive?",
            "guidance": "Say what you will measure, when, and how the findings will be shared.",
            "max_score": "5",
            "scoring_scale": "0 no answer, 1 poor, 2 weak, 3 satisfactory, 4 good, 5 excellent",
            "word_limit": "500",
        },
        {
            "kind": "social_value",
            "text": (
                "How will the pilot build the confidence and skills of young people to lead "
                "in their communities after it ends?"
            ),
            "guidance": "Give commitments we can measure.",
            "max_score": "5",
            "scoring_scale": "0 no answer, 1 poor, 2 weak, 3 satisfactory, 4 good, 5 excellent",
            "word_limit": "400",
            "theme": "community_leadership",
        },
    ],
    price_lines=[
        {"description": "Review and co-design with young people", "unit": "day", "quantity": "15"},
        {
            "description": "Twelve-week pilot and evaluation report",
            "unit": "pilot",
            "quantity": "1",
        },
    ],
    price_weight="35",
    weights={1: "30", 2: "20", 3: "15"},
    published_days_ago=20,
    tender_period_days=15,
    contract_weeks_after_deadline=4,
    contract_months=5,
    tenders=[
        DemoTender(
            "Northern Co-operative Consultancy CIC",
            3,
            [
                "Young people will form a design group of twelve, recruited through schools, "
                "the youth council and outreach in parks and on estates, paid for their time. "
                "They will set the pilot's priorities, sit on its steering group with parents "
                "and community groups, and co-chair the co-operative's first members' meeting.",
                "We will agree measures with the design group at the start: attendance, "
                "young people's own ratings of the sessions, and changes in confidence on a "
                "short survey at weeks one, six and twelve. The council will receive an "
                "interim note at week six and a final report with a clear recommendation.",
                "Eight young people will be trained and paid as peer researchers, with an "
                "accredited qualification; two will join the co-operative's board. We will buy "
                "catering and venues from local social enterprises.",
            ],
            ["£9,750", "£32,500"],
        ),
        DemoTender(
            "Community Catalyst CIC",
            1,
            [
                "We will run open sessions in youth clubs and on social media to recruit a "
                "group of young co-designers, who will choose the activities and help run the "
                "sessions, supported by our youth workers.",
                "An independent evaluator from our network will interview young people, "
                "parents and staff before and after the pilot and report to the council with "
                "costs and outcomes compared with the current service.",
                "Young people will lead at least half of the sessions by the end of the pilot, "
                "and six will take part in our community leadership programme at no cost.",
            ],
            # More than 30% below the other tender's price: flagged as possibly abnormally low.
            ["£6,750", "£21,500"],
        ),
    ],
    declines={
        "Participation Partners CIC": (
            "Our team is committed to other work in Wales over these months, so we could not "
            "give this the time it needs."
        )
    },
)
