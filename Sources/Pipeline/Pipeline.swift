// The Pipeline module. See docs/ARCHITECTURE.md.
