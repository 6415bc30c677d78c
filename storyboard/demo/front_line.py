"""Shop-floor demo stories: fittings, finds and returns in our stores."""
from __future__ import annotations

from storyboard.demo.phrases import Situation, Storyline
from storyboard.models import ImpactKind

CUSTOMER = ImpactKind.CUSTOMER.value

STORES = Storyline(
    "store-fitting", ("Stores",), CUSTOMER, 12,
    ("courtesy", "empathy", "practicality", "positive-attitude"),
    (
        Situation(
            "closing-time",
            titles=("{names} kept the {town} store open for a walker in a hurry",
                    "{names} found boots for a walker ten minutes before closing",
                    "{names} laced up a walker's boots after the shutters came down"),
            openings=(
                "{Customer} came in ten minutes before closing, soaked through, in boots that had split.",
                "Just before closing {when}, {customer} walked in with one boot held together by tape.",
                "The shutters were half down when {customer} knocked on the glass, holding up a boot with no sole.",
            ),
            stakes=("They were starting a long-distance walk the next morning.",
                    "Their train to the start of a week-long walk left at seven the next morning.",
                    "Every other outdoor shop in town had already closed."),
            beats=(
                ("They kept the till open and measured both feet properly.",
                 "They turned the lights back on and fetched three pairs from the stockroom.",
                 "They let the customer in, sat them down and asked about the walk first."),
                ("They found a pair that fitted and laced them the way that protects the heel.",
                 "They had the customer walk the shop stairs in each pair until one felt right.",
                 "They tried a half size up, because feet swell on a long walk, and it was the one."),
                ("Then they showed the customer how to break them in on the way.",
                 "They added blister plasters to the bag and wished them a good walk.",
                 "They cashed up twenty minutes late and didn't put in for the time."),
            ),
            outcomes=("The customer finished their walk and came back to tell us about it.",
                      "The customer sent a postcard from the end of the walk, addressed to the whole store."),
            scenario="Ten minutes before closing, a customer comes in needing boots for a long walk that starts "
                     "tomorrow morning. The tills are about to be cashed up. What would you do?",
            lesson="Small kindness is remembered long after the order is forgotten.",
            rules=("The tills are supposed to close at half past five sharp for cashing up.",),
        ),
        Situation(
            "bad-ankle",
            titles=("{names} spent an hour fitting boots for a customer with a bad ankle",
                    "{names} got a customer walking again", "{names} found the fit three other shops couldn't"),
            openings=(
                "{Customer} recovering from an ankle injury had tried three pairs of boots elsewhere.",
                "{Customer} came in {when} with a weak ankle and a list of boots that hadn't worked.",
                "{Customer} arrived with an ankle brace, a physio's letter and very little hope.",
            ),
            stakes=("They were close to giving up on walking altogether.",
                    "Their physio had told them walking was the best thing they could do, if they could get "
                    "comfortable.",
                    "Walking with friends on a Sunday was the thing they missed most."),
            beats=(
                ("They measured both feet properly and asked about the injury.",
                 "They asked what had gone wrong with each pair before suggesting anything.",
                 "They read the physio's letter and asked which movements hurt."),
                ("They tried five different fits and insoles, one after another.",
                 "They brought out a stiffer boot and a supportive insole, and adjusted the lacing twice.",
                 "They found that a higher cuff and a heel-lock lacing made all the difference."),
                ("There was no rush and no sales pitch.",
                 "They sent the customer up and down the shop stairs until they were comfortable.",
                 "They suggested a short walk at home first, and told them to bring the boots back if it hurt."),
            ),
            outcomes=("The customer left walking comfortably for the first time in months.",
                      "The customer has since walked the whole of the Dales Way."),
            scenario="A customer with a recovering ankle has tried three pairs of boots in other shops and is close "
                     "to giving up. The shop is busy. What would you do?",
            lesson="Listen for the need behind the complaint.",
        ),
        Situation(
            "last-jacket",
            titles=("{names} rang four stores to find the right jacket",
                    "{names} found the last jacket in the right size", "{names} tracked a jacket down to {store}"),
            openings=(
                "{Customer} wanted a particular waterproof jacket in a size we had sold out of everywhere online.",
                "{Customer} came in {when} looking for one jacket in one size, and the website said none were left.",
                "{Customer} had set their heart on one jacket, and the last one in their size had just sold.",
            ),
            stakes=("They needed it for a trip to Skye the following week.",
                    "They had tried it on once, and nothing else had fitted the same way.",
                    "They had already been to two other shops that day."),
            beats=(
                ("They rang round four stores, one after another.",
                 "They checked every store's stock screen, then rang the ones that looked hopeful.",
                 "They asked the area manager's group chat whether anyone had one tucked away."),
                ("In {store} they found one held for a click and collect that had never been picked up.",
                 "They found one jacket in the {store} stockroom, set aside for an order nobody had collected.",
                 "The {store} store had one on a returns shelf, unworn and still tagged."),
                ("They arranged for it to come over on the next stock van.",
                 "They had it sent to the customer's home instead, so there was no second trip.",
                 "They took the customer's number and rang them the moment it arrived."),
            ),
            outcomes=("The customer had the jacket two days later and has been back with their whole family since.",
                      "The jacket arrived in time for the trip, and the customer sent a photo from the Cuillin."),
            scenario="A customer needs a jacket that is sold out online. It might be sitting in another store. "
                     "What would you do?",
            lesson="The fix nobody asked for is often the one that mattered.",
            rules=("Stock held for click and collect isn't meant to be released for ten days.",),
        ),
        Situation(
            "first-kit",
            titles=("{names} kitted out a Duke of Edinburgh group on a budget",
                    "{names} talked a teenager out of spending too much",
                    "{names} helped a first-timer get ready for the hills"),
            openings=(
                "{Customer} came in with a kit list for a first expedition and a very small budget.",
                "A teenager and their parent came in {when} with a Duke of Edinburgh kit list and forty pounds.",
                "A teenager stood in the middle of the shop floor reading a kit list, looking more worried by the "
                "minute.",
            ),
            stakes=("The list came to nearly four hundred pounds at full price.",
                    "They were worried they would have to drop out.",
                    "The expedition was three weeks away and nothing had been bought."),
            beats=(
                ("They went through the list line by line and crossed off what could be borrowed.",
                 "They asked what was already in the family's cupboards before picking anything off a shelf.",
                 "They split the list into must-have, can-borrow and can-skip."),
                ("They pointed them to our kit-hire scheme for the tent and the stove.",
                 "They found last season's boots in the sale in the right size.",
                 "They put a hire rucksack aside and showed how to pack it."),
                ("What they sold came to less than the budget.",
                 "They wrote the hire dates on the receipt so nobody would forget.",
                 "They told the teenager to come back and say how it went."),
            ),
            outcomes=("The teenager went on the expedition, and their younger brother came in to be fitted a year "
                      "later.", "The family came back for the whole of the next expedition's kit."),
            scenario="A teenager needs kit for a first expedition, and the family can only spend a fraction of what "
                     "the list costs. What would you do?",
            lesson="Sell people what they need, and they come back for what they want.",
        ),
    ),
)


