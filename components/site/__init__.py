"""The composition: ``Site`` (the root: both regions, the links between them, the edge, monitoring
and the outputs) and ``RegionalSite`` (one region's tiers, given its data tier)."""

from components.site.regional_site import RegionalSite, RegionalSiteArgs
from components.site.site import Site

__all__ = ["RegionalSite", "RegionalSiteArgs", "Site"]
