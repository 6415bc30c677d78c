"""What any demo story may draw on besides its situation: who the customer or colleague was,
when it happened, what was bought, and the sentences around the situation itself (who saw it,
a detail of the department's day, a follow-up, what was said afterwards, a closing line)."""
from __future__ import annotations

CUSTOMERS = (
    "a retired teacher", "a young couple planning their first wild camp", "a Duke of Edinburgh group leader",
    "a nurse just off a night shift", "a grandfather buying for three grandchildren",
    "a student about to start a gap year", "a fell runner training for a mountain marathon",
    "a mum with twins in a double buggy", "a scout leader", "a farmer from up the dale",
    "a woman who had taken up hill walking at seventy", "a hospital porter",
    "a lorry driver on their only day off", "a teenager spending their first wages",
    "a family of five on their way to the Lakes", "a primary teacher organising a residential trip",
    "a charity walker raising money for a hospice", "a couple halfway along the Coast to Coast",
    "a customer who had shopped with us for twenty years", "a visitor from Germany on a walking holiday",
    "a mountain rescue volunteer", "a new dad with a baby in a sling", "a PE teacher",
    "a customer who had never been camping before",
)

COLLEAGUES = (
    "a Sales Assistant in one of the Lakes stores", "a Team Leader at the Glasgow contact centre",
    "a forklift driver on the night shift", "a colleague in Returns", "a Billing Specialist three weeks into the job",
    "one of our delivery drivers", "a Store Manager in Yorkshire", "a picker on their first peak season",
    "a Payroll Officer", "a Live Chat Advisor", "a Visual Merchandiser", "a Route Planner at the Bristol depot",
    "a Complaints Specialist", "a Stock Controller at Doncaster",
)

WHENS = (
    "on a Friday afternoon", "on a wet Tuesday in February", "the week before Christmas",
    "on the first sunny Saturday of spring", "late on a Sunday", "on the Monday after a bank holiday",
    "in the middle of the January sale", "on the last day of the school holidays", "during a heatwave in July",
    "on a quiet Wednesday morning", "on the busiest Saturday of the summer", "the day the clocks went back",
    "on Christmas Eve", "just after Easter", "in the October half-term", "on the morning of a storm warning",
    "on a bank holiday Monday", "on a grey Thursday in November",
)

# What {item} may be when a situation names none.
KIT = (
    "a pair of walking boots", "a two-person tent", "a waterproof jacket", "a child's sleeping bag",
    "a 40-litre rucksack", "a camping stove", "a set of trekking poles", "a down jacket", "a family tent",
    "a pair of trail-running shoes", "a climbing harness", "a head torch and a first-aid kit",
    "a pair of children's wellies", "a fleece and a pair of waterproof trousers",
)

# The nominator, before the story starts.
WITNESSES = (
    "I sit two desks away, so I saw all of this happen.",
    "I only found out because someone wrote in afterwards to thank them.",
    "Nobody asked me to write this up, but I couldn't not.",
    "I was on shift with them that day.",
    "I heard about this secondhand and checked every detail before writing it down.",
    "This is my first nomination, and I've been meaning to write it for weeks.",
    "I manage the team, and I'm still a bit in awe.",
    "I was the one who heard about it first, so I know how bad it looked.",
    "I've told this story to three people already, so it should be written down.",
    "I work on the other side of the building and heard about it at lunch.",
    "Somebody should have written this up months ago; it may as well be me.",
    "I was new at the time, and I learned more from watching this than from a week of training.",
    "I'm writing this with their permission, although they said it was nothing.",
    "I've put off writing this because I didn't think I could do it justice.",
)

