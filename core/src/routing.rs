//! Routing: which sinks a canonical document goes to, and why (every route's decision is kept
//! with the message).

use vrl::value::Value as VrlValue;

use crate::mapping::Condition;

/// A compiled route.
pub struct Route {
    pub name: String,
    pub from: Vec<String>,
    pub when: Option<Condition>,
    pub to: Vec<String>,
}

/// What one route decided for one document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RouteDecision {
    pub route: String,
    pub matched: bool,
    /// Why the condition could not be evaluated (the route then does not match).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The sinks the route sends to, when matched.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub to: Vec<String>,
}

/// All routes, in config order.
pub struct Router {
    routes: Vec<Route>,
}

impl Router {
    #[must_use]
    pub fn new(routes: Vec<Route>) -> Self {
        Self { routes }
    }

    /// Decides every route that takes documents from `source`; returns the decisions and the
    /// sinks to deliver to (each once, in route order).
    #[must_use]
    pub fn route(&self, source: &str, doc: &mut VrlValue) -> (Vec<RouteDecision>, Vec<String>) {
        let mut decisions = Vec::new();
        let mut sinks: Vec<String> = Vec::new();
        for r in self.routes.iter().filter(|r| r.from.iter().any(|f| f == source)) {
            let (matched, error) = match &r.when {
                None => (true, None),
                Some(c) => match c.matches(doc) {
                    Ok(m) => (m, None),
                    Err(e) => (false, Some(e)),
                },
            };
            if matched {
                for s in &r.to {
                    if !sinks.contains(s) {
                        sinks.push(s.clone());
                    }
                }
            }
            decisions.push(RouteDecision {
                route: r.name.clone(),
                matched,
                error,
                to: if matched { r.to.clone() } else { Vec::new() },
            });
        }
        (decisions, sinks)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn route(name: &str, when: Option<&str>, to: &[&str]) -> Route {
        Route {
            name: name.into(),
            from: vec!["src".into()],
            when: when.map(|w| Condition::compile(name, w).unwrap()),
            to: to.iter().map(|s| (*s).to_string()).collect(),
        }
    }

    #[test]
    fn conditions_select_sinks_once_each() {
        let router = Router::new(vec![
            route("cn", Some(r#".ship_to.country == "CN""#), &["wms", "crm"]),
            route("hk", Some(r#".ship_to.country == "HK""#), &["wms-hk"]),
            route("all", None, &["crm"]),
        ]);
        let mut doc = VrlValue::from(json!({"ship_to": {"country": "CN"}}));
        let (decisions, sinks) = router.route("src", &mut doc);
        assert_eq!(sinks, vec!["wms", "crm"]);
        assert_eq!(
            decisions.iter().map(|d| d.matched).collect::<Vec<_>>(),
            vec![true, false, true]
        );
        let (decisions, sinks) = router.route("other", &mut doc);
        assert!(decisions.is_empty() && sinks.is_empty());
    }

    #[test]
    fn a_failing_condition_does_not_match_and_says_why() {
        let router = Router::new(vec![route("bad", Some(".ship_to"), &["wms"])]);
        let (decisions, sinks) = router.route("src", &mut VrlValue::from(json!({"ship_to": 1})));
        assert!(sinks.is_empty());
        assert!(
            decisions[0]
                .error
                .as_deref()
                .unwrap_or_default()
                .contains("expected a boolean")
        );
    }
}
