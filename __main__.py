"""webstack: a highly-available AWS web stack. Composition only: config in, site out."""

import pulumi

from components import config as stack_config
from components.site import Site

site = Site(stack_config.from_pulumi())
for key, value in site.outputs.items():
    pulumi.export(key, value)
