//! Bad specs get a clear error naming the file and the place in it; none panics.

use std::path::Path;

use okta_codegen::error::Location;
use okta_codegen::{CrateSettings, Error, ErrorKind, load};

fn run(file: &str, text: &str) -> Result<okta_codegen::Generated, Error> {
    let settings = CrateSettings {
        name: "okta-client".into(),
        version: "0.1.0".into(),
        roundtrip: false,
        repository: None,
    };
    let loaded = load::load(
        load::Source::Text {
            path: Path::new(file),
            bytes: text.as_bytes(),
        },
        Default::default(),
    )?;
    okta_codegen::generate(&loaded, &settings, &Default::default())
}

fn fails(file: &str, text: &str) -> Error {
    match run(file, text) {
        Ok(_) => panic!("{file} should not generate"),
        Err(e) => e,
    }
}

const HEAD: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n";

#[test]
fn malformed_yaml_names_line_and_column() {
    let e = fails(
        "bad.yaml",
        "openapi: 3.0.3\ninfo:\n  title: [unclosed\npaths: {}\n",
    );
    assert_eq!(e.kind, ErrorKind::Syntax);
    let Some(Location::LineColumn { line, .. }) = e.location else {
        panic!("expected a line and column, got {e:?}");
    };
    assert!(line >= 3, "line {line}");
    let text = e.to_string();
    assert!(text.starts_with("bad.yaml:"), "{text}");
    assert!(text.contains("malformed YAML"), "{text}");
}

#[test]
fn malformed_json_names_line_and_column() {
    let e = fails("bad.json", "{\"openapi\": \"3.0.3\",\n \"info\": }");
    assert_eq!(e.kind, ErrorKind::Syntax);
    assert_eq!(
        e.location,
        Some(Location::LineColumn {
            line: 2,
            column: 10
        })
    );
}

#[test]
fn swagger_2_and_openapi_3_1_are_refused_with_the_supported_versions() {
    let e = fails(
        "old.yaml",
        "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n",
    );
    assert_eq!(e.kind, ErrorKind::Version);
    assert_eq!(e.pointer(), Some("#/swagger"));
    assert!(e.to_string().contains("Swagger 2.0"), "{e}");
    assert!(e.to_string().contains("3.0.x"), "{e}");

    let e = fails(
        "new.yaml",
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n",
    );
    assert_eq!(e.kind, ErrorKind::Version);
    assert!(e.to_string().contains("3.1.0 is not supported"), "{e}");
}

#[test]
fn an_empty_spec_is_an_error() {
    let e = fails("empty.yaml", "  \n");
    assert_eq!(e.kind, ErrorKind::Structure);
    assert!(e.to_string().contains("empty"), "{e}");
}

#[test]
fn a_list_where_a_schema_is_expected_names_the_pointer() {
    let spec = format!(
        "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    User:\n      type: object\n      properties: [a, b]\n"
    );
    let e = fails("wrong.yaml", &spec);
    assert_eq!(e.kind, ErrorKind::Structure);
    let pointer = e.pointer().expect("a pointer");
    assert!(
        pointer.starts_with("#/components/schemas/User"),
        "pointer {pointer}"
    );
}

#[test]
fn a_dangling_ref_names_where_it_stands() {
    let spec = format!(
        "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    User:\n      type: object\n      properties:\n        profile: {{$ref: '#/components/schemas/Missing'}}\n"
    );
    let e = fails("dangling.yaml", &spec);
    assert_eq!(e.kind, ErrorKind::Reference);
    assert_eq!(
        e.pointer(),
        Some("#/components/schemas/User/properties/profile")
    );
    assert!(
        e.to_string().contains("#/components/schemas/Missing"),
        "{e}"
    );

    let spec = format!(
        "{HEAD}paths:\n  /users:\n    get:\n      operationId: listUsers\n      responses:\n        '200': {{$ref: '#/components/responses/Nope'}}\n"
    );
    let e = fails("dangling.yaml", &spec);
    assert_eq!(e.kind, ErrorKind::Reference);
    assert_eq!(e.pointer(), Some("#/paths/~1users/get/responses/200"));
}

#[test]
fn a_cycle_of_refs_is_an_error() {
    let spec = format!(
        "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A: {{$ref: '#/components/schemas/B'}}\n    B: {{$ref: '#/components/schemas/A'}}\n"
    );
    let e = fails("cycle.yaml", &spec);
    assert_eq!(e.kind, ErrorKind::Reference);
    assert!(e.to_string().contains("cycle"), "{e}");
}

#[test]
fn duplicate_operation_ids_are_an_error() {
    let spec = format!(
        "{HEAD}paths:\n  /a:\n    get:\n      operationId: getThing\n      responses: {{'204': {{description: ok}}}}\n  /b:\n    get:\n      operationId: getThing\n      responses: {{'204': {{description: ok}}}}\n"
    );
    let e = fails("dup.yaml", &spec);
    assert_eq!(e.kind, ErrorKind::Duplicate);
    assert_eq!(e.pointer(), Some("#/paths/~1b/get"));
    assert!(e.to_string().contains("#/paths/~1a/get"), "{e}");
}

