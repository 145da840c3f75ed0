"""webstack's components: one pulumi.ComponentResource per concern, composed by stack.WebStack."""
