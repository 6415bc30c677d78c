"""Front-line demo stories: customers helped in stores, on the phone and in billing."""
from __future__ import annotations

from storyboard.demo.phrases import Episode, Storyline
from storyboard.models import ImpactKind

CUSTOMER = ImpactKind.CUSTOMER.value

REFUND = Storyline(
    "refund", ("Billing", "Customer Support"), CUSTOMER, 10,
    ("made-it-right", "responsibility", "broke-the-right-rule", "owned-it-end-to-end"),
    (
        Episode(
            (
                "{names} turned a double charge into a thank-you card",
                "{names} sorted a double charge in an hour",
            ),
            "A customer rang on a Friday afternoon: they had been charged twice for a pair of "
            "walking boots, and the second payment had pushed their account into overdraft. It "
            "was the third time they had called about it.",
            (
                (
                    "Instead of raising another ticket, they:\n\n- found both payments in the "
                    "ledger themselves,\n- pushed the refund through by hand, and\n- **rang the "
                    "customer back within the hour** to say it was done."
                ),
                (
                    "They stayed on the line, found the duplicate payment, and had it refunded "
                    "before the call ended. Then they wrote to the bank on the customer's behalf "
                    "about the overdraft fee."
                ),
            ),
            "The customer had their money back the same day and wrote in to say they would keep "
            "shopping with us.",
            (
                (
                    "Refunds over £100 need a manager's approval, and the only manager on shift "
                    "was in a meeting."
                ),
            ),
        ),
        Episode(
            (
                "How {names} fixed a refund three teams had bounced",
                "{names} sent a refund to the right card",
            ),
            "Our system had refunded the wrong card, and the customer had already been told "
            'twice that it would "sort itself out in 5 to 10 working days".',
            (
                (
                    "They didn't pass it on. They walked over to the payments team, sat with "
                    "them until the refund was reissued, and sent the customer a short note with "
                    "the reference number so they would never have to explain it again."
                ),
            ),
            "A complaint that had bounced between three teams was closed in one call.",
            (
                (
                    "Refunds are supposed to go back through the original channel, which would "
                    "have taken another week."
                ),
            ),
        ),
        Episode(
            (
                "{names} tracked down a tent refund that never arrived",
                "{names} found a refund lost between a store and billing",
            ),
            "A regular customer emailed to say the refund for a returned tent had never arrived. "
            "The return had been logged at the store but had never reached billing.",
            (
                (
                    "They went through the whole order history and found two more small "
                    "overcharges nobody had spotted. All three were refunded together, with an "
                    "apology written in their own words rather than a template."
                ),
                (
                    "They rang the store, found the return in the stockroom, and refunded it "
                    "themselves instead of waiting for the paperwork to arrive."
                ),
            ),
            "The customer left a five-star review that mentions the team by name.",
        ),
    ),
)


STORES = Storyline(
    "store-fitting", ("Stores",), CUSTOMER, 12,
    ("courtesy", "empathy", "practicality", "positive-attitude"),
    (
        Episode(
            (
                "{names} kept the {town} store open for a walker in a hurry",
                "{names} found boots for a walker ten minutes before closing",
            ),
            "A customer came in ten minutes before closing, soaked through, about to start a "
            "long-distance walk the next morning in boots that had split.",
            (
                (
                    "They kept the till open, found a pair that fitted, laced them the way that "
                    "protects the heel, and showed the customer how to break them in on the way."
                ),
            ),
            "The customer finished their walk and came back to tell us about it.",
            (
                "The tills are supposed to close at half past five sharp for cashing up.",
            ),
        ),
        Episode(
            (
                "{names} spent an hour fitting boots for a customer with a bad ankle",
                "{names} got a customer walking again",
            ),
            "A customer recovering from an ankle injury had tried three pairs of boots elsewhere "
            "and was close to giving up on walking altogether.",
            (
                (
                    "They measured both feet properly, tried five different fits and insoles, "
                    "and sent the customer up and down the shop stairs until they were "
                    "comfortable. There was no rush and no sales pitch."
                ),
            ),
            "The customer left walking comfortably for the first time in months.",
        ),
        Episode(
            (
                "{names} rang four stores to find the right jacket",
                "{names} found the last jacket in the right size",
            ),
            "A customer wanted a particular waterproof jacket in a size we had sold out of "
            "everywhere online.",
            (
                (
                    "They rang round four stores, found one jacket held for a click-and-collect "
                    "that had never been picked up, and arranged for it to come over on the next "
                    "stock van."
                ),
            ),
            "The customer had the jacket two days later and has been back with their whole "
            "family since.",
            (
                "Stock held for click and collect isn't meant to be released for ten days.",
            ),
        ),
    ),
)


