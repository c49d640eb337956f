//! The text form of `xml_order` rules, as shipped beside outbound XML mappings
//! (`invoice.out.xml-order`): one rule per line, `Element: Child1 Child2 ...`, where `Element`
//! may be a path `Parent/Element`; blank lines and `#` comments are ignored.

/// Parses order rules; an error names the line.
///
/// # Errors
/// A line without `:`, an empty element name, or a rule given twice.
pub fn parse_xml_order(text: &str) -> Result<Vec<(String, Vec<String>)>, String> {
    let mut rules: Vec<(String, Vec<String>)> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split_once('#').map_or(line, |(rule, _)| rule).trim();
        if line.is_empty() {
            continue;
        }
        let Some((element, children)) = line.split_once(':') else {
            return Err(format!(
                "line {}: expected `Element: Child1 Child2 ...`, got `{line}`",
                n + 1
            ));
        };
        let element = element.trim();
        if element.is_empty() || element.split('/').any(|step| step.trim().is_empty()) {
            return Err(format!(
                "line {}: the element name is missing or has an empty path step",
                n + 1
            ));
        }
        if rules.iter().any(|(e, _)| e == element) {
            return Err(format!("line {}: `{element}` already has a rule", n + 1));
        }
        rules.push((
            element.to_owned(),
            children.split_whitespace().map(str::to_owned).collect(),
        ));
    }
    Ok(rules)
}

#[cfg(test)]
mod tests {
    use super::parse_xml_order;

    #[test]
    fn rules_comments_and_errors() {
        let text = "# UBL Invoice\nInvoice: ID IssueDate  # the header\n\nAccountingSupplierParty/Party: EndpointID PartyName\n";
        assert_eq!(
            parse_xml_order(text),
            Ok(vec![
                ("Invoice".into(), vec!["ID".into(), "IssueDate".into()]),
                (
                    "AccountingSupplierParty/Party".into(),
                    vec!["EndpointID".into(), "PartyName".into()]
                ),
            ])
        );
        assert!(parse_xml_order("Invoice ID").unwrap_err().starts_with("line 1:"));
        assert!(parse_xml_order("a: b\n: c").unwrap_err().starts_with("line 2:"));
        assert!(parse_xml_order("a//b: c").is_err());
        assert!(parse_xml_order("a: b\na: c").unwrap_err().contains("already"));
    }
}
