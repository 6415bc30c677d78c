"""Logistics demo stories: customers helped from the warehouse floor and the delivery van."""
from __future__ import annotations

from storyboard.demo.phrases import Situation, Storyline
from storyboard.models import ImpactKind

CUSTOMER = ImpactKind.CUSTOMER.value

DELIVERY = Storyline(
    "after-hours-delivery", ("Delivery", "Warehouse"), CUSTOMER, 10,
    ("threw-out-the-script", "broke-the-right-rule", "responsibility", "empathy"),
    (
        Situation(
            "tent-after-last-drop",
            titles=("{names} drove a tent over to {town} after the last drop",
                    "{names} made an extra stop in {town} so a family could go camping",
                    "{names} saved a camping weekend near {town}"),
            openings=("A family had a camping trip booked for the weekend and their tent was stuck in our depot "
                      "after a missed delivery slot.", "{Customer} rang the depot {when}: their tent hadn't come, "
                      "and they were leaving for the campsite in the morning.",
                      "A family tent sat on the missed-delivery rack with a note: customer going camping Saturday."),
            stakes=("The next available slot was Tuesday.", "The campsite was booked and paid for.",
                    "It was the children's first camping trip."),
            beats=(
                ("After finishing their own route, they found the tent on the depot shelves.",
                 "They checked the manifests and found the tent on the missed-delivery rack.",
                 "They heard the call come in at the depot and asked for the address."),
                ("They loaded it into the van and drove it over themselves, a forty-minute round trip in the dark.",
                 "They moved it onto the one van still going out that evening and rode along.",
                 "They put it in their own van and added a stop on the way home."),
                ("They rang the customer from the doorstep to say they were outside.",
                 "They apologised for the missed slot and wished the family a dry weekend.",
                 "They helped carry it to the car, which was already half packed."),
            ),
            outcomes=("The family went camping on Saturday as planned and sent us a photo of the tent pitched by a "
                      "lake.", "The family had their weekend, and the depot now keeps a late van for missed slots."),
            scenario="A family's tent missed its delivery slot and is sitting in the depot; they leave for a camping "
                     "trip in the morning and the next slot is Tuesday. What would you do?",
            lesson="The promise was the weekend, not the delivery slot.",
            rules=("Deliveries are not supposed to be added to a route after it has been closed.",),
        ),
        Situation(
            "broken-down-van",
            titles=("{names} delivered expedition boots in {town} at nine at night",
                    "{names} got a teenager's boots to {town} before the expedition",
                    "{names} swapped parcels at the roadside"),
            openings=("A teenager's expedition boots were on a van that had broken down.",
                      "A van broke down near {town} {when}, with {item} for an expedition on board.",
                      "The radio crackled at four: a van was stuck on the hard shoulder with a full load."),
            stakes=("The expedition started at seven the next morning.",
                    "The school minibus was leaving at dawn.",
                    "The recovery truck was three hours away."),
            beats=(
                ("They drove out to the broken-down van and swapped the parcels onto their own.",
                 "They met the stranded driver in a lay-by and took every urgent parcel.",
                 "They asked the depot which parcels on the stuck van were promised for that day."),
                ("They re-planned their route on the spot.",
                 "They rang each of their remaining customers to warn them they would be late.",
                 "They split the urgent parcels with another driver who was nearby."),
                ("They knocked on the door at nine that evening.",
                 "They delivered the boots last, well after dark, with a note wishing the teenager luck.",
                 "They waited at the depot until the stranded driver was back safely."),
            ),
            outcomes=("The customer had their boots the night before the expedition.",
                      "Every urgent parcel on the broken-down van arrived the same day."),
            scenario="A van carrying an urgent order has broken down. The customer needs it by tomorrow morning and "
                     "your own route is nearly done. What would you do?",
            lesson="Backup is a choice someone makes at the roadside.",
            rules=("Same-day re-delivery isn't offered outside the city zone.",),
        ),
        Situation(
            "farm-track",
            titles=("{names} delivered the parcel the courier had given up on",
                    "{names} found a farm near {town} that isn't on the map",
                    "{names} asked for directions no map would give"),
            openings=('A courier had marked a parcel "address not found" three times.',
                      "{Customer} had been waiting a fortnight for {item}, marked undeliverable again and again.",
                      "One parcel had been round the depot three times, each time with the same failed-delivery note."),
            stakes=("The customer lives on a farm track that doesn't show up on most maps.",
                    "They were about to cancel and shop elsewhere.",
                    "The satnav sent every van to a field gate two miles away."),
            beats=(
                ("They rang the customer and got directions no map would give.",
                 "They asked the customer for landmarks: a red gate, a cattle grid, a lone ash tree.",
                 "They looked the farm up on an old Ordnance Survey map in the depot office."),
                ("They added the stop to the end of their route.",
                 "They went on their way home rather than leave it another day.",
                 "They drove the track slowly with the customer on the phone, turn by turn."),
                ("They were home an hour late and didn't mention it to anyone.",
                 "They wrote the directions on the account so every driver can find it.",
                 "They pinned the farm's real location in the route planner for everyone."),
            ),
            outcomes=("A customer who was about to cancel became one of our most loyal.",
                      "Every parcel to that farm has arrived first time since."),
            scenario="A parcel has been marked \"address not found\" three times. The customer is real, but their "
                     "farm isn't on the map. What would you do?",
            lesson="Ask the customer: they know the way better than any system.",
        ),
        Situation(
            "soaked-parcel",
            titles=("{names} went back for a parcel left in the rain",
                    "{names} swapped a soaked parcel the same evening", "{names} put right a doorstep drop"),
            openings=("A parcel had been left on a doorstep in a downpour, and the customer sent us a photo of the "
                      "soggy box.", "{Customer} came home {when} to find {item} sitting in a puddle by the door.",
                      "The photo showed a cardboard box that had given up: left out in the rain all afternoon."),
            stakes=("It was meant to be a birthday present.", "Someone on our side had left it there.",
                    "The customer had asked for it to go to a neighbour."),
            beats=(
                ("They saw the photo come in and recognised the street from their own route.",
                 "They picked up the complaint at the depot before anyone had assigned it.",
                 "They asked to take it on, because it was their round."),
                ("They took a replacement from the warehouse.",
                 "They had a new one picked and wrapped in an hour.",
                 "They checked what was salvageable and replaced the rest."),
                ("They swapped it at the door that evening and took the wet one away.",
                 "They apologised face to face rather than by email.",
                 "They knocked this time, and handed it over in person."),
            ),
            outcomes=("The present was dry and on time, and the customer wrote in to thank the driver by name.",
                      "The customer kept shopping with us, and drivers now photograph where they leave parcels."),
            scenario="A customer sends a photo of a parcel left in the rain on their doorstep. It was a present. "
                     "What would you do?",
            lesson="An apology at the door says more than one in an email.",
        ),
    ),
)


