//! The token and userinfo requests: the token endpoint with the client's authentication (a
//! signed client assertion for private_key_jwt), and the three ways to call userinfo.

use serde_json::json;

use super::{answer_of, random_id, transport, ClientAuth, Env, TestClient};
use crate::conformance::checks::{Answer, Violation};
use crate::conformance::Halt;

impl Env {
    /// POST to the token endpoint with the client's authentication added.
    pub async fn token(&self, client: &TestClient, form: &[(&str, &str)]) -> Result<Answer, Halt> {
        let endpoint = self.endpoint("token_endpoint")?;
        let mut form: Vec<(String, String)> = form
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut request = self.http.post(&endpoint);
        let secret = client.secret.clone().unwrap_or_default();
        match client.auth {
            ClientAuth::Basic => {
                // RFC 6749 2.3.1: both are form-urlencoded before Basic encoding.
                let enc = |s: &str| {
                    url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>()
                };
                request = request.basic_auth(enc(&client.client_id), Some(enc(&secret)));
            }
            ClientAuth::Post => {
                form.push(("client_id".into(), client.client_id.clone()));
                form.push(("client_secret".into(), secret));
            }
            ClientAuth::PrivateKeyJwt => {
                let assertion = self.client_assertion(client, &endpoint).await?;
                form.push(("client_id".into(), client.client_id.clone()));
                form.push((
                    "client_assertion_type".into(),
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".into(),
                ));
                form.push(("client_assertion".into(), assertion));
            }
        }
        let response = request
            .form(&form)
            .send()
            .await
            .map_err(|e| transport(&endpoint, e))?;
        Ok(answer_of(response).await)
    }

    /// RFC 7523 3 / OIDC Core 9: a signed client assertion for the token endpoint.
    pub async fn client_assertion(
        &self,
        client: &TestClient,
        audience: &str,
    ) -> Result<String, Halt> {
        let key = client
            .key
            .as_ref()
            .ok_or_else(|| Halt::Skip("private_key_jwt without a client key".into()))?;
        let now = self.now().await;
        key.sign(&json!({
            "iss": client.client_id, "sub": client.client_id, "aud": audience,
            "jti": random_id(), "iat": now, "exp": now + 60,
        }))
        .map_err(|e| Halt::Fail(Violation::new("SignClientAssertion", "-", e.to_string())))
    }

    /// GET or POST to the userinfo endpoint (OIDC Core 5.3.1; RFC 6750 2.1 and 2.2).
    pub async fn userinfo(&self, access_token: &str, how: UserinfoCall) -> Result<Answer, Halt> {
        let endpoint = self.endpoint("userinfo_endpoint")?;
        let request = match how {
            UserinfoCall::GetHeader => self.http.get(&endpoint).bearer_auth(access_token),
            UserinfoCall::PostHeader => self
                .http
                .post(&endpoint)
                .bearer_auth(access_token)
                .form::<[(&str, &str)]>(&[]),
            UserinfoCall::PostBody => self
                .http
                .post(&endpoint)
                .form(&[("access_token", access_token)]),
        };
        let response = request.send().await.map_err(|e| transport(&endpoint, e))?;
        Ok(answer_of(response).await)
    }
}

#[derive(Debug, Clone, Copy)]
pub enum UserinfoCall {
    GetHeader,
    PostHeader,
    PostBody,
}
