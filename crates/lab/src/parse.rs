//! Text -> raw model (serde-saphyr) -> resolved `Lab` (validate). YAML and
//! type errors become `Issue`s with netlab's wording; the parser stops at the
//! first one, validation reports every problem it finds.

use std::fs::OpenOptions;
use std::io::Read;
use std::path::Path;

use serde_saphyr::{
    DuplicateKeyPolicy, Error as YamlError, MessageFormatter, UserMessageFormatter,
};

use crate::error::{Issue, LabError};
use crate::model::LabFile;
use crate::resolved::Lab;
use crate::span::Pos;

/// The largest lab file [`load`] reads. Real labs are a few KiB; the cap keeps
/// a wrong path (a log, an image, `/dev/zero`) from filling memory.
pub const MAX_LAB_BYTES: u64 = 1 << 20;

/// Reads, parses and validates a lab file. Errors name the path as given.
/// Only a regular file of at most [`MAX_LAB_BYTES`] is read: a FIFO, a
/// device or a directory is refused before reading (a FIFO would block
/// until someone writes to it, a device may never end).
pub fn load(path: &Path) -> Result<Lab, LabError> {
    let bytes = read_lab(path)?;
    parse_bytes(&bytes, &path.display().to_string())
}

fn read_lab(path: &Path) -> Result<Vec<u8>, LabError> {
    let read_error = |source| LabError::Read {
        path: path.to_owned(),
        source,
    };
    // Look before opening: opening a FIFO waits for a writer, opening a
    // device may do something.
    let meta = std::fs::metadata(path).map_err(read_error)?;
    regular_file(path, &meta)?;
    let mut options = OpenOptions::new();
    options.read(true);
    // Should the path have been swapped for a FIFO since, do not wait for a
    // writer (no effect on a regular file); the fstat below refuses it.
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let file = options.open(path).map_err(read_error)?;
    regular_file(path, &file.metadata().map_err(read_error)?)?;
    let mut bytes = Vec::new();
    // One byte past the cap tells a file that grew while being read.
    file.take(MAX_LAB_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    if bytes.len() as u64 > MAX_LAB_BYTES {
        return Err(LabError::TooLarge {
            path: path.to_owned(),
            size: None,
            max: MAX_LAB_BYTES,
        });
    }
    Ok(bytes)
}

/// A regular file whose size is within the cap.
fn regular_file(path: &Path, meta: &std::fs::Metadata) -> Result<(), LabError> {
    let kind = file_kind(&meta.file_type());
    if let Some(kind) = kind {
        return Err(LabError::NotAFile {
            path: path.to_owned(),
            kind,
        });
    }
    if meta.len() > MAX_LAB_BYTES {
        return Err(LabError::TooLarge {
            path: path.to_owned(),
            size: Some(meta.len()),
            max: MAX_LAB_BYTES,
        });
    }
    Ok(())
}

/// What a path is when it is not a regular file.
fn file_kind(t: &std::fs::FileType) -> Option<&'static str> {
    if t.is_file() {
        return None;
    }
    if t.is_dir() {
        return Some("a directory");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Some("a FIFO");
        }
        if t.is_char_device() {
            return Some("a character device");
        }
        if t.is_block_device() {
            return Some("a block device");
        }
        if t.is_socket() {
            return Some("a socket");
        }
    }
    Some("not a file")
}

/// Parses and validates the bytes of a lab file, as [`load`] does after
/// reading: text that is not UTF-8 is reported at its byte, line and column.
pub fn parse_bytes(bytes: &[u8], file_name: &str) -> Result<Lab, LabError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => parse(text, file_name),
        Err(e) => Err(LabError::Invalid {
            file: file_name.to_owned(),
            issues: vec![not_utf8(bytes, e.valid_up_to())],
        }),
    }
}

