//! A small reader for the HTML forms an OP answers with: the form post response mode
//! (auto-submitting form, OAuth 2.0 Form Post Response Mode section 2) and confirmation pages.

/// One `<form>`: its method (lower-case), action and the inputs that carry a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub method: String,
    pub action: String,
    pub inputs: Vec<(String, String)>,
}

/// Every form in `html`, in order.
pub fn forms(html: &str) -> Vec<Form> {
    let lower = html.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(start) = lower[at..].find("<form").map(|i| i + at) {
        let end = lower[start..]
            .find("</form")
            .map(|i| i + start)
            .unwrap_or(html.len());
        let tag_end = lower[start..].find('>').map(|i| i + start).unwrap_or(end);
        let tag = &html[start..tag_end];
        let mut form = Form {
            method: attribute(tag, "method")
                .unwrap_or_else(|| "get".into())
                .to_ascii_lowercase(),
            action: attribute(tag, "action").unwrap_or_default(),
            inputs: Vec::new(),
        };
        let body = &html[tag_end..end];
        let body_lower = &lower[tag_end..end];
        let mut i = 0;
        while let Some(s) = body_lower[i..]
            .find("<input")
            .or_else(|| body_lower[i..].find("<button"))
            .map(|x| x + i)
        {
            let e = body_lower[s..]
                .find('>')
                .map(|x| x + s)
                .unwrap_or(body.len());
            let tag = &body[s..e];
            if let Some(name) = attribute(tag, "name") {
                form.inputs
                    .push((name, attribute(tag, "value").unwrap_or_default()));
            }
            i = e;
        }
        out.push(form);
        at = end.max(start + 5);
    }
    out
}

/// The value of attribute `name` in a tag's text, entities decoded.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(name).map(|i| i + from) {
        let before_ok = i > 0 && lower.as_bytes()[i - 1].is_ascii_whitespace();
        let rest = lower[i + name.len()..].trim_start();
        if before_ok && rest.starts_with('=') {
            let offset = tag.len() - rest.len() + 1;
            let value = tag[offset..].trim_start();
            let (quote, body) = match value.chars().next() {
                Some(q @ ('"' | '\'')) => (Some(q), &value[1..]),
                _ => (None, value),
            };
            let end = match quote {
                Some(q) => body.find(q).unwrap_or(body.len()),
                None => body
                    .find(|c: char| c.is_ascii_whitespace() || c == '>')
                    .unwrap_or(body.len()),
            };
            return Some(decode_entities(&body[..end]));
        }
        from = i + name.len();
    }
    None
}

fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let Some(semi) = tail.find(';').filter(|s| *s <= 10) else {
            out.push('&');
            rest = &tail[1..];
            continue;
        };
        let entity = &tail[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            e if e.starts_with("#x") || e.starts_with("#X") => u32::from_str_radix(&e[2..], 16)
                .ok()
                .and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &tail[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_auto_submitting_form_post() {
        let html = r#"<html><body onload="document.forms[0].submit()">
<form method="POST" action="https://rp.example/cb?a=1&amp;b=2">
<input type="hidden" name="code" value="c&#x2F;1"/>
<input type='hidden' name='state' value='s'>
</form></body></html>"#;
        let forms = forms(html);
        assert_eq!(forms.len(), 1);
        assert_eq!(forms[0].method, "post");
        assert_eq!(forms[0].action, "https://rp.example/cb?a=1&b=2");
        assert_eq!(
            forms[0].inputs,
            vec![("code".into(), "c/1".into()), ("state".into(), "s".into())]
        );
    }
}
