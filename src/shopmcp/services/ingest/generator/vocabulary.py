"""The words the generator builds a store from: the category tree, and per leaf category its brands,
title words, attributes, options and price range; seller names; description sentences.

Everything here is data. `COMMON_TERM` and `RARE_TERM` appear nowhere else in
this module, so their frequency in a generated catalog is exactly what
`products.py` decides (tests check that).
"""

from dataclasses import dataclass

COMMON_TERM = "durable"
"""In the description of about one product in three (`COMMON_TERM_SHARE`)."""
COMMON_TERM_SHARE = 1 / 3

RARE_TERM = "heirloom"
"""In the description of about one product in five hundred (`RARE_TERM_SHARE`)."""
RARE_TERM_SHARE = 1 / 500

NO_MATCH_TERM = "zyxwvut"
"""In no generated product."""

COMMON_SENTENCES = (
    "Made with durable materials that hold up to daily use.",
    "A durable build that is made to last for years.",
    "Durable construction, tested well beyond everyday wear.",
)
RARE_SENTENCES = ("Part of the heirloom collection: a small run made to be handed down.",)

GENERIC_SENTENCES = (
    "Ships in recyclable packaging.",
    "Every order is checked by hand before it leaves the warehouse.",
    "A thoughtful gift for friends and family.",
    "Customers often come back to buy it again.",
    "Designed in-house and tested by our team.",
    "Easy to set up and simple to look after.",
    "Free returns within 30 days if it is not right.",
    "Well reviewed for value and quality.",
)

Scalar = str | int | float | bool


@dataclass(frozen=True, slots=True)
class Attribute:
    """A product attribute: `key` in the stored JSON, `label` and `unit` for the description."""

    key: str
    label: str
    values: tuple[Scalar, ...]
    unit: str = ""


@dataclass(frozen=True, slots=True)
class OptionAxis:
    """One option of a product's variants, e.g. Color or Size."""

    name: str
    values: tuple[str, ...]
    pick: tuple[int, int]
    """How many of `values` one product comes in (inclusive range)."""
    consecutive: bool = False
    """Sizes come in runs (S, M, L); colors are any subset."""
    price_step: float = 0.0
    """Major units added to the price per step along the axis (e.g. more storage)."""


@dataclass(frozen=True, slots=True)
class Leaf:
    """A leaf category and everything the products in it are made of."""

    path: tuple[str, ...]
    nouns: tuple[str, ...]
    brands: tuple[str, ...]
    features: tuple[str, ...]
    attributes: tuple[Attribute, ...]
    price: tuple[float, float]
    """Typical price range in major units; prices are drawn log-uniformly in it."""
    uses: tuple[str, ...]
    options: tuple[OptionAxis, ...] = ()
    variant_share: float = 0.0
    """Share of products with variants along `options`; the rest have one default variant."""
    weight: int = 2
    """Relative share of the catalog."""
    title_style: str = "model"
    """`model` ("Brand Series 700 Feature Noun"), `plain` ("Brand Feature Noun") or `book`."""
    second_hand: bool = False
    """Whether refurbished and used offers make sense (electronics, tools)."""


COLORS = (
    "Black",
    "White",
    "Navy",
    "Gray",
    "Red",
    "Blue",
    "Green",
    "Beige",
    "Olive",
    "Burgundy",
    "Pink",
    "Charcoal",
)
DEVICE_COLORS = ("Black", "White", "Silver", "Graphite", "Blue", "Rose Gold", "Midnight Green")
APPAREL_SIZES = ("XS", "S", "M", "L", "XL", "XXL")
SHOE_SIZES = ("6", "6.5", "7", "7.5", "8", "8.5", "9", "9.5", "10", "10.5", "11", "12", "13")
STORAGE = ("64 GB", "128 GB", "256 GB", "512 GB", "1 TB")

_COLOR = OptionAxis("Color", COLORS, (2, 4))
_APPAREL_COLOR = OptionAxis("Color", COLORS, (1, 3))
_DEVICE_COLOR = OptionAxis("Color", DEVICE_COLORS, (2, 3))
_APPAREL_SIZE = OptionAxis("Size", APPAREL_SIZES, (3, 5), consecutive=True)
_SHOE_SIZE = OptionAxis("Size", SHOE_SIZES, (4, 7), consecutive=True)
_STORAGE = OptionAxis("Storage", STORAGE, (2, 3), consecutive=True, price_step=100)

_MATERIAL_APPAREL = Attribute(
    "material", "material", ("100% cotton", "organic cotton", "cotton blend", "recycled polyester", "linen blend")
)
_FIT = Attribute("fit", "fit", ("regular", "slim", "relaxed", "oversized"))
_CARE = Attribute("care", "care", ("machine wash cold", "hand wash", "machine wash warm"))
_WARRANTY = Attribute("warranty_years", "warranty", (1, 2, 3), "years")
_WEIGHT_G = Attribute("weight_g", "weight", (150, 180, 220, 250, 290, 340), "g")

SERIES = (
    "Nova",
    "Pulse",
    "Aero",
    "Flex",
    "Core",
    "Terra",
    "Vista",
    "Orbit",
    "Echo",
    "Summit",
    "Zen",
    "Apex",
    "Drift",
    "Halo",
    "Ridge",
)
MODEL_SUFFIXES = ("100", "200", "300", "500", "700", "900", "X", "Pro", "Max", "Lite", "2", "3", "S", "Air", "Plus")
BOOK_ADJECTIVES = (
    "Silent",
    "Hidden",
    "Last",
    "Golden",
    "Winter",
    "Broken",
    "Distant",
    "Secret",
    "Burning",
    "Quiet",
    "Paper",
    "Midnight",
)
BOOK_NOUNS = (
    "Harbor",
    "Garden",
    "Orchard",
    "River",
    "Lighthouse",
    "Kingdom",
    "Letter",
    "Mountain",
    "Island",
    "Station",
    "Table",
    "Forest",
)

SELLER_PREFIXES = (
    "Northwind",
    "Bluefin",
    "Maple Street",
    "Summit",
    "Harbor",
    "Cedar",
    "Brightline",
    "Urban",
    "Redwood",
    "Silverleaf",
    "Copperfield",
    "Lakeside",
    "Ironbridge",
    "Sunrise",
    "Evergreen",
    "Oakridge",
    "Blue Ridge",
    "Westgate",
    "Pioneer",
    "Granite",
)
SELLER_SUFFIXES = ("Outfitters", "Goods", "Supply Co.", "Traders", "Market", "Direct", "Depot", "Emporium")


