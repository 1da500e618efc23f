//! Feature "testing": the archival package as an archive reads it. A ZIP
//! is opened with Python's `zipfile`, and `mets.xml` is validated offline
//! with `xmllint` (Debian's libxml2-utils, `scripts/packages test`) against
//! the shared schemas beside the project: as METS, then its descriptive
//! metadata against the NSESSS schema and its transaction log against the
//! log schema, each on its own and all at once.
//!
//! Every helper returns what went wrong as text, for the test to show.

use std::path::{Path, PathBuf};
use std::process::Command;

pub const METS_NS: &str = "http://www.loc.gov/METS/";
pub const NSESSS_NS: &str = "http://www.mvcr.cz/nsesss/v4";
pub const LOG_NS: &str = "http://www.mvcr.cz/nsesss/2023/log";

/// The NSESSS schemas in the shared schemas beside the project.
pub fn nsesss_schemas() -> Result<PathBuf, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/schemas/nsesss");
    for schema in ["catalog.xml", "mets.xsd", "nsesss.xsd", "nsesss-TrP.xsd"] {
        if !dir.join(schema).is_file() {
            return Err(format!(
                "{schema} is missing: the NSESSS schemas are expected in the shared schemas \
                 beside the project, at {}",
                dir.display()
            ));
        }
    }
    dir.canonicalize().map_err(|error| error.to_string())
}

/// Validates a document with `xmllint`, offline; `Err` carries its report.
pub fn xmllint(schema: &Path, document: &Path) -> Result<(), String> {
    let output = Command::new("xmllint")
        .env("XML_CATALOG_FILES", nsesss_schemas()?.join("catalog.xml"))
        .args(["--nonet", "--noout", "--schema"])
        .arg(schema)
        .arg(document)
        .output()
        .map_err(|error| {
            format!("xmllint did not run ({error}): install libxml2-utils (scripts/packages test)")
        })?;
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// The element `prefix:name` cut out of a document with its namespace
/// declared on it, as a document of its own.
pub fn extract(xml: &str, element: &str, namespace: &str) -> Option<String> {
    let start = xml
        .find(&format!("<{element} "))
        .or_else(|| xml.find(&format!("<{element}>")))?;
    let end_tag = format!("</{element}>");
    let end = start + xml[start..].find(&end_tag)? + end_tag.len();
    let prefix = element.split(':').next()?;
    let body = xml.get(start + 1 + element.len()..end)?;
    Some(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{element} xmlns:{prefix}=\"{namespace}\"{body}\n"
    ))
}

/// Writes into `dir` a schema that knows all three namespaces, so that
/// METS's lax `xmlData` validates the nested metadata too.
pub fn combined_schema(dir: &Path) -> Result<PathBuf, String> {
    let schemas = nsesss_schemas()?;
    let import = |namespace: &str, file: &str| {
        format!(
            "  <xs:import namespace=\"{namespace}\" schemaLocation=\"{}\"/>\n",
            schemas.join(file).display()
        )
    };
    let path = dir.join("combined.xsd");
    std::fs::write(
        &path,
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\">\n{}{}{}</xs:schema>\n",
            import(METS_NS, "mets.xsd"),
            import(NSESSS_NS, "nsesss.xsd"),
            import(LOG_NS, "nsesss-TrP.xsd"),
        ),
    )
    .map_err(|error| error.to_string())?;
    Ok(path)
}

/// Validates a package's `mets.xml` every way; the first failure with its
/// report.
pub fn validate_mets(xml: &str) -> Result<(), String> {
    let schemas = nsesss_schemas()?;
    let dir = tempfile::tempdir().map_err(|error| error.to_string())?;
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text)
            .map(|()| path)
            .map_err(|error| error.to_string())
    };
    let part = |element: &str, namespace: &str| {
        extract(xml, element, namespace).ok_or_else(|| format!("no {element} in the package"))
    };
    let mets = write("mets.xml", xml)?;
    xmllint(&schemas.join("mets.xsd"), &mets).map_err(|report| format!("METS: {report}"))?;
    let spis = write("spis.xml", &part("nsesss:Spis", NSESSS_NS)?)?;
    xmllint(&schemas.join("nsesss.xsd"), &spis).map_err(|report| format!("NSESSS: {report}"))?;
    let log = write("log.xml", &part("tp:TransakcniLogSystemu", LOG_NS)?)?;
    xmllint(&schemas.join("nsesss-TrP.xsd"), &log).map_err(|report| format!("log: {report}"))?;
    xmllint(&combined_schema(dir.path())?, &mets).map_err(|report| format!("all: {report}"))
}

/// A ZIP's entries in order, names and bytes, as Python's `zipfile` reads
/// them after checking every entry's CRC-32.
pub fn unzip(archive: &[u8]) -> Result<Vec<(String, Vec<u8>)>, String> {
    let dir = tempfile::tempdir().map_err(|error| error.to_string())?;
    let zip = dir.path().join("package.zip");
    std::fs::write(&zip, archive).map_err(|error| error.to_string())?;
    let out = dir.path().join("out");
    // Entries are written numbered, so that any name comes back as it was.
    let script = "import sys, zipfile\n\
        z = zipfile.ZipFile(sys.argv[1])\n\
        bad = z.testzip()\n\
        assert bad is None, bad\n\
        for n, i in enumerate(z.infolist()):\n\
        \x20   open(f'{sys.argv[2]}/{n}', 'wb').write(z.read(i))\n\
        \x20   print(i.filename)\n";
    std::fs::create_dir(&out).map_err(|error| error.to_string())?;
    let output = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&zip)
        .arg(&out)
        .env("PYTHONIOENCODING", "utf-8")
        .output()
        .map_err(|error| format!("python3 did not run: {error}"))?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    let names = String::from_utf8(output.stdout).map_err(|error| error.to_string())?;
    names
        .lines()
        .enumerate()
        .map(|(n, name)| {
            std::fs::read(out.join(n.to_string()))
                .map(|bytes| (name.to_owned(), bytes))
                .map_err(|error| error.to_string())
        })
        .collect()
}