RETURNS = Storyline(
    "returns", ("Stores", "Customer Support"), CUSTOMER, 8,
    ("made-it-right", "broke-the-right-rule", "courtesy", "practicality"),
    (
        Situation(
            "leaking-jacket",
            titles=("{names} took back a jacket two weeks outside its return window",
                    "{names} swapped a leaking jacket on the spot", "{names} said yes to a late return"),
            openings=(
                "{Customer} brought back a waterproof jacket that had leaked on its second outing.",
                "{Customer} came in {when} with a jacket that had let the rain in on its second walk.",
                "{Customer} put a damp jacket on the counter and said, quietly, that it wasn't very waterproof.",
            ),
            stakes=("They had the receipt, but it was two weeks past the return window.",
                    "It was two weeks too late for a return, and the seams were plainly faulty.",
                    "They expected to be turned away, and had rehearsed an argument."),
            beats=(
                ("They listened and looked closely at the seams.",
                 "They held the jacket up to the light and found where the tape had lifted.",
                 "They ran a little water over the shoulder seam to see the leak for themselves."),
                ("They exchanged it there and then instead of sending it off for a three-week assessment.",
                 "They swapped it for a new one from the shop floor.",
                 "They offered a refund or a replacement, and the customer chose a new one in a brighter colour."),
                ("They sent the faulty one to the supplier with a note about the seam tape.",
                 "They logged the fault so the supplier could check the batch.",
                 "They checked the rest of that line on the rail and took two more off sale."),
            ),
            outcomes=("The customer went back out in the rain the same weekend, dry.",
                      "Two more jackets from the same batch were caught before they were sold."),
            scenario="A customer brings back a jacket that leaked. The fault is obvious, but the return window ended "
                     "two weeks ago. What would you do?",
            lesson="Make it right first; find out whose fault it was later.",
            rules=("Returns are only accepted within 30 days of purchase.",),
        ),
        Situation(
            "faulty-stove",
            titles=("{names} swapped a faulty stove on the spot",
                    "{names} had a broken stove replaced before the next trip",
                    "{names} caught a bad batch of stoves"),
            openings=("A camping stove had failed on its first use.",
                      "{Customer} came in {when} with a stove that wouldn't light.",
                      "{Customer} rang to say their new stove had spat flame and then died on the first evening out."),
            stakes=("The customer was heading off again the next day.",
                    "They were leading a group into the hills at the weekend.",
                    "They had eaten cold beans for two days because of it."),
            beats=(
                ("They swapped it from stock without any forms.",
                 "They found a replacement in the stockroom and unboxed it at the counter.",
                 "They set a new one aside and told the customer to come straight in."),
                ("They checked the new one worked before the customer left.",
                 "They lit the new one in the car park to be sure.",
                 "They showed the customer how to check the seal on the gas before lighting it."),
                ("They logged the fault with the supplier themselves.",
                 "They rang the supplier to ask whether others had failed the same way.",
                 "They kept the faulty stove and sent photos of the valve to the buying team."),
            ),
            outcomes=("A faulty batch was withdrawn before anyone else was caught out.",
                      "The customer's group had hot food on the hill, and the batch was recalled a week later."),
            scenario="A customer's new stove failed on its first trip, and they leave again tomorrow. "
                     "What would you do?",
            lesson="Say what you will do, then do exactly that.",
            rules=("Faulty items are meant to go back to the supplier for assessment before any replacement.",),
        ),
        Situation(
            "broken-zip",
            titles=("{names} replaced a child's sleeping bag the night before a school trip",
                    "{names} saved a school trip with a new zip", "{names} kept a school trip warm"),
            openings=("{Customer} came in with a sleeping bag whose zip had broken the night before their child's "
                      "school trip.", "A parent rang {when}: the zip on their child's sleeping bag had just snapped.",
                      "A parent arrived out of breath at half past five with a sleeping bag and a broken zip pull."),
            stakes=("The coach left at eight the next morning.",
                    "The trip was to the Cairngorms, and the nights were forecast below freezing.",
                    "Their child had been counting down to the trip for weeks."),
            beats=(
                ("They replaced it on the spot.",
                 "They set a new bag aside and stayed until the parent could get there.",
                 "They took a new bag straight off the shelf and put the old one behind the counter."),
                ("They checked the new zip ran all the way round before handing it over.",
                 "They showed the parent how to free the zip if it caught.",
                 "They stuffed it into its bag so it would fit in the child's rucksack."),
                ("Then they rang the supplier to make sure the faulty batch came off the shelves.",
                 "They took the rest of that line off the shelf until it had been checked.",
                 "They wrote a note for the morning team so the batch could be checked."),
            ),
            outcomes=("The child went on the trip with a warm sleeping bag.",
                      "The trip went ahead, and the school has bought its kit from us ever since."),
            scenario="A parent brings in a child's sleeping bag with a broken zip the night before a school trip. "
                     "What would you do?",
            lesson="When time is short, solve the problem in front of you, then the one behind it.",
        ),
    ),
)

FRONT_LINE = (STORES, RETURNS)
