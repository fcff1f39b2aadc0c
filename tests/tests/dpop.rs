//! DPoP-bound access tokens (RFC 9449) with `private_key_jwt`, against a loopback token
//! endpoint and API that check every proof's signature and claims and ask for nonces.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use jsonwebtoken::jwk::{Jwk, ThumbprintHash};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use okta_client::{Client, PrivateKeyJwt};
use serde::Deserialize;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn key(name: &str) -> String {
    std::fs::read_to_string(okta_tests::workspace_root().join("tests/keys").join(name)).unwrap()
}

#[derive(Debug, Deserialize)]
struct Proof {
    jti: String,
    htm: String,
    htu: String,
    iat: u64,
    ath: Option<String>,
    nonce: Option<String>,
}

/// What the server saw: proofs' key thumbprints and jtis, and the nonces they carried.
#[derive(Default)]
struct Seen {
    jtis: HashSet<String>,
    thumbprints: HashSet<String>,
    algorithms: HashSet<String>,
    token_nonces: Vec<Option<String>>,
    api_nonces: Vec<Option<String>>,
    api_calls: usize,
}

/// Checks the `DPoP` header of `req` as an authorization server would: a `dpop+jwt` signed
/// by the public key in its own header, for this method and URL, fresh, with a new `jti`.
fn check_proof(req: &Request, seen: &Mutex<Seen>, base: &str) -> Proof {
    let proof = req
        .headers
        .get("dpop")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no DPoP proof on {} {}", req.method, req.url));
    let header = jsonwebtoken::decode_header(proof).unwrap();
    assert_eq!(header.typ.as_deref(), Some("dpop+jwt"));
    assert!(
        matches!(header.alg, Algorithm::ES256 | Algorithm::RS256),
        "{:?}",
        header.alg
    );
    let jwk: Jwk = header.jwk.expect("the proof carries its public key");
    let mut validation = Validation::new(header.alg);
    validation.required_spec_claims = HashSet::new();
    validation.validate_exp = false;
    validation.validate_aud = false;
    let claims =
        jsonwebtoken::decode::<Proof>(proof, &DecodingKey::from_jwk(&jwk).unwrap(), &validation)
            .expect("the proof is signed by the key it names")
            .claims;
    assert_eq!(claims.htm, req.method.as_str());
    // The server's own URL of the request, without its query.
    assert_eq!(claims.htu, format!("{base}{}", req.url.path()));
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(claims.iat + 60 > now && claims.iat <= now + 1, "{claims:?}");
    let mut seen = seen.lock().unwrap();
    assert!(seen.jtis.insert(claims.jti.clone()), "a jti was used twice");
    seen.thumbprints
        .insert(jwk.thumbprint(ThumbprintHash::SHA256));
    seen.algorithms.insert(format!("{:?}", header.alg));
    claims
}

fn ath(token: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest.as_ref())
}

