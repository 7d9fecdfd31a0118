"""CRM exports into import requests: pure parsing and mapping, no store and no network.

A contacts file (CSV) holds one stakeholder a row; an optional relationships file holds one
tie a row. :func:`parse_files` turns them into one :class:`~schemas.imports.ImportRequest`
per organisation (:class:`OrgDraft`) plus every row-level problem found (:class:`RowError`,
all of them, each with file, row and column). A JSON file holding a BRIEF §4 import body is
read by :func:`parse_json`. The README's "Importing from a CRM" section is the user's guide.

Conventions
-----------
* Text is UTF-8, with or without a byte-order mark (Excel's "CSV UTF-8" writes one); a
  UTF-16 file with its BOM is read too. Names in any script are kept as they are.
* Column names are matched ignoring case, spaces, dashes and underscores, with the usual
  CRM spellings as aliases (``Email Address``, ``Account Name``, ``Contact ID``,
  ``First Name`` + ``Last Name``...). Unknown columns are reported and ignored.
* Rows are numbered as a spreadsheet shows them: the header is row 1.
* A ``reports_to``, ``source`` or ``target`` cell names a contact of the same organisation
  by email, ``external_id`` or name (in that order, within the file). A value that names no
  row of the file is passed on as is: on import the store looks it up among the people
  already stored in the organisation (by external_id, email or name), or our team members
  (by email).
* ``team:<name or email>`` in ``source`` names one of our team members; one that does not
  exist yet is created (from an email, the name is made from its local part).
"""

from __future__ import annotations

import codecs
import csv
import gc
import io
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from pydantic import ValidationError

from schemas.common import AffiliationRole, BuyingRole, PersonStatus, RelType, Seniority, Stance
from schemas.deals import SALESFORCE_STAGE_LABELS, OpportunityStage, PurchaseTrigger
from schemas.imports import (
    ImportRequest,
    OpportunityImport,
    PersonImport,
    RelationshipImport,
    TeamImport,
)

__all__ = [
    "CONTACT_COLUMNS",
    "CONTACT_ROLE_COLUMNS",
    "OPPORTUNITY_COLUMNS",
    "RELATIONSHIP_COLUMNS",
    "ROLE_NAMES",
    "TEAM_PREFIX",
    "OrgDraft",
    "ParsedImport",
    "RowError",
    "decode",
    "map_roles",
    "parse_files",
    "parse_json",
]

T = TypeVar("T")

TEAM_PREFIX = "team:"

#: CRM contact-role picklist values (Salesforce's OpportunityContactRole and the like) and
#: our own API values, normalised by :func:`_key`, to our buying roles; ``None``: no role.
ROLE_NAMES: dict[str, BuyingRole | None] = {
    "business_user": BuyingRole.USER_BUYER,
    "user": BuyingRole.USER_BUYER,
    "decision_maker": BuyingRole.DECISION_MAKER,
    "economic_buyer": BuyingRole.ECONOMIC_BUYER,
    "economic_decision_maker": BuyingRole.ECONOMIC_BUYER,
    "evaluator": BuyingRole.EVALUATOR,
    "executive_sponsor": BuyingRole.EXECUTIVE_SPONSOR,
    "influencer": BuyingRole.INFLUENCER,
    "technical_buyer": BuyingRole.TECHNICAL_BUYER,
    "other": None,
    **{role.value: role for role in BuyingRole},
}

_STATUSES: dict[str, PersonStatus] = {
    **{status.value: status for status in PersonStatus},
    "current": PersonStatus.ACTIVE,
    "former": PersonStatus.LEFT,
    "gone": PersonStatus.LEFT,
    "leave": PersonStatus.ON_LEAVE,
    "away": PersonStatus.ON_LEAVE,
}

_STANCES: dict[str, Stance] = {
    **{stance.value: stance for stance in Stance},
    "sceptic": Stance.SKEPTIC,
}

_SENIORITIES: dict[str, Seniority] = {
    **{level.value: level for level in Seniority},
    "c_level": Seniority.EXECUTIVE,
    "c_suite": Seniority.EXECUTIVE,
    "vice_president": Seniority.VP,
    "head": Seniority.DIRECTOR,
    "individual_contributor": Seniority.INDIVIDUAL,
    "staff": Seniority.INDIVIDUAL,
    "entry_level": Seniority.JUNIOR,
    "intern": Seniority.JUNIOR,
    "trainee": Seniority.JUNIOR,
    "assistant": Seniority.JUNIOR,
}

_REL_TYPES: dict[str, RelType] = {
    **{t.value.lower(): t for t in RelType},
    "reports": RelType.REPORTS_TO,
    "influence": RelType.INFLUENCES,
    "know": RelType.KNOWS,
    "affiliated": RelType.AFFILIATED_WITH,
}

#: Our field name -> the column names (normalised) that carry it in a contacts file.
CONTACT_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "full_name", "contact_name", "contact"),
    "first_name": ("first_name", "firstname", "given_name"),
    "last_name": ("last_name", "lastname", "surname", "family_name"),
    "title": ("title", "job_title"),
    "email": ("email", "email_address", "e_mail"),
    "department": ("department", "dept"),
    "reports_to": (
        "reports_to",
        "manager",
        "reports_to_email",
        "manager_email",
        "reportstoid",
        "reports_to_id",
    ),
    "roles": ("roles", "role", "contact_role", "contact_roles", "buying_role", "buying_roles"),
    "stance": ("stance", "attitude"),
    "influence": ("influence", "influence_level"),
    "external_id": ("external_id", "contact_id", "crm_id", "id"),
    "organisation": ("organisation", "organization", "account", "account_name", "company"),
    "seniority": ("seniority", "level"),
    "notes": ("notes", "description"),
    "status": ("status", "employment_status", "contact_status"),
    "left_on": ("left_on", "left_date", "date_left", "end_date"),
}

