//! `spec/okta.yaml` covers every operation the product was specified with: the 111 named
//! operations of seed 000 (as client methods with exactly those names) and the 50 endpoints
//! of seed 004 (as method + path). The lists are facts of the product, kept here.

use okta_codegen::ir::{Api, ParamLocation};
use okta_codegen::load;
use okta_tests::workspace_root;

/// The 111 operations of seed 000, by the method name the client must have.
const SEED_000: [&str; 111] = [
    "activate_application",
    "activate_factor",
    "activate_factor_by_user",
    "activate_policy",
    "activate_policy_rule",
    "activate_rule",
    "activate_user",
    "add_factor",
    "add_group_target_to_role",
    "add_policy_rule",
    "add_role_to_user",
    "add_user_to_group",
    "answer_recovery_question",
    "assign_user_to_application",
    "authentication",
    "cancel_transaction",
    "change_password",
    "change_password_by_user",
    "change_recovery_question",
    "clone_application_key",
    "create_application",
    "create_application_group_assignment",
    "create_group",
    "create_policy",
    "create_rule",
    "create_session",
    "create_user",
    "deactivate_application",
    "deactivate_or_delete_user",
    "deactivate_policy",
    "deactivate_policy_rule",
    "deactivate_rule",
    "deactivate_user",
    "delete_application",
    "delete_application_group_assignment",
    "delete_application_user",
    "delete_factor",
    "delete_group",
    "delete_policy",
    "delete_policy_rule",
    "delete_rule",
    "end_all_user_sessions",
    "end_session",
    "enroll_factor",
    "expire_password",
    "forgot_password",
    "forgot_password_by_user",
    "get_application",
    "get_application_group_assignment",
    "get_application_key",
    "get_application_user",
    "get_factor",
    "get_group",
    "get_logs",
    "get_policy",
    "get_policy_rule",
    "get_rule",
    "get_session",
    "get_transaction_state",
    "get_user",
    "list_app_links",
    "list_application_group_assignments",
    "list_application_keys",
    "list_application_users",
    "list_applications",
    "list_assigned_roles",
    "list_factors",
    "list_group_targets_for_role",
    "list_group_users",
    "list_groups",
    "list_policies",
    "list_policy_rules",
    "list_rules",
    "list_supported_factors",
    "list_supported_security_questions",
    "list_user_groups",
    "list_users",
    "previous_transaction_state",
    "primary_authentication",
    "refresh_session",
    "remove_group_target_from_role",
    "remove_group_user",
    "remove_role_from_user",
    "resend_call_recovery_challenge",
    "resend_sms_recovery_challenge",
    "reset_all_factors",
    "reset_password",
    "reset_password_by_user",
    "skip_transaction_state",
    "suspend_user",
    "unlock_account",
    "unlock_user",
    "unsuspend_user",
    "update_application",
    "update_application_user",
    "update_group",
    "update_policy",
    "update_policy_rule",
    "update_rule",
    "update_user",
    "verify_call_factor",
    "verify_call_recovery_factor",
    "verify_factor",
    "verify_factor_by_user",
    "verify_push_factor",
    "verify_recovery_token",
    "verify_security_question_factor",
    "verify_sms_factor",
    "verify_sms_recovery_factor",
    "verify_totp_factor",
    "verify_u2f_factor",
];