/// `not UTF-8 at byte N (line L, column C)`: N counts from 0 (as `xxd` and
/// `cmp -l` minus one show it), L and C from 1, C in characters.
fn not_utf8(bytes: &[u8], at: usize) -> Issue {
    let valid = std::str::from_utf8(&bytes[..at.min(bytes.len())]).unwrap_or_default();
    let line = valid.matches('\n').count() as u64 + 1;
    let col = valid
        .rsplit('\n')
        .next()
        .unwrap_or_default()
        .chars()
        .count() as u64
        + 1;
    Issue::new(
        Pos { line, col },
        format!("not UTF-8 at byte {at} (line {line}, column {col})"),
        "UTF-8 text (save the file as UTF-8)",
    )
}

/// Parses and validates lab text; `file_name` is used in messages and kept in `Lab::file`.
pub fn parse(text: &str, file_name: &str) -> Result<Lab, LabError> {
    let invalid = |issues| LabError::Invalid {
        file: file_name.to_owned(),
        issues,
    };
    let raw = parse_raw(text).map_err(|issue| invalid(vec![issue]))?;
    crate::validate::resolve(raw, file_name).map_err(invalid)
}

pub(crate) fn parse_raw(text: &str) -> Result<LabFile, Issue> {
    if text
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return Err(Issue::new(
            Pos { line: 1, col: 1 },
            "the lab file is empty",
            "a mapping with `name`, `hosts` and `scenarios`",
        ));
    }
    let options = serde_saphyr::options! {
        duplicate_keys: DuplicateKeyPolicy::Error,
        strict_booleans: true,
        // A lab has no use for application tags (`!x`); ignored, a tagged
        // key (`!n name:`) slipped past the duplicate-key check and failed
        // later in serde without a position.
        reject_unsupported_tags: true,
        reject_tagged_field_names: true,
    };
    serde_saphyr::from_str_with_options::<LabFile>(text, options).map_err(|e| to_issue(&e, text))
}

fn to_issue(err: &YamlError, text: &str) -> Issue {
    let err = innermost(err);
    let pos = err
        .location()
        .map(|l| Pos {
            line: l.line(),
            col: l.column(),
        })
        .unwrap_or_default();
    let (what, expected) = describe(err, &token_at(text, pos));
    let pos = match err {
        // The location is the tagged node's; point at the tag itself.
        YamlError::UnsupportedTag { tag, .. } | YamlError::TaggedStructFieldName { tag, .. } => {
            tag_before(text, pos, tag)
        }
        _ => pos,
    };
    Issue::new(pos, what, expected)
}

/// Where `tag` is written on `pos`'s line before `pos`, if it is there as written.
fn tag_before(text: &str, pos: Pos, tag: &str) -> Pos {
    let Some(line) = text.lines().nth(pos.line.saturating_sub(1) as usize) else {
        return pos;
    };
    let before: String = line
        .chars()
        .take(pos.col.saturating_sub(1) as usize)
        .collect();
    match before.rfind(tag) {
        Some(i) if !tag.is_empty() => Pos {
            line: pos.line,
            col: before[..i].chars().count() as u64 + 1,
        },
        _ => pos,
    }
}

/// Strips the snippet and alias wrappers down to the error itself.
fn innermost(err: &YamlError) -> &YamlError {
    match err {
        YamlError::WithSnippet { error, .. } => innermost(error),
        YamlError::AliasError { error, .. } => innermost(error),
        other => other,
    }
}

/// The scalar written at `pos`, for messages whose error does not carry it.
fn token_at(text: &str, pos: Pos) -> String {
    let Some(line) = text.lines().nth(pos.line.saturating_sub(1) as usize) else {
        return String::new();
    };
    let rest: String = line
        .chars()
        .skip(pos.col.saturating_sub(1) as usize)
        .collect();
    let end = rest.find([',', '}', ']', '#']).unwrap_or(rest.len());
    rest[..end].trim().trim_matches(['"', '\'']).to_owned()
}