#: Our field name -> the column names (normalised) that carry it in a relationships file.
RELATIONSHIP_COLUMNS: dict[str, tuple[str, ...]] = {
    "source": ("source", "from"),
    "target": ("target", "to"),
    "type": ("type", "relationship", "relationship_type"),
    "strength": ("strength", "weight"),
    "last_contact": ("last_contact", "last_contacted", "last_activity"),
    "channel": ("channel",),
    "dotted": ("dotted", "dotted_line"),
    "role": ("role", "affiliation"),
    "organisation": CONTACT_COLUMNS["organisation"],
}

#: Our field name -> the column names (normalised) of a Salesforce Opportunity export (its
#: field names, ``StageName``, and its report labels, ``Stage``, alike).
OPPORTUNITY_COLUMNS: dict[str, tuple[str, ...]] = {
    "external_id": ("id", "opportunity_id", "external_id", "crm_id"),
    "name": ("name", "opportunity_name", "opportunity"),
    "organisation": CONTACT_COLUMNS["organisation"],
    "amount": ("amount",),
    "currency": ("currency", "currencyisocode", "currency_iso_code", "opportunity_currency"),
    "stage": ("stage", "stagename", "stage_name"),
    "close_date": ("close_date", "closedate"),
    "is_closed": ("is_closed", "isclosed", "closed"),
    "is_won": ("is_won", "iswon", "won"),
    "owner": ("owner", "opportunity_owner", "owner_name", "owner_email", "owner_full_name"),
    "trigger": ("trigger", "purchase_trigger"),
}

#: Our field name -> the column names (normalised) of a Salesforce OpportunityContactRole
#: export: one row per contact and role on a deal.
CONTACT_ROLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "opportunity": ("opportunityid", "opportunity_id", "opportunity", "opportunity_name"),
    "contact": ("contactid", "contact_id", "contact", "contact_email", "contact_name"),
    "roles": ("role", "roles", "contact_role"),
    "is_primary": ("isprimary", "is_primary", "primary"),
    "stance": ("stance", "attitude"),
    "influence": ("influence", "influence_level"),
}

_EMAILISH = re.compile(r"^[^@\s]+@[^@\s]+$")
#: A Salesforce record id (15 or 18 characters); a user's starts with ``005``.
_SALESFORCE_USER_ID = re.compile(r"^005[0-9A-Za-z]{12}(?:[0-9A-Za-z]{3})?$")
_THOUSANDS = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_CURRENCY_PREFIX = re.compile(r"^([A-Z]{3})\s+(.+)$")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_TRUE = frozenset({"true", "yes", "y", "1", "x"})
_FALSE = frozenset({"false", "no", "n", "0", ""})
_WHOLE = re.compile(r"^[+-]?\d+(\.0*)?$")
_ROLE_SEPARATORS = re.compile(r"[;|]")
_PATH = re.compile(
    r"^(people|team|relationships|opportunities)\[(\d+)\]"
    r"(?:\.committee\[(\d+)\])?(?:\.(\w+))?$"
)
_LISTS = ("people", "team", "relationships", "opportunities")


def _key(text: str) -> str:
    """A name normalised for matching: lower case, words joined by ``_``.

    >>> _key("  Economic Decision-Maker ")
    'economic_decision_maker'
    """
    return "_".join(re.split(r"[\s_\-]+", text.strip().lower())).strip("_")


#: Salesforce's stage labels (``Id. Decision Makers``) and our stage values, by :func:`_key`.
_STAGES: dict[str, OpportunityStage] = {
    **{_key(label): stage for stage, label in SALESFORCE_STAGE_LABELS.items()},
    **{stage.value: stage for stage in OpportunityStage},
}
_TRIGGERS: dict[str, PurchaseTrigger] = {trigger.value: trigger for trigger in PurchaseTrigger}


@dataclass(frozen=True)
class RowError:
    """One problem with one row (or the header) of an input file."""

    file: str
    row: int | str
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}, row {self.row}"
        if self.column:
            where += f", column {self.column!r}"
        return f"{where}: {self.reason}"


def _sort_key(error: RowError) -> tuple[str, int, str, str, str]:
    row = error.row if isinstance(error.row, int) else 0
    return (error.file, row, str(error.row), error.column or "", error.reason)


def _first_per_cell(errors: list[RowError]) -> list[RowError]:
    """Errors in file order, one per cell (a missing name is not also "too short")."""
    seen: set[tuple[str, int | str, str | None]] = set()
    kept = []
    for error in errors:
        cell = (error.file, error.row, error.column)
        if cell not in seen or error.column is None:
            seen.add(cell)
            kept.append(error)
    return sorted(kept, key=_sort_key)


@dataclass(frozen=True)
class _Origin:
    file: str
    row: int | str
    #: our field name -> the column as the file names it
    columns: dict[str, str]


