"""Contact-centre demo stories: customers helped on the phone and by chat."""
from __future__ import annotations

from storyboard.demo.phrases import Situation, Storyline
from storyboard.models import ImpactKind

CUSTOMER = ImpactKind.CUSTOMER.value

SUPPORT = Storyline(
    "support-call", ("Customer Support",), CUSTOMER, 12,
    ("courtesy", "empathy", "positive-attitude", "threw-out-the-script"),
    (
        Situation(
            "checkout",
            titles=("{names} stayed on the line until the order finally went through",
                    "{names} helped a grandparent through the checkout", "{names} read every item back"),
            openings=("An elderly customer called to order a birthday present for their grandson but couldn't get "
                      "through the checkout.", "{Customer} rang {when}, stuck on the last page of the checkout with "
                      "{item} in the basket.",
                      "A customer's third attempt to pay for {item} online had just failed, and they rang us."),
            stakes=("They had been trying for two days.", "The birthday was four days away.",
                    "They were about to give up and buy it somewhere else."),
            beats=(
                ("They put the order through themselves.",
                 "They talked them through each screen, then took over when the card page failed again.",
                 "They took the order over the phone, one line at a time."),
                ("They read every item back, including the delivery address.",
                 "They checked the size twice and added a gift receipt.",
                 "They spotted that the postcode was one letter out, which was why the payment kept failing."),
                ("They set a reminder to call when it shipped, and they did call.",
                 "They emailed the tracking link and rang to explain it.",
                 "They passed the failing page to the web team with the exact steps."),
            ),
            outcomes=("The present arrived the day before the birthday.",
                      "The customer has since ordered by phone twice, and asks for the same advisor."),
            scenario="A customer has been trying to order a present online for two days and keeps failing at the "
                     "last step. What would you do?",
            lesson="A call back when you promised is worth more than a quick answer.",
            rules=("Advisors aren't supposed to place orders on a customer's behalf.",),
        ),
        Situation(
            "wrong-order-twice",
            titles=("{names} turned an angry call into a thank-you email",
                    "{names} won back a customer sent the wrong order twice",
                    "{names} didn't read the script"),
            openings=("{Customer} had been sent the wrong order twice and rang in furious.",
                      "{Customer} called {when}, ready to cancel everything after a second wrong delivery.",
                      "The second wrong parcel in a week had just landed on the customer's doorstep, and they rang."),
            stakes=("They wanted to close their account there and then.",
                    "The order was {item} for a trip that weekend.",
                    "They had been a customer for years and said this was the last straw."),
            beats=(
                ("They didn't read the script; they listened.",
                 "They let the customer finish before saying a word.",
                 "They let the anger run its course and took notes."),
                ("They apologised once, and properly.",
                 "They said plainly what had gone wrong at our end, without excuses.",
                 "They found the picking error on the order and explained it honestly."),
                ("Then they fixed the order while the customer was still on the phone.",
                 "They booked a next-day delivery and stayed on the call until it was confirmed.",
                 "They arranged for the wrong parcels to be collected, so the customer didn't have to post them."),
            ),
            outcomes=("A customer who was ready to leave us placed another order the following week.",
                      "The right order arrived the next morning, and the customer's email afterwards was a thank-you."),
            scenario="A customer has had the wrong order twice and calls in furious, ready to close their account. "
                     "What would you do?",
            lesson="Listen first: the fix lands better once the customer feels heard.",
        ),
        Situation(
            "charity-trek",
            titles=("A ninety-minute call with {names} that nobody rushed",
                    "{names} helped a customer kit out a charity trek", "{names} took as long as it needed"),
            openings=("A customer called who was, it turned out, buying kit for a charity trek in memory of their "
                      "late partner.", "{Customer} rang {when} about {item}, and the call turned into something else.",
                      "What started as a question about sizes became the longest call of the week."),
            stakes=("They had never done anything like it, and the trek was six weeks away.",
                    "Halfway through, they explained who the trek was for.",
                    "They had a kit list from the charity and no idea where to start."),
            beats=(
                ("They took as long as it needed.",
                 "They put the call timer out of their mind.",
                 "They asked about the trek, and then about the person it was for."),
                ("They went through the whole kit list, item by item.",
                 "They suggested what to borrow, what to buy and what to leave at home.",
                 "They found the lightest version of everything, because the customer had a bad back."),
                ("They made sure everything arrived in time.",
                 "They checked the delivery a week later and rang when it had landed.",
                 "They sponsored the trek themselves, quietly, and never mentioned it."),
            ),
            outcomes=("The customer wrote to the chief executive to say thank you.",
                      '"I have never had anyone take the time to listen like that," the customer wrote afterwards.'),
            scenario="A customer buying kit tells you they are doing a trek in memory of someone. The call is already "
                     "long and the queue is growing. What would you do?",
            lesson="Calls are measured in minutes; customers remember how they felt.",
            rules=("Calls are meant to stay under eight minutes on average.",),
        ),
        Situation(
            "deaf-customer",
            titles=("{names} found a way round a phone-only check for a deaf customer",
                    "{names} changed an address by chat when the rules said phone",
                    "{names} made our security checks work for everyone"),
            openings=("A deaf customer couldn't change the delivery address on an order because our checks could "
                      "only be done by phone.", "{Customer} messaged {when}: they are deaf, and our phone-only "
                      "security check had locked them out of their own account.",
                      "A live-chat message came in from a deaf customer who had been told, three times, to ring us."),
            stakes=("The order was about to go to their old flat.",
                    "They had tried three times and been told to call each time.",
                    "The parcel was {item}, and the old flat had new tenants."),
            beats=(
                ("They kept the conversation in writing and asked the same security questions there.",
                 "They checked the customer's identity through the questions we use on the phone, by chat.",
                 "They asked their team leader to watch while they did the security check in writing."),
                ("They changed the address and stopped the parcel before it left the warehouse.",
                 "They caught the parcel at the warehouse and had it relabelled.",
                 "They rang the warehouse to pull the parcel off the van."),
                ("Then they wrote to the security team asking for a written route for everyone.",
                 "They raised it with their team leader so the next deaf customer wouldn't hit the same wall.",
                 "They wrote up exactly what they had done, so the team could do it too."),
            ),
            outcomes=("The parcel reached the right address, and there is now a written way to pass the check.",
                      "The security check can now be done by chat, for every customer who needs it."),
            scenario="A deaf customer cannot pass a security check that can only be done by phone, and their parcel "
                     "is about to go to the wrong address. What would you do?",
            lesson="A process that shuts someone out is a bug, not a rule.",
            rules=("Account changes need a security check over the phone.",),
        ),
    ),
)

CONTACT = (SUPPORT,)
