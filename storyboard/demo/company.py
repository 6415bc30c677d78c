"""The demo company's people: departments, locations, a management hierarchy and tenures."""
from __future__ import annotations

import itertools
import math
import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from storyboard.canon.collections import NEW_HIRE_DAYS
from storyboard.models import Role

# A reserved top-level domain, so no demo address can ever receive mail.
EMAIL_DOMAIN = "demo.example.com"
HEAD_OFFICE = "Head Office, Leeds"
TEAM_SIZE = 10
# Storyboard "went live" this many days before the anchor; accounts are no older than that.
LAUNCH_DAYS_AGO = 1100
# A few people are new hires, started this many days ago (one per department below, as long as
# the company has them); everyone else joined well before NEW_HIRE_DAYS, so the curator's view
# of new hires' progress on the onboarding path lists just these.
NEW_HIRE_STARTS = (61, 33, 12)
NEW_HIRE_DEPARTMENTS = ("Stores", "Customer Support", "Warehouse")

FIRST_NAMES = (
    "Aaliyah", "Aaron", "Abdul", "Adaeze", "Aisha", "Alex", "Alice", "Amara", "Amir", "Ana",
    "Andrew", "Anil", "Anna", "Arjun", "Ben", "Beth", "Bilal", "Bronwen", "Callum", "Carmen",
    "Catherine", "Charlie", "Chen", "Chloé", "Chris", "Connor", "Dan", "Daniel", "Deepa",
    "Dimitri", "Eilidh", "Elena", "Ellie", "Emeka", "Emma", "Erin", "Ewan", "Farah", "Fatima",
    "Femi", "Finn", "Fiona", "Gareth", "Georgia", "Grace", "Hamza", "Hannah", "Harry", "Hassan",
    "Imogen", "Isla", "Jack", "Jade", "Jamal", "James", "Jia", "Joanna", "Jordan", "José",
    "Kai", "Karen", "Kasia", "Kwame", "Laura", "Leah", "Leon", "Liam", "Lucy", "Magda", "Malik",
    "Maria", "Mark", "Marta", "Maya", "Mohammed", "Naomi", "Nathan", "Niamh", "Nikhil", "Olivia",
    "Omar", "Owen", "Paul", "Priya", "Rachel", "Rhys", "Rosa", "Ruth", "Ryan", "Sadia",
    "Sam", "Sarah", "Seren", "Siobhan", "Sophie", "Tariq", "Tom", "Tomasz", "Wei", "Yusuf",
    "Zainab", "Zoë",
)
LAST_NAMES = (
    "Adams", "Ahmed", "Ali", "Allen", "Anderson", "Baker", "Begum", "Bell", "Bennett", "Brown",
    "Campbell", "Chan", "Chowdhury", "Clarke", "Collins", "Cooper", "Costa", "Da Silva", "Davies",
    "Dlamini", "Edwards", "Evans", "Fernandes", "Fraser", "Gallagher", "Green", "Griffiths",
    "Gupta", "Hall", "Harris", "Hughes", "Hussain", "Jackson", "James", "Jenkins", "Johnson",
    "Jones", "Kaur", "Kelly", "Khan", "King", "Kowalski", "Lee", "Lewis", "Li", "MacDonald",
    "Martin", "Mensah", "Mitchell", "Moore", "Morgan", "Murphy", "Murray", "Nguyen", "Nowak",
    "O'Brien", "O'Neill", "Okafor", "Oliveira", "Osei", "Owen", "Parker", "Patel", "Phillips",
    "Price", "Rahman", "Reid", "Roberts", "Robinson", "Rossi", "Scott", "Shah", "Singh", "Smith",
    "Stewart", "Taylor", "Thomas", "Thompson", "Turner", "Walker", "Wang", "Watson", "White",
    "Williams", "Wilson", "Wood", "Wright", "Yilmaz", "Young", "Zhang",
)

# Where people work, and the towns nearby that a story can mention.
LOCATIONS: dict[str, tuple[str, ...]] = {
    HEAD_OFFICE: ("Leeds", "Wakefield", "Otley"),
    "Leeds Contact Centre": ("Leeds", "Bradford", "Wakefield"),
    "Glasgow Contact Centre": ("Glasgow", "Paisley", "Stirling"),
    "Doncaster Distribution Centre": ("Doncaster", "Rotherham", "Lincoln", "Worksop"),
    "Bristol Delivery Depot": ("Bristol", "Bath", "Chepstow", "Weston-super-Mare"),
    "Harrogate store": ("Harrogate",),
    "York store": ("York",),
    "Keswick store": ("Keswick",),
    "Ambleside store": ("Ambleside",),
    "Manchester store": ("Manchester",),
    "Sheffield store": ("Sheffield",),
    "Edinburgh store": ("Edinburgh",),
    "Bristol store": ("Bristol",),
}
STORE_TOWNS = tuple(towns[0] for name, towns in LOCATIONS.items() if name.endswith(" store"))


