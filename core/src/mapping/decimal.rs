//! Exact decimal arithmetic for mappings. VRL numbers are floats, and money must never be one:
//! these functions take decimal strings (or integers), refuse floats, and return decimal
//! strings computed with `rust_decimal`, so `decimal_add("0.1", "0.2")` is `"0.3"`.
//!
//! | function | result |
//! | --- | --- |
//! | `decimal_add(a, b)`, `decimal_sub(a, b)`, `decimal_mul(a, b)` | `a + b`, `a - b`, `a × b` (scale as computed: `"1.25" × "2"` is `"2.50"`) |
//! | `decimal_div(a, b, scale)` | `a ÷ b` rounded half away from zero (as `decimal_round`) to exactly `scale` places, from the exact quotient; `b` = 0 is an error |
//! | `decimal_sum(values)` | the sum of an array of decimals (`"0"` for an empty one) |
//! | `decimal_round(value, scale)` | rounded half away from zero to exactly `scale` places |
//! | `decimal_cmp(a, b)` | `-1`, `0` or `1` |
//! | `to_decimal(value, decimal_mark: ",")` | the canonical form of a partner's number: `" +19,9 "` -> `"19.9"` |
//!
//! All are fallible (call them with `!` or handle the error): a value that is not a decimal is
//! an error naming it.

use std::str::FromStr as _;

use rust_decimal::{Decimal, RoundingStrategy};
use vrl::compiler::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Sum,
    Round,
    Cmp,
    ToDecimal,
}

const OPS: [Op; 8] = [
    Op::Add,
    Op::Sub,
    Op::Mul,
    Op::Div,
    Op::Sum,
    Op::Round,
    Op::Cmp,
    Op::ToDecimal,
];

const NUMBER: u16 = kind::BYTES | kind::INTEGER;

const TWO: &[Parameter] = &[
    Parameter::required("a", NUMBER, "A decimal string or an integer."),
    Parameter::required("b", NUMBER, "A decimal string or an integer."),
];
const SUM: &[Parameter] = &[Parameter::required(
    "values",
    kind::ARRAY,
    "Decimal strings or integers.",
)];
const ROUND: &[Parameter] = &[
    Parameter::required("value", NUMBER, "A decimal string or an integer."),
    Parameter::required("scale", kind::INTEGER, "Decimal places of the result (0 to 28)."),
];
const DIV: &[Parameter] = &[
    Parameter::required("a", NUMBER, "The dividend: a decimal string or an integer."),
    Parameter::required("b", NUMBER, "The divisor: a decimal string or an integer, not zero."),
    Parameter::required("scale", kind::INTEGER, "Decimal places of the result (0 to 28)."),
];
static DOT: Value = Value::Bytes(Bytes::from_static(b"."));
const TO_DECIMAL: &[Parameter] = &[
    Parameter::required("value", NUMBER, "A number as the partner wrote it."),
    Parameter::optional("decimal_mark", kind::BYTES, "The decimal mark: `.` (default) or `,`.").default(&DOT),
];

/// The decimal functions, to add to the standard library.
pub(super) fn all() -> Vec<Box<dyn Function>> {
    OPS.iter()
        .map(|&op| Box::new(DecimalFunction(op)) as Box<dyn Function>)
        .collect()
}

#[derive(Clone, Copy, Debug)]
struct DecimalFunction(Op);