@dataclass
class OrgDraft:
    """One organisation's import request, with where each of its items came from."""

    name: str
    request: ImportRequest
    people: list[_Origin] = field(default_factory=list)
    team: list[_Origin] = field(default_factory=list)
    relationships: list[_Origin] = field(default_factory=list)
    opportunities: list[_Origin] = field(default_factory=list)
    #: per deal, where each seat of its committee came from
    committee: list[list[_Origin]] = field(default_factory=list)

    @property
    def rows(self) -> int:
        """Input rows the request carries (people, ties, deals and committee seats)."""
        request = self.request
        seats = sum(len(deal.committee) for deal in request.opportunities)
        return len(request.people) + len(request.relationships) + len(request.opportunities) + seats

    def locate(self, path: str, reason: str) -> RowError:
        """The file, row and column behind an error of the store's validation.

        ``path`` is a field path of the request, e.g. ``people[3].reports_to``.
        """
        match = _PATH.match(path)
        if match is None:
            origin = self.people[0] if self.people else None
            file = origin.file if origin else "input"
            if path in _LISTS:  # the whole list, e.g. too long for one import
                count = len(getattr(self.request, path))
                return RowError(
                    file, "-", None, f"organisation {self.name!r}: {count:,} {path}: {reason}"
                )
            return RowError(file, "-", path, reason)
        kind, index, seat, name = match.groups()
        origins: list[_Origin] = getattr(self, kind)
        origin = origins[int(index)]
        if seat is not None:
            origin = self.committee[int(index)][int(seat)]
        column = None
        if name is not None and name != "ref":
            column = origin.columns.get(name, name)
        return RowError(origin.file, origin.row, column, reason)


@dataclass
class ParsedImport:
    """The organisations of an input, or why it cannot be imported."""

    organisations: list[OrgDraft]
    errors: list[RowError]
    contacts: int = 0
    relationships: int = 0
    #: columns of the files that mean nothing to us, as "file: column"
    ignored: list[str] = field(default_factory=list)
    #: the file and the options disagree (e.g. an organisation column and --org)
    usage: str | None = None
    opportunities: int = 0
    contact_roles: int = 0

    @property
    def rows(self) -> int:
        return self.contacts + self.relationships + self.opportunities + self.contact_roles


# --- reading files -------------------------------------------------------------------------


def decode(data: bytes, file: str) -> str:
    """The text of a file: UTF-8 with or without a BOM, or UTF-16 with its BOM.

    >>> decode("\\ufeffname\\n王小明".encode(), "c.csv")
    'name\\n王小明'

    Raises
    ------
    ValueError
        When the bytes are not text in one of those encodings.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"{file} is not UTF-8 text (byte {exc.start}); export it as 'CSV UTF-8'"
        ) from exc


def _header(
    fieldnames: list[str], columns: dict[str, tuple[str, ...]], file: str
) -> tuple[dict[str, str], list[str], list[RowError]]:
    """Map our fields to the file's column names; also the columns ignored, and errors."""
    found: dict[str, str] = {}
    ignored: list[str] = []
    errors: list[RowError] = []
    aliases = {alias: name for name, names in columns.items() for alias in names}
    for column in fieldnames:
        name = aliases.get(_key(column or ""))
        if name is None:
            if column and column.strip():
                ignored.append(f"{file}: {column}")
            continue
        if name in found:
            errors.append(
                RowError(file, 1, column, f"a second column for {name} (after {found[name]!r})")
            )
            continue
        found[name] = column
    return found, ignored, errors


def _rows(text: str) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """The header and each row as {column: stripped cell}, numbered like a spreadsheet."""
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)  # ties: the comma
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, [])

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            yield (
                number,
                {
                    column: cells[i].strip() if i < len(cells) else ""
                    for i, column in enumerate(header)
                },
            )

    return header, rows()


def _table(
    text: str,
    file: str,
    columns: dict[str, tuple[str, ...]],
    errors: list[RowError],
    ignored: list[str],
) -> tuple[dict[str, str], Iterator[tuple[int, dict[str, str]]]]:
    """A file's column map and rows; its ignored columns and header errors are recorded."""
    header, rows = _rows(text)
    found, skipped, header_errors = _header(header, columns, file)
    ignored += skipped
    errors += header_errors
    return found, rows


# --- value mapping -------------------------------------------------------------------------


def map_roles(cell: str) -> tuple[list[BuyingRole], list[str]]:
    """Our buying roles for a CRM roles cell (``;`` or ``|`` between roles), and the values
    that are no role we know.

    >>> map_roles("Economic Decision Maker; business user|Other")
    ([<BuyingRole.ECONOMIC_BUYER: 'economic_buyer'>, <BuyingRole.USER_BUYER: 'user_buyer'>], [])
    >>> map_roles("Chief Decider")
    ([], ['Chief Decider'])
    """
    roles: list[BuyingRole] = []
    unknown: list[str] = []
    for part in _ROLE_SEPARATORS.split(cell):
        if not part.strip():
            continue
        key = _key(part)
        if key not in ROLE_NAMES:
            unknown.append(part.strip())
            continue
        role = ROLE_NAMES[key]
        if role is not None and role not in roles:
            roles.append(role)
    return roles, unknown


def _choices(names: Iterable[str]) -> str:
    return ", ".join(sorted(names))


def _named(
    value: str,
    names: dict[str, T],
    field: str,
    choices: Iterable[str],
    fail: Callable[[str, str], None],
) -> T | None:
    """The value a cell names (by :func:`_key`), or None after reporting an unknown one."""
    if _key(value) in names:
        return names[_key(value)]
    fail(field, f"unknown {field} {value!r} (one of {_choices(choices)})")
    return None


def _influence_level(value: str, fail: Callable[[str, str], None]) -> int | None:
    """An influence cell as a whole number, or None after reporting it."""
    if _WHOLE.match(value):
        return int(float(value))
    fail("influence", f"influence must be a whole number 1-5, not {value!r}")
    return None


