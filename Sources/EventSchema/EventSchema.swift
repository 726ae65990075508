// The EventSchema module. See docs/ARCHITECTURE.md.
