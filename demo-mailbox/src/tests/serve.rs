//! `serve` on a real socket bound to port 0 (as the end-to-end tests will use it).

use crate::config::Config;

#[tokio::test]
async fn serve_answers_on_a_port_zero_listener() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let config = Config {
        public_url: format!("http://{address}").parse().unwrap(),
        ..Config::default()
    };
    let server = tokio::spawn(crate::serve(listener, config));

    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let home = client
        .get(format!("http://{address}/"))
        .send()
        .await
        .unwrap();
    assert_eq!(home.status(), reqwest::StatusCode::SEE_OTHER);
    assert_eq!(home.headers()["location"], "/login");
    let logged_out = client
        .get(format!("http://{address}/logged-out"))
        .send()
        .await
        .unwrap();
    assert_eq!(logged_out.status(), reqwest::StatusCode::OK);
    server.abort();
}