def _person_data(
    cells: dict[str, str], columns: dict[str, str], fail: Callable[[str, str], None]
) -> dict[str, Any]:
    """A contact row as PersonImport input: only the columns the file has are set."""

    def cell(name: str) -> str | None:
        column = columns.get(name)
        return None if column is None else cells.get(column, "")

    data: dict[str, Any] = {}
    name = cell("name")
    if not name:
        parts = [cell("first_name") or "", cell("last_name") or ""]
        name = " ".join(part for part in parts if part)
    data["name"] = name
    if not name:
        fail("name", "a contact needs a name")
    for plain in ("title", "department", "email", "notes", "external_id"):
        value = cell(plain)
        if value is not None:
            data[plain] = value or None
    seniority = cell("seniority")
    if seniority is not None:
        if not seniority:
            data["seniority"] = None
        elif _key(seniority) in _SENIORITIES:
            data["seniority"] = _SENIORITIES[_key(seniority)]
        else:
            fail("seniority", f"unknown seniority {seniority!r} (one of {_choices(Seniority)})")
    roles = cell("roles")
    if roles is not None:
        data["roles"], unknown = map_roles(roles)
        for value in unknown:
            fail(
                "roles",
                f"unknown role {value!r}; use a CRM contact role (Decision Maker, Economic "
                f"Buyer, ...) or one of {_choices(BuyingRole)}",
            )
    stance = cell("stance")
    if stance and (chosen := _named(stance, _STANCES, "stance", Stance, fail)) is not None:
        data["stance"] = chosen
    influence = cell("influence")
    if influence is not None:
        data["influence"] = _influence_level(influence, fail) if influence else None
    status = cell("status")
    if status and (state := _named(status, _STATUSES, "status", PersonStatus, fail)):
        data["status"] = state
    left_on = cell("left_on")
    if left_on:
        data["left_on"] = _date_cell(left_on)
        if data["left_on"] is None:
            fail("left_on", f"date {left_on!r}: use YYYY-MM-DD or M/D/YYYY")
    return data


class _Index:
    """Contacts of one organisation in the file, by email, external_id and name."""

    def __init__(self) -> None:
        self.by_email: dict[str, list[str]] = defaultdict(list)
        self.by_external_id: dict[str, list[str]] = defaultdict(list)
        self.by_name: dict[str, list[str]] = defaultdict(list)

    def add(self, ref: str, data: dict[str, Any]) -> None:
        if data.get("email"):
            self.by_email[str(data["email"]).casefold()].append(ref)
        if data.get("external_id"):
            self.by_external_id[str(data["external_id"])].append(ref)
        if data.get("name"):
            self.by_name[str(data["name"]).casefold()].append(ref)

    def find(self, value: str) -> tuple[str | None, str | None]:
        """(the ref of the one contact ``value`` names, or None; a reason if ambiguous)."""
        for what, refs in (
            ("email", self.by_email.get(value.casefold(), [])),
            ("external_id", self.by_external_id.get(value, [])),
            ("name", self.by_name.get(value.casefold(), [])),
        ):
            if len(refs) == 1:
                return refs[0], None
            if refs:
                return None, (
                    f"{value!r} is the {what} of {len(refs)} contacts in this organisation; "
                    "use an email or external_id"
                )
        return None, None


def _pydantic_errors(
    exc: ValidationError, fail: Callable[[str | None, str], None], columns: dict[str, str]
) -> None:
    for error in exc.errors(include_url=False):
        location = error["loc"]
        name = str(location[0]) if location else None
        message = error["msg"].removeprefix("Value error, ")
        if name is not None and name not in columns and name != "name":
            name = None
        fail(name, message)


def _team_entry(value: str) -> dict[str, Any]:
    """A TeamImport body for ``team:<name or email>``.

    >>> _team_entry("team:anna.weber@ours.example")["name"]
    'Anna Weber'
    """
    who = value[len(TEAM_PREFIX) :].strip()
    if _EMAILISH.match(who):
        local = who.split("@", 1)[0]
        name = " ".join(part.capitalize() for part in re.split(r"[._\-+]+", local) if part)
        return {"ref": value, "name": name or who, "email": who}
    return {"ref": value, "name": who}


# --- contacts and relationships ----------------------------------------------------------


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause the cyclic garbage collector while parsing makes (acyclic) objects by the
    hundred thousand: its passes would otherwise cost a third of the time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass
class _OrgBuild:
    name: str
    people: list[tuple[_Origin, dict[str, Any], str | None]] = field(default_factory=list)
    index: _Index = field(default_factory=_Index)
    #: the contact row data by ref
    contacts: dict[str, dict[str, Any]] = field(default_factory=dict)
    team: dict[str, tuple[_Origin, dict[str, Any]]] = field(default_factory=dict)
    relationships: list[tuple[_Origin, dict[str, Any]]] = field(default_factory=list)
    opportunities: list[tuple[_Origin, dict[str, Any]]] = field(default_factory=list)
    #: a deal (its index in ``opportunities``) by its external id and by its name (casefold)
    deal_index: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    #: per deal index, one seat per person ref (several role rows of a contact merge)
    seats: dict[int, dict[str, tuple[_Origin, dict[str, Any]]]] = field(
        default_factory=lambda: defaultdict(dict)
    )

    def team_ref(self, value: str, origin: _Origin) -> str:
        """The ref of the team member ``team:<name or email>`` names (added if new)."""
        ref = TEAM_PREFIX + value[len(TEAM_PREFIX) :].strip().casefold()
        if ref not in self.team:
            self.team[ref] = (origin, _team_entry(value) | {"ref": ref})
        return ref