impl Function for DecimalFunction {
    fn identifier(&self) -> &'static str {
        match self.0 {
            Op::Add => "decimal_add",
            Op::Sub => "decimal_sub",
            Op::Mul => "decimal_mul",
            Op::Div => "decimal_div",
            Op::Sum => "decimal_sum",
            Op::Round => "decimal_round",
            Op::Cmp => "decimal_cmp",
            Op::ToDecimal => "to_decimal",
        }
    }

    fn usage(&self) -> &'static str {
        match self.0 {
            Op::Add => "Adds two decimals exactly; returns a decimal string.",
            Op::Sub => "Subtracts `b` from `a` exactly; returns a decimal string.",
            Op::Mul => "Multiplies two decimals exactly; returns a decimal string.",
            Op::Div => "Divides `a` by `b`, rounded half away from zero to `scale` places; returns a decimal string.",
            Op::Sum => "Sums an array of decimals exactly; returns a decimal string.",
            Op::Round => "Rounds a decimal half away from zero to `scale` places; returns a decimal string.",
            Op::Cmp => "Compares two decimals: -1, 0 or 1.",
            Op::ToDecimal => "Normalizes a partner's number (sign, blanks, decimal comma) to a decimal string.",
        }
    }

    fn category(&self) -> &'static str {
        Category::Number.as_ref()
    }

    fn return_kind(&self) -> u16 {
        if self.0 == Op::Cmp { kind::INTEGER } else { kind::BYTES }
    }

    fn parameters(&self) -> &'static [Parameter] {
        match self.0 {
            Op::Add | Op::Sub | Op::Mul | Op::Cmp => TWO,
            Op::Sum => SUM,
            Op::Round => ROUND,
            Op::Div => DIV,
            Op::ToDecimal => TO_DECIMAL,
        }
    }

    fn examples(&self) -> &'static [Example] {
        &[]
    }

    fn compile(&self, _state: &TypeState, _ctx: &mut FunctionCompileContext, arguments: ArgumentList) -> Compiled {
        let args = self
            .parameters()
            .iter()
            .map(|p| {
                if p.required {
                    Some(arguments.required(p.keyword))
                } else {
                    arguments.optional(p.keyword)
                }
            })
            .collect();
        Ok(DecimalExpr { op: self.0, args }.as_expr())
    }
}

#[derive(Clone, Debug)]
struct DecimalExpr {
    op: Op,
    args: Vec<Option<Box<dyn Expression>>>,
}

impl FunctionExpression for DecimalExpr {
    fn resolve(&self, ctx: &mut Context) -> Resolved {
        let mut values = Vec::with_capacity(self.args.len());
        for arg in &self.args {
            values.push(match arg {
                Some(expr) => Some(expr.resolve(ctx)?),
                None => None,
            });
        }
        let arg = |i: usize| values.get(i).and_then(Option::as_ref).unwrap_or(&Value::Null);
        let text = |d: Decimal| Ok(Value::from(d.to_string()));
        match self.op {
            Op::Add => text(checked(parse(arg(0), '.')?.checked_add(parse(arg(1), '.')?))?),
            Op::Sub => text(checked(parse(arg(0), '.')?.checked_sub(parse(arg(1), '.')?))?),
            Op::Mul => text(checked(parse(arg(0), '.')?.checked_mul(parse(arg(1), '.')?))?),
            Op::Sum => {
                let Value::Array(items) = arg(0) else {
                    return Err(format!("decimal_sum expects an array, got {}", arg(0).kind()).into());
                };
                let mut sum = Decimal::ZERO;
                for (i, item) in items.iter().enumerate() {
                    let d = parse(item, '.').map_err(|e| format!("element {i}: {e}"))?;
                    sum = checked(sum.checked_add(d))?;
                }
                text(sum)
            }
            Op::Div => text(divide(
                parse(arg(0), '.')?,
                parse(arg(1), '.')?,
                scale("decimal_div", arg(2))?,
            )?),
            Op::Round => {
                let scale = scale("decimal_round", arg(1))?;
                let mut d = parse(arg(0), '.')?.round_dp_with_strategy(scale, RoundingStrategy::MidpointAwayFromZero);
                d.rescale(scale);
                text(d)
            }
            Op::Cmp => Ok(Value::Integer(match parse(arg(0), '.')?.cmp(&parse(arg(1), '.')?) {
                std::cmp::Ordering::Less => -1,
                std::cmp::Ordering::Equal => 0,
                std::cmp::Ordering::Greater => 1,
            })),
            Op::ToDecimal => {
                let mark = match arg(1).to_str_lossy().as_deref() {
                    None | Some(".") => '.',
                    Some(",") => ',',
                    _ => return Err(format!("to_decimal: decimal_mark must be \".\" or \",\", got {}", arg(1)).into()),
                };
                text(parse(arg(0), mark)?)
            }
        }
    }

