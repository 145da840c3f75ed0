"""webstack: a highly-available AWS web stack. Composition only: config in, site out."""

import pulumi

from components import config as stack_config
from components.config.loader import refuse_unbuilt
from components.site import Site

config = stack_config.from_pulumi()
refuse_unbuilt(config)
site = Site(config)
for key, value in site.outputs.items():
    pulumi.export(key, value)