# A detail of the day in the first nominee's department.
DEPARTMENT_DETAILS = {
    "Customer Support": (
        "The queue board was showing over forty calls waiting at the time.",
        "They were covering live chat and the phones at once that afternoon.",
        "Our calls are meant to average eight minutes; this one was never going to.",
        "Half the team were on a training day, so the phones were busier than usual.",
        "It came in at the end of an hour with twelve calls in it.",
        "They had only been back on the phones for a week after training the new starters.",
    ),
    "Stores": (
        "The {town} store was three people down that day.",
        "The shop floor was full, with a queue at every till.",
        "It was the week of the stock count, when nobody on the shop floor has a minute spare.",
        "They were supposed to be on their break.",
        "The delivery had come in late, and the stockroom was full of unopened boxes.",
        "They were the only footwear specialist on shift.",
    ),
    "Warehouse": (
        "Peak had started early, and the pick-rate board was already red.",
        "The night shift was two pickers short.",
        "It was the week of the stock take, when every aisle is busy.",
        "The trunk to the depots was due to leave within the hour.",
        "Returns were stacked to the roof of the bay after the January sale.",
        "Their own pick list was still half done.",
    ),
    "Delivery": (
        "Their van was already running an hour late after roadworks near {town}.",
        "It was the shortest day of the year, so it was dark by four.",
        "They had forty drops on the sheet that day, eight more than usual.",
        "The depot radio had been down since the morning.",
        "It was the last drop of a ten-hour shift.",
        "Half the routes had been re-planned overnight because of flooding near {town}.",
    ),
    "Billing": (
        "It was month end, the busiest week in the billing calendar.",
        "The ledger system had been slow all week after an upgrade.",
        "They were covering two colleagues' accounts as well as their own.",
        "Reminder letters go out automatically on a Thursday, and it was Wednesday afternoon.",
        "The payments team sits on a different floor and usually works from tickets.",
        "They were halfway through the quarterly reconciliation.",
    ),
    "IT": (
        "The service desk had a dozen other tickets open at the time.",
        "They were on call that week, though this wasn't strictly an on-call job.",
        "It was the week of the till software upgrade across every store.",
        "Half the team were on leave for the school holidays.",
        "They had finished a twelve-hour migration the night before.",
        "Store tills, warehouse scanners and head office laptops all land on the same small team.",
    ),
    "Facilities": (
        "They were the only member of the facilities team on site that day.",
        "The building had been on the repair list for months.",
        "It was the coldest week of the winter.",
        "Contractors couldn't come out until the following week.",
        "They look after three sites, and were at the other end of the county when the call came.",
        "The quarter's repair budget had already been spent.",
    ),
    "HR": (
        "It was the week of the annual pay review, when HR has no spare hours at all.",
        "The payroll deadline was the next morning.",
        "They were covering the HR inbox for two stores as well as head office.",
        "They were supposed to be on leave that afternoon.",
        "Three new starters were arriving the same week.",
        "HR usually works from tickets, and this didn't fit any of the forms.",
    ),
}

# Before what they did, when a rule was in the way (the rule itself is the story's own field).
OBSTACLES = (
    "On paper, the answer was no.",
    "The process said to wait, and waiting would have been the wrong answer.",
    "There was a rule against it, and they knew exactly which one.",
    "The easy answer was the rulebook's answer.",
    "Strictly it wasn't allowed, so they said so to their manager and did it anyway.",
    "They checked the policy first; the policy didn't fit.",
    "The rule is there for good reasons, but none of them applied that day.",
    "It meant stepping outside the usual process, and they owned that openly.",
)

FOLLOW_UPS = {
    "customer": (
        "A week later they rang the customer again, just to check everything was still all right.",
        "They put a note on the account so nobody would ask the customer to explain it all again.",
        "Afterwards they told the team what had gone wrong, so it wouldn't happen to the next customer.",
        "They logged the fault properly too, so it gets fixed for everyone.",
        "Then they went back to their work as if nothing had happened.",
        "They followed it up with a handwritten card, which the customer says is still on their fridge.",
        "They raised it at the next team meeting, and the process has since changed.",
        "They never mentioned any of it; we heard from the customer.",
    ),
    "team": (
        "They wrote the fix up afterwards so the next person wouldn't start from scratch.",
        "They checked in again a week later, without being asked.",
        "They never claimed the extra hours.",
        "The next morning they were back at their own work as if nothing had happened.",
        "They told the team how it had happened, so it won't happen again.",
        "They made sure the credit went to the people who helped, not to themselves.",
        "They asked for nothing in return, and seemed surprised anyone had noticed.",
    ),
}

REACTIONS = {
    "customer": (
        'The customer\'s email afterwards said it all: "I have never been looked after like that by a shop."',
        'Their review said: "Whoever that was, give them a pay rise."',
        'The customer wrote in to say: "You\'ve got a customer for life."',
        "When the customer next came in, the first thing they asked was whether that person was working.",
        '"I was ready to give up on you," the customer said afterwards. "Now I tell everyone about you."',
        "The customer sent a box of biscuits to the team the following week.",
        "The customer mentioned them by name in a five-star review.",
        "The customer rang back the next day just to say thank you.",
    ),
    "team": (
        '"I didn\'t have to ask twice," the colleague told me afterwards.',
        "The whole team signed a card for them.",
        'Their manager\'s verdict: "That is exactly how it should be done."',
        "People from three other teams came by to say thanks.",
        '"I don\'t know what we\'d have done without them," said the shift manager.',
        "It was the talk of the break room for a week.",
    ),
}

HEADINGS = ("## What they did", "### What happened next", "## How they sorted it")

CLOSINGS = (
    "This is exactly the kind of thing we hope people do when nobody is watching.",
    "They would never mention it themselves, so I am.",
    'It would have been easy to say "that\'s not my job". They didn\'t.',
    "**Thank you.** You made a real difference.",
    "I've worked here a long time and this is still one of the best things I've seen a colleague do.",
    "If you get the chance, tell them thanks; they'll only say it was nothing.",
    "Nobody asked them to. That's what makes it worth telling.",
    "We talk about going *above and beyond* a lot. This is what it actually looks like.",
    "This is the kind of thing I want every new starter to hear about.",
    "It's a small thing to read and it was a big thing to do.",
    "Please join me in saying thank you.",
    "I hope this makes the digest; more people should know.",
    "We say we put people first; this is what that looks like.",
    "They'll be embarrassed this is written down, which is half the reason I did it.",
)
