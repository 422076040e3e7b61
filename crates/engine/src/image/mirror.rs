//! The Debian mirror debootstrap uses: read from the machine's apt sources
//! (deb822 `.sources` files first, then one-line `.list` files), never
//! hard-coded. `NETLAB_DEBIAN_MIRROR` overrides.

use crate::error::{EngineError, Result};

const SOURCES_DIR: &str = "/etc/apt/sources.list.d";
const SOURCES_LIST: &str = "/etc/apt/sources.list";

/// The mirror URI for the Debian main archive.
pub(crate) fn debian_mirror() -> Result<String> {
    if let Ok(m) = std::env::var("NETLAB_DEBIAN_MIRROR")
        && !m.is_empty()
    {
        return Ok(m);
    }
    let mut deb822 = Vec::new();
    let mut one_line = vec![std::fs::read_to_string(SOURCES_LIST).unwrap_or_default()];
    if let Ok(dir) = std::fs::read_dir(SOURCES_DIR) {
        let mut paths: Vec<_> = dir.filter_map(|e| e.ok()).map(|e| e.path()).collect();
        paths.sort();
        for p in paths {
            let text = std::fs::read_to_string(&p).unwrap_or_default();
            match p.extension().and_then(|e| e.to_str()) {
                Some("sources") => deb822.push(text),
                Some("list") => one_line.push(text),
                _ => {}
            }
        }
    }
    deb822
        .iter()
        .find_map(|t| from_deb822(t))
        .or_else(|| one_line.iter().find_map(|t| from_one_line(t)))
        .ok_or_else(|| EngineError::NoMirror {
            searched: format!("{SOURCES_DIR}/*.sources, {SOURCES_LIST}, {SOURCES_DIR}/*.list"),
        })
}

/// A mirror serves every suite, so any `deb` entry of the main archive
/// (not the security archive) will do; a `bookworm` entry is preferred.
fn pick<'a>(entries: impl Iterator<Item = (&'a str, Vec<&'a str>)>) -> Option<String> {
    let main: Vec<_> = entries
        .filter(|(uri, suites)| {
            !uri.contains("security") && suites.iter().all(|s| !s.ends_with("-security"))
        })
        .collect();
    main.iter()
        .find(|(_, suites)| suites.contains(&"bookworm"))
        .or(main.first())
        .map(|(uri, _)| uri.trim_end_matches('/').to_string())
}

fn from_deb822(text: &str) -> Option<String> {
    let stanzas = text.split("\n\n").filter_map(|stanza| {
        let field = |name: &str| {
            stanza
                .lines()
                .filter(|l| !l.trim_start().starts_with('#'))
                .find_map(|l| l.strip_prefix(name)?.strip_prefix(':').map(str::trim))
        };
        let types = field("Types")?;
        if !types.split_whitespace().any(|t| t == "deb") || field("Enabled") == Some("no") {
            return None;
        }
        let uri = field("URIs")?.split_whitespace().next()?;
        Some((uri, field("Suites")?.split_whitespace().collect()))
    });
    pick(stanzas)
}

fn from_one_line(text: &str) -> Option<String> {
    let entries = text.lines().filter_map(|l| {
        let mut words = l.split_whitespace();
        (words.next()? == "deb").then_some(())?;
        let mut uri = words.next()?;
        if uri.starts_with('[') {
            // Skip `[arch=amd64 signed-by=...]` options.
            if !uri.ends_with(']') {
                words.by_ref().find(|w| w.ends_with(']'))?;
            }
            uri = words.next()?;
        }
        Some((uri, vec![words.next()?]))
    });
    pick(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deb822_prefers_main_archive() {
        let t = "Types: deb\n# comment\nURIs: http://mirror.example/debian-security\nSuites: bookworm-security\nComponents: main\n\nTypes: deb\nURIs: http://mirror.example/debian/\nSuites: bookworm bookworm-updates\nComponents: main\n";
        assert_eq!(
            from_deb822(t).as_deref(),
            Some("http://mirror.example/debian")
        );
    }

    #[test]
    fn one_line_with_options() {
        let t = "# x\ndeb-src http://a/debian bookworm main\ndeb [arch=amd64] http://b/debian bookworm main\n";
        assert_eq!(from_one_line(t).as_deref(), Some("http://b/debian"));
        assert_eq!(
            from_one_line("deb http://c/debian trixie main").as_deref(),
            Some("http://c/debian")
        );
    }
}
