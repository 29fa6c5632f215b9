//! A small validator for the subset of JSON Schema that the schemas in
//! docs/ use (type, also as a list with "null"; enum, required,
//! properties, additionalProperties: false, items, anyOf, $ref into $defs,
//! minimum, minLength, maxLength). The `jsonschema` crate would pull in a
//! regex engine, an HTTP client for remote refs and ~40 other crates to
//! build on a shared 2-core CI for these tests; the subset is sixty lines,
//! and `the_schema_validator_rejects_bad_documents` (lint) and
//! `the_validator_knows_null_and_any_of` prove it can fail.

use serde_json::Value;

/// The schema in `docs/NAME`.
pub fn load(name: &str) -> Value {
    let path = format!("{}/docs/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// Fails the test, naming every fault, unless `doc` is valid under the
/// schema in `docs/NAME`.
pub fn assert_valid(name: &str, doc: &Value) {
    assert_eq!(errors(&load(name), doc), Vec::<String>::new(), "{doc}");
}

/// Every way `doc` breaks `schema`, one line each (empty when it is valid).
pub fn errors(schema: &Value, doc: &Value) -> Vec<String> {
    let mut errs = Vec::new();
    validate(schema, schema, doc, "$", &mut errs);
    errs
}

fn type_ok(t: &str, v: &Value) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        other => panic!("schema type {other} not handled"),
    }
}

fn validate(root: &Value, schema: &Value, v: &Value, at: &str, errs: &mut Vec<String>) {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.strip_prefix("#/$defs/").expect("local refs only");
        return validate(root, &root["$defs"][name], v, at, errs);
    }
    if let Some(any) = schema.get("anyOf").and_then(Value::as_array) {
        if !any.iter().any(|s| {
            let mut e = Vec::new();
            validate(root, s, v, at, &mut e);
            e.is_empty()
        }) {
            errs.push(format!("{at}: {v} matches none of anyOf"));
        }
        return;
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !types.is_empty() && !types.iter().any(|t| type_ok(t, v)) {
        errs.push(format!("{at}: expected {}, got {v}", types.join(" or ")));
        return;
    }
    if let Some(e) = schema.get("enum").and_then(Value::as_array)
        && !e.contains(v)
    {
        errs.push(format!("{at}: {v} is not one of the allowed values"));
    }
    if let Some(m) = schema.get("minimum").and_then(Value::as_i64)
        && v.as_i64().is_some_and(|n| n < m)
    {
        errs.push(format!("{at}: {v} < {m}"));
    }
    if let Some(s) = v.as_str() {
        let n = s.chars().count() as u64;
        let bound = |k: &str| schema.get(k).and_then(Value::as_u64);
        if bound("minLength").is_some_and(|m| n < m) {
            errs.push(format!("{at}: too short"));
        }
        if bound("maxLength").is_some_and(|m| n > m) {
            errs.push(format!("{at}: too long"));
        }
    }
    if let Some(o) = v.as_object() {
        let props = schema.get("properties").and_then(Value::as_object);
        let required = schema.get("required").and_then(Value::as_array);
        for r in required.into_iter().flatten() {
            let r = r.as_str().unwrap();
            if !o.contains_key(r) {
                errs.push(format!("{at}: missing {r}"));
            }
        }
        for (k, val) in o {
            match props.and_then(|p| p.get(k)) {
                Some(s) => validate(root, s, val, &format!("{at}.{k}"), errs),
                None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    errs.push(format!("{at}: unexpected field {k}"))
                }
                None => {}
            }
        }
    }
    if let (Some(a), Some(items)) = (v.as_array(), schema.get("items")) {
        for (i, x) in a.iter().enumerate() {
            validate(root, items, x, &format!("{at}[{i}]"), errs);
        }
    }
}

#[test]
fn the_validator_knows_null_and_any_of() {
    let s = serde_json::json!({
        "type": "object", "required": ["a"], "additionalProperties": false,
        "properties": {"a": {"type": ["boolean", "null"]},
                       "b": {"anyOf": [{"$ref": "#/$defs/n"}, {"type": "null"}]}},
        "$defs": {"n": {"type": "integer", "minimum": 1}}
    });
    assert!(errors(&s, &serde_json::json!({"a": null, "b": null})).is_empty());
    assert!(errors(&s, &serde_json::json!({"a": true, "b": 2})).is_empty());
    assert_eq!(errors(&s, &serde_json::json!({"a": "x"})).len(), 1);
    assert_eq!(
        errors(&s, &serde_json::json!({"a": false, "b": 0})).len(),
        1
    );
    assert_eq!(errors(&s, &serde_json::json!({"b": 1, "c": 1})).len(), 2);
}