fn describe(err: &YamlError, token: &str) -> (String, String) {
    match err {
        YamlError::SerdeUnknownField {
            field, expected, ..
        } => (format!("unknown key `{field}`"), one_of(expected)),
        YamlError::SerdeMissingField { field, .. } => (
            format!("missing key `{field}`"),
            format!("`{field}:` in this mapping"),
        ),
        YamlError::SerdeUnknownVariant {
            variant, expected, ..
        } => (format!("unknown value `{variant}`"), one_of(expected)),
        YamlError::SerdeInvalidType {
            unexpected,
            expected,
            ..
        } => (format!("wrong type: found {unexpected}"), expected.clone()),
        YamlError::SerdeInvalidValue {
            unexpected,
            expected,
            ..
        } => (format!("wrong value: found {unexpected}"), expected.clone()),
        YamlError::Unexpected { expected, .. } => {
            ("wrong type".to_owned(), yaml_kind(expected).to_owned())
        }
        YamlError::InvalidScalar { ty, .. } => (format!("wrong value `{token}`"), scalar_kind(ty)),
        YamlError::InvalidBooleanStrict { .. } => (
            format!("wrong value `{token}`"),
            "`true` or `false`".to_owned(),
        ),
        YamlError::NullIntoString { .. } => ("empty value".to_owned(), "a string".to_owned()),
        YamlError::DuplicateMappingKey { key, .. } => (
            match key {
                Some(k) => format!("duplicate key `{k}`"),
                None => "duplicate key".to_owned(),
            },
            "each key once per mapping".to_owned(),
        ),
        YamlError::Eof { .. } => ("unexpected end of file".to_owned(), String::new()),
        YamlError::MultipleDocuments { .. } => (
            "more than one YAML document".to_owned(),
            "a single document (no second `---`)".to_owned(),
        ),
        YamlError::UnsupportedTag { tag, .. } | YamlError::TaggedStructFieldName { tag, .. } => (
            format!("YAML tag `{tag}` is not supported"),
            "a value without a tag (quote a text that starts with `!`)".to_owned(),
        ),
        YamlError::Message { msg, .. } => split_custom(msg),
        other => syntax(&UserMessageFormatter.format_message(other)),
    }
}

/// Custom messages from netlab's own deserializers read `<what>; expected <what>`;
/// serde's `expecting` texts for untagged enums are only the expected part.
fn split_custom(msg: &str) -> (String, String) {
    if let Some((what, expected)) = msg.split_once("; expected ") {
        (what.to_owned(), expected.to_owned())
    } else if msg.starts_with("a ") || msg.starts_with("an ") {
        ("wrong value".to_owned(), msg.to_owned())
    } else {
        (msg.to_owned(), String::new())
    }
}

/// Parser messages such as "while parsing a flow mapping, did not find
/// expected ',' or '}'" become "YAML syntax error while parsing a flow
/// mapping; expected ',' or '}'".
fn syntax(msg: &str) -> (String, String) {
    match msg.split_once("did not find expected ") {
        Some((context, expected)) => {
            let context = context.trim().trim_end_matches(',');
            let what = if context.is_empty() {
                "YAML syntax error".to_owned()
            } else {
                format!("YAML syntax error {context}")
            };
            (what, expected.to_owned())
        }
        None => (msg.to_owned(), String::new()),
    }
}

fn one_of(names: &[&str]) -> String {
    let names: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match names.len() {
        0 => "no keys here".to_owned(),
        1 => names[0].clone(),
        _ => format!("one of {}", names.join(", ")),
    }
}

fn yaml_kind(expected: &str) -> &str {
    match expected {
        "mapping start" => "a mapping",
        "sequence start" => "a list",
        "string scalar" => "a string",
        other => other,
    }
}

fn scalar_kind(ty: &str) -> String {
    match ty {
        "f32" | "f64" => "a number".to_owned(),
        "bool" => "`true` or `false`".to_owned(),
        t if t.starts_with('i') || t.starts_with('u') => "a whole number".to_owned(),
        t => format!("a {t}"),
    }
}