#[test]
fn path_parameters_must_match_the_template() {
    let spec = format!(
        "{HEAD}paths:\n  /users/{{userId}}:\n    get:\n      operationId: getUser\n      responses: {{'204': {{description: ok}}}}\n"
    );
    let e = fails("params.yaml", &spec);
    assert_eq!(e.kind, ErrorKind::Structure);
    assert!(e.to_string().contains("`{userId}`"), "{e}");

    let spec = format!(
        "{HEAD}paths:\n  /users:\n    get:\n      operationId: getUser\n      parameters:\n        - {{name: userId, in: path, required: true, schema: {{type: string}}}}\n      responses: {{'204': {{description: ok}}}}\n"
    );
    let e = fails("params.yaml", &spec);
    assert_eq!(e.kind, ErrorKind::Structure);
    assert!(e.to_string().contains("does not appear in the path"), "{e}");
}

#[test]
fn a_reference_outside_the_document_is_unsupported() {
    let spec = format!(
        "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    User: {{$ref: 'other.yaml#/User'}}\n"
    );
    let e = fails("external.yaml", &spec);
    assert_eq!(e.kind, ErrorKind::Unsupported);
    assert_eq!(e.pointer(), Some("#/components/schemas/User"));
}

#[test]
fn operation_ids_that_become_the_same_method_are_an_error_unless_lenient() {
    let spec = format!(
        "{HEAD}paths:\n  /a:\n    get:\n      operationId: getThing\n      responses: {{'204': {{description: ok}}}}\n  /b:\n    get:\n      operationId: get_thing\n      responses: {{'204': {{description: ok}}}}\n"
    );
    let e = fails("same.yaml", &spec);
    assert_eq!(e.kind, ErrorKind::Duplicate);
    assert_eq!(e.pointer(), Some("#/paths/~1b/get"));
    assert!(e.to_string().contains("`get_thing`"), "{e}");
    assert!(e.to_string().contains("--lenient"), "{e}");

    let loaded = load::load(
        load::Source::Text {
            path: Path::new("same.yaml"),
            bytes: spec.as_bytes(),
        },
        load::LoadOptions {
            lenient: true,
            ..Default::default()
        },
    )
    .unwrap();
    let api = okta_codegen::lower::lower(&loaded).unwrap();
    let names: Vec<&str> = api.operations().map(|op| op.name.as_str()).collect();
    assert_eq!(names, ["get_thing", "get_thing2"]);
    assert!(
        api.warnings
            .iter()
            .any(|w| w.message.contains("get_thing2"))
    );
}

#[test]
fn lenient_loading_replaces_what_does_not_parse_and_says_where() {
    let spec = format!(
        "{HEAD}paths:\n  /a:\n    get:\n      operationId: getThing\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema:\n                type: object\n                properties:\n                  broken: [1, 2]\n"
    );
    let e = fails("broken.yaml", &spec);
    assert_eq!(e.kind, ErrorKind::Structure);
    assert_eq!(
        e.pointer(),
        Some("#/paths/~1a/get/responses/200/content/application~1json/schema/properties/broken")
    );
    assert!(e.to_string().contains("--lenient"), "{e}");

    let loaded = load::load(
        load::Source::Text {
            path: Path::new("broken.yaml"),
            bytes: spec.as_bytes(),
        },
        load::LoadOptions {
            lenient: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(loaded.warnings.len(), 1);
    assert!(
        loaded.warnings[0]
            .message
            .contains("read as any JSON value")
    );
    assert_eq!(
        loaded.warnings[0].pointer,
        "#/paths/~1a/get/responses/200/content/application~1json/schema/properties/broken"
    );
    let settings = CrateSettings {
        name: "okta-client".into(),
        version: "0.1.0".into(),
        roundtrip: false,
        repository: None,
    };
    let generated = okta_codegen::generate(&loaded, &settings, &Default::default()).unwrap();
    assert_eq!(generated.api.operations().count(), 1);
}

#[test]
fn lenient_lowering_reads_unresolvable_refs_as_any_json() {
    let spec = format!(
        "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    User:\n      type: object\n      properties:\n        profile: {{$ref: '#/components/schemas/Missing'}}\n        extra: {{$ref: 'other.yaml#/Extra'}}\n"
    );
    let loaded = load::load(
        load::Source::Text {
            path: Path::new("refs.yaml"),
            bytes: spec.as_bytes(),
        },
        load::LoadOptions {
            lenient: true,
            ..Default::default()
        },
    )
    .unwrap();
    let api = okta_codegen::lower::lower(&loaded).unwrap();
    let pointers: Vec<&str> = api.warnings.iter().map(|w| w.pointer.as_str()).collect();
    assert_eq!(
        pointers,
        [
            "#/components/schemas/User/properties/extra",
            "#/components/schemas/User/properties/profile"
        ]
    );
    assert!(
        api.warnings
            .iter()
            .all(|w| w.message.ends_with("read as any JSON value"))
    );
}