SUPPORT = Storyline(
    "support-call", ("Customer Support",), CUSTOMER, 12,
    ("courtesy", "empathy", "positive-attitude", "threw-out-the-script"),
    (
        Episode(
            (
                "{names} stayed on the line until the order finally went through",
                "{names} helped a grandparent through the checkout",
            ),
            "An elderly customer called to order a birthday present for their grandson but "
            "couldn't get through the checkout; they had been trying for two days.",
            (
                (
                    "They put the order through themselves, read every item back, and set a "
                    "reminder to call when it shipped. They did call."
                ),
            ),
            "The present arrived the day before the birthday.",
            (
                "Advisors aren't supposed to place orders on a customer's behalf.",
            ),
        ),
        Episode(
            (
                "{names} turned an angry call into a thank-you email",
                "{names} won back a customer sent the wrong order twice",
            ),
            "A customer had been sent the wrong order twice and rang in furious, ready to cancel "
            "everything.",
            (
                (
                    "They didn't read the script. They listened, apologised once and properly, "
                    "and **fixed the order while the customer was still on the phone**."
                ),
            ),
            "A customer who was ready to leave us placed another order the following week.",
        ),
        Episode(
            (
                "A ninety-minute call with {names} that nobody rushed",
                "{names} helped a customer kit out a charity trek",
            ),
            "A customer called who was, it turned out, buying kit for a charity trek in memory "
            "of their late partner.",
            (
                (
                    '> "I have never had anyone take the time to listen like that."\n\nThat was '
                    "the customer's email to us afterwards. They took as long as it needed and "
                    "made sure everything arrived in time."
                ),
            ),
            "The customer wrote to the chief executive to say thank you.",
            (
                "Calls are meant to stay under eight minutes on average.",
            ),
        ),
    ),
)


BILLING = Storyline(
    "billing-care", ("Billing",), CUSTOMER, 6,
    ("empathy", "responsibility", "made-it-right", "practicality"),
    (
        Episode(
            (
                "{names} untangled three years of invoices for a scout group",
                "{names} stopped a debt letter going to a scout group",
            ),
            "A scout group's treasurer had been sent invoices for kit they had already paid for, "
            "and a debt collection letter was due the following week.",
            (
                (
                    "They went through three years of statements line by line, matched every "
                    "payment, and called the treasurer to walk them through the corrected "
                    "account."
                ),
            ),
            "The scout group kept buying their kit from us.",
        ),
        Episode(
            (
                "{names} set up a payment plan that kept a customer out of debt collection",
                "{names} answered a hard letter kindly",
            ),
            "A customer who had lost their job wrote in, embarrassed, to ask whether they could "
            "pay their account in smaller amounts.",
            (
                (
                    "They set up a plan the customer could afford, paused the reminder letters, "
                    "and wrote back kindly and plainly, without a single line of jargon."
                ),
            ),
            "The customer kept their account and paid it off in full.",
            (
                "Payment plans are only meant to be offered after a second missed payment.",
            ),
        ),
        Episode(
            (
                "{names} caught a tax code error before the monthly invoices went out",
                "{names} held the invoice run and saved us an apology",
            ),
            "A price change had been loaded with the wrong tax code, and the monthly invoices "
            "were about to go out.",
            (
                (
                    "They held the run, fixed the code with IT, checked a sample of invoices by "
                    "hand, and still had everything out on time."
                ),
            ),
            "Hundreds of customers got a correct invoice and no apology letter was needed.",
        ),
    ),
)


RETURNS = Storyline(
    "returns", ("Stores", "Customer Support"), CUSTOMER, 8,
    ("made-it-right", "broke-the-right-rule", "courtesy", "practicality"),
    (
        Episode(
            (
                "{names} took back a jacket two weeks outside its return window",
                "{names} swapped a leaking jacket on the spot",
            ),
            "A customer brought back a waterproof jacket that had leaked on its second outing. "
            "They had the receipt, but it was two weeks past the return window.",
            (
                (
                    "They listened, looked at the seams, and exchanged it there and then instead "
                    "of sending it away for a three-week assessment."
                ),
            ),
            "The customer went back out in the rain the same weekend, dry.",
            (
                "Returns are only accepted within 30 days of purchase.",
            ),
        ),
        Episode(
            (
                "{names} swapped a faulty stove on the spot",
                "{names} had a broken stove replaced before the next trip",
            ),
            "A camping stove had failed on its first use, and the customer was heading off again "
            "the next day.",
            (
                (
                    "They swapped it from stock, checked the new one worked before the customer "
                    "left, and logged the fault with the supplier themselves."
                ),
            ),
            "A faulty batch was withdrawn before anyone else was caught out.",
            (
                (
                    "Faulty items are meant to go back to the supplier for assessment before any "
                    "replacement."
                ),
            ),
        ),
        Episode(
            (
                "{names} replaced a child's broken sleeping bag the night before a school trip",
                "{names} saved a school trip with a new zip",
            ),
            "A parent came in with a sleeping bag whose zip had broken the night before their "
            "child's school trip.",
            (
                (
                    "They replaced it on the spot, then rang the supplier to make sure the "
                    "faulty batch came off the shelves."
                ),
            ),
            "The child went on the trip with a warm sleeping bag.",
        ),
    ),
)

FRONT_LINE = (REFUND, STORES, SUPPORT, BILLING, RETURNS)
