"""What the API takes and gives, as pydantic models: spectree validates requests and responses
with them and writes the OpenAPI document from them, so the document cannot drift from the code.

Limits on text the nomination form checks (a title's 200 characters, say) are documented here
but checked by the form, so that the API answers with the form's own messages.
"""
from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# Errors.


class ErrorDetail(BaseModel):
    status: int = Field(description="The HTTP status, repeated.")
    message: str = Field(description="What went wrong, in words a person can act on.")
    fields: dict[str, list[str]] | None = Field(
        default=None, description="For a request that could not be used: each field and its messages.")


class Error(BaseModel):
    error: ErrorDetail


# Queries.


class PageQuery(Strict):
    cursor: str | None = Field(default=None, max_length=500,
                               description="Where to go on from: the `cursor` in the `next` link of a page.")
    limit: int | None = Field(default=None, ge=1, le=100, description="Items per page (default 50).")


class PeopleQuery(PageQuery):
    q: str | None = Field(default=None, max_length=100, description="Part of a name, email or job title.")
    department: str | None = Field(default=None, max_length=120)


# Things.


class PersonRef(BaseModel):
    id: int
    name: str


class ValueRef(BaseModel):
    id: int
    name: str
    slug: str


class Story(BaseModel):
    id: int
    url: str = Field(description="The story's page on the web.")
    title: str
    status: str = Field(description="draft, submitted, changes_requested, published, rejected or archived.")
    body_markdown: str
    body_html: str = Field(description="The story rendered and sanitised, as the web shows it.")
    impact_kind: str
    impact: str
    rule_in_the_way: str | None
    happened_on: date
    created_at: datetime
    submitted_at: datetime | None
    published_at: datetime | None
    nominator: PersonRef
    nominees: list[PersonRef]
    values: list[ValueRef]
    applause_count: int
    in_canon: bool
    canon_lesson: str | None


class Page(BaseModel):
    next: str | None = Field(description="The next page's address, or null on the last page.")


class StoryPage(Page):
    items: list[Story]


class Person(BaseModel):
    id: int
    url: str
    name: str
    job_title: str
    department: str
    location: str
    active: bool = Field(description="False once they have left (the directory lists active people only).")
    manager: PersonRef | None


class PersonPage(Page):
    items: list[Person]


class Value(BaseModel):
    id: int
    name: str
    slug: str
    description: str


class ValueList(BaseModel):
    items: list[Value]


class CanonStory(Story):
    canonized_at: datetime | None
    retold: int = Field(description="How many digest issues retold it in their canon section.")


class CanonStoryPage(Page):
    items: list[CanonStory]


class CanonCollection(BaseModel):
    id: int
    name: str
    introduction: str = Field(description="Markdown, as the curators wrote it.")
    onboarding: bool = Field(description="Whether this is the new hires' reading path.")
    story_ids: list[int] = Field(description="Its published stories, in the curators' order.")


class CanonCollectionList(BaseModel):
    items: list[CanonCollection]


class DigestIssueSummary(BaseModel):
    issue_key: str = Field(description="The local day of the cut, 2026-11-30.")
    cut_at: datetime
    monthly: bool


class DigestIssuePage(Page):
    items: list[DigestIssueSummary]


class DigestIssue(DigestIssueSummary):
    introduction: str | None
    new: list[Story]
    also_new: list[Story]
    canon: list[Story]


# Writing.


class Nomination(Strict):
    """A story about one or more colleagues, checked by the web's nomination form."""

    nominees: list[int] = Field(default_factory=list, max_length=50, description="People's ids (1 to 10).")
    values: list[int] = Field(default_factory=list, max_length=50, description="Values' ids (1 to 3).")
    title: str = Field(default="", json_schema_extra={"maxLength": 200})
    body_md: str = Field(default="", description="What happened, in Markdown.", json_schema_extra={"maxLength": 20000})
    impact_kind: str = Field(default="customer", description="customer or team.")
    impact: str = Field(default="", json_schema_extra={"maxLength": 2000})
    rule_in_the_way: str | None = Field(default=None, json_schema_extra={"maxLength": 2000})
    happened_on: str = Field(default="", description="The day it happened, 2026-12-01; not in the future.",
                             json_schema_extra={"maxLength": 40})
    evidence_quote: str | None = Field(default=None, json_schema_extra={"maxLength": 1000})
    evidence_score: int | None = Field(default=None, ge=-(2**31), le=2**31 - 1)
    evidence_score_max: int | None = Field(default=None, description="5 or 10.", ge=-(2**31), le=2**31 - 1)
    evidence_link: str | None = Field(default=None, json_schema_extra={"maxLength": 500})
    submit: bool = Field(default=False, description="True sends it to HR for review; false keeps a draft.")
