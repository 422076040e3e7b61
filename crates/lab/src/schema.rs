//! The JSON Schema of lab files, generated from the model (`schema/lab.schema.json`).

use crate::model::LabFile;

/// The schema as pretty-printed JSON with a trailing newline.
pub fn generate() -> String {
    // Draft 7: the draft editors' YAML language servers support best.
    let schema = schemars::generate::SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<LabFile>();
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema always serializes");
    text.push('\n');
    text
}
