"""webstack's components: one pulumi.ComponentResource per concern, composed by site.Site."""
