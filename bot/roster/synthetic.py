"""Realistic synthetic rosters for Uttar Pradesh: real places, invented people, well-formed numbers.

The map (regions, districts, Lok Sabha and assembly seats) comes from `bot.roster.geodata`. People are common
Indian first names and surnames combined at random, so no row describes a real person; booths are named
after the usual polling buildings ("प्राथमिक विद्यालय <village>" / "Primary School <village>") in invented
villages. Mobile numbers are random, unique and valid in form (they pass `normalise_mobile`); about half of
the rows are written in Devanagari and half in Latin script, and phone numbers are typed in the several
ways people type them, so imports of generated files exercise the same paths real files do.

Generation is deterministic for a seed and cheap (a few microseconds a row), so the same functions serve
tests, the demo and benchmarks at state scale (`districts=None, assemblies_per_district=6,
mandals_per_assembly=5, booths_per_mandal=72` → 162,000 booths) and national scale (over a million rows).
"""

from __future__ import annotations

import csv
import itertools
import random
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

import openpyxl

from bot.roster.geodata import DISTRICT_REGION, DISTRICT_SEATS, FOCUS_LOK_SABHA_SEATS, REGION_DISTRICTS, Seat

# (Latin, Devanagari) pairs; common given names and surnames, combined at random.
FIRST_NAMES: tuple[tuple[str, str], ...] = (
    ("Ramesh", "रमेश"), ("Suresh", "सुरेश"), ("Mahesh", "महेश"), ("Rajesh", "राजेश"), ("Dinesh", "दिनेश"),
    ("Rakesh", "राकेश"), ("Mukesh", "मुकेश"), ("Anil", "अनिल"), ("Sunil", "सुनील"), ("Vijay", "विजय"),
    ("Sanjay", "संजय"), ("Ajay", "अजय"), ("Manoj", "मनोज"), ("Santosh", "संतोष"), ("Ashok", "अशोक"),
    ("Pramod", "प्रमोद"), ("Vinod", "विनोद"), ("Arvind", "अरविंद"), ("Rajendra", "राजेंद्र"), ("Shyam", "श्याम"),
    ("Ram Prakash", "राम प्रकाश"), ("Om Prakash", "ओम प्रकाश"), ("Deepak", "दीपक"), ("Pankaj", "पंकज"),
    ("Amit", "अमित"), ("Sandeep", "संदीप"), ("Neeraj", "नीरज"), ("Rahul", "राहुल"), ("Vikas", "विकास"),
    ("Gaurav", "गौरव"), ("Alok", "आलोक"), ("Harish", "हरीश"), ("Kamlesh", "कमलेश"), ("Brijesh", "बृजेश"),
    ("Sunita", "सुनीता"), ("Anita", "अनीता"), ("Geeta", "गीता"), ("Seema", "सीमा"), ("Rekha", "रेखा"),
    ("Pooja", "पूजा"), ("Neelam", "नीलम"), ("Kiran", "किरण"), ("Usha", "उषा"), ("Savita", "सविता"),
    ("Manju", "मंजू"), ("Priyanka", "प्रियंका"), ("Kusum", "कुसुम"), ("Meena", "मीना"), ("Shashi", "शशि"),
)
SURNAMES: tuple[tuple[str, str], ...] = (
    ("Yadav", "यादव"), ("Sharma", "शर्मा"), ("Verma", "वर्मा"), ("Singh", "सिंह"), ("Gupta", "गुप्ता"),
    ("Maurya", "मौर्य"), ("Patel", "पटेल"), ("Pandey", "पाण्डेय"), ("Mishra", "मिश्रा"), ("Tiwari", "तिवारी"),
    ("Shukla", "शुक्ला"), ("Chauhan", "चौहान"), ("Kushwaha", "कुशवाहा"), ("Saini", "सैनी"), ("Prajapati", "प्रजापति"),
    ("Nishad", "निषाद"), ("Pal", "पाल"), ("Kashyap", "कश्यप"), ("Rathore", "राठौर"), ("Srivastava", "श्रीवास्तव"),
    ("Dubey", "दुबे"), ("Tripathi", "त्रिपाठी"), ("Jatav", "जाटव"), ("Lodhi", "लोधी"), ("Rajbhar", "राजभर"),
    ("Chaudhary", "चौधरी"), ("Agarwal", "अग्रवाल"), ("Ansari", "अंसारी"), ("Qureshi", "कुरैशी"), ("Khan", "खान"),
)
VILLAGE_STEMS: tuple[tuple[str, str], ...] = (
    ("Ram", "राम"), ("Sita", "सीता"), ("Shiv", "शिव"), ("Hari", "हरि"), ("Kishan", "किशन"), ("Madho", "माधो"),
    ("Bhawani", "भवानी"), ("Chandan", "चंदन"), ("Mohan", "मोहन"), ("Nand", "नंद"), ("Deo", "देव"),
    ("Bela", "बेला"), ("Amar", "अमर"), ("Gopal", "गोपाल"), ("Kesar", "केसर"), ("Lakhan", "लखन"),
    ("Bhaw", "भाव"), ("Sarai", "सराय"), ("Dalip", "दलीप"), ("Kamal", "कमल"), ("Balram", "बलराम"),
    ("Jagat", "जगत"), ("Tikri", "टिकरी"), ("Pipra", "पिपरा"), ("Barh", "बाढ़"), ("Sohan", "सोहन"),
)
VILLAGE_ENDINGS: tuple[tuple[str, str], ...] = (
    ("pur", "पुर"), ("ganj", "गंज"), ("nagar", "नगर"), ("garh", "गढ़"), ("khera", "खेड़ा"), ("gaon", "गाँव"),
    ("pura", "पुरा"), ("abad", "आबाद"), ("patti", "पट्टी"), ("tola", "टोला"), ("pur Kalan", "पुर कलां"),
    ("pur Khurd", "पुर खुर्द"),
)
BOOTH_BUILDINGS: tuple[tuple[str, str], ...] = (
    ("Primary School", "प्राथमिक विद्यालय"), ("Junior High School", "पूर्व माध्यमिक विद्यालय"),
    ("Panchayat Bhawan", "पंचायत भवन"), ("Kanya Primary School", "कन्या प्राथमिक विद्यालय"),
    ("Anganwadi Kendra", "आंगनबाड़ी केंद्र"), ("Inter College", "इंटर कॉलेज"),
)
STRENGTH_WORDS: dict[str, tuple[str, str]] = {
    "strong": ("strong", "मज़बूत"), "moderate": ("moderate", "सामान्य"), "weak": ("weak", "कमजोर"),
}
# Two-digit starts that `phonenumbers` treats as Indian mobile ranges throughout (checked by the tests).
MOBILE_PREFIXES = ("60", "69", "70", "72", "74", "84", "85", "90", "91", "92", "93", "94", "95", "96", "97",
                   "98", "99")
