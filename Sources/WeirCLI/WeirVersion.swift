/// Weir's own version, reported by `weir --version`, `weir_build_info` and the Parquet `created_by` field.
public enum WeirVersion {
    /// Semantic version of this build.
    public static let string = "0.1.0"
    /// The Parquet `created_by` value: `weir version X`.
    public static let parquetCreatedBy = "weir version \(string)"
}
