//! The app screen's channel-binding QR code: two frames that alternate, each carrying half of
//! the binding value in MitID's frame format (`{"v":1,"p":1|2,"t":2,"h":...,"uc":...}`),
//! rendered server-side as SVG.

use base64::Engine;
use qrcode::render::svg;
use qrcode::QrCode;
use serde_json::json;

/// The two frames' payloads for `binding` (hex): frame `p` carries the `p`-th half.
pub fn frame_payloads(binding: &str, update_count: u64) -> [String; 2] {
    let half = binding.len() / 2;
    let (first, second) = binding.split_at(half);
    [(1, first), (2, second)]
        .map(|(p, h)| json!({"v": 1, "p": p, "t": 2, "h": h, "uc": update_count}).to_string())
}

/// A payload as an `<img>` source: an SVG data URI; empty if the payload cannot be encoded.
pub fn svg_data_uri(payload: &str) -> String {
    let Ok(code) = QrCode::new(payload.as_bytes()) else {
        return String::new();
    };
    let image = code
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(image)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn each_frame_carries_one_half_of_the_binding() {
        let binding = "00112233445566778899aabbccddeeff";
        let frames = frame_payloads(binding, 3);
        let parsed: Vec<Value> = frames
            .iter()
            .map(|f| serde_json::from_str(f).unwrap())
            .collect();
        assert_eq!(parsed[0]["p"], 1);
        assert_eq!(parsed[1]["p"], 2);
        assert_eq!(parsed[0]["uc"], 3);
        let h1 = parsed[0]["h"].as_str().unwrap();
        let h2 = parsed[1]["h"].as_str().unwrap();
        assert_eq!(format!("{h1}{h2}"), binding);
    }

    #[test]
    fn a_frame_renders_as_an_svg_data_uri() {
        let uri = svg_data_uri(&frame_payloads("abcd", 1)[0]);
        let svg = base64::engine::general_purpose::STANDARD
            .decode(uri.trim_start_matches("data:image/svg+xml;base64,"))
            .unwrap();
        let svg = String::from_utf8(svg).unwrap();
        assert!(svg.contains("<svg"), "{svg}");
        assert!(svg.contains("<path"), "{svg}");
    }
}
