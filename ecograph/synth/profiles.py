"""Vocabulary of the two synthetic domains: an IT vendor and a manufacturer."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Profile", "PROFILES"]


@dataclass(frozen=True)
class Profile:
    """What a generated ecosystem of one domain is made of.

    The field comments below say what each holds; :data:`PROFILES` has the
    two domains.

    Examples
    --------
    >>> it = PROFILES["it"]
    >>> it.company_id, it.chokepoint_sku, it.assembles
    ('NIMBUS', 'NET-SW', False)
    >>> PROFILES["manufacturing"].chokepoint_sku in PROFILES["manufacturing"].assets[0][5]
    True
    """

    company_id: str
    company_name: str
    industry: str
    regions: tuple[str, ...]
    segments: tuple[str, ...]
    industries: tuple[str, ...]
    capabilities: tuple[tuple[str, str, str], ...]  # id, name, category
    partner_types: dict[str, float]  # type -> share
    #: product id, name, category, required capabilities, sku (or "")
    products: tuple[tuple[str, str, str, tuple[str, ...], str], ...]
    #: sku, name, unit, category, counted, inputs
    assets: tuple[tuple[str, str, str, str, bool, tuple[str, ...]], ...]
    finished_skus: tuple[str, ...]  # what reaches customers
    chokepoint_sku: str  # sole-sourced input
    dual_sourced_skus: tuple[str, ...]
    raw_sku: str  # measured raw material (kg)
    demo_sku: str | None  # units lent to partners and returned
    assembles: bool  # the company makes its finished SKUs from their inputs
    words: tuple[tuple[str, ...], tuple[str, ...]]  # name parts for partners
    supplier_words: tuple[tuple[str, ...], tuple[str, ...]]
    #: sku -> value of one unit (``asset_classes.unit_value``: the weight of value at risk)
    unit_values: dict[str, float] = field(default_factory=dict)


IT = Profile(
    company_id="NIMBUS",
    company_name="Nimbus Cloud",
    industry="cloud platform",
    regions=("NA-East", "NA-West", "EMEA-North", "EMEA-South", "APAC", "LATAM"),
    segments=("enterprise", "mid_market", "smb", "public_sector", "education", "healthcare"),
    industries=("finance", "retail", "manufacturing", "government", "media", "health", "energy"),
    capabilities=(
        ("cloud_migration", "Cloud migration", "services"),
        ("security", "Security operations", "services"),
        ("networking", "Networking", "infrastructure"),
        ("data_analytics", "Data analytics", "software"),
        ("managed_services", "Managed services", "services"),
        ("devops", "DevOps", "software"),
        ("ai_ml", "AI and machine learning", "software"),
        ("storage", "Storage", "infrastructure"),
        ("backup", "Backup and recovery", "infrastructure"),
        ("compliance", "Compliance", "services"),
    ),
    partner_types={"reseller": 0.32, "msp": 0.2, "system_integrator": 0.15, "isv": 0.12,
                   "distributor": 0.06, "technology": 0.06, "referral": 0.06, "logistics": 0.03},
    products=(
        ("PR-COMPUTE", "Nimbus Compute", "cloud", ("cloud_migration",), ""),
        ("PR-SECURE", "Nimbus Secure", "security", ("security", "compliance"), ""),
        ("PR-EDGE", "Nimbus Edge Switch", "hardware", ("networking",), "NET-SW"),
        ("PR-RACK", "Nimbus Rack Server", "hardware", ("storage",), "SRV-1U"),
        ("PR-INSIGHT", "Nimbus Insight", "analytics", ("data_analytics", "ai_ml"), ""),
        ("PR-VAULT", "Nimbus Vault", "backup", ("backup", "storage"), ""),
        ("PR-OPS", "Nimbus Managed Ops", "services", ("managed_services", "devops"), ""),
    ),
    assets=(
        ("SRV-1U", "1U rack server", "each", "server", True, ("WAFER",)),
        ("NET-SW", "48-port edge switch", "each", "network device", True, ("WAFER",)),
        ("DEMO-KIT", "Demo appliance kit", "each", "demo unit", True, ()),
        ("WAFER", "Silicon wafer stock", "kg", "raw material", False, ()),
    ),
    finished_skus=("SRV-1U", "NET-SW"),
    chokepoint_sku="NET-SW",
    dual_sourced_skus=("SRV-1U",),
    raw_sku="WAFER",
    demo_sku="DEMO-KIT",
    assembles=False,
    words=(("Apex", "Blue", "Bright", "Cedar", "Core", "Delta", "Echo", "Falcon", "Granite",
            "Harbor", "Iron", "Juniper", "Keystone", "Lumen", "Maple", "Nova", "Orbit", "Pioneer",
            "Quartz", "Ridge", "Summit", "Titan", "Vertex", "Willow", "Zenith"),
           ("Systems", "Networks", "Solutions", "IT", "Technologies", "Consulting", "Digital",
            "Cloudworks", "Data", "Partners", "Labs", "Integrators")),
    supplier_words=(("Helix", "Quantum", "Silica", "Photon", "Ferro", "Argent", "Cobalt",
                     "Nexus"), ("Semiconductors", "Hardware", "Electronics", "Devices",
                                "Materials", "Components")),
    unit_values={"SRV-1U": 4200.0, "NET-SW": 2600.0, "DEMO-KIT": 900.0, "WAFER": 45.0},
)

MANUFACTURING = Profile(
    company_id="AQUILA",
    company_name="Aquila Pumps",
    industry="industrial pumps",
    regions=("North", "South", "East", "West", "Central"),
    segments=("agriculture", "construction", "utilities", "mining", "food_processing",
              "municipal"),
    industries=("farming", "building", "water", "mining", "food", "government"),
    capabilities=(
        ("installation", "Installation", "services"),
        ("maintenance", "Maintenance", "services"),
        ("hydraulics", "Hydraulic engineering", "engineering"),
        ("controls", "Control systems", "engineering"),
        ("spare_parts", "Spare parts stocking", "logistics"),
        ("rental", "Equipment rental", "services"),
        ("certified_welding", "Certified welding", "engineering"),
        ("water_treatment", "Water treatment", "engineering"),
    ),
    partner_types={"reseller": 0.5, "distributor": 0.15, "system_integrator": 0.12,
                   "logistics": 0.08, "msp": 0.05, "technology": 0.05, "referral": 0.05},
    products=(
        ("PR-PUMP", "Aquila Centrifugal Pump", "pumps", ("installation", "hydraulics"), "PUMP"),
        ("PR-VALVE", "Aquila Control Valve", "valves", ("controls",), "VALVE"),
        ("PR-SERVICE", "Aquila Care Plan", "services", ("maintenance", "spare_parts"), ""),
        ("PR-TREAT", "Aquila Treatment Skid", "systems", ("water_treatment", "controls"), ""),
    ),
    assets=(
        ("PUMP", "Centrifugal pump", "each", "finished good", True, ("GEARBOX", "MOTOR")),
        ("VALVE", "Control valve", "each", "finished good", True, ("STEEL",)),
        ("GEARBOX", "Reduction gearbox", "each", "component", True, ("STEEL",)),
        ("MOTOR", "Electric motor", "each", "component", True, ()),
        ("STEEL", "Stainless steel bar", "kg", "raw material", False, ()),
    ),
    finished_skus=("PUMP", "VALVE"),
    chokepoint_sku="GEARBOX",
    dual_sourced_skus=("MOTOR",),
    raw_sku="STEEL",
    demo_sku=None,
    assembles=True,
    words=(("Acme", "Bridge", "Canyon", "Dune", "Eagle", "Field", "Grove", "Hill", "Lake",
            "Mesa", "North", "Oak", "Prairie", "River", "Stone", "Valley", "Wheat"),
           ("Pumps", "Supply", "Equipment", "Irrigation", "Industrial", "Water", "Services",
            "Dealers", "Machinery")),
    supplier_words=(("Orion", "Tarn", "Brightforge", "Kestrel", "Volta", "Meridian", "Atlas"),
                    ("Gearworks", "Steel", "Alloys", "Motors", "Castings", "Components")),
    unit_values={"PUMP": 2400.0, "VALVE": 650.0, "GEARBOX": 180.0, "MOTOR": 420.0, "STEEL": 3.5},
)

PROFILES = {"it": IT, "manufacturing": MANUFACTURING}
