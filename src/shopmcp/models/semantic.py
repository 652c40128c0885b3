"""One embedding per product, for semantic retrieval (`services.semantic`)."""

from sqlalchemy import Column, ForeignKey, Integer, LargeBinary
from sqlmodel import Field, SQLModel


class ProductEmbedding(SQLModel, table=True):
    """A product's text embedded by the packaged model, quantised to int8.

    `vector` is a float32 scale (little-endian) followed by one signed byte per dimension:
    component = byte * scale. `text_hash` is the hash of the text that was embedded, so a re-import
    embeds only products whose text changed; `version` grows with each refresh, so a process
    holding the vectors in memory knows when to read them again.
    """

    __tablename__ = "product_embedding"

    product_id: int = Field(
        sa_column=Column(Integer, ForeignKey("product.id", ondelete="CASCADE"), primary_key=True, autoincrement=False)
    )
    model: str = Field(max_length=100)
    text_hash: str = Field(max_length=32)
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    version: int = Field(index=True)