/// A token endpoint that asks for a nonce first and then issues DPoP-bound `at-1`, and a
/// users API that asks for its own nonce, then answers with a new one each time.
async fn mount(server: &MockServer) -> Arc<Mutex<Seen>> {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let base = server.uri();
    let s = seen.clone();
    let b = base.clone();
    Mock::given(method("POST"))
        .and(path("/oauth2/v1/token"))
        .respond_with(move |req: &Request| {
            let proof = check_proof(req, &s, &b);
            assert_eq!(proof.ath, None, "a token request's proof has no ath");
            s.lock().unwrap().token_nonces.push(proof.nonce.clone());
            if proof.nonce.as_deref() != Some("token-nonce-1") {
                return ResponseTemplate::new(400)
                    .insert_header("dpop-nonce", "token-nonce-1")
                    .set_body_json(json!({
                        "error": "use_dpop_nonce",
                        "error_description": "Authorization server requires nonce in DPoP proof."
                    }));
            }
            ResponseTemplate::new(200).set_body_json(json!({
                "token_type": "DPoP", "expires_in": 3600, "access_token": "at-1",
                "scope": "okta.users.read"
            }))
        })
        .mount(server)
        .await;
    let s = seen.clone();
    let b = base.clone();
    Mock::given(method("GET"))
        .and(path("/api/v1/users/00u1"))
        .respond_with(move |req: &Request| {
            let auth = req.headers.get("authorization").and_then(|v| v.to_str().ok());
            assert_eq!(auth, Some("DPoP at-1"));
            let proof = check_proof(req, &s, &b);
            assert_eq!(proof.ath.as_deref(), Some(ath("at-1").as_str()));
            let mut seen = s.lock().unwrap();
            seen.api_nonces.push(proof.nonce.clone());
            seen.api_calls += 1;
            let expected = match seen.api_calls {
                1 => None,
                n => Some(format!("api-nonce-{}", n - 1)),
            };
            if proof.nonce.is_none() {
                return ResponseTemplate::new(401)
                    .insert_header("dpop-nonce", "api-nonce-1")
                    .insert_header(
                        "www-authenticate",
                        "DPoP error=\"use_dpop_nonce\", error_description=\"Resource server requires nonce in DPoP proof\"",
                    );
            }
            assert_eq!(proof.nonce, expected, "the latest nonce is used");
            ResponseTemplate::new(200)
                .insert_header("dpop-nonce", format!("api-nonce-{}", seen.api_calls).as_str())
                .set_body_json(json!({"id": "00u1"}))
        })
        .mount(server)
        .await;
    seen
}

async fn three_calls(client: &Client) {
    for _ in 0..3 {
        let user = client.get_user("00u1").send().await.unwrap();
        assert_eq!(user.id.as_deref(), Some("00u1"));
    }
}

#[tokio::test]
async fn dpop_with_a_generated_key_binds_the_token_and_follows_the_nonces() {
    let server = MockServer::start().await;
    let seen = mount(&server).await;
    let client = Client::builder()
        .base_url(server.uri())
        .private_key_jwt(
            PrivateKeyJwt::new("0oa-service-app", key("rsa-private.pem"))
                .scopes(["okta.users.read"])
                .dpop(),
        )
        .build()
        .unwrap();
    three_calls(&client).await;
    let seen = seen.lock().unwrap();
    // The first token request already carried a proof; the second one the nonce.
    assert_eq!(seen.token_nonces, [None, Some("token-nonce-1".into())]);
    // The API: refused without a nonce, then its nonce, then each new one it sent.
    assert_eq!(
        seen.api_nonces,
        [
            None,
            Some("api-nonce-1".into()),
            Some("api-nonce-2".into()),
            Some("api-nonce-3".into())
        ]
    );
    assert_eq!(seen.thumbprints.len(), 1, "one key signs every proof");
    assert_eq!(seen.algorithms, HashSet::from(["ES256".to_string()]));
    // The generated key is not in the client's debug text.
    assert!(!format!("{client:?}").contains("PRIVATE"));
}

#[tokio::test]
async fn dpop_with_an_rsa_key_of_the_callers_signs_rs256_proofs() {
    let server = MockServer::start().await;
    let seen = mount(&server).await;
    let client = Client::builder()
        .base_url(server.uri())
        .private_key_jwt(
            PrivateKeyJwt::new("0oa-service-app", key("ec-private.pem"))
                .dpop_key(key("rsa-private.pem")),
        )
        .build()
        .unwrap();
    three_calls(&client).await;
    let seen = seen.lock().unwrap();
    assert_eq!(seen.algorithms, HashSet::from(["RS256".to_string()]));
    assert_eq!(seen.thumbprints.len(), 1);
}

#[test]
fn a_dpop_key_that_is_not_a_key_is_refused_at_build_time() {
    let err = Client::builder()
        .base_url("https://example.okta.com")
        .private_key_jwt(PrivateKeyJwt::new("0oa1", key("rsa-private.pem")).dpop_key("not a key"))
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("DPoP key"), "{err}");
}
