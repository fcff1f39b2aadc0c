//! Provisions a new employee: creates and activates the user, adds them to a group and
//! assigns them to an application, printing the id of each thing it makes.
//!
//! ```sh
//! OKTA_CLIENT_ORGURL=https://your-org.okta.com OKTA_CLIENT_TOKEN=00a… \
//! NEW_USER_LOGIN=ada@example.com NEW_USER_FIRST_NAME=Ada NEW_USER_LAST_NAME=Lovelace \
//! OKTA_GROUP_ID=00g1… OKTA_APP_ID=0oa1… \
//!     cargo run -p okta-client --example provision_user
//! ```
//!
//! With `NEW_USER_PASSWORD` the user is created with that password and is `ACTIVE` at once;
//! without it Okta emails them an activation link and the user is `PROVISIONED` until they
//! follow it. Either way they can be added to groups and apps straight away.

use okta_client::Client;
use okta_client::models::{
    AppUserAssignRequest, AppUserAssignRequestScope, CreateUserRequest, PasswordCredential,
    UserCredentialsWritable, UserProfile,
};

/// A required setting, with a message that names it when it is missing.
fn var(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("{name} is not set"))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::from_env()?;
    let login = var("NEW_USER_LOGIN")?;
    let group_id = var("OKTA_GROUP_ID")?;
    let app_id = var("OKTA_APP_ID")?;

    // Okta's default profile requires login, email, firstName and lastName. Attributes added
    // to the profile schema go in `additional_properties`.
    let profile = UserProfile {
        login: Some(login.clone()),
        email: Some(std::env::var("NEW_USER_EMAIL").unwrap_or_else(|_| login.clone())),
        first_name: Some(var("NEW_USER_FIRST_NAME")?),
        last_name: Some(var("NEW_USER_LAST_NAME")?),
        ..Default::default()
    };
    let credentials =
        std::env::var("NEW_USER_PASSWORD")
            .ok()
            .map(|password| UserCredentialsWritable {
                password: Some(PasswordCredential {
                    value: Some(password),
                    ..Default::default()
                }),
                ..Default::default()
            });
    let request = CreateUserRequest {
        profile: Some(profile),
        credentials,
        ..Default::default()
    };

    // 1. Create the user and activate them in the same call (`?activate=true`).
    println!("Creating user {login}");
    let user = client.create_user(request).activate(true).await?;
    let user_id = user.id.ok_or("Okta returned a user without an id")?;
    let status = user.status.map(|s| s.to_string()).unwrap_or_default();
    println!("Created user {user_id} ({status})");

    // 2. Group membership: `PUT /api/v1/groups/{groupId}/users/{userId}`, no body, no answer.
    client.add_user_to_group(&group_id, &user_id).await?;
    println!("Added user {user_id} to group {group_id}");

    // 3. Assign the app to the user directly (scope USER, as opposed to through a group).
    //    Apps with provisioning may need app-specific `credentials` or `profile` here too.
    let assignment = AppUserAssignRequest {
        id: Some(user_id.clone()),
        scope: Some(AppUserAssignRequestScope::User),
        ..Default::default()
    };
    let app_user = client
        .assign_user_to_application(&app_id, assignment)
        .await?;
    println!(
        "Assigned app {app_id} to user {} (app user status {})",
        app_user.id.as_deref().unwrap_or(&user_id),
        app_user.status.map(|s| s.to_string()).unwrap_or_default(),
    );
    Ok(())
}
