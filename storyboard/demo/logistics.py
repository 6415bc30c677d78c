"""Logistics demo stories: customers helped from the warehouse floor and the delivery van."""
from __future__ import annotations

from storyboard.demo.phrases import Episode, Storyline
from storyboard.models import ImpactKind

CUSTOMER = ImpactKind.CUSTOMER.value

DELIVERY = Storyline(
    "after-hours-delivery", ("Delivery", "Warehouse"), CUSTOMER, 10,
    ("threw-out-the-script", "broke-the-right-rule", "responsibility", "empathy"),
    (
        Episode(
            (
                "{names} drove a tent over to {town} after the last drop",
                "{names} made an extra stop in {town} so a family could go camping",
            ),
            "A family had a camping trip booked for the weekend and their tent was stuck in our "
            "depot after a missed delivery slot. The next available slot was Tuesday.",
            (
                (
                    "After finishing their own route, they loaded the tent into the van and "
                    "drove it over themselves: a forty-minute round trip in the dark."
                ),
                (
                    "They checked the manifests, found the tent, and moved it onto the one van "
                    "still going out that evening. Then they stayed on the phone with the driver "
                    "until it was delivered."
                ),
            ),
            "The family went camping on Saturday as planned and sent us a photo of the tent "
            "pitched by a lake.",
            (
                "Deliveries are not supposed to be added to a route after it has been closed.",
            ),
        ),
        Episode(
            (
                "{names} delivered expedition boots in {town} at nine at night",
                "{names} got a teenager's boots to {town} before the expedition",
            ),
            "A teenager's expedition boots were on a van that had broken down. The expedition "
            "started at seven the next morning.",
            (
                (
                    "They swapped the parcels onto their own van at the roadside, re-planned "
                    "their route and knocked on the door at nine that evening."
                ),
            ),
            "The customer had their boots the night before the expedition.",
            (
                "Same-day re-delivery isn't offered outside the city zone.",
            ),
        ),
        Episode(
            (
                "{names} delivered the parcel the courier had given up on",
                "{names} found a farm near {town} that isn't on the map",
            ),
            'A courier had marked a parcel "address not found" three times. The customer lives '
            "on a farm track that doesn't show up on most maps.",
            (
                (
                    "They rang the customer, got directions no map would give, and added the "
                    "stop to the end of their route. They were home an hour late and didn't "
                    "mention it to anyone."
                ),
            ),
            "A customer who was about to cancel became one of our most loyal.",
        ),
    ),
)


WAREHOUSE = Storyline(
    "lost-parcel", ("Warehouse",), CUSTOMER, 7,
    ("responsibility", "owned-it-end-to-end", "practicality"),
    (
        Episode(
            (
                "{names} found a lost parcel in a warehouse the size of six football pitches",
                "{names} found the parcel the system had lost",
            ),
            'A parcel had shown as "in the building" for a week while the customer emailed every '
            "day. The system had no location for it.",
            (
                (
                    "They walked the returns and damages bays on their break, found the parcel "
                    "under a pallet of sleeping bags, and got it onto the evening trunk."
                ),
            ),
            "The customer had the parcel the next morning.",
            (
                "Pickers aren't supposed to leave their zone during a wave.",
            ),
        ),
        Episode(
            (
                "{names} re-picked a whole school order at the end of a double shift",
                "{names} made sure a school expedition had its kit",
            ),
            "A picking error meant a school's order for an expedition had shipped half-complete. "
            "The expedition left in two days.",
            (
                (
                    "At the end of their shift they re-picked the missing items, checked each "
                    "one against the order, and packed it with a note apologising for the "
                    "mix-up."
                ),
            ),
            "Every pupil set off with the right kit.",
        ),
        Episode(
            (
                "{names} spotted forty wrong labels before they went out",
                "{names} stopped a pallet going to the wrong depot",
            ),
            "During peak, a mislabelled pallet was about to be loaded for the wrong depot.",
            (
                (
                    "They stopped the line, relabelled forty boxes by hand, and showed the shift "
                    "manager how the label feed had slipped a line, so it was fixed for "
                    "everyone."
                ),
            ),
            "Forty customers got their orders on time and never knew how close it was.",
        ),
    ),
)

LOGISTICS = (DELIVERY, WAREHOUSE)
