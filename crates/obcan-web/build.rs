//! Embeds the hashed asset files listed in assets/dist/manifest.json.

use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dist = Path::new(&env::var("CARGO_MANIFEST_DIR")?).join("assets/dist");
    let manifest_path = dist.join("manifest.json");
    println!("cargo::rerun-if-changed={}", dist.display());
    let manifest: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&fs::read_to_string(&manifest_path)?)?;

    let mut code = String::from("pub(crate) static EMBEDDED: &[Asset] = &[\n");
    for (logical, hashed) in &manifest {
        let hashed = hashed
            .as_str()
            .ok_or("manifest values must be file names")?;
        let path = dist.join(hashed);
        if !path.is_file() {
            return Err(format!(
                "{} lists {hashed}, which is missing",
                manifest_path.display()
            )
            .into());
        }
        writeln!(
            code,
            "    Asset {{ logical: {logical:?}, file: {hashed:?}, bytes: include_bytes!({:?}) }},",
            path.display().to_string()
        )?;
    }
    code.push_str("];\n");
    fs::write(Path::new(&env::var("OUT_DIR")?).join("assets.rs"), code)?;
    Ok(())
}