    fn type_def(&self, _state: &TypeState) -> TypeDef {
        if self.op == Op::Cmp {
            TypeDef::integer().fallible()
        } else {
            TypeDef::bytes().fallible()
        }
    }
}

fn checked(d: Option<Decimal>) -> Result<Decimal, ExpressionError> {
    d.ok_or_else(|| "decimal overflow".into())
}

/// A `scale` argument: 0 to 28 decimal places.
fn scale(function: &str, value: &Value) -> Result<u32, ExpressionError> {
    match value {
        Value::Integer(n) if (0..=28).contains(n) => Ok(u32::try_from(*n).unwrap_or(0)),
        other => Err(format!("{function}: scale must be 0 to 28, got {other}").into()),
    }
}

/// `a / b` rounded half away from zero to `scale` places, decided on the exact quotient.
/// `Decimal` division keeps 28 significant digits and rounds the last one, so rounding its
/// result again could round twice (`…4999…` becoming `…5`); instead the quotient is split into
/// whole units of `10^-scale` and an exact remainder, and the remainder decides.
fn divide(a: Decimal, b: Decimal, scale: u32) -> Result<Decimal, ExpressionError> {
    if b.is_zero() {
        return Err(format!("decimal_div: division by zero (`{a}` / `{b}`)").into());
    }
    let negative = a.is_sign_negative() != b.is_sign_negative() && !a.is_zero();
    let (a, b) = (a.abs(), b.abs());
    // n / b, with n = a * 10^scale: its whole part is the result's digits, its remainder decides the rounding.
    let n = checked(a.checked_mul(Decimal::from_i128_with_scale(10_i128.pow(scale), 0)))?;
    let rem = checked(n.checked_rem(b))?;
    let mut units = checked(checked(n.checked_sub(rem))?.checked_div(b))?.trunc();
    if checked(rem.checked_mul(Decimal::TWO))? >= b {
        units = checked(units.checked_add(Decimal::ONE))?;
    }
    let mut q = checked(units.checked_div(Decimal::from_i128_with_scale(10_i128.pow(scale), 0)))?;
    q.rescale(scale);
    if negative {
        q.set_sign_negative(true);
    }
    Ok(q)
}

