"""Search tables: the synonym rules applied to queries (`services.search.synonyms`)."""

from sqlalchemy import Text
from sqlmodel import Field, SQLModel


class SearchSynonym(SQLModel, table=True):
    """One synonym rule in Solr's synonyms.txt syntax, read back as written.

    `words` lists what a query may say, comma-separated. Without `replacement`
    the words are equivalent (`tv, television`); with it a query's words are
    searched as the replacement's instead (`bbq => barbecue, grill`).
    """

    __tablename__ = "search_synonym"

    id: int | None = Field(default=None, primary_key=True)
    words: str = Field(sa_type=Text)
    replacement: str | None = Field(default=None, sa_type=Text)
    source: str = Field(default="default", max_length=20, description="default (shipped) or merchant (imported).")
