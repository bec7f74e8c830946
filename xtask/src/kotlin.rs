//! The Kotlin/JVM module: native library packaging and the Maven build.

use anyhow::{bail, Result};

/// Builds the native library, stages it for the jar and runs `mvn -B verify`.
pub fn test() -> Result<()> {
    bail!("the Kotlin/JVM module is not built yet")
}