/// A decimal from a string (blanks and a leading `+` allowed; `mark` is the decimal mark) or an
/// integer. Floats are refused: they cannot hold money exactly.
fn parse(value: &Value, mark: char) -> Result<Decimal, ExpressionError> {
    let s = match value {
        Value::Integer(n) => return Ok(Decimal::from(*n)),
        Value::Bytes(_) | Value::String(_) => value.to_str_lossy().unwrap_or_default(),
        Value::Float(f) => {
            return Err(format!(
                "{f} is a float: money must stay exact, so pass the decimal as a string (e.g. the partner's own text)"
            )
            .into());
        }
        other => return Err(format!("expected a decimal string or an integer, got {}", other.kind()).into()),
    };
    let trimmed = s.trim();
    let unsigned = trimmed.strip_prefix('+').unwrap_or(trimmed);
    let other_mark = if mark == '.' { ',' } else { '.' };
    let valid = !unsigned.is_empty()
        && !unsigned.contains(other_mark)
        && unsigned
            .trim_start_matches('-')
            .chars()
            .all(|c| c.is_ascii_digit() || c == mark)
        && unsigned.matches(mark).count() <= 1
        && unsigned.chars().any(|c| c.is_ascii_digit());
    if !valid {
        return Err(format!("`{s}` is not a decimal number (decimal mark `{mark}`)").into());
    }
    let normal = unsigned.replace(mark, ".");
    let normal = normal.strip_suffix('.').unwrap_or(&normal);
    let normal = match normal.strip_prefix('.') {
        Some(rest) => format!("0.{rest}"),
        None => match normal.strip_prefix("-.") {
            Some(rest) => format!("-0.{rest}"),
            None => normal.to_owned(),
        },
    };
    Decimal::from_str(&normal).map_err(|e| format!("`{s}` is not a decimal number: {e}").into())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::mapping::Mapping;

    fn run(src: &str) -> Result<serde_json::Value, String> {
        let m = Mapping::compile("t", src).map_err(|e| e.to_string())?;
        m.run_json(json!({})).map_err(|e| e.to_string())
    }

    #[test]
    fn arithmetic_is_exact() {
        let out = run(r#". = {
            "add": decimal_add!("0.1", "0.2"),
            "sub": decimal_sub!("10", "0.01"),
            "mul": decimal_mul!("1.25", 2),
            "div": decimal_div!("10", "3", 2),
            "div_half": [decimal_div!("1", "8", 2), decimal_div!("-1", "8", 2), decimal_div!("5", 2, 0)],
            "div_exact": decimal_div!("7.5", "2.5", 3),
            "div_int": decimal_div!(1, 3, 0),
            "sum": decimal_sum!(["0.1", "0.2", 3, "-0.05"]),
            "empty": decimal_sum!([]),
            "round": decimal_round!("2.345", 2),
            "round_neg": decimal_round!("-2.345", 2),
            "pad": decimal_round!("25", 2),
            "cmp": [decimal_cmp!("1.10", "1.1"), decimal_cmp!("2", "10"), decimal_cmp!("-1", "-2")],
            "comma": to_decimal!(" +19,9 ", decimal_mark: ","),
            "dot": to_decimal!(".5"),
            "int": to_decimal!(7)
        }"#)
        .unwrap();
        assert_eq!(
            out,
            json!({"add": "0.3", "sub": "9.99", "mul": "2.50", "div": "3.33", "div_half": ["0.13", "-0.13", "3"],
                   "div_exact": "3.000", "div_int": "0", "sum": "3.25", "empty": "0",
                   "round": "2.35", "round_neg": "-2.35", "pad": "25.00", "cmp": [0, -1, 1],
                   "comma": "19.9", "dot": "0.5", "int": "7"})
        );
    }

    /// Rounding the 28-digit quotient again would round twice: 0.125 / 1.000…001 is
    /// 0.12499…9875 (more 9s than `Decimal` keeps, so its own division gives 0.125), which is
    /// 0.12 at two places, not 0.13.
    #[test]
    fn division_rounds_the_exact_quotient_once() {
        let out = run(r#". = {
            "near_half": decimal_div!("0.125", "1.0000000000000000000000000001", 2),
            "exact_half": decimal_div!("0.125", "1", 2),
            "thirds": decimal_div!("2", "3", 4),
            "neg_divisor": decimal_div!("1", "-8", 2),
            "zero": decimal_div!("0", "-3", 1)
        }"#)
        .unwrap();
        assert_eq!(
            out,
            json!({"near_half": "0.12", "exact_half": "0.13", "thirds": "0.6667", "neg_divisor": "-0.13", "zero": "0.0"})
        );
    }

    #[test]
    fn bad_numbers_and_floats_are_errors_that_say_which() {
        let e = run(r#". = {"x": decimal_add!("1.5", "abc")}"#).unwrap_err();
        assert!(e.contains("`abc` is not a decimal number"), "{e}");
        let e = run(r#"x = 0.1
            . = {"x": decimal_add!(x, "1")}"#)
        .unwrap_err();
        assert!(e.contains("float") || e.contains("expected"), "{e}");
        let e = run(r#". = {"x": to_decimal!("1.234,5", decimal_mark: ",")}"#).unwrap_err();
        assert!(e.contains("not a decimal"), "{e}");
        let e = run(r#". = {"x": decimal_sum!(["1", "x"])}"#).unwrap_err();
        assert!(e.contains("element 1"), "{e}");
        let e = run(r#". = {"x": decimal_round!("1", 29)}"#).unwrap_err();
        assert!(e.contains("scale"), "{e}");
        let e = run(r#". = {"x": decimal_div!("1", "0.00", 2)}"#).unwrap_err();
        assert!(e.contains("division by zero"), "{e}");
        let e = run(r#". = {"x": decimal_div!("1", "3", -1)}"#).unwrap_err();
        assert!(e.contains("decimal_div: scale must be 0 to 28"), "{e}");
        // Unhandled, a fallible call does not compile: the mapping author must decide.
        assert!(run(r#". = {"x": decimal_add("1", "2")}"#).is_err());
    }
}