@dataclass(frozen=True)
class Department:
    name: str
    head_title: str
    manager_title: str
    titles: tuple[str, ...]  # repeats make a title more common
    locations: tuple[str, ...]
    weight: int


DEPARTMENTS = (
    Department(
        "Customer Support", "Head of Customer Support", "Team Leader",
        ("Customer Support Advisor",) * 4
        + ("Senior Advisor", "Live Chat Advisor", "Complaints Specialist"),
        ("Leeds Contact Centre", "Glasgow Contact Centre"), 20,
    ),
    Department(
        "Stores", "Head of Retail", "Store Manager",
        ("Sales Assistant",) * 4
        + ("Footwear Specialist", "Assistant Store Manager", "Visual Merchandiser"),
        tuple(name for name in LOCATIONS if name.endswith(" store")), 28,
    ),
    Department(
        "Warehouse", "Head of Warehouse Operations", "Shift Manager",
        ("Warehouse Operative",) * 3
        + ("Picker Packer", "Forklift Driver", "Returns Processor", "Stock Controller"),
        ("Doncaster Distribution Centre",), 15,
    ),
    Department(
        "Delivery", "Head of Delivery", "Delivery Team Leader",
        ("Delivery Driver",) * 4 + ("Route Planner", "Driver's Mate"),
        ("Doncaster Distribution Centre", "Bristol Delivery Depot"), 11,
    ),
    Department(
        "Billing", "Head of Billing", "Billing Team Lead",
        ("Billing Specialist",) * 2
        + ("Accounts Receivable Clerk", "Credit Controller", "Payments Analyst"),
        (HEAD_OFFICE,), 6,
    ),
    Department(
        "IT", "Head of IT", "IT Service Manager",
        ("Service Desk Analyst",) * 2
        + ("Systems Engineer", "Network Engineer", "Developer", "Field Technician"),
        (HEAD_OFFICE, "Doncaster Distribution Centre"), 7,
    ),
    Department(
        "Facilities", "Head of Facilities", "Facilities Manager",
        ("Facilities Technician", "Maintenance Engineer", "Cleaner", "Security Officer"),
        (HEAD_OFFICE, "Doncaster Distribution Centre", "Bristol Delivery Depot"), 5,
    ),
    Department(
        "HR", "Head of People", "HR Manager",
        (
            "HR Advisor", "People Partner", "Recruiter", "Payroll Officer",
            "Learning and Development Advisor",
        ),
        (HEAD_OFFICE,), 5,
    ),
)


@dataclass
class DemoPerson:
    """A person as the seeder keeps them in memory; `row()` is what gets inserted."""

    id: int
    name: str
    job_title: str
    department: str
    location: str
    start_date: date
    email: str = ""
    manager_id: int | None = None
    role: str = Role.STAFF.value
    active: bool = True
    password_hash: str | None = None
    created_at: datetime | None = None
    last_login_at: datetime | None = None
    manager: DemoPerson | None = field(default=None, repr=False)

    @property
    def first_name(self) -> str:
        return self.name.split(" ", 1)[0]

    def row(self) -> dict[str, Any]:
        return {
            "id": self.id, "email": self.email, "name": self.name, "job_title": self.job_title,
            "department": self.department, "location": self.location,
            "manager_id": self.manager_id, "start_date": self.start_date, "role": self.role,
            "active": self.active, "password_hash": self.password_hash,
            "created_at": self.created_at, "last_login_at": self.last_login_at,
        }


def build_people(
    rng: random.Random, count: int, first_id: int, anchor: datetime
) -> list[DemoPerson]:
    """`count` people: a chief executive, department heads, team managers and their teams.

    Managers come before their reports, so rows can be inserted in list order.
    """
    if count <= 0:
        return []
    today = anchor.date()
    chief = _new_person(rng, "Chief Executive", "Leadership", HEAD_OFFICE, today, (3000, 7000))
    heads: list[DemoPerson] = []
    managers: list[DemoPerson] = []
    staff: list[DemoPerson] = []
    sizes = _allocate(count - 1, [department.weight for department in DEPARTMENTS])
    for department, size in zip(DEPARTMENTS, sizes, strict=True):
        if size == 0:
            continue
        head = _new_person(
            rng, department.head_title, department.name, HEAD_OFFICE, today, (1000, 5000)
        )
        head.manager = chief
        heads.append(head)
        department_managers: list[DemoPerson] = []
        department_staff: list[DemoPerson] = []
        for number, location in enumerate(department.locations):
            team_size = len(range(number, size - 1, len(department.locations)))
            managers_here, staff_here = _team(rng, department, location, team_size, head, today)
            department_managers += managers_here
            department_staff += staff_here
        if department.name == "HR":  # HR curates stories, and its head runs Storyboard
            head.role = Role.ADMIN.value
            partners = [p for p in department_staff if p.job_title == "People Partner"]
            for person in department_managers + partners:
                person.role = Role.CURATOR.value
        managers += department_managers
        staff += department_staff
    _start_new_hires(staff, today)
    people = [chief, *heads, *managers, *staff]
    _finish(rng, people, first_id, anchor)
    return people


