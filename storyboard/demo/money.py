"""Refund and billing demo stories: customers' money put right, on the phone and by letter."""
from __future__ import annotations

from storyboard.demo.phrases import Situation, Storyline
from storyboard.models import ImpactKind

CUSTOMER = ImpactKind.CUSTOMER.value

REFUND = Storyline(
    "refund", ("Billing", "Customer Support"), CUSTOMER, 10,
    ("made-it-right", "responsibility", "broke-the-right-rule", "owned-it-end-to-end"),
    (
        Situation(
            "double-charge",
            titles=("{names} turned a double charge into a thank-you card", "{names} sorted a double charge in an hour",
                    "{names} got a customer out of the overdraft we had put them in"),
            openings=(
                "{Customer} rang {when}: they had been charged twice for {item}, and the second payment had pushed "
                "their account into overdraft.",
                "{Customer} got in touch {when} because their bank statement showed {item} paid for twice.",
                "{Customer} called in, reading out two identical payments for {item} from their banking app.",
            ),
            stakes=("It was the third time they had called about it.",
                    "Their bank was already charging them a fee for every day it stayed unpaid.",
                    "Rent was due out of the same account at the end of the week."),
            beats=(
                ("Instead of raising another ticket, they found both payments in the ledger themselves.",
                 "They stayed on the line and matched the two payments against the order while the customer waited.",
                 "They asked for the last four digits of the card and found the duplicate in minutes."),
                ("They pushed the refund through by hand rather than waiting for the weekly run.",
                 "The refund went back the same afternoon, with a note on the account explaining why.",
                 "They asked the payments team to send it by faster payment, and it landed within the hour."),
                ("Then they rang the customer back within the hour to say it was done.",
                 "They wrote to the bank on the customer's behalf about the overdraft fee.",
                 "They emailed a copy of the refund confirmation, in case the bank asked."),
            ),
            outcomes=("The customer had their money back the same day and wrote in to say they would keep shopping "
                      "with us.", "The overdraft fee was refunded by the bank, and the complaint was closed in one "
                      "call instead of three."),
            scenario="A customer has been charged twice for one order, and the second payment has put them into "
                     "overdraft. The refund is over the amount you can approve on your own, and your manager is in a "
                     "meeting for the next hour. What would you do?",
            lesson="Own the problem until the customer says it is fixed.",
            rules=("Refunds over £100 need a manager's approval, and the only manager on shift was in a meeting.",),
        ),
        Situation(
            "wrong-card",
            titles=("How {names} fixed a refund three teams had bounced", "{names} sent a refund to the right card",
                    "{names} walked a refund across the building"),
            openings=(
                "Our system had refunded {item} to the wrong card, one the customer had cancelled months before.",
                "{Customer} was owed a refund for {item}, and it had gone to a card that no longer existed.",
                "A refund for {item} had vanished: sent, according to us, and never received, according to the bank.",
            ),
            stakes=('They had already been told twice that it would "sort itself out in 5 to 10 working days".',
                    "The complaint had bounced between three teams, each sure it belonged to another.",
                    "The customer had started to think we were keeping the money on purpose."),
            beats=(
                ("They didn't pass it on; they walked over to the payments team instead.",
                 "They rang the payments team and asked who could reissue it that day, not who owned it.",
                 "They traced the refund to the old card number before anyone else had looked."),
                ("They sat with payments until the refund was reissued to the right card.",
                 "They stayed with it until the reissued refund showed as sent.",
                 "They had the old refund cancelled and a new one raised in the same hour."),
                ("They sent the customer a short note with the reference number, so they would never have to explain "
                 "it again.", "Then they called the customer to tell them, in plain words, what had gone wrong.",
                 "They checked two days later that the money had arrived, and it had."),
            ),
            outcomes=("A complaint that had bounced between three teams was closed in one call.",
                      "The customer had their refund within two days and took the time to write a thank-you."),
            scenario="A customer's refund went to a card they cancelled months ago. Two teams have already told them "
                     "to wait, and each thinks the problem belongs to the other. What would you do?",
            lesson="When two teams own a problem, one person has to carry it across.",
            rules=("Refunds are supposed to go back through the original payment channel, which would have taken "
                   "another week.",),
        ),
        Situation(
            "lost-return",
            titles=("{names} tracked down a refund for {item} that never arrived",
                    "{names} found a refund lost between a store and billing",
                    "{names} followed a return from {store} to the ledger"),
            openings=(
                "{Customer} emailed to say the refund for {item}, returned at our {store} store, had never arrived.",
                "{Customer} had returned {item} a month earlier and was still waiting for the money.",
                "A return made in {store} had disappeared somewhere between the shop counter and our accounts.",
            ),
            stakes=("The return had been logged at the store but had never reached billing.",
                    "Every time they asked, they were told the refund was on its way.",
                    "The store said it was billing's job, and billing had no record of the return."),
            beats=(
                ("They rang the store and asked someone to check the stockroom while they waited.",
                 "They went through the whole order history before making a single call.",
                 "They asked the store for the returns log and read it line by line."),
                ("The return was still in the stockroom, so they refunded it themselves instead of waiting for the "
                 "paperwork.", "Along the way they found two more small overcharges nobody had spotted.",
                 "They found the return scanned at the till but never sent on, and pushed it through."),
                ("All of it went back together, with an apology in their own words rather than a template.",
                 "They wrote to the customer with every amount listed, so nothing was left to guess.",
                 "They told the store what had happened, so the next return would not get stuck."),
            ),
            outcomes=("The customer left a five-star review that mentions the team by name.",
                      "The customer had every penny back within the week, and the store changed how returns are "
                      "logged."),
            scenario="A customer returned something at a store a month ago and has had no refund. The store says it "
                     "is billing's job and billing has no record of the return. What would you do?",
            lesson="Hand over the whole story, not just the ticket number.",
            items=("a returned tent", "a pair of boots that didn't fit", "a faulty head torch", "an unwanted gift"),
        ),
        Situation(
            "expired-voucher",
            titles=("{names} honoured a gift card that expired last week", "{names} saved a birthday present",
                    "{names} made an expired gift card good"),
            openings=(
                "{Customer} came to spend a gift card from their late father and found it had expired the week "
                "before.",
                "{Customer} rang {when} about a gift card they had been saving for {item}: it had just run out.",
                "A gift card was declined at the till, and the customer's face fell.",
            ),
            stakes=("They had been saving it for something that would last.",
                    "It was the last present they had from someone they had lost.",
                    "It had expired by eight days."),
            beats=(
                ("They listened to the whole story before looking anything up.",
                 "They asked what the card had been for, not when it was bought.",
                 "They asked who the card had come from."),
                ("They found the card's balance in the system and reissued it in full.",
                 "They loaded the balance onto a new card and checked it worked at the till.",
                 "They asked the gift-card team to extend it, and waited on the line until they did."),
                ("Then they helped the customer choose, without any hurry.",
                 "They posted the new card with a note, so it arrived before the weekend.",
                 "They wrote the new expiry date on the envelope, a year away."),
            ),
            outcomes=("The customer bought {item} with it and came back to show us the photos.",
                      "The customer wrote to say it had made a hard month a little easier."),
            scenario="A customer's gift card expired a week ago. It was a present from someone who has since died. "
                     "What would you do?",
            lesson="The rule serves the customer; when it stops, ask who can change it.",
            rules=("Gift cards expire after twelve months and can't be extended.",),
        ),
    ),
)


