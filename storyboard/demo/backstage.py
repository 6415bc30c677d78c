"""Backstage demo stories: colleagues helped by IT, facilities, HR and each other."""
from __future__ import annotations

from storyboard.demo.phrases import Episode, Storyline
from storyboard.models import ImpactKind

TEAM = ImpactKind.TEAM.value

IT_FIX = Storyline(
    "it-fix", ("IT",), TEAM, 8,
    ("responsibility", "practicality", "owned-it-end-to-end", "positive-attitude"),
    (
        Episode(
            (
                "{names} rescued a colleague's laptop an hour before the board presentation",
                "{names} saved the board slides",
            ),
            "A colleague's laptop died on the morning of a presentation to the board, with the "
            "only copy of the slides on it.",
            (
                (
                    "They recovered the files from the disk, set up a loan laptop with "
                    "everything the colleague needed, and stayed in the room until the "
                    "presentation started."
                ),
            ),
            "The presentation went ahead on time.",
            (
                "Hardware swaps are supposed to go through a ticket and a five-day queue.",
            ),
        ),
        Episode(
            (
                "{names} got the {store} store's tills working again on a Saturday morning",
                "{names} drove in to fix the tills in {store}",
            ),
            "The tills at one of our busiest stores froze at nine on a Saturday morning, with a "
            "queue out of the door.",
            (
                (
                    "They talked the store team through a workaround over the phone, then drove "
                    "in and replaced the faulty switch themselves."
                ),
            ),
            "The store lost twenty minutes of trading instead of a whole morning.",
            (
                "Changes to a store's network need a change request approved the day before.",
            ),
        ),
        Episode(
            (
                "{names} fixed the label printers before the night shift started",
                "{names} found the expired certificate that stopped the warehouse",
            ),
            "The warehouse label printers stopped talking to the system just before the night "
            "shift.",
            (
                (
                    "They traced it to an expired certificate, renewed it, and wrote the fix up "
                    "so the next person on call wouldn't have to start from scratch."
                ),
                (
                    "They stayed past midnight, got the printers working one by one, and then "
                    "set up an alert so the same certificate can never expire unnoticed again."
                ),
            ),
            "The night shift shipped every order on time.",
        ),
        Episode(
            (
                "{names} made a new starter's first login painless",
                "{names} sorted a new starter's accounts in one morning",
            ),
            "A new starter in one of our stores had been locked out of every system for their "
            "whole first week.",
            (
                (
                    "They sat with them on a video call, reset every account in one go, and "
                    "showed them the three things new starters always get stuck on."
                ),
            ),
            "The new starter served their first customer on the till that afternoon.",
        ),
    ),
)


FACILITIES = Storyline(
    "facilities", ("Facilities",), TEAM, 5,
    ("practicality", "responsibility", "positive-attitude"),
    (
        Episode(
            (
                "{names} got the heating back on in {town} before opening",
                "{names} beat a broken boiler in January",
            ),
            "The boiler at one of our sites failed overnight in January; the team arrived to a "
            "building at six degrees.",
            (
                (
                    "They were there at six, had the boiler running by half past eight, and "
                    "brought heaters over from another site so everyone could start on time."
                ),
            ),
            "Nobody lost a shift and the site opened on time.",
            (
                "Repairs over £500 need three quotes before any work starts.",
            ),
        ),
        Episode(
            (
                "{names} fixed the loading bay door in the middle of a storm",
                "{names} kept the rain off the pallets",
            ),
            "A loading bay door jammed open during a storm, with rain blowing onto the pallets.",
            (
                (
                    "They secured the door, moved the pallets out of the wet with the team, and "
                    "had the motor repaired by the end of the shift."
                ),
            ),
            "No stock was ruined and the bay was back in use the next morning.",
        ),
        Episode(
            (
                "{names} made the staff room somewhere people actually want to sit",
                "{names} turned a cupboard into a staff room",
            ),
            "Our staff room had been a storage cupboard with a kettle in it for as long as "
            "anyone could remember.",
            (
                (
                    "On their own initiative they cleared it out, found a table and chairs left "
                    "over from the office move, and put up a noticeboard the team now fills "
                    "every week."
                ),
            ),
            "People take their breaks together again.",
        ),
    ),
)