def parse_files(
    contacts: tuple[str, str],
    relationships: tuple[str, str] | None = None,
    *,
    organisation: str | None = None,
    progress: Callable[[int], None] | None = None,
    opportunities: tuple[str, str] | None = None,
    contact_roles: tuple[str, str] | None = None,
) -> ParsedImport:
    """Parse a contacts CSV (and a relationships CSV, a Salesforce Opportunity export and
    its OpportunityContactRole export) into one draft per organisation.

    ``contacts``, ``relationships``, ``opportunities`` and ``contact_roles`` are (file name,
    text). ``organisation`` names the one organisation of every row; without it the
    contacts file needs an ``organisation`` column. ``progress(n)`` is called as rows are
    read.

    Examples
    --------
    >>> text = "name,email,roles,reports_to\\nAda,ada@x.example,Economic Buyer,\\n"
    >>> text += "Bo,bo@x.example,Business User;Evaluator,ada@x.example\\n"
    >>> parsed = parse_files(("c.csv", text), organisation="X")
    >>> parsed.errors
    []
    >>> [(p.name, [r.value for r in p.roles], p.reports_to)
    ...  for p in parsed.organisations[0].request.people]
    [('Ada', ['economic_buyer'], None), ('Bo', ['user_buyer', 'evaluator'], '#2')]
    """
    with _no_cycle_collection():
        return _parse_files(
            contacts, relationships, organisation, progress, opportunities, contact_roles
        )


def _parse_files(
    contacts: tuple[str, str],
    relationships: tuple[str, str] | None,
    organisation: str | None,
    progress: Callable[[int], None] | None,
    opportunities: tuple[str, str] | None = None,
    contact_roles: tuple[str, str] | None = None,
) -> ParsedImport:
    errors: list[RowError] = []
    ignored: list[str] = []
    builds: dict[str, _OrgBuild] = {}
    contact_file, contact_text = contacts

    columns, rows = _table(contact_text, contact_file, CONTACT_COLUMNS, errors, ignored)
    if "name" not in columns and not {"first_name", "last_name"} & set(columns):
        errors.append(RowError(contact_file, 1, None, "no name column (or first/last name)"))
        return ParsedImport([], errors, ignored=ignored)
    by_org_column = "organisation" in columns
    if by_org_column and organisation is not None:
        usage = (
            f"{contact_file} names each row's organisation (column "
            f"{columns['organisation']!r}); leave out --org/--org-id"
        )
        return ParsedImport([], errors, ignored=ignored, usage=usage)
    if not by_org_column and organisation is None:
        usage = (
            f"say which organisation {contact_file} is about: --org NAME, --org-id ID, or an "
            "organisation column"
        )
        return ParsedImport([], errors, ignored=ignored, usage=usage)

    count = 0
    for number, cells in rows:
        count += 1
        if progress is not None and count % 1000 == 0:
            progress(1000)
        org_name = organisation or cells.get(columns.get("organisation", ""), "")
        origin = _Origin(contact_file, number, columns)

        def fail(name: str | None, reason: str, origin: _Origin = origin) -> None:
            column = columns.get(name) if name else None
            errors.append(RowError(origin.file, origin.row, column or name, reason))

        if not org_name:
            fail("organisation", "the organisation is empty")
            continue
        build = builds.setdefault(org_name.casefold(), _OrgBuild(org_name))
        data = _person_data(cells, columns, fail)
        data["ref"] = f"#{number}"
        build.index.add(data["ref"], data)
        build.contacts[data["ref"]] = data
        build.people.append((origin, data, cells.get(columns.get("reports_to", ""), "") or None))
    if progress is not None:
        progress(count % 1000)

    rel_count = 0
    if relationships is not None:
        rel_count = _parse_relationships(
            relationships, builds, organisation, errors, ignored, progress
        )

    deal_count = seat_count = 0
    if opportunities is not None:
        deal_count = _parse_opportunities(opportunities, builds, organisation, errors, ignored)
    if contact_roles is not None:
        if opportunities is None:
            errors.append(
                RowError(contact_roles[0], "-", None, "contact roles need the opportunities file")
            )
        else:
            seat_count = _parse_contact_roles(contact_roles, builds, errors, ignored)

    drafts = [_finish(build, errors) for build in builds.values()]
    return ParsedImport(
        drafts,
        _first_per_cell(errors),
        count,
        rel_count,
        ignored,
        opportunities=deal_count,
        contact_roles=seat_count,
    )


def _parse_relationships(
    source: tuple[str, str],
    builds: dict[str, _OrgBuild],
    organisation: str | None,
    errors: list[RowError],
    ignored: list[str],
    progress: Callable[[int], None] | None,
) -> int:
    file, text = source
    columns, rows = _table(text, file, RELATIONSHIP_COLUMNS, errors, ignored)
    missing = [name for name in ("source", "target", "type") if name not in columns]
    if missing:
        errors.append(RowError(file, 1, None, f"missing column(s): {', '.join(missing)}"))
        return 0
    # which organisation each contact ref of the file belongs to
    count = 0
    for number, cells in rows:
        count += 1
        if progress is not None and count % 1000 == 0:
            progress(1000)
        origin = _Origin(file, number, columns)

        def fail(name: str | None, reason: str, origin: _Origin = origin) -> None:
            column = columns.get(name) if name else None
            errors.append(RowError(origin.file, origin.row, column or name, reason))

        def cell(name: str, cells: dict[str, str] = cells) -> str:
            column = columns.get(name)
            return "" if column is None else cells.get(column, "")

        source_value, target_value = cell("source"), cell("target")
        if not source_value:
            fail("source", "source is empty")
        if not target_value:
            fail("target", "target is empty")
        if not source_value or not target_value:
            continue
        build = _owner(cell("organisation") or organisation, source_value, target_value, builds)
        if isinstance(build, str):
            fail("organisation" if "organisation" in columns else None, build)
            continue
        data: dict[str, Any] = {}
        kind = _REL_TYPES.get(_key(cell("type")).lower())
        if kind is None:
            fail("type", f"unknown type {cell('type')!r} (one of {_choices(RelType)})")
            continue
        data["type"] = kind
        for end, value in (("source", source_value), ("target", target_value)):
            if end == "source" and value.lower().startswith(TEAM_PREFIX):
                data[end] = build.team_ref(value, origin)
                continue
            ref, reason = build.index.find(value)
            if reason is not None:
                fail(end, reason)
            data[end] = ref or value
        _tie_fields(cell, columns, data, fail)
        build.relationships.append((origin, data))
    if progress is not None:
        progress(count % 1000)
    return count