BILLING = Storyline(
    "billing-care", ("Billing",), CUSTOMER, 6,
    ("empathy", "responsibility", "made-it-right", "practicality"),
    (
        Situation(
            "scout-invoices",
            titles=("{names} untangled three years of invoices for a scout group",
                    "{names} stopped a debt letter going to a scout group", "{names} matched every payment by hand"),
            openings=("A scout group's treasurer had been sent invoices for kit they had already paid for.",
                      "The treasurer of a scout group near {town} rang {when} about a pile of invoices that made no "
                      "sense.", "A scout group's account showed three years of debts that the group swore were paid."),
            stakes=("A debt collection letter was due the following week.",
                    "The treasurer is a volunteer, and was close to moving the group's account elsewhere.",
                    "The group had nearly stopped its summer camp over the money."),
            beats=(
                ("They went through three years of statements line by line.",
                 "They printed every statement and worked through them with a ruler.",
                 "They asked the treasurer to send the group's own records, and compared the two."),
                ("They matched every payment to its invoice.",
                 "They found where two payments had been put against the wrong account.",
                 "They found that a change of bank had split the group's payments across two accounts."),
                ("They called the treasurer to walk them through the corrected account.",
                 "They sent one clear statement with every correction marked.",
                 "They stopped the debt letter and had the account marked as checked."),
            ),
            outcomes=("The scout group kept buying their kit from us.",
                      "The debt letter never went, and the group's next order was its biggest yet."),
            scenario="A volunteer treasurer has invoices for kit they have already paid for, and a debt letter is due "
                     "next week. What would you do?",
            lesson="Accuracy is a kindness: get the numbers right and the worry goes.",
        ),
        Situation(
            "payment-plan",
            titles=("{names} set up a payment plan that kept a customer out of debt collection",
                    "{names} answered a hard letter kindly", "{names} paused the reminders"),
            openings=("A customer who had lost their job wrote in, embarrassed, to ask whether they could pay their "
                      "account in smaller amounts.", "{Customer} rang {when} to say they couldn't pay this month's "
                      "bill, and apologised three times before saying why.",
                      "A handwritten letter arrived in Billing asking, very politely, for more time to pay."),
            stakes=("The next reminder letter was already printed.",
                    "They had never missed a payment before.",
                    "Their account was a week from going to the collection agency."),
            beats=(
                ("They set up a plan the customer could afford.",
                 "They worked out with the customer what they could manage each month.",
                 "They took the time to understand what the customer could really afford."),
                ("They paused the reminder letters.",
                 "They stopped the automatic reminders before they went out.",
                 "They took the account off the collection list that afternoon."),
                ("They wrote back kindly and plainly, without a line of jargon.",
                 "They sent a one-page summary of the plan in plain words.",
                 "They set a note to call again in three months, in case things had changed."),
            ),
            outcomes=("The customer kept their account and paid it off in full.",
                      "Every payment on the plan arrived on time, and the customer still shops with us."),
            scenario="A customer who has just lost their job asks to pay their account in smaller amounts. They have "
                     "not missed a payment yet. What would you do?",
            lesson="Treat people the way you would want to be treated on your worst day.",
            rules=("Payment plans are only meant to be offered after a second missed payment.",),
        ),
        Situation(
            "tax-code",
            titles=("{names} caught a tax code error before the monthly invoices went out",
                    "{names} held the invoice run and saved us an apology", "{names} checked the invoices by hand"),
            openings=("A price change had been loaded with the wrong tax code.",
                      "{When} they noticed that one line on a test invoice had the wrong VAT.",
                      "A trade customer's test invoice came out a few pounds higher than it should have."),
            stakes=("The monthly invoices were about to go out.",
                    "Hundreds of trade customers would have been overcharged.",
                    "Correcting it after the run would have meant an apology letter to every trade customer."),
            beats=(
                ("They held the run.",
                 "They stopped the invoice run twenty minutes before it started.",
                 "They asked for the run to wait an hour while they checked."),
                ("They fixed the code with IT.",
                 "They traced the error to one price file and had IT reload it.",
                 "They found the one product line with the wrong code and corrected it."),
                ("They checked a sample of invoices by hand and still had everything out on time.",
                 "They checked fifty invoices line by line before letting the run go.",
                 "They wrote a check for the price file into the run's checklist."),
            ),
            outcomes=("Hundreds of customers got a correct invoice and no apology letter was needed.",
                      "The invoices went out on time, and the price-file check is now part of every run."),
            scenario="You spot a tax error on a test invoice an hour before the monthly invoices go out. Holding the "
                     "run will make everyone late. What would you do?",
            lesson="Stopping the line is part of the job when the line is wrong.",
        ),
    ),
)

MONEY = (REFUND, BILLING)