/// The 50 endpoints of seed 004 (method, path as the seed writes it, query string included;
/// parameter names in the path may differ from the spec's).
const SEED_004: [(&str, &str); 50] = [
    (
        "GET",
        "/api/v1/roles/{roleTypeOrRoleId}/subscriptions/{notificationType}",
    ),
    (
        "POST",
        "/api/v1/roles/{roleTypeOrRoleId}/subscriptions/{notificationType}/subscribe",
    ),
    (
        "POST",
        "/api/v1/roles/{roleTypeOrRoleId}/subscriptions/{notificationType}/unsubscribe",
    ),
    (
        "POST",
        "/api/v1/users/{userId}/subscriptions/{notificationType}/subscribe",
    ),
    (
        "POST",
        "/api/v1/users/{userId}/subscriptions/{notificationType}/unsubscribe",
    ),
    ("GET", "/api/v1/templates/sms"),
    ("POST", "/api/v1/templates/sms"),
    ("DELETE", "/api/v1/templates/sms/{templateId}"),
    ("GET", "/api/v1/templates/sms/{templateId}"),
    ("POST", "/api/v1/templates/sms/{templateId}"),
    ("PUT", "/api/v1/templates/sms/{templateId}"),
    ("GET", "/api/v1/threats/configuration"),
    ("POST", "/api/v1/threats/configuration"),
    ("GET", "/api/v1/trustedOrigins"),
    ("POST", "/api/v1/trustedOrigins"),
    ("DELETE", "/api/v1/trustedOrigins/{trustedOriginId}"),
    ("GET", "/api/v1/trustedOrigins/{trustedOriginId}"),
    ("PUT", "/api/v1/trustedOrigins/{trustedOriginId}"),
    (
        "POST",
        "/api/v1/trustedOrigins/{trustedOriginId}/lifecycle/activate",
    ),
    (
        "POST",
        "/api/v1/trustedOrigins/{trustedOriginId}/lifecycle/deactivate",
    ),
    ("GET", "/api/v1/users"),
    ("POST", "/api/v1/users"),
    (
        "PUT",
        "/api/v1/users/{associatedUserId}/linkedObjects/{primaryRelationshipName}/{primaryUserId}",
    ),
    ("DELETE", "/api/v1/users/{userId}"),
    ("GET", "/api/v1/users/{userId}"),
    ("POST", "/api/v1/users/{userId}"),
    ("PUT", "/api/v1/users/{userId}"),
    ("GET", "/api/v1/users/{userId}/appLinks"),
    ("GET", "/api/v1/users/{userId}/clients"),
    ("DELETE", "/api/v1/users/{userId}/clients/{clientId}/grants"),
    ("GET", "/api/v1/users/{userId}/clients/{clientId}/grants"),
    ("DELETE", "/api/v1/users/{userId}/clients/{clientId}/tokens"),
    ("GET", "/api/v1/users/{userId}/clients/{clientId}/tokens"),
    (
        "DELETE",
        "/api/v1/users/{userId}/clients/{clientId}/tokens/{tokenId}",
    ),
    (
        "GET",
        "/api/v1/users/{userId}/clients/{clientId}/tokens/{tokenId}",
    ),
    ("POST", "/api/v1/users/{userId}/credentials/change_password"),
    (
        "POST",
        "/api/v1/users/{userId}/credentials/change_recovery_question",
    ),
    ("POST", "/api/v1/users/{userId}/credentials/forgot_password"),
    ("DELETE", "/api/v1/users/{userId}/grants"),
    ("GET", "/api/v1/users/{userId}/grants"),
    ("DELETE", "/api/v1/users/{userId}/grants/{grantId}"),
    ("GET", "/api/v1/users/{userId}/grants/{grantId}"),
    ("GET", "/api/v1/users/{userId}/groups"),
    ("GET", "/api/v1/users/{userId}/idps"),
    ("POST", "/api/v1/users/{userId}/lifecycle/activate"),
    ("POST", "/api/v1/users/{userId}/lifecycle/deactivate"),
    (
        "POST",
        "/api/v1/users/{userId}/lifecycle/expire_password?tempPassword=false",
    ),
    (
        "POST",
        "/api/v1/users/{userId}/lifecycle/expire_password?tempPassword=true",
    ),
    ("POST", "/api/v1/users/{userId}/lifecycle/reactivate"),
    ("POST", "/api/v1/users/{userId}/lifecycle/reset_factors"),
];

fn spec() -> (load::LoadedSpec, Api) {
    let loaded = load::load(
        load::Source::File(&workspace_root().join("spec/okta.yaml")),
        Default::default(),
    )
    .expect("spec/okta.yaml loads");
    let api = okta_codegen::lower::lower(&loaded).expect("spec/okta.yaml lowers");
    (loaded, api)
}

#[test]
fn every_seed_000_operation_is_a_client_method() {
    let (_, api) = spec();
    let names: Vec<&str> = api.operations().map(|op| op.name.as_str()).collect();
    let missing: Vec<&str> = SEED_000
        .iter()
        .copied()
        .filter(|n| !names.contains(n))
        .collect();
    assert!(
        missing.is_empty(),
        "seed-000 operations missing from the client: {missing:?}"
    );
}

#[test]
fn every_seed_004_endpoint_is_in_the_spec() {
    let (_, api) = spec();
    let mut missing = Vec::new();
    for (method, seed_path) in SEED_004 {
        let (path, query) = match seed_path.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (seed_path, None),
        };
        let found = api.operations().any(|op| {
            op.method.as_str() == method
                && same_template(&op.path, path)
                && query.is_none_or(|q| {
                    let name = q.split('=').next().unwrap_or_default();
                    op.params
                        .iter()
                        .any(|p| p.location == ParamLocation::Query && p.name == name)
                })
        });
        if !found {
            missing.push(format!("{method} {seed_path}"));
        }
    }
    assert!(
        missing.is_empty(),
        "seed-004 endpoints missing from the spec: {missing:?}"
    );
}

/// Two path templates name the same endpoint when they differ only in the names of their
/// parameters (the seed writes `/api/v1/users/{userId}`, Okta's spec now `/api/v1/users/{id}`).
fn same_template(a: &str, b: &str) -> bool {
    let segments = |p: &str| -> Vec<String> {
        p.split('/')
            .map(|s| {
                if s.starts_with('{') && s.ends_with('}') {
                    "{}".to_string()
                } else {
                    s.to_string()
                }
            })
            .collect()
    };
    segments(a) == segments(b)
}

#[test]
fn every_ref_resolves_and_operation_ids_are_unique() {
    let (loaded, api) = spec();
    let mut refs = Vec::new();
    let mut stack = vec![&loaded.raw];
    while let Some(v) = stack.pop() {
        match v {
            serde_json::Value::Object(map) => {
                if let Some(serde_json::Value::String(r)) = map.get("$ref") {
                    refs.push(r.clone());
                }
                stack.extend(map.values());
            }
            serde_json::Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    assert!(refs.len() > 500, "only {} refs found", refs.len());
    let dangling: Vec<&String> = refs
        .iter()
        .filter(|r| load::resolve_pointer(&loaded.raw, r).is_none())
        .collect();
    assert!(dangling.is_empty(), "dangling refs: {dangling:?}");

    let mut ids: Vec<&str> = api
        .operations()
        .map(|op| op.operation_id.as_str())
        .collect();
    let total = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), total, "operationIds are not unique");
    assert_eq!(loaded.api.openapi, "3.0.3");
    assert!(
        api.warnings.is_empty(),
        "the project's spec lowers without warnings: {:?}",
        api.warnings
    );
}