def _team(
    rng: random.Random,
    department: Department,
    location: str,
    size: int,
    head: DemoPerson,
    today: date,
) -> tuple[list[DemoPerson], list[DemoPerson]]:
    """One location's managers (about one in eleven people) and the staff who report to them."""
    manager_count = 0 if size < 4 else math.ceil(size / (TEAM_SIZE + 1))
    managers = []
    for _ in range(manager_count):
        manager = _new_person(
            rng, department.manager_title, department.name, location, today, (500, 4000)
        )
        manager.manager = head
        managers.append(manager)
    staff = []
    for number in range(size - manager_count):
        title = rng.choice(department.titles)
        tenure = (NEW_HIRE_DAYS + 30, 3650)  # only _start_new_hires makes new hires
        person = _new_person(rng, title, department.name, location, today, tenure)
        person.manager = managers[number % manager_count] if managers else head
        # A few people have left; they stay in the data as readers of old stories.
        person.active = rng.random() >= 0.03
        staff.append(person)
    return managers, staff


def _start_new_hires(staff: list[DemoPerson], today: date) -> None:
    """Make one active staff member in each of NEW_HIRE_DEPARTMENTS a new hire, or anyone's
    staff when the company is too small to have those departments."""
    wanted = [next((p for p in staff if p.active and p.department == name), None) for name in NEW_HIRE_DEPARTMENTS]
    spare = iter(p for p in staff if p.active and p not in wanted)
    for days, person in zip(NEW_HIRE_STARTS, wanted, strict=True):
        person = person or next(spare, None)
        if person is not None:
            person.start_date = today - timedelta(days=days)


def _new_person(
    rng: random.Random,
    title: str,
    department: str,
    location: str,
    today: date,
    tenure: tuple[int, int],
) -> DemoPerson:
    low, high = tenure
    # Squaring favours short tenures: most people joined in the last few years.
    days = low + int((high - low) * rng.random() ** 2)
    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    return DemoPerson(0, name, title, department, location, today - timedelta(days=days))


def _finish(rng: random.Random, people: list[DemoPerson], first_id: int, anchor: datetime) -> None:
    """Give people ids, emails with their id (names repeat), managers, and account dates."""
    ids = itertools.count(first_id)
    launch = (anchor - timedelta(days=LAUNCH_DAYS_AGO)).date()
    for person in people:
        person.id = next(ids)
        person.email = email_for(person.name, person.id)
    for person in people:
        person.manager_id = person.manager.id if person.manager else None
        joined = max(person.start_date, launch)
        person.created_at = datetime.combine(joined, datetime.min.time()) + timedelta(
            hours=8, seconds=rng.randrange(8 * 3600)
        )
        if person.active and rng.random() < 0.7:
            last_login = anchor - timedelta(seconds=rng.randrange(3600, 60 * 86400))
            person.last_login_at = max(last_login, person.created_at + timedelta(hours=1))  # new hires


def email_for(name: str, number: int) -> str:
    """first.last.number@ the demo domain, folded to ASCII letters."""
    folded = unicodedata.normalize("NFKD", name.lower()).encode("ascii", "ignore").decode()
    parts = ["".join(c for c in part if c.isalnum()) for part in folded.split(" ", 1)]
    return f"{'.'.join(parts)}.{number}@{EMAIL_DOMAIN}"


def _allocate(total: int, weights: list[int]) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder), summing exactly."""
    whole = sum(weights)
    shares = [total * weight / whole for weight in weights]
    sizes = [int(share) for share in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: shares[i] - sizes[i], reverse=True)
    for index in by_remainder[: total - sum(sizes)]:
        sizes[index] += 1
    return sizes


class Company:
    """Everyone the demo stories may involve, with the lookups the story writer needs."""

    def __init__(self, people: list[DemoPerson], staff_account: DemoPerson):
        self.people = people
        self.staff_account = staff_account
        self.by_id = {person.id: person for person in people}
        self.active = [person for person in people if person.active]
        self.by_department: dict[str, list[DemoPerson]] = {}
        for person in self.active:
            self.by_department.setdefault(person.department, []).append(person)