def _owner(
    named: str | None, source: str, target: str, builds: dict[str, _OrgBuild]
) -> _OrgBuild | str:
    """The organisation a tie row belongs to, or why it cannot be told."""
    if named:
        return builds.setdefault(named.casefold(), _OrgBuild(named))
    owners = {
        key
        for key, build in builds.items()
        for value in (source, target)
        if build.index.find(value)[0] is not None
    }
    if len(owners) == 1:
        return builds[owners.pop()]
    if len(owners) > 1:
        return "source and target are contacts of different organisations"
    if len(builds) == 1:
        return next(iter(builds.values()))
    return "neither end is a contact of the file; add an organisation column"


def _tie_fields(
    cell: Callable[[str], str],
    columns: dict[str, str],
    data: dict[str, Any],
    fail: Callable[[str | None, str], None],
) -> None:
    strength = cell("strength")
    if strength:
        try:
            data["strength"] = (
                float(strength[:-1]) / 100 if strength.endswith("%") else float(strength)
            )
        except ValueError:
            fail("strength", f"strength must be a number 0-1 (or a percentage), not {strength!r}")
    last_contact = cell("last_contact")
    if last_contact:
        data["last_contact"] = last_contact[:10] if "T" in last_contact else last_contact
    if cell("channel"):
        data["channel"] = cell("channel")
    dotted = _key(cell("dotted"))
    if dotted:
        if dotted in {"true", "yes", "y", "1", "x"}:
            data["dotted"] = True
        elif dotted in {"false", "no", "n", "0"}:
            data["dotted"] = False
        else:
            fail("dotted", f"dotted must be yes or no, not {cell('dotted')!r}")
    role = cell("role")
    if role:
        if _key(role) in {r.value for r in AffiliationRole}:
            data["role"] = AffiliationRole(_key(role))
        else:
            fail("role", f"unknown affiliation role {role!r} (one of {_choices(AffiliationRole)})")


# --- Salesforce opportunities and their contact roles -------------------------------------


def _boolean(value: str) -> bool | None:
    """A CRM checkbox cell (``true``/``false``, ``1``/``0``, ``yes``/``no``, empty: false);
    ``None`` when it is none of those."""
    key = _key(value)
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    return None


def _date_cell(value: str) -> str | None:
    """An ISO date for a CRM date cell: ``2027-03-31`` (a time after ``T`` is dropped) or a
    US report's ``3/31/2027``; ``None`` when it is neither.

    >>> _date_cell("3/31/2027"), _date_cell("2027-03-31T00:00:00.000Z"), _date_cell("31.3.27")
    ('2027-03-31', '2027-03-31', None)
    """
    text = value.split("T", 1)[0].strip()
    us = _US_DATE.match(text)
    if us is not None:
        month, day, year = (int(part) for part in us.groups())
        text = f"{year:04d}-{month:02d}-{day:02d}"
    try:
        return date.fromisoformat(text).isoformat() if len(text) == 10 else None
    except ValueError:
        return None


def _money(value: str) -> tuple[str, str | None]:
    """An amount cell as (decimal text, the currency code it is prefixed with, if any):
    a report's ``EUR 125,000.00`` or a data export's ``125000.0``.

    >>> _money("EUR 125,000.50"), _money("125000.0")
    (('125000.50', 'EUR'), ('125000.0', None))
    """
    text, currency = value.strip(), None
    prefixed = _CURRENCY_PREFIX.match(text)
    if prefixed is not None:
        currency, text = prefixed.group(1), prefixed.group(2).strip()
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    return text, currency


def _stage_of(
    cell: Callable[[str], str], fail: Callable[[str | None, str], None]
) -> OpportunityStage | None:
    """The stage a row names (``StageName``), checked against ``IsClosed`` and ``IsWon``
    when the file has them; without a stage those two decide a closed one."""
    named = cell("stage")
    stage = _STAGES.get(_key(named)) if named else None
    if named and stage is None:
        labels = ", ".join(SALESFORCE_STAGE_LABELS.values())
        fail("stage", f"unknown stage {named!r} (one of {labels})")
        return None
    closed, won = _boolean(cell("is_closed")), _boolean(cell("is_won"))
    for name, flag in (("is_closed", closed), ("is_won", won)):
        if flag is None:
            fail(name, f"{name} must be true or false, not {cell(name)!r}")
            return None
    if stage is None:
        if won:
            return OpportunityStage.CLOSED_WON
        return OpportunityStage.CLOSED_LOST if closed else None
    is_closed = stage in (OpportunityStage.CLOSED_WON, OpportunityStage.CLOSED_LOST)
    if cell("is_closed") and closed != is_closed:
        fail("is_closed", f"is_closed is {closed} but the stage {named!r} is {_open(is_closed)}")
        return None
    if cell("is_won") and won != (stage is OpportunityStage.CLOSED_WON):
        fail("is_won", f"is_won is {won} but the stage is {named!r}")
        return None
    return stage


def _open(closed: bool) -> str:
    return "closed" if closed else "open"