LEAVES: tuple[Leaf, ...] = (
    # --- Electronics ---------------------------------------------------------
    Leaf(
        path=("Electronics", "Audio", "Headphones"),
        nouns=("Headphones", "Over-Ear Headphones", "On-Ear Headphones"),
        brands=("Sonora", "Auralis", "Bassline", "Kestrel Audio", "Veltrix"),
        features=("Wireless", "Noise-Cancelling", "Studio", "Foldable", "Bluetooth"),
        attributes=(
            Attribute("driver_size_mm", "driver size", (30, 40, 45, 50), "mm"),
            Attribute("battery_life_hours", "battery life", (20, 24, 30, 40, 60), "hours"),
            Attribute("connectivity", "connectivity", ("Bluetooth 5.3", "Bluetooth 5.0", "wired 3.5 mm")),
            Attribute("noise_cancelling", "active noise cancelling", (True, False)),
            _WEIGHT_G,
        ),
        price=(19, 449),
        uses=(
            "Made for commutes, flights and long listening sessions.",
            "Soft ear cushions keep it comfortable for hours.",
            "Rich bass and clear highs at any volume.",
        ),
        options=(_DEVICE_COLOR,),
        variant_share=0.5,
        weight=4,
        second_hand=True,
    ),
    Leaf(
        path=("Electronics", "Audio", "Earbuds"),
        nouns=("Earbuds", "True Wireless Earbuds", "Sport Earbuds"),
        brands=("Sonora", "Auralis", "Kestrel Audio", "Pipit"),
        features=("Wireless", "Noise-Cancelling", "Waterproof", "Compact"),
        attributes=(
            Attribute("battery_life_hours", "battery life with case", (18, 24, 30, 36), "hours"),
            Attribute("water_resistance", "water resistance", ("IPX4", "IPX5", "IPX7")),
            Attribute("connectivity", "connectivity", ("Bluetooth 5.3", "Bluetooth 5.2")),
            Attribute("noise_cancelling", "active noise cancelling", (True, False)),
        ),
        price=(15, 279),
        uses=(
            "A snug fit that stays put on runs and in the gym.",
            "The charging case slips into any pocket.",
            "Touch controls for calls, music and voice assistants.",
        ),
        options=(_DEVICE_COLOR,),
        variant_share=0.4,
        weight=3,
        second_hand=True,
    ),
    Leaf(
        path=("Electronics", "Audio", "Bluetooth Speakers"),
        nouns=("Bluetooth Speaker", "Portable Speaker", "Party Speaker"),
        brands=("Auralis", "Bassline", "Boomcraft", "Veltrix"),
        features=("Waterproof", "Portable", "Rugged", "360°"),
        attributes=(
            Attribute("output_watts", "output", (10, 20, 30, 60, 100), "W"),
            Attribute("battery_life_hours", "battery life", (10, 12, 16, 20, 24), "hours"),
            Attribute("water_resistance", "water resistance", ("IPX4", "IPX6", "IP67")),
        ),
        price=(25, 399),
        uses=(
            "Fills a room or a backyard with sound.",
            "Pair two for stereo sound.",
            "Rugged enough for the beach and the trail.",
        ),
        options=(_COLOR,),
        variant_share=0.4,
        weight=2,
        second_hand=True,
    ),
    Leaf(
        path=("Electronics", "Audio", "Soundbars"),
        nouns=("Soundbar", "Soundbar with Subwoofer"),
        brands=("Bassline", "Veltrix", "Boomcraft"),
        features=("Dolby Atmos", "Compact", "Wireless", "Smart"),
        attributes=(
            Attribute("channels", "channels", ("2.0", "2.1", "3.1", "5.1", "7.1.2")),
            Attribute("output_watts", "output", (80, 120, 240, 400, 600), "W"),
            Attribute("connectivity", "connectivity", ("HDMI eARC", "optical and Bluetooth", "HDMI eARC and Wi-Fi")),
        ),
        price=(79, 999),
        uses=("Clearer dialogue for films and shows.", "Mounts on the wall or sits in front of the TV."),
        weight=1,
        second_hand=True,
    ),
    Leaf(
        path=("Electronics", "Phones & Tablets", "Smartphones"),
        nouns=("Smartphone", "5G Smartphone"),
        brands=("Lumina", "Zentek", "Orion Mobile", "Pixelon"),
        features=("Unlocked", "Dual-SIM", "5G", "Rugged"),
        attributes=(
            Attribute("screen_inches", "screen", (6.1, 6.4, 6.7, 6.8), "inches"),
            Attribute("camera_mp", "main camera", (12, 48, 50, 108, 200), "MP"),
            Attribute("battery_mah", "battery", (3500, 4000, 4500, 5000), "mAh"),
            Attribute("ram_gb", "memory", (6, 8, 12, 16), "GB"),
        ),
        price=(149, 1299),
        uses=("A bright display that is easy to read in sunlight.", "All-day battery with fast charging."),
        options=(_STORAGE, _DEVICE_COLOR),
        variant_share=0.9,
        weight=3,
        second_hand=True,
    ),
    Leaf(
        path=("Electronics", "Phones & Tablets", "Tablets"),
        nouns=("Tablet", "Drawing Tablet"),
        brands=("Lumina", "Zentek", "Pixelon"),
        features=("Wi-Fi", "Lightweight", "Kids", "Pro"),
        attributes=(
            Attribute("screen_inches", "screen", (8.3, 10.2, 10.9, 11, 12.9), "inches"),
            Attribute("battery_life_hours", "battery life", (10, 12, 14), "hours"),
            Attribute("ram_gb", "memory", (4, 6, 8), "GB"),
        ),
        price=(99, 1099),
        uses=("Great for reading, drawing and video calls.", "Thin and light enough to take anywhere."),
        options=(_STORAGE,),
        variant_share=0.8,
        weight=2,
        second_hand=True,
    ),
    Leaf(
        path=("Electronics", "Phones & Tablets", "Phone Cases"),
        nouns=("Phone Case", "Wallet Case", "Clear Case"),
        brands=("Shellwise", "Armorly", "Pixelon"),
        features=("Shockproof", "Slim", "MagSafe", "Leather"),
        attributes=(
            Attribute("material", "material", ("silicone", "polycarbonate", "leather", "TPU")),
            Attribute("drop_protection_ft", "drop protection", (6, 8, 10, 12), "ft"),
        ),
        price=(9, 69),
        uses=("Raised edges protect the screen and camera.", "Precise cutouts for every button and port."),
        options=(_COLOR,),
        variant_share=0.7,
        weight=3,
    ),
    Leaf(
        path=("Electronics", "Phones & Tablets", "Chargers & Cables"),
        nouns=("USB-C Charger", "Charging Cable", "Wireless Charger", "Power Bank"),
        brands=("Voltly", "Chargewell", "Zentek"),
        features=("Fast", "Braided", "GaN", "Travel"),
        attributes=(
            Attribute("output_watts", "output", (20, 30, 45, 65, 100), "W"),
            Attribute("length_m", "cable length", (1, 1.5, 2, 3), "m"),
        ),
        price=(8, 89),
        uses=("Charges a phone to half in about thirty minutes.", "Works with phones, tablets and laptops."),
        weight=3,
    ),
    Leaf(
        path=("Electronics", "Computers", "Laptops"),
        nouns=("Laptop", "Ultrabook", "Gaming Laptop", "2-in-1 Laptop"),
        brands=("Zentek", "Corvid", "Lumina", "Aspira"),
        features=("Thin", "Lightweight", "Gaming", "Business"),
        attributes=(
            Attribute("screen_inches", "screen", (13.3, 14, 15.6, 16, 17.3), "inches"),
            Attribute("ram_gb", "memory", (8, 16, 32, 64), "GB"),
            Attribute("processor", "processor", ("8-core", "10-core", "12-core", "16-core")),
            Attribute("battery_life_hours", "battery life", (6, 8, 10, 14, 18), "hours"),
        ),
        price=(299, 2999),
        uses=("Boots in seconds and stays cool under load.", "A backlit keyboard that is easy to type on."),
        options=(_STORAGE,),
        variant_share=0.6,
        weight=3,
        second_hand=True,
    ),
    Leaf(
        path=("Electronics", "Computers", "Monitors"),
        nouns=("Monitor", "Gaming Monitor", "Curved Monitor"),
        brands=("Corvid", "Viewmax", "Aspira"),
        features=("4K", "QHD", "Ultrawide", "144 Hz"),
        attributes=(
            Attribute("screen_inches", "screen", (24, 27, 32, 34, 38), "inches"),
            Attribute("refresh_hz", "refresh rate", (60, 75, 144, 165, 240), "Hz"),
            Attribute("panel", "panel", ("IPS", "VA", "OLED")),
        ),
        price=(109, 1499),
        uses=("Sharp text for long workdays.", "A height-adjustable stand that tilts and swivels."),
        weight=2,
        second_hand=True,
    ),
    Leaf(
        path=("Electronics", "Computers", "Keyboards"),
        nouns=("Keyboard", "Mechanical Keyboard", "Wireless Keyboard"),
        brands=("Keyforge", "Corvid", "Typewell"),
        features=("Mechanical", "Low-Profile", "Backlit", "Ergonomic"),
        attributes=(
            Attribute("switches", "switches", ("red linear", "brown tactile", "blue clicky", "scissor")),
            Attribute("layout", "layout", ("full size", "tenkeyless", "75%", "60%")),
            Attribute("connectivity", "connectivity", ("USB-C", "Bluetooth", "2.4 GHz wireless")),
        ),
        price=(19, 249),
        uses=("Quiet enough for a shared office.", "Keys that feel crisp after thousands of hours."),
        options=(_COLOR,),
        variant_share=0.3,
        weight=2,
    ),
    Leaf(
        path=("Electronics", "Computers", "Mice"),
        nouns=("Mouse", "Wireless Mouse", "Gaming Mouse"),
        brands=("Keyforge", "Corvid", "Typewell"),
        features=("Ergonomic", "Silent", "Lightweight", "Rechargeable"),
        attributes=(
            Attribute("dpi", "sensor", (1600, 4000, 8000, 16000, 26000), "DPI"),
            Attribute("buttons", "buttons", (3, 5, 6, 8)),
            Attribute("connectivity", "connectivity", ("USB", "Bluetooth", "2.4 GHz wireless")),
        ),
        price=(9, 149),
        uses=("Shaped to rest the hand through a long day.", "Tracks on almost any surface."),
        options=(_COLOR,),
        variant_share=0.3,
        weight=2,
    ),
    Leaf(
        path=("Electronics", "Cameras", "Digital Cameras"),
        nouns=("Mirrorless Camera", "Compact Camera", "Camera Kit"),
        brands=("Optica", "Lensmark", "Fotonix"),
        features=("Full-Frame", "4K", "Vlogging", "Travel"),
        attributes=(
            Attribute("sensor_mp", "sensor", (20, 24, 33, 45, 61), "MP"),
            Attribute("video", "video", ("4K 30p", "4K 60p", "6K", "1080p")),
            Attribute("stabilization", "in-body stabilization", (True, False)),
        ),
        price=(299, 3499),
        uses=("Fast autofocus that follows moving subjects.", "Weather-sealed for shooting outdoors."),
        weight=1,
        second_hand=True,
    ),
    Leaf(
        path=("Electronics", "Cameras", "Action Cameras"),
        nouns=("Action Camera", "Helmet Camera"),
        brands=("Fotonix", "Trailcam", "Optica"),
        features=("Waterproof", "5K", "Stabilized", "Mini"),
        attributes=(
            Attribute("video", "video", ("4K 60p", "5K 30p", "2.7K 120p")),
            Attribute("waterproof_m", "waterproof to", (10, 18, 33), "m"),
            Attribute("battery_life_minutes", "battery life", (70, 90, 120, 155), "minutes"),
        ),
        price=(79, 549),
        uses=("Mounts to helmets, bikes and boards.", "Steady footage on the roughest trail."),
        weight=1,
        second_hand=True,
    ),
    Leaf(
        path=("Electronics", "Wearables", "Smartwatches"),
        nouns=("Smartwatch", "GPS Smartwatch"),
        brands=("Lumina", "Pulsar Fit", "Zentek"),
        features=("Fitness", "AMOLED", "GPS", "LTE"),
        attributes=(
            Attribute("case_mm", "case size", (40, 41, 44, 45, 47), "mm"),
            Attribute("battery_life_days", "battery life", (1, 2, 7, 14), "days"),
            Attribute("water_resistance", "water resistance", ("5 ATM", "10 ATM", "IP68")),
        ),
        price=(49, 799),
        uses=("Tracks sleep, heart rate and workouts.", "Notifications at a glance on the wrist."),
        options=(_DEVICE_COLOR,),
        variant_share=0.6,
        weight=2,
        second_hand=True,
    ),
    Leaf(
        path=("Electronics", "Wearables", "Fitness Trackers"),
        nouns=("Fitness Tracker", "Activity Band"),
        brands=("Pulsar Fit", "Stridely"),
        features=("Slim", "Waterproof", "Heart Rate", "Sleep"),
        attributes=(
            Attribute("battery_life_days", "battery life", (5, 7, 10, 14, 21), "days"),
            Attribute("display", "display", ("AMOLED", "LCD", "none")),
        ),
        price=(19, 199),
        uses=("Counts steps, floors and active minutes.", "Light enough to forget you are wearing it."),
        options=(_COLOR,),
        variant_share=0.5,
        weight=1,
    ),
    # --- Home & Kitchen ------------------------------------------------------
    Leaf(
        path=("Home & Kitchen", "Kitchen Appliances", "Coffee Makers"),
        nouns=("Coffee Maker", "Espresso Machine", "Drip Coffee Maker", "Pour-Over Kettle"),
        brands=("Brewmaster", "Caffeto", "Kitchenly", "Morning Ritual"),
        features=("Programmable", "12-Cup", "Single-Serve", "Stainless Steel"),
        attributes=(
            Attribute("capacity_cups", "capacity", (1, 4, 10, 12, 14), "cups"),
            Attribute("power_w", "power", (900, 1100, 1450, 1500), "W"),
            Attribute("material", "material", ("stainless steel", "plastic", "glass")),
        ),
        price=(19, 899),
        uses=("Hot coffee ready when you wake up.", "A removable tank that is easy to refill."),
        weight=3,
        second_hand=True,
    ),
    Leaf(
        path=("Home & Kitchen", "Kitchen Appliances", "Blenders"),
        nouns=("Blender", "Personal Blender", "Immersion Blender"),
        brands=("Kitchenly", "Vortexa", "Blendwell"),
        features=("High-Speed", "Compact", "Cordless", "Professional"),
        attributes=(
            Attribute("power_w", "power", (300, 600, 1000, 1400, 1800), "W"),
            Attribute("jar_liters", "jar", (0.6, 1, 1.5, 2), "liters"),
            Attribute("speeds", "speeds", (2, 3, 5, 10)),
        ),
        price=(19, 549),
        uses=("Smoothies, soups and nut butters in seconds.", "The jar goes straight into the dishwasher."),
        options=(_COLOR,),
        variant_share=0.3,
        weight=2,
    ),
    Leaf(
        path=("Home & Kitchen", "Kitchen Appliances", "Air Fryers"),
        nouns=("Air Fryer", "Air Fryer Oven"),
        brands=("Kitchenly", "Crispo", "Vortexa"),
        features=("Digital", "Dual-Basket", "XL", "Compact"),
        attributes=(
            Attribute("capacity_quarts", "capacity", (2, 4, 5.8, 8, 10), "quarts"),
            Attribute("power_w", "power", (1200, 1500, 1700), "W"),
            Attribute("presets", "presets", (4, 6, 8, 12)),
        ),
        price=(39, 299),
        uses=("Crispy results with little or no oil.", "Preheats fast and cleans up in minutes."),
        weight=2,
    ),
    Leaf(
        path=("Home & Kitchen", "Kitchen Appliances", "Electric Kettles"),
        nouns=("Electric Kettle", "Gooseneck Kettle"),
        brands=("Kitchenly", "Morning Ritual", "Caffeto"),
        features=("Variable Temperature", "Glass", "Stainless Steel", "Cordless"),
        attributes=(
            Attribute("capacity_liters", "capacity", (0.8, 1, 1.5, 1.7), "liters"),
            Attribute("power_w", "power", (1000, 1200, 1500), "W"),
        ),
        price=(15, 169),
        uses=("Boils water in a few minutes.", "Keeps water warm for tea."),
        weight=1,
    ),
    Leaf(
        path=("Home & Kitchen", "Cookware", "Frying Pans"),
        nouns=("Frying Pan", "Skillet", "Wok"),
        brands=("Castiron & Co", "Panwise", "Chef's Table"),
        features=("Nonstick", "Cast Iron", "Carbon Steel", "Tri-Ply"),
        attributes=(
            Attribute("diameter_in", "diameter", (8, 10, 12, 14), "inches"),
            Attribute("oven_safe_f", "oven safe to", (400, 500, 600), "°F"),
            Attribute("induction", "induction ready", (True, False)),
        ),
        price=(14, 249),
        uses=("Heats evenly from the center to the edge.", "Sears, sautés and browns beautifully."),
        weight=2,
    ),
    Leaf(
        path=("Home & Kitchen", "Cookware", "Knife Sets"),
        nouns=("Knife Set", "Chef's Knife", "Knife Block Set"),
        brands=("Chef's Table", "Bladecraft", "Panwise"),
        features=("German Steel", "Japanese", "Forged", "Ceramic"),
        attributes=(
            Attribute("pieces", "pieces", (1, 3, 5, 8, 15)),
            Attribute("steel", "steel", ("X50CrMoV15", "VG-10", "AUS-8", "high-carbon stainless")),
        ),
        price=(19, 499),
        uses=("Holds a keen edge through daily prep.", "Balanced handles for a secure grip."),
        weight=1,
    ),
    Leaf(
        path=("Home & Kitchen", "Bedding", "Sheet Sets"),
        nouns=("Sheet Set", "Bed Sheets"),
        brands=("Dreamweave", "Linenly", "Cotton Cloud"),
        features=("Percale", "Sateen", "Linen", "Bamboo"),
        attributes=(
            Attribute("thread_count", "thread count", (200, 300, 400, 600, 800)),
            Attribute("material", "material", ("long-staple cotton", "linen", "bamboo viscose", "microfiber")),
            Attribute("pocket_depth_in", "pocket depth", (14, 16, 18), "inches"),
        ),
        price=(25, 349),
        uses=("Cool and breathable on warm nights.", "Gets softer with every wash."),
        options=(
            OptionAxis("Size", ("Twin", "Full", "Queen", "King", "California King"), (3, 5), True, 10),
            _COLOR,
        ),
        variant_share=0.8,
        weight=2,
    ),
    Leaf(
        path=("Home & Kitchen", "Bedding", "Pillows"),
        nouns=("Pillow", "Memory Foam Pillow", "Down Pillow"),
        brands=("Dreamweave", "Cotton Cloud", "Sleepwell"),
        features=("Cooling", "Adjustable", "Hypoallergenic", "Side-Sleeper"),
        attributes=(
            Attribute("fill", "fill", ("memory foam", "down", "down alternative", "latex")),
            Attribute("firmness", "firmness", ("soft", "medium", "firm")),
        ),
        price=(15, 189),
        uses=("Supports the neck in every sleeping position.", "A removable cover you can wash."),
        options=(OptionAxis("Size", ("Standard", "Queen", "King"), (2, 3), True, 8),),
        variant_share=0.6,
        weight=1,
    ),
    Leaf(
        path=("Home & Kitchen", "Home Decor", "Table Lamps"),
        nouns=("Table Lamp", "Desk Lamp", "Bedside Lamp"),
        brands=("Lumenhaus", "Nordlicht", "Glowworks"),
        features=("LED", "Dimmable", "Ceramic", "Brass"),
        attributes=(
            Attribute("height_in", "height", (12, 16, 20, 24, 28), "inches"),
            Attribute("bulb", "bulb", ("LED included", "E26 bulb not included", "integrated LED")),
        ),
        price=(19, 299),
        uses=("Warm, even light for reading.", "A simple shape that suits any room."),
        options=(_COLOR,),
        variant_share=0.3,
        weight=1,
    ),
    # --- Clothing ------------------------------------------------------------
    Leaf(
        path=("Clothing", "Tops", "T-Shirts"),
        nouns=("T-Shirt", "Crew Neck T-Shirt", "V-Neck T-Shirt", "Pocket Tee"),
        brands=("Northline", "Threadbare", "Common Cloth", "Acre & Loom"),
        features=("Organic Cotton", "Heavyweight", "Essential", "Slub", "Performance"),
        attributes=(_MATERIAL_APPAREL, _FIT, _CARE),
        price=(9, 59),
        uses=("Soft from the first wear.", "Holds its shape wash after wash.", "Pairs with everything."),
        options=(_APPAREL_COLOR, _APPAREL_SIZE),
        variant_share=0.95,
        weight=4,
        title_style="plain",
    ),
    Leaf(
        path=("Clothing", "Tops", "Hoodies & Sweatshirts"),
        nouns=("Hoodie", "Zip Hoodie", "Crewneck Sweatshirt"),
        brands=("Northline", "Common Cloth", "Fieldhouse"),
        features=("Fleece", "Heavyweight", "Organic Cotton", "Oversized"),
        attributes=(_MATERIAL_APPAREL, _FIT, _CARE),
        price=(25, 129),
        uses=("Brushed inside for warmth.", "A roomy hood and deep pockets."),
        options=(_APPAREL_COLOR, _APPAREL_SIZE),
        variant_share=0.95,
        weight=3,
        title_style="plain",
    ),
    Leaf(
        path=("Clothing", "Bottoms", "Jeans"),
        nouns=("Jeans", "Straight Jeans", "Slim Jeans"),
        brands=("Indigo Row", "Threadbare", "Fieldhouse"),
        features=("Stretch", "Selvedge", "Raw Denim", "Stone Wash"),
        attributes=(
            Attribute("material", "material", ("98% cotton, 2% elastane", "100% cotton denim", "organic cotton denim")),
            _FIT,
            Attribute("rise", "rise", ("low", "mid", "high")),
        ),
        price=(29, 229),
        uses=("Broken in from day one.", "Reinforced seams where jeans wear out first."),
        options=(OptionAxis("Waist", ("28", "30", "32", "34", "36", "38"), (3, 5), consecutive=True),),
        variant_share=0.95,
        weight=2,
        title_style="plain",
    ),
    Leaf(
        path=("Clothing", "Outerwear", "Jackets"),
        nouns=("Jacket", "Rain Jacket", "Puffer Jacket", "Fleece Jacket"),
        brands=("Fieldhouse", "Alpenreach", "Northline"),
        features=("Waterproof", "Insulated", "Packable", "Windproof"),
        attributes=(
            Attribute("material", "shell", ("nylon", "recycled polyester", "waxed cotton", "softshell")),
            Attribute("insulation", "insulation", ("down", "synthetic", "none")),
            _FIT,
        ),
        price=(39, 449),
        uses=("Sheds rain and blocks the wind.", "Packs down into its own pocket."),
        options=(_APPAREL_COLOR, _APPAREL_SIZE),
        variant_share=0.9,
        weight=2,
        title_style="plain",
    ),
    Leaf(
        path=("Clothing", "Dresses"),
        nouns=("Dress", "Midi Dress", "Wrap Dress", "Shirt Dress"),
        brands=("Acre & Loom", "Maison Verte", "Common Cloth"),
        features=("Linen", "Floral", "Everyday", "Pleated"),
        attributes=(_MATERIAL_APPAREL, Attribute("length", "length", ("mini", "knee", "midi", "maxi")), _CARE),
        price=(25, 249),
        uses=("Easy to dress up or down.", "Lightweight and comfortable on warm days."),
        options=(_APPAREL_COLOR, _APPAREL_SIZE),
        variant_share=0.9,
        weight=2,
        title_style="plain",
    ),
    Leaf(
        path=("Clothing", "Accessories", "Socks"),
        nouns=("Socks", "Crew Socks", "Ankle Socks"),
        brands=("Stridely", "Common Cloth", "Merino Mill"),
        features=("Merino Wool", "Cushioned", "Athletic", "6-Pack"),
        attributes=(
            Attribute("material", "material", ("merino wool", "cotton blend", "bamboo blend")),
            Attribute("pairs", "pairs", (1, 3, 6)),
        ),
        price=(6, 39),
        uses=("Cushioned where feet need it.", "Stays up all day."),
        options=(OptionAxis("Size", ("S", "M", "L"), (2, 3), consecutive=True),),
        variant_share=0.7,
        weight=1,
        title_style="plain",
    ),
    Leaf(
        path=("Clothing", "Accessories", "Hats"),
        nouns=("Beanie", "Baseball Cap", "Bucket Hat"),
        brands=("Northline", "Merino Mill", "Fieldhouse"),
        features=("Wool", "Cotton", "Ribbed", "Classic"),
        attributes=(Attribute("material", "material", ("wool", "cotton", "acrylic", "recycled polyester")),),
        price=(9, 59),
        uses=("One size fits most.", "Warm without being bulky."),
        options=(_COLOR,),
        variant_share=0.6,
        weight=1,
        title_style="plain",
    ),
    # --- Shoes ---------------------------------------------------------------
    Leaf(
        path=("Shoes", "Running Shoes"),
        nouns=("Running Shoes", "Trail Running Shoes", "Road Running Shoes"),
        brands=("Stridely", "Velocita", "Trailmark"),
        features=("Cushioned", "Lightweight", "Stability", "Carbon Plate"),
        attributes=(
            Attribute("drop_mm", "heel-to-toe drop", (0, 4, 6, 8, 10, 12), "mm"),
            Attribute("weight_g", "weight per shoe", (190, 230, 260, 290, 320), "g"),
            Attribute("surface", "surface", ("road", "trail", "track")),
        ),
        price=(39, 279),
        uses=("A responsive ride for easy runs and race day.", "Breathable mesh keeps feet cool."),
        options=(_SHOE_SIZE,),
        variant_share=0.95,
        weight=3,
        title_style="plain",
    ),
    Leaf(
        path=("Shoes", "Hiking Boots"),
        nouns=("Hiking Boots", "Waterproof Boots", "Trail Boots"),
        brands=("Trailmark", "Alpenreach", "Ridgeway"),
        features=("Waterproof", "Mid", "Leather", "Lightweight"),
        attributes=(
            Attribute("upper", "upper", ("full-grain leather", "suede and mesh", "synthetic")),
            Attribute("waterproof", "waterproof membrane", (True, False)),
        ),
        price=(59, 329),
        uses=("Grippy soles for wet rock and loose gravel.", "Ankle support for long days on the trail."),
        options=(_SHOE_SIZE,),
        variant_share=0.95,
        weight=2,
        title_style="plain",
    ),
    Leaf(
        path=("Shoes", "Sneakers"),
        nouns=("Sneakers", "Canvas Sneakers", "Leather Sneakers"),
        brands=("Velocita", "Courtside", "Common Cloth"),
        features=("Classic", "Low-Top", "High-Top", "Slip-On"),
        attributes=(Attribute("upper", "upper", ("canvas", "leather", "suede", "knit")),),
        price=(29, 199),
        uses=("Clean lines that go with anything.", "Comfortable straight out of the box."),
        options=(_SHOE_SIZE, OptionAxis("Color", ("White", "Black", "Navy", "Gray"), (1, 2))),
        variant_share=0.95,
        weight=2,
        title_style="plain",
    ),
    Leaf(
        path=("Shoes", "Sandals"),
        nouns=("Sandals", "Slides", "Sport Sandals"),
        brands=("Courtside", "Trailmark", "Solstice"),
        features=("Cushioned", "Adjustable", "Water-Ready", "Cork"),
        attributes=(Attribute("footbed", "footbed", ("cork", "EVA foam", "leather")),),
        price=(15, 129),
        uses=("Made for summer days and beach walks.", "Dries quickly after a swim."),
        options=(_SHOE_SIZE,),
        variant_share=0.9,
        weight=1,
        title_style="plain",
    ),
    # --- Sports & Outdoors ---------------------------------------------------
    Leaf(
        path=("Sports & Outdoors", "Camping", "Tents"),
        nouns=("Tent", "Backpacking Tent", "Family Tent"),
        brands=("Alpenreach", "Campfire Gear", "Ridgeway"),
        features=("2-Person", "4-Person", "Ultralight", "Waterproof"),
        attributes=(
            Attribute("capacity_people", "sleeps", (1, 2, 3, 4, 6, 8), "people"),
            Attribute("weight_kg", "packed weight", (1.1, 1.8, 2.5, 4.2, 7.5), "kg"),
            Attribute("seasons", "seasons", (3, 4)),
        ),
        price=(49, 699),
        uses=("Pitches in minutes, even alone.", "Taped seams keep the rain out."),
        weight=2,
    ),
    Leaf(
        path=("Sports & Outdoors", "Camping", "Sleeping Bags"),
        nouns=("Sleeping Bag", "Mummy Sleeping Bag"),
        brands=("Alpenreach", "Campfire Gear"),
        features=("Down", "Synthetic", "Ultralight", "Compact"),
        attributes=(
            Attribute("temperature_rating_f", "rated to", (0, 15, 20, 30, 40), "°F"),
            Attribute("fill", "fill", ("650-fill down", "800-fill down", "synthetic")),
        ),
        price=(35, 449),
        uses=("Warm on cold nights at camp.", "Compresses small for the pack."),
        weight=1,
    ),
    Leaf(
        path=("Sports & Outdoors", "Camping", "Backpacks"),
        nouns=("Backpack", "Hiking Backpack", "Daypack"),
        brands=("Ridgeway", "Alpenreach", "Urban Trek"),
        features=("Waterproof", "Lightweight", "Laptop", "Travel"),
        attributes=(
            Attribute("volume_liters", "volume", (18, 24, 30, 40, 55, 65), "liters"),
            Attribute("material", "material", ("ripstop nylon", "recycled polyester", "waxed canvas")),
        ),
        price=(25, 299),
        uses=("Padded straps for long carries.", "Plenty of pockets to stay organized."),
        options=(_COLOR,),
        variant_share=0.5,
        weight=2,
    ),
    Leaf(
        path=("Sports & Outdoors", "Fitness", "Yoga Mats"),
        nouns=("Yoga Mat", "Exercise Mat"),
        brands=("Zenflow", "Stridely", "Corefit"),
        features=("Non-Slip", "Extra Thick", "Travel", "Natural Rubber"),
        attributes=(
            Attribute("thickness_mm", "thickness", (3, 4, 5, 6, 8), "mm"),
            Attribute("material", "material", ("natural rubber", "TPE", "PVC", "cork")),
        ),
        price=(15, 139),
        uses=("Grips in every pose.", "Rolls up light for the studio."),
        options=(_COLOR,),
        variant_share=0.6,
        weight=1,
    ),
    Leaf(
        path=("Sports & Outdoors", "Fitness", "Dumbbells"),
        nouns=("Dumbbells", "Adjustable Dumbbells", "Dumbbell Set"),
        brands=("Corefit", "Ironclad", "Liftwell"),
        features=("Hex", "Neoprene", "Adjustable", "Rubber"),
        attributes=(Attribute("material", "material", ("cast iron", "rubber-coated steel", "neoprene-coated iron")),),
        price=(12, 449),
        uses=("Home strength training without a gym.", "Knurled handles for a firm grip."),
        options=(OptionAxis("Weight", ("5 lb", "10 lb", "15 lb", "20 lb", "25 lb", "30 lb"), (3, 5), True, 12),),
        variant_share=0.7,
        weight=1,
    ),
    Leaf(
        path=("Sports & Outdoors", "Cycling", "Bike Helmets"),
        nouns=("Bike Helmet", "Road Helmet", "Mountain Bike Helmet"),
        brands=("Velocita", "Spoke & Chain", "Ridgeway"),
        features=("MIPS", "Lightweight", "Aero", "Commuter"),
        attributes=(
            Attribute("vents", "vents", (8, 12, 16, 22)),
            Attribute("weight_g", "weight", (250, 290, 330, 380), "g"),
        ),
        price=(29, 299),
        uses=("Tested to safety standards.", "A dial fit that adjusts on the move."),
        options=(OptionAxis("Size", ("S", "M", "L"), (2, 3), consecutive=True), _COLOR),
        variant_share=0.8,
        weight=1,
    ),
    Leaf(
        path=("Sports & Outdoors", "Cycling", "Bike Lights"),
        nouns=("Bike Light Set", "Front Bike Light", "Rear Bike Light"),
        brands=("Spoke & Chain", "Glowworks", "Voltly"),
        features=("USB Rechargeable", "Bright", "Waterproof", "Smart"),
        attributes=(
            Attribute("lumens", "brightness", (100, 400, 800, 1200, 1600), "lumens"),
            Attribute("battery_life_hours", "battery life", (2, 4, 6, 10), "hours"),
        ),
        price=(9, 149),
        uses=("Be seen from far away at night.", "Mounts to the bar without tools."),
        weight=1,
    ),
    # --- Beauty & Personal Care ---------------------------------------------
    Leaf(
        path=("Beauty & Personal Care", "Skin Care", "Moisturizers"),
        nouns=("Moisturizer", "Face Cream", "Gel Moisturizer"),
        brands=("Dewdrop", "Clearleaf", "Botanica Lab"),
        features=("Hydrating", "Fragrance-Free", "Oil-Free", "Night"),
        attributes=(
            Attribute("volume_ml", "size", (30, 50, 75, 100), "ml"),
            Attribute("skin_type", "skin type", ("all", "dry", "oily", "sensitive")),
        ),
        price=(8, 89),
        uses=("Absorbs quickly without feeling greasy.", "Dermatologist tested."),
        weight=2,
    ),
    Leaf(
        path=("Beauty & Personal Care", "Skin Care", "Sunscreen"),
        nouns=("Sunscreen", "Mineral Sunscreen", "Sunscreen Lotion"),
        brands=("Dewdrop", "Solstice", "Clearleaf"),
        features=("SPF 30", "SPF 50", "Water-Resistant", "Tinted"),
        attributes=(
            Attribute("spf", "SPF", (30, 45, 50, 60)),
            Attribute("volume_ml", "size", (50, 100, 150, 200), "ml"),
        ),
        price=(7, 49),
        uses=("Broad-spectrum protection for beach days.", "No white cast."),
        weight=1,
    ),
    Leaf(
        path=("Beauty & Personal Care", "Hair Care", "Hair Dryers"),
        nouns=("Hair Dryer", "Ionic Hair Dryer", "Travel Hair Dryer"),
        brands=("Salonique", "Airwave", "Botanica Lab"),
        features=("Ionic", "Lightweight", "Foldable", "Professional"),
        attributes=(
            Attribute("power_w", "power", (1200, 1600, 1875, 2000), "W"),
            Attribute("heat_settings", "heat settings", (2, 3, 4)),
        ),
        price=(19, 429),
        uses=("Dries fast with less frizz.", "A cool shot button to set the style."),
        weight=1,
        second_hand=True,
    ),
    Leaf(
        path=("Beauty & Personal Care", "Hair Care", "Shampoo"),
        nouns=("Shampoo", "Clarifying Shampoo", "Shampoo and Conditioner Set"),
        brands=("Salonique", "Botanica Lab", "Clearleaf"),
        features=("Sulfate-Free", "Volumizing", "Moisturizing", "Color-Safe"),
        attributes=(
            Attribute("volume_ml", "size", (250, 300, 500, 1000), "ml"),
            Attribute("hair_type", "hair type", ("all", "curly", "fine", "color-treated")),
        ),
        price=(6, 45),
        uses=("Leaves hair soft and easy to comb.", "A light, clean scent."),
        weight=1,
    ),
    # --- Toys & Games --------------------------------------------------------
    Leaf(
        path=("Toys & Games", "Building Sets"),
        nouns=("Building Set", "Construction Kit", "Magnetic Tiles"),
        brands=("Brickly", "Tinker Town", "Playforge"),
        features=("Creative", "STEM", "Deluxe", "Starter"),
        attributes=(
            Attribute("pieces", "pieces", (50, 100, 250, 500, 1000, 2500)),
            Attribute("age_min", "ages", (3, 5, 8, 12), "and up"),
        ),
        price=(9, 249),
        uses=("Hours of open-ended play.", "Builds fine motor skills and patience."),
        weight=2,
    ),
    Leaf(
        path=("Toys & Games", "Board Games"),
        nouns=("Board Game", "Strategy Game", "Family Card Game"),
        brands=("Meeple Works", "Game Night", "Playforge"),
        features=("Cooperative", "Family", "Party", "Strategy"),
        attributes=(
            Attribute("players", "players", ("2", "2-4", "2-6", "3-8")),
            Attribute("play_time_minutes", "play time", (15, 30, 45, 60, 120), "minutes"),
            Attribute("age_min", "ages", (6, 8, 10, 14), "and up"),
        ),
        price=(9, 99),
        uses=("Quick to learn, hard to master.", "Perfect for game night."),
        weight=2,
    ),
    Leaf(
        path=("Toys & Games", "Puzzles"),
        nouns=("Jigsaw Puzzle", "Puzzle"),
        brands=("Meeple Works", "Puzzlecraft"),
        features=("1000-Piece", "500-Piece", "Landscape", "Family"),
        attributes=(Attribute("pieces", "pieces", (300, 500, 1000, 1500, 2000)),),
        price=(9, 49),
        uses=("Thick pieces that snap together.", "A poster of the image is included."),
        weight=1,
    ),
    # --- Books ---------------------------------------------------------------
    Leaf(
        path=("Books", "Fiction"),
        nouns=("Novel",),
        brands=("Harbor Lane Press", "Inkwell Books", "Juniper House"),
        features=("A Gripping Mystery", "A Sweeping Historical", "A Heartwarming", "An Epic Fantasy"),
        attributes=(
            Attribute("pages", "pages", (224, 288, 352, 416, 512)),
            Attribute("language", "language", ("English",)),
            Attribute("publication_year", "published", (2019, 2020, 2021, 2022, 2023, 2024, 2025)),
        ),
        price=(7, 35),
        uses=("A story readers could not put down.", "Soon to be a major series."),
        options=(OptionAxis("Format", ("Paperback", "Hardcover"), (2, 2), price_step=10),),
        variant_share=0.6,
        weight=3,
        title_style="book",
    ),
    Leaf(
        path=("Books", "Cookbooks"),
        nouns=("Cookbook",),
        brands=("Inkwell Books", "Chef's Table", "Juniper House"),
        features=("A Weeknight", "A Plant-Based", "A Baking", "A One-Pot"),
        attributes=(
            Attribute("pages", "pages", (192, 256, 320, 400)),
            Attribute("recipes", "recipes", (75, 100, 125, 150)),
        ),
        price=(12, 45),
        uses=("Recipes that work on the first try.", "Photographs of every dish."),
        weight=1,
        title_style="book",
    ),
    Leaf(
        path=("Books", "Children's Books"),
        nouns=("Picture Book", "Early Reader"),
        brands=("Juniper House", "Little Lantern"),
        features=("A Bedtime", "A Funny", "An Illustrated", "A Rhyming"),
        attributes=(
            Attribute("pages", "pages", (24, 32, 48, 64)),
            Attribute("age_min", "ages", (2, 3, 4, 6), "and up"),
        ),
        price=(5, 25),
        uses=("Read it aloud again and again.", "Bright pictures on every page."),
        weight=1,
        title_style="book",
    ),
    # --- Office Products -----------------------------------------------------
    Leaf(
        path=("Office Products", "Paper", "Notebooks"),
        nouns=("Notebook", "Dotted Notebook", "Planner"),
        brands=("Papercraft", "Inkwell Books", "Ledger & Line"),
        features=("Hardcover", "Spiral", "A5", "Recycled"),
        attributes=(
            Attribute("pages", "pages", (96, 120, 192, 240)),
            Attribute("ruling", "ruling", ("dotted", "lined", "grid", "blank")),
        ),
        price=(4, 39),
        uses=("Thick paper that takes ink without bleeding.", "Lies flat when open."),
        options=(_COLOR,),
        variant_share=0.4,
        weight=1,
    ),
    Leaf(
        path=("Office Products", "Writing", "Pens"),
        nouns=("Gel Pens", "Fountain Pen", "Ballpoint Pens"),
        brands=("Ledger & Line", "Inkstone", "Papercraft"),
        features=("Fine Point", "Retractable", "Refillable", "Quick-Dry"),
        attributes=(
            Attribute("tip_mm", "tip", (0.38, 0.5, 0.7, 1.0), "mm"),
            Attribute("count", "count", (1, 3, 12, 24)),
        ),
        price=(3, 89),
        uses=("Smooth lines with no skipping.", "Comfortable for long writing sessions."),
        weight=1,
    ),
    Leaf(
        path=("Office Products", "Furniture", "Desk Chairs"),
        nouns=("Office Chair", "Ergonomic Chair", "Task Chair"),
        brands=("Sitwell", "Ergonomix", "Aspira"),
        features=("Mesh", "Ergonomic", "High-Back", "Adjustable"),
        attributes=(
            Attribute("max_weight_lb", "supports up to", (250, 275, 300, 350), "lb"),
            Attribute("lumbar_support", "adjustable lumbar support", (True, False)),
        ),
        price=(79, 1199),
        uses=("Supports good posture through long workdays.", "Rolls quietly on hard floors and carpet."),
        options=(_COLOR,),
        variant_share=0.3,
        weight=1,
        second_hand=True,
    ),
    # --- Pet Supplies --------------------------------------------------------
    Leaf(
        path=("Pet Supplies", "Dogs", "Dog Beds"),
        nouns=("Dog Bed", "Orthopedic Dog Bed", "Dog Crate Mat"),
        brands=("Pawsome", "Good Boy Goods", "Tailwind Pets"),
        features=("Orthopedic", "Washable", "Calming", "Waterproof"),
        attributes=(Attribute("fill", "fill", ("memory foam", "polyfill", "egg-crate foam")),),
        price=(19, 199),
        uses=("A cozy spot to curl up after walks.", "The cover zips off for washing."),
        options=(OptionAxis("Size", ("S", "M", "L", "XL"), (2, 4), True, 15),),
        variant_share=0.8,
        weight=1,
    ),
    Leaf(
        path=("Pet Supplies", "Dogs", "Dog Food"),
        nouns=("Dry Dog Food", "Grain-Free Dog Food", "Puppy Food"),
        brands=("Pawsome", "Wild Harvest Pet", "Good Boy Goods"),
        features=("Chicken Recipe", "Salmon Recipe", "High-Protein", "Senior"),
        attributes=(
            Attribute("protein_percent", "protein", (22, 26, 30, 34), "%"),
            Attribute("life_stage", "life stage", ("puppy", "adult", "senior", "all")),
        ),
        price=(12, 99),
        uses=("Real meat is the first ingredient.", "No artificial colors or flavors."),
        options=(OptionAxis("Bag Size", ("4 lb", "12 lb", "24 lb", "30 lb"), (2, 3), True, 20),),
        variant_share=0.7,
        weight=1,
    ),
    Leaf(
        path=("Pet Supplies", "Cats", "Cat Toys"),
        nouns=("Cat Toy", "Feather Wand", "Cat Tunnel"),
        brands=("Whisker & Co", "Tailwind Pets"),
        features=("Interactive", "Catnip", "Crinkle", "Electronic"),
        attributes=(Attribute("count", "toys in the pack", (1, 3, 6, 12)),),
        price=(4, 39),
        uses=("Keeps indoor cats busy.", "Sturdy enough for daily pouncing."),
        weight=1,
    ),
    # --- Garden & Outdoor ----------------------------------------------------
    Leaf(
        path=("Garden & Outdoor", "Grills"),
        nouns=("Gas Grill", "Charcoal Grill", "Pellet Grill", "Portable Grill"),
        brands=("Emberline", "Smokehouse", "Campfire Gear"),
        features=("3-Burner", "Portable", "Kettle", "Smart"),
        attributes=(
            Attribute("cooking_area_sq_in", "cooking area", (200, 360, 450, 600, 800), "sq in"),
            Attribute("fuel", "fuel", ("propane", "charcoal", "wood pellets", "natural gas")),
        ),
        price=(39, 1499),
        uses=("Even heat across the whole grate.", "Ready for burgers in ten minutes."),
        weight=1,
    ),
    Leaf(
        path=("Garden & Outdoor", "Watering", "Garden Hoses"),
        nouns=("Garden Hose", "Expandable Hose", "Hose Reel"),
        brands=("Greenthumb", "Flowline"),
        features=("Kink-Free", "Expandable", "Lightweight", "Heavy-Duty"),
        attributes=(
            Attribute("length_ft", "length", (25, 50, 75, 100), "ft"),
            Attribute("diameter_in", "diameter", (0.5, 0.625, 0.75), "inches"),
        ),
        price=(15, 129),
        uses=("Coils neatly after watering.", "Brass fittings that do not leak."),
        weight=1,
    ),
    # --- Tools & Home Improvement --------------------------------------------
    Leaf(
        path=("Tools & Home Improvement", "Power Tools", "Drills"),
        nouns=("Cordless Drill", "Drill Driver", "Hammer Drill"),
        brands=("Ironclad", "Torquemax", "Buildright"),
        features=("20V", "Brushless", "Compact", "Combo Kit"),
        attributes=(
            Attribute("voltage_v", "voltage", (12, 18, 20), "V"),
            Attribute("torque_in_lb", "torque", (300, 450, 600, 800), "in-lb"),
            Attribute("batteries_included", "batteries included", (0, 1, 2)),
        ),
        price=(39, 399),
        uses=("Drives screws and bores holes with ease.", "An LED light shows the work."),
        weight=2,
        second_hand=True,
    ),
    Leaf(
        path=("Tools & Home Improvement", "Hand Tools", "Tool Sets"),
        nouns=("Tool Set", "Socket Set", "Screwdriver Set"),
        brands=("Ironclad", "Buildright", "Handyman Co"),
        features=("Mechanics", "Home", "Precision", "Chrome Vanadium"),
        attributes=(
            Attribute("pieces", "pieces", (24, 40, 65, 120, 200)),
            Attribute("case", "case", ("blow-molded case", "roll-up pouch", "metal box")),
        ),
        price=(15, 349),
        uses=("Everything for weekend repairs in one case.", "Lifetime replacement on hand tools."),
        weight=1,
    ),
)