WAREHOUSE = Storyline(
    "lost-parcel", ("Warehouse",), CUSTOMER, 7,
    ("responsibility", "owned-it-end-to-end", "practicality"),
    (
        Situation(
            "lost-in-building",
            titles=("{names} found a lost parcel in a warehouse the size of six football pitches",
                    "{names} found the parcel the system had lost", "{names} searched the bays on their break"),
            openings=('A parcel had shown as "in the building" for a week, and the system had no location for it.',
                      "{Customer} had emailed every day {when} about {item} that was somewhere in our warehouse.",
                      "Customer Support sent a message down to the floor: has anyone seen this parcel?"),
            stakes=("The customer was emailing every day.", "Customer Support had run out of things to tell them.",
                    "It was a replacement for a parcel that had already gone missing once."),
            beats=(
                ("They walked the returns and damages bays on their break.",
                 "They pulled the scan history and worked out the last place it had been seen.",
                 "They asked the night shift what had been moved that week."),
                ("They found the parcel under a pallet of sleeping bags.",
                 "It had slipped behind a racking upright in the damages bay.",
                 "It was on a cage of returns waiting to be restocked, label face down."),
                ("They got it onto the evening trunk.",
                 "They walked it to the dispatch lane themselves.",
                 "They told Customer Support straight away, so the customer heard it from us first."),
            ),
            outcomes=("The customer had the parcel the next morning.",
                      "The parcel went out that night, and the damages bay now gets a weekly sweep."),
            scenario="A customer's parcel has been \"in the building\" for a week and the system can't say where. "
                     "What would you do?",
            lesson="The system is a map, not the territory: go and look.",
            rules=("Pickers aren't supposed to leave their zone during a wave.",),
        ),
        Situation(
            "school-order",
            titles=("{names} re-picked a whole school order at the end of a double shift",
                    "{names} made sure a school expedition had its kit", "{names} checked a school order twice"),
            openings=("A picking error meant a school's order for an expedition had shipped half-complete.",
                      "A primary school near {town} rang {when}: half of their expedition kit hadn't come.",
                      "A teacher's email reached the warehouse: twelve rucksacks ordered, six arrived."),
            stakes=("The expedition left in two days.", "Thirty children were due on the hills that weekend.",
                    "The school had paid for everything up front."),
            beats=(
                ("At the end of their shift they re-picked the missing items.",
                 "They stayed on after a double shift to pick the missing half.",
                 "They pulled the order up and found the second half still sitting in a tote."),
                ("They checked each one against the order.",
                 "They counted every item twice against the school's list.",
                 "They asked a colleague to check their count, item by item."),
                ("They packed it with a note apologising for the mix-up.",
                 "They booked it onto the first van out and told Customer Support which one.",
                 "They rang the school themselves to say when it would arrive."),
            ),
            outcomes=("Every pupil set off with the right kit.",
                      "The school's kit arrived the next day, and the head teacher wrote to the warehouse."),
            scenario="A school's expedition order went out half-complete, and the trip leaves in two days. Your "
                     "shift has just ended. What would you do?",
            lesson="Finish the job the customer needed, not the job on the sheet.",
        ),
        Situation(
            "wrong-labels",
            titles=("{names} spotted forty wrong labels before they went out",
                    "{names} stopped a pallet going to the wrong depot", "{names} stopped the line"),
            openings=("A mislabelled pallet was about to be loaded for the wrong depot.",
                      "{When} they noticed the labels on one pallet didn't match the orders inside.",
                      "One label on a pallet caught their eye: a Glasgow address on a box bound for Bristol."),
            stakes=("Forty customers would have waited another week.", "The trunk was due to leave in minutes.",
                    "Nobody else on the dock had noticed."),
            beats=(
                ("They stopped the line.", "They pulled the pallet off the dock before it was loaded.",
                 "They called the shift manager over before a single box went on the lorry."),
                ("They relabelled forty boxes by hand.",
                 "They checked every box against its order and printed new labels.",
                 "They found the label feed had slipped by one line, so every label was for the next order."),
                ("They showed the shift manager how the label feed had slipped a line, so it was fixed for everyone.",
                 "They reported the label-feed fault so it was fixed for every shift.",
                 "They checked the other pallets from the same hour, and found two more."),
            ),
            outcomes=("Forty customers got their orders on time and never knew how close it was.",
                      "The pallet made the trunk, and the label feed now checks itself."),
            scenario="You notice the labels on a pallet don't match what's inside, and the trunk leaves in minutes. "
                     "What would you do?",
            lesson="If you see it, stop it: a minute now saves forty customers a week.",
        ),
    ),
)

LOGISTICS = (DELIVERY, WAREHOUSE)