def _deal_data(
    cell: Callable[[str], str], fail: Callable[[str | None, str], None]
) -> dict[str, Any]:
    """An Opportunity row as OpportunityImport input (without ref, owner and committee)."""
    data: dict[str, Any] = {"name": cell("name")}
    if not data["name"]:
        fail("name", "an opportunity needs a name")
    if cell("external_id"):
        data["external_id"] = cell("external_id")
    stage = _stage_of(cell, fail)
    if stage is not None:
        data["stage"] = stage
    currency = cell("currency").upper() or None
    if cell("amount"):
        data["amount"], prefixed = _money(cell("amount"))
        currency = currency or prefixed
    if currency:
        data["currency"] = currency
    if cell("close_date"):
        iso = _date_cell(cell("close_date"))
        if iso is None:
            fail("close_date", f"date {cell('close_date')!r}: use YYYY-MM-DD or M/D/YYYY")
        data["close_date"] = iso
    trigger = cell("trigger")
    if trigger:
        if _key(trigger) in _TRIGGERS:
            data["trigger"] = _TRIGGERS[_key(trigger)]
        else:
            fail("trigger", f"unknown trigger {trigger!r} (one of {_choices(PurchaseTrigger)})")
    return data


def _cells(
    file: str, number: int, cells: dict[str, str], columns: dict[str, str], errors: list[RowError]
) -> tuple[_Origin, Callable[[str], str], Callable[[str | None, str], None]]:
    """A row's origin, its cell reader by our field name, and its error reporter."""
    origin = _Origin(file, number, columns)

    def cell(name: str) -> str:
        column = columns.get(name)
        return "" if column is None else cells.get(column, "")

    def fail(name: str | None, reason: str) -> None:
        column = columns.get(name) if name else None
        errors.append(RowError(file, number, column or name, reason))

    return origin, cell, fail


def _parse_opportunities(
    source: tuple[str, str],
    builds: dict[str, _OrgBuild],
    organisation: str | None,
    errors: list[RowError],
    ignored: list[str],
) -> int:
    """Salesforce Opportunity rows into each organisation's deals; answer the row count."""
    file, text = source
    columns, rows = _table(text, file, OPPORTUNITY_COLUMNS, errors, ignored)
    if "name" not in columns:
        errors.append(RowError(file, 1, None, "no opportunity name column (Name)"))
        return 0
    count = 0
    for number, cells in rows:
        count += 1
        origin, cell, fail = _cells(file, number, cells, columns, errors)
        named = cell("organisation") or organisation
        if named:
            build = builds.setdefault(named.casefold(), _OrgBuild(named))
        elif len(builds) == 1:
            build = next(iter(builds.values()))
        else:
            fail(None, "which organisation? add an Account Name column or --org")
            continue
        data = _deal_data(cell, fail)
        data["ref"] = f"opportunity#{number}"
        owner = cell("owner")
        if owner and _SALESFORCE_USER_ID.match(owner):
            fail("owner", f"{owner!r} is a Salesforce user id: export the owner's name or email")
        elif owner:
            prefixed = owner if owner.lower().startswith(TEAM_PREFIX) else TEAM_PREFIX + owner
            data["owner"] = build.team_ref(prefixed, origin)
        index = len(build.opportunities)
        build.opportunities.append((origin, data))
        for key in (data.get("external_id"), str(data["name"]).casefold()):
            if key:
                build.deal_index[key].append(index)
    return count


def _find_deal(builds: dict[str, _OrgBuild], value: str) -> tuple[_OrgBuild, int] | str:
    """The organisation and index of the one deal ``value`` names (its id, else its name)."""
    found = [(b, i) for b in builds.values() for i in b.deal_index.get(value, [])]
    if not found:
        found = [(b, i) for b in builds.values() for i in b.deal_index.get(value.casefold(), [])]
    if len(found) == 1:
        return found[0]
    if found:
        return f"{value!r} names {len(found)} opportunities of the file; use the opportunity id"
    return f"{value!r} is no opportunity of the opportunities file"


def _parse_contact_roles(
    source: tuple[str, str],
    builds: dict[str, _OrgBuild],
    errors: list[RowError],
    ignored: list[str],
) -> int:
    """OpportunityContactRole rows into the deals' committees; answer the row count.

    A contact with several roles on one deal (one row each) holds one seat with all of
    them; ``Other`` is a seat with no role. The seat's stance is the row's, else the
    contact's own in the contacts file, else neutral."""
    file, text = source
    columns, rows = _table(text, file, CONTACT_ROLE_COLUMNS, errors, ignored)
    missing = [name for name in ("opportunity", "contact") if name not in columns]
    if missing:
        errors.append(RowError(file, 1, None, f"missing column(s): {', '.join(missing)}"))
        return 0
    columns["person"] = columns["contact"]  # the seat's field, as the store names it
    count = 0
    for number, cells in rows:
        count += 1
        origin, cell, fail = _cells(file, number, cells, columns, errors)
        found = _find_deal(builds, cell("opportunity"))
        if isinstance(found, str):
            fail("opportunity", found)
            continue
        build, index = found
        ref, reason = build.index.find(cell("contact"))
        if reason is not None:
            fail("contact", reason)
            continue
        person = ref or cell("contact")
        roles, unknown = map_roles(cell("roles"))
        for value in unknown:
            fail("roles", f"unknown contact role {value!r} (Salesforce's picklist or ours)")
        primary = _boolean(cell("is_primary"))
        if primary is None:
            fail("is_primary", f"is_primary must be true or false, not {cell('is_primary')!r}")
        seats = build.seats[index]
        if primary:
            first = next((p for p, (_o, seat) in seats.items() if seat["is_primary"]), None)
            if first is not None and first != person:
                row = seats[first][0].row
                fail("is_primary", f"a second primary contact of this opportunity (row {row})")
        if person in seats:
            _origin, seat = seats[person]
            seat["roles"] += [role for role in roles if role not in seat["roles"]]
            seat["is_primary"] = seat["is_primary"] or bool(primary)
        else:
            contact = build.contacts.get(person)
            seat = {"person": person, "roles": roles, "is_primary": bool(primary)}
            if contact is not None and contact.get("stance") is not None:
                seat["stance"] = contact["stance"]
            seats[person] = (origin, seat)
        stance = cell("stance")
        if stance and (chosen := _named(stance, _STANCES, "stance", Stance, fail)) is not None:
            seat["stance"] = chosen
        influence = cell("influence")
        if influence and (level := _influence_level(influence, fail)) is not None:
            seat["influence"] = level
    return count


