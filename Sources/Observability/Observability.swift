// The Observability module. See docs/ARCHITECTURE.md.
