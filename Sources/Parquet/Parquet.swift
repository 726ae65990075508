// The Parquet module. See docs/ARCHITECTURE.md.