_SUBSCRIBER_NUMBERS = 10 ** 8
_NOT_DIGITS = re.compile(r"\D")


def _name(rng: random.Random, hindi: bool) -> str:
    """An invented full name: a random first name with a random surname."""
    script = 1 if hindi else 0
    return f"{rng.choice(FIRST_NAMES)[script]} {rng.choice(SURNAMES)[script]}"


def _village(rng: random.Random, hindi: bool) -> str:
    """An invented village name from a common stem and a common ending."""
    script = 1 if hindi else 0
    return rng.choice(VILLAGE_STEMS)[script] + rng.choice(VILLAGE_ENDINGS)[script]


def _distinct_villages(rng: random.Random, count: int) -> list[str]:
    """`count` different Latin-script village names (numbered once the combinations run out)."""
    combinations = len(VILLAGE_STEMS) * len(VILLAGE_ENDINGS)
    picks = rng.sample(range(combinations), min(count, combinations))
    names = [VILLAGE_STEMS[i // len(VILLAGE_ENDINGS)][0] + VILLAGE_ENDINGS[i % len(VILLAGE_ENDINGS)][0]
             for i in picks]
    return names + [f"Mandal {n}" for n in range(len(names) + 1, count + 1)]


def _mobiles(rng: random.Random, count: int, exclude: frozenset[str] = frozenset()) -> list[str]:
    """`count` different random 10-digit mobile numbers, none of them in `exclude`."""
    space = len(MOBILE_PREFIXES) * _SUBSCRIBER_NUMBERS
    picks = rng.sample(range(space), count + len(exclude))
    numbers = (f"{MOBILE_PREFIXES[i // _SUBSCRIBER_NUMBERS]}{i % _SUBSCRIBER_NUMBERS:08d}" for i in picks)
    return [number for number in numbers if number not in exclude][:count]


def _as_typed(rng: random.Random, number: str) -> str:
    """A 10-digit number written the way people and spreadsheets write it, mostly plain."""
    style = rng.random()
    if style < 0.7:
        return number
    if style < 0.8:
        return f"{number[:5]} {number[5:]}"
    if style < 0.9:
        return f"+91 {number}"
    return f"0{number[:5]}-{number[5:]}"


def _ten_digits(typed: str) -> str:
    """The 10-digit national number inside a typed phone number."""
    return _NOT_DIGITS.sub("", typed)[-10:]


def _focus_first(seat: Seat) -> tuple[bool, int]:
    """Sort key putting seats of focus Lok Sabha constituencies first, then by number."""
    return seat.lok_sabha not in FOCUS_LOK_SABHA_SEATS, seat.number


def _districts_in_turn(count: int | None) -> list[str]:
    """`count` districts (all when None), taking regions in turn so that every region is represented;
    inside a region, districts with a focus Lok Sabha seat come first."""
    queues = [sorted(districts, key=lambda district: _focus_first(min(DISTRICT_SEATS[district], key=_focus_first)))
              for districts in REGION_DISTRICTS.values()]
    ordered = [queue[i] for i in range(max(map(len, queues))) for queue in queues if i < len(queue)]
    if count is None:
        return ordered
    if not 1 <= count <= len(ordered):
        raise ValueError(f"districts must be from 1 to {len(ordered)}, got {count}")
    return ordered[:count]


def _seats(districts: Sequence[str], per_district: int) -> list[tuple[str, Seat]]:
    """`per_district` assembly seats for each district: real ones first (focus seats first), then
    synthetic "Assembly N" seats on the numbers no chosen real seat uses, past 403 when those run out."""
    if per_district < 1:
        raise ValueError(f"assemblies_per_district must be at least 1, got {per_district}")
    chosen = {district: sorted(DISTRICT_SEATS[district], key=_focus_first)[:per_district] for district in districts}
    used = {seat.number for seats in chosen.values() for seat in seats}
    free_numbers = (number for number in itertools.count(1) if number not in used)
    result = []
    for district in districts:
        seats = chosen[district]
        extra = [Seat(number, f"Assembly {number}", seats[0].lok_sabha)
                 for number in itertools.islice(free_numbers, per_district - len(seats))]
        result += [(district, seat) for seat in (*seats, *extra)]
    return result


def iter_booth_rows(*, seed: int, districts: int | None, assemblies_per_district: int, mandals_per_assembly: int,
                    booths_per_mandal: int, weak_share: float = 0.2) -> Iterator[dict[str, str]]:
    """Booth rows one at a time, in the booths file format; see `generate_booth_rows`."""
    rng = random.Random(seed)
    seats = _seats(_districts_in_turn(districts), assemblies_per_district)
    phones = iter(_mobiles(rng, len(seats) * mandals_per_assembly * booths_per_mandal))
    for district, seat in seats:
        region = DISTRICT_REGION[district]
        booth_no = 0
        for mandal in _distinct_villages(rng, mandals_per_assembly):
            for _ in range(booths_per_mandal):
                booth_no += 1
                hindi = rng.random() < 0.5
                script = 1 if hindi else 0
                roll = rng.random()
                strength = "weak" if roll < weak_share else "strong" if roll < weak_share + 0.3 else "moderate"
                yield {
                    "region": region,
                    "district": district,
                    "lok_sabha": seat.lok_sabha,
                    "assembly_no": str(seat.number),
                    "assembly": seat.name,
                    "mandal": mandal,
                    "booth_no": str(booth_no),
                    "booth_name": f"{rng.choice(BOOTH_BUILDINGS)[script]} {_village(rng, hindi)}",
                    "president_name": _name(rng, hindi),
                    "president_phone": _as_typed(rng, next(phones)),
                    "strength": STRENGTH_WORDS[strength][script],
                }


def generate_booth_rows(*, seed: int, districts: int | None, assemblies_per_district: int,
                        mandals_per_assembly: int, booths_per_mandal: int,
                        weak_share: float = 0.2) -> list[dict[str, str]]:
    """Booth rows for `districts` districts (None: all 75), deterministic for `seed`.

    Each district gets `assemblies_per_district` seats (real ones first, then numbered "Assembly N"
    seats), each seat `mandals_per_assembly` mandals of `booths_per_mandal` booths; about `weak_share`
    of the booths are weak. Every booth has a different president and phone number.
    """
    return list(iter_booth_rows(seed=seed, districts=districts, assemblies_per_district=assemblies_per_district,
                                mandals_per_assembly=mandals_per_assembly, booths_per_mandal=booths_per_mandal,
                                weak_share=weak_share))


def generate_office_bearer_rows(*, seed: int, booth_rows: Iterable[Mapping[str, str]], state_office_bearers: int,
                                district_incharges: int, secretaries: int = 1,
                                admins: int = 1) -> list[dict[str, str]]:
    """Office-bearer rows for the districts of `booth_rows`, in the office-bearers file format.

    District in-charges get one or two districts of one region (in turn, so every district is covered when
    there are enough of them); about half the state office-bearers have a region. Phone numbers differ from
    every booth president's.
    """
    rng = random.Random(seed)
    district_regions: dict[str, str] = {}
    president_phones: set[str] = set()
    for row in booth_rows:
        district_regions.setdefault(row["district"], row["region"])
        president_phones.add(_ten_digits(row["president_phone"]))
    districts = list(district_regions)
    if district_incharges and not districts:
        raise ValueError("district in-charges need booth rows with districts")
    roles = (["state_office_bearer"] * state_office_bearers + ["district_incharge"] * district_incharges
             + ["organisation_secretary"] * secretaries + ["admin"] * admins)
    phones = _mobiles(rng, len(roles), exclude=frozenset(president_phones))
    rows = []
    in_charge_turn = itertools.count()
    for role, phone in zip(roles, phones, strict=True):
        region, charge = "", []
        if role == "district_incharge":
            district = districts[next(in_charge_turn) % len(districts)]
            region = district_regions[district]
            neighbours = [d for d in districts if district_regions[d] == region and d != district]
            charge = [district, *([rng.choice(neighbours)] if neighbours and rng.random() < 0.3 else [])]
        elif role == "state_office_bearer" and rng.random() < 0.5:
            region = rng.choice(sorted(set(district_regions.values())))
        rows.append({"name": _name(rng, rng.random() < 0.5), "phone": phone, "role": role, "region": region,
                     "districts": "; ".join(charge)})
    return rows


def write_csv(path: Path | str, rows: Iterable[Mapping[str, str]], *, bom: bool = False) -> int:
    """Write rows as a UTF-8 CSV (with a BOM for Excel if asked), header from the first row's keys;
    returns the number of data rows written."""
    remaining = iter(rows)
    first = next(remaining, None)
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        if first is None:
            return 0
        writer = csv.DictWriter(handle, fieldnames=list(first))
        writer.writeheader()
        writer.writerow(first)
        count = 1
        for row in remaining:
            writer.writerow(row)
            count += 1
    return count


def write_xlsx(path: Path | str, rows: Iterable[Mapping[str, str]]) -> int:
    """Write rows to the first sheet of a new workbook, header from the first row's keys; returns the number
    of data rows written."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("roster")
    count = 0
    for row in rows:
        if count == 0:
            sheet.append(list(row))
        sheet.append(list(row.values()))
        count += 1
    workbook.save(path)
    return count
