//! The committed `schema/lab.schema.json` is the one the model generates.

use std::path::Path;

#[test]
fn committed_schema_matches_the_model() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schema/lab.schema.json");
    let generated = netlab_lab::schema::generate();
    if std::env::var_os("NETLAB_UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is out of date with the lab model; regenerate it with \
         `NETLAB_UPDATE_SCHEMA=1 cargo test -p netlab-lab --test schema` and commit it",
        path.display()
    );
}

#[test]
fn schema_describes_the_top_level_keys() {
    let schema: serde_json::Value = serde_json::from_str(&netlab_lab::schema::generate()).unwrap();
    let props = schema["properties"].as_object().expect("properties");
    for key in [
        "name",
        "title",
        "description",
        "networks",
        "hosts",
        "scenarios",
        "submission",
    ] {
        assert!(props.contains_key(key), "schema lacks `{key}`");
    }
    assert_eq!(
        schema["additionalProperties"],
        serde_json::Value::Bool(false)
    );
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    // `hosts` may be left out when every scenario has its own (grading labs).
    assert_eq!(required, ["name", "scenarios"]);
}
