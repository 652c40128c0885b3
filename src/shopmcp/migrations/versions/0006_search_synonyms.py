"""search synonyms: the synonym table, filled with a default English commerce set

Revision ID: 0006
Revises: 0005

The default rules are written out here, frozen with the migration (a revision never reads the
application). They are general shopping vocabulary, in Solr synonyms.txt syntax: `a, b, c` are
equivalent, `a => b` searches b for a. A merchant adds their own with
`shopmcp catalog synonyms import FILE`.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT_SYNONYMS = """
tv, television
cell phone, mobile phone, smartphone, cellphone
laptop, notebook computer
pc, desktop computer
monitor, computer screen, computer display
headphones, headphone, headset
earbuds, ear buds, earphones, in ear headphones
speaker, loudspeaker
e reader, ereader, ebook reader
charger, power adapter
cable, cord
mouse pad, mousepad, mouse mat
usb c, type c
t shirt, tshirt, tee, tee shirt
hoodie, hooded sweatshirt
sweater, jumper, pullover
pants, trousers
sneakers, trainers
sneaker, trainer
backpack, rucksack, knapsack
purse, handbag
wallet, billfold
sofa, couch
fridge, refrigerator
bbq, barbecue, grill
hair dryer, blow dryer, hairdryer
flashlight, torch
vacuum, vacuum cleaner, hoover
stroller, pram, pushchair
diaper, nappy
pacifier, dummy
glasses, eyeglasses, spectacles
sunglasses, shades
kids, children
lego, building set, building blocks, building bricks
planter, plant pot, flower pot
coffee maker, coffee machine
cookware, pots and pans
bike, bicycle
""".strip()


def _rules() -> list[dict[str, str | None]]:
    rows: list[dict[str, str | None]] = []
    for line in DEFAULT_SYNONYMS.splitlines():
        words, arrow, replacement = line.partition("=>")
        rows.append(
            {"words": words.strip(), "replacement": replacement.strip() if arrow else None, "source": "default"}
        )
    return rows


def upgrade() -> None:
    synonym = op.create_table(
        "search_synonym",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("words", sa.Text(), nullable=False),
        sa.Column("replacement", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(synonym, _rules())


def downgrade() -> None:
    op.drop_table("search_synonym")