PEOPLE_CARE = Storyline(
    "people-care", ("HR",), TEAM, 5,
    ("empathy", "courtesy", "responsibility"),
    (
        Episode(
            (
                "{names} sorted a colleague's missing pay the same day",
                "{names} made sure a colleague could pay their rent",
            ),
            "A colleague's pay hadn't arrived because of a mistake in their bank details, and "
            "their rent was due the next day.",
            (
                (
                    "They arranged an emergency payment the same afternoon and rang the "
                    "colleague to let them know, so they didn't have to chase."
                ),
            ),
            "A colleague paid their rent on time and didn't have to explain themselves to anyone.",
            (
                "Off-cycle payments are only supposed to be made on the monthly payroll date.",
            ),
        ),
        Episode(
            (
                "{names} helped a colleague through a family emergency",
                "{names} took the paperwork out of a terrible week",
            ),
            "A colleague had to leave for a family emergency abroad with a few hours' notice.",
            (
                (
                    "They sorted compassionate leave, rearranged the rota with the manager and "
                    "checked in every few days, without ever asking the colleague to fill in a "
                    "form while they were away."
                ),
            ),
            "Our colleague came back knowing the company had their back.",
        ),
        Episode(
            (
                "{names} made a new starter's first week feel like home",
                "{names} rewrote the first-week checklist",
            ),
            "A new starter arrived to find no laptop, no badge and nobody expecting them.",
            (
                (
                    "They took the new starter to lunch, borrowed a laptop from IT, and rewrote "
                    "the first-week checklist so it won't happen again."
                ),
            ),
            "Every new starter since has had a laptop and a buddy waiting on day one.",
        ),
    ),
)


COVER = Storyline(
    "cover", ("Stores", "Customer Support", "Warehouse", "Delivery"), TEAM, 9,
    ("positive-attitude", "responsibility", "empathy", "courtesy"),
    (
        Episode(
            (
                "{names} covered a colleague's shifts for a fortnight without being asked",
                "{names} filled the rota when a colleague's child was ill",
            ),
            "When a colleague's child was in hospital, the rota had gaps nobody could see how to "
            "fill.",
            (
                (
                    "They quietly swapped their days around to cover the gaps, and made sure the "
                    "colleague knew nobody was keeping count."
                ),
            ),
            "Our colleague could be at the hospital without worrying about work.",
            (
                "Overtime is capped at eight hours a week without a director's sign-off.",
            ),
        ),
        Episode(
            (
                "{names} trained five new starters in the busiest month of the year",
                "{names} wrote the guide every new starter now gets",
            ),
            "We took on five new starters in November, just as orders doubled.",
            (
                (
                    "They wrote a one-page guide to the jobs that trip people up, spent a day "
                    "alongside each new starter, and still hit their own numbers."
                ),
            ),
            "All five new starters are still with us and one has since trained others.",
        ),
        Episode(
            (
                "{names} kept the whole team smiling through a terrible week",
                "{names} brought breakfast on the worst morning of the year",
            ),
            "It was a week of system outages, late stock and people off sick.",
            (
                (
                    "They kept the team laughing, brought in breakfast on the worst morning, and "
                    'were always the first to say "leave that with me".'
                ),
            ),
            "The team got through the week together, and it showed.",
        ),
    ),
)


PEAK = Storyline(
    "peak", ("Warehouse", "Delivery"), TEAM, 5,
    ("owned-it-end-to-end", "practicality", "positive-attitude", "threw-out-the-script"),
    (
        Episode(
            (
                "{names} re-planned every route the night the snow came",
                "{names} kept deliveries going through the snow",
            ),
            "Heavy snow closed two main roads the night before our biggest delivery day of the "
            "year.",
            (
                (
                    "They re-planned every route by hand overnight, called each driver before "
                    "six, and we missed four deliveries out of nine hundred."
                ),
            ),
            "Almost every customer got their parcel on the promised day.",
            (
                "Routes are meant to be fixed by the planning system and not edited by hand.",
            ),
        ),
        Episode(
            (
                "{names} cleared the peak-season backlog in three days",
                "{names} beat the Black Friday backlog",
            ),
            "By the Monday after Black Friday we had a backlog of eleven thousand orders.",
            (
                (
                    "They reorganised the pick waves, borrowed people from returns, and put up a "
                    "board where everyone could watch the backlog shrink. It was gone by "
                    "Thursday."
                ),
            ),
            "The backlog was cleared before the Christmas cut-off.",
        ),
    ),
)

BACKSTAGE = (IT_FIX, FACILITIES, PEOPLE_CARE, COVER, PEAK)
