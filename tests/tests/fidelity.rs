//! The type policy on the generated models: reading never fails on a missing or null field,
//! unknown enum values, discriminators and properties are kept, and writing sends exactly
//! what was set.

use okta_client::models::{
    Application, AuthnTransaction, User, UserFactor, UserProfile, UserStatus,
};
use serde_json::{Value, json};

fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(v: Value) -> (T, Value) {
    let decoded: T = serde_json::from_value(v).expect("decodes");
    let encoded = serde_json::to_value(&decoded).unwrap();
    (decoded, encoded)
}

#[test]
fn missing_and_null_fields_read_as_none() {
    // The spec requires `id`; `created` is sent as null though it is not nullable.
    let (user, encoded): (User, _) = round_trip(json!({"created": null, "status": "ACTIVE"}));
    assert_eq!(user.id, None);
    assert_eq!(user.created, None);
    assert_eq!(user.status, Some(UserStatus::Active));
    assert_eq!(
        encoded,
        json!({"created": null, "status": "ACTIVE"}),
        "unset fields are not written; a null read is written back"
    );
    let fresh = User {
        status: Some(UserStatus::Active),
        ..User::default()
    };
    assert_eq!(
        serde_json::to_value(&fresh).unwrap(),
        json!({"status": "ACTIVE"})
    );
}

#[test]
fn unknown_enum_values_are_kept_and_written_back() {
    let payload = json!({"id": "00u1", "status": "PENDING_REVIEW"});
    let (user, encoded): (User, _) = round_trip(payload.clone());
    assert_eq!(
        user.status,
        Some(UserStatus::Other("PENDING_REVIEW".into()))
    );
    assert_eq!(user.status.as_ref().unwrap().as_str(), "PENDING_REVIEW");
    assert_eq!(encoded, payload);
}

#[test]
fn unknown_properties_are_kept_and_written_back() {
    let payload = json!({
        "id": "00u1",
        "futureField": {"nested": [1, 2, 3]},
        "profile": {"login": "a@example.com", "employeeBadge": "B-7", "clearance": null}
    });
    let (user, encoded): (User, _) = round_trip(payload.clone());
    assert_eq!(
        user.additional_properties["futureField"],
        json!({"nested": [1, 2, 3]})
    );
    let profile: &UserProfile = user.profile.as_ref().unwrap();
    assert_eq!(profile.additional_properties["employeeBadge"], json!("B-7"));
    assert_eq!(encoded, payload, "a read-modify-write loses nothing");
}

#[test]
fn known_discriminators_pick_their_variant_and_unknown_or_null_ones_keep_the_object() {
    let (app, _): (Application, _) =
        round_trip(json!({"id": "0oa1", "signOnMode": "BOOKMARK", "label": "Wiki"}));
    assert!(matches!(app, Application::Bookmark(_)), "{app:?}");

    // An Active Directory app comes with a null sign-on mode.
    let ad = json!({"id": "0oa2", "name": "active_directory", "signOnMode": null, "label": "AD"});
    let (app, encoded): (Application, _) = round_trip(ad.clone());
    assert!(matches!(app, Application::Other(_)), "{app:?}");
    assert_eq!(encoded, ad);

    let future = json!({"id": "0oa3", "signOnMode": "QUANTUM_SSO", "settings": {"x": 1}});
    let (app, encoded): (Application, _) = round_trip(future.clone());
    assert!(matches!(app, Application::Other(_)));
    assert_eq!(encoded, future);

    let (factor, _): (UserFactor, _) =
        round_trip(json!({"id": "mbl1", "factorType": "sms", "provider": "OKTA"}));
    assert!(matches!(factor, UserFactor::Sms(_)), "{factor:?}");
}

#[test]
fn links_resend_is_read_as_an_array_or_an_object() {
    let as_array = json!({
        "status": "MFA_CHALLENGE",
        "_links": {"resend": [{"name": "sms", "href": "https://x/resend", "hints": {"allow": ["POST"]}}]}
    });
    let (_, encoded): (AuthnTransaction, _) = round_trip(as_array.clone());
    assert_eq!(encoded, as_array);
    let as_object = json!({
        "status": "RECOVERY_CHALLENGE",
        "_links": {"resend": {"name": "sms", "href": "https://x/resend", "hints": {"allow": ["POST"]}}}
    });
    let (_, encoded): (AuthnTransaction, _) = round_trip(as_object.clone());
    assert_eq!(encoded, as_object);
}

#[test]
fn building_a_request_body_sends_only_what_was_set() {
    let profile = UserProfile {
        login: Some("ada@example.com".into()),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_value(&profile).unwrap(),
        json!({"login": "ada@example.com"})
    );
}