def _deal_errors(
    exc: ValidationError,
    origin: _Origin,
    seats: list[_Origin],
    errors: list[RowError],
) -> None:
    """A deal's validation errors on its Opportunity row, or on the contact-role row of the
    seat they are about."""
    for error in exc.errors(include_url=False):
        location = list(error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        where = origin
        if len(location) >= 2 and location[0] == "committee" and isinstance(location[1], int):
            where, location = seats[location[1]], location[2:]
        name = str(location[0]) if location else None
        column = where.columns.get(name, name) if name else None
        errors.append(RowError(where.file, where.row, column, message))


def _finish(build: _OrgBuild, errors: list[RowError]) -> OrgDraft:
    """Resolve reports_to within the organisation, validate every row, make the request."""
    people: list[PersonImport] = []
    people_origins: list[_Origin] = []
    for origin, data, manager in build.people:

        def fail(name: str | None, reason: str, origin: _Origin = origin) -> None:
            column = origin.columns.get(name) if name else None
            errors.append(RowError(origin.file, origin.row, column or name, reason))

        if manager is not None:
            ref, reason = build.index.find(manager)
            if reason is not None:
                fail("reports_to", reason)
            data["reports_to"] = ref or manager
        try:
            people.append(PersonImport.model_validate(data))
            people_origins.append(origin)
        except ValidationError as exc:
            _pydantic_errors(exc, fail, origin.columns)
    team: list[TeamImport] = []
    team_origins: list[_Origin] = []
    for origin, data in build.team.values():
        try:
            team.append(TeamImport.model_validate(data))
            team_origins.append(origin)
        except ValidationError as exc:
            errors.append(
                RowError(origin.file, origin.row, origin.columns.get("source"), _first(exc))
            )
    ties: list[RelationshipImport] = []
    tie_origins: list[_Origin] = []
    for origin, data in build.relationships:

        def fail_tie(name: str | None, reason: str, origin: _Origin = origin) -> None:
            column = origin.columns.get(name) if name else None
            errors.append(RowError(origin.file, origin.row, column or name, reason))

        try:
            ties.append(RelationshipImport.model_validate(data))
            tie_origins.append(origin)
        except ValidationError as exc:
            _pydantic_errors(exc, fail_tie, origin.columns)
    deals: list[OpportunityImport] = []
    deal_origins: list[_Origin] = []
    committee: list[list[_Origin]] = []
    for index, (origin, data) in enumerate(build.opportunities):
        seated = list(build.seats.get(index, {}).values())
        data["committee"] = [seat for _origin, seat in seated]
        try:
            deals.append(OpportunityImport.model_validate(data))
        except ValidationError as exc:
            _deal_errors(exc, origin, [seat_origin for seat_origin, _seat in seated], errors)
            continue
        deal_origins.append(origin)
        committee.append([seat_origin for seat_origin, _seat in seated])
    request = ImportRequest.model_construct(
        people=people, team=team, relationships=ties, opportunities=deals
    )
    return OrgDraft(
        build.name, request, people_origins, team_origins, tie_origins, deal_origins, committee
    )


def _first(exc: ValidationError) -> str:
    return str(exc.errors(include_url=False)[0]["msg"])


# --- JSON import bodies ----------------------------------------------------------------------


def parse_json(file: str, text: str, *, organisation: str) -> ParsedImport:
    """A BRIEF §4 import body for one organisation; errors name the JSON path.

    >>> parsed = parse_json("b.json", '{"people": [{"ref": "a", "name": "A", "influence": 9}]}',
    ...                     organisation="X")
    >>> [str(e) for e in parsed.errors]
    ["b.json, row people[0], column 'influence': Input should be less than or equal to 5"]
    """
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        return ParsedImport([], [RowError(file, exc.lineno, None, f"not JSON: {exc.msg}")])
    try:
        request = ImportRequest.model_validate(body)
    except ValidationError as exc:
        errors = []
        for error in exc.errors(include_url=False):
            location = list(error["loc"])
            row = "-"
            if len(location) >= 2 and isinstance(location[1], int):
                row = f"{location[0]}[{location[1]}]"
                location = location[2:]
            column = ".".join(str(part) for part in location) or None
            errors.append(RowError(file, row, column, error["msg"].removeprefix("Value error, ")))
        return ParsedImport([], errors)
    draft = OrgDraft(
        organisation,
        request,
        [_Origin(file, f"people[{i}]", {}) for i in range(len(request.people))],
        [_Origin(file, f"team[{i}]", {}) for i in range(len(request.team))],
        [_Origin(file, f"relationships[{i}]", {}) for i in range(len(request.relationships))],
    )
    return ParsedImport(
        [draft], [], contacts=len(request.people), relationships=len(request.relationships)
    )
