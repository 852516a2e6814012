//! Expressions of an instrument (relevance, constraints, calculations, ...)
//! parsed into a small XPath 1.0 syntax tree, with XLSForm's `${name}`
//! references as their own nodes. Nothing here evaluates anything.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// An expression as written, with its syntax tree. Stored as its text
/// (parsed again when read back).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Expression {
    /// The text as written in the form.
    pub source: String,
    /// The parsed tree.
    pub ast: Expr,
}

/// A node of an expression's syntax tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expr {
    /// A number as written (`3`, `0.5`).
    Number(String),
    /// A string literal, without its quotes.
    Literal(String),
    /// `${name}` (or `${last-saved#name}`): another question of the form.
    Field(FieldRef),
    /// An XPath variable, `$name`.
    Variable(String),
    /// A function call such as `selected(${q}, 'a')`.
    Call { function: String, args: Vec<Expr> },
    /// Unary minus.
    Negate(Box<Expr>),
    /// A binary operation.
    Binary {
        op: BinaryOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    /// A location path (`.`, `../a`, `/data/q`, `instance('x')/root/item[...]`).
    Path {
        /// What the path starts from, when it is not the context or the root.
        base: Option<Box<Expr>>,
        /// The path starts at the document root (`/...`).
        absolute: bool,
        steps: Vec<Step>,
    },
    /// A primary expression filtered by predicates (`(expr)[1]`).
    Filter {
        base: Box<Expr>,
        predicates: Vec<Expr>,
    },
}

/// One step of a location path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// The step is reached with `//` rather than `/`.
    pub descendant: bool,
    /// The axis and node test as written (`item`, `@id`, `..`, `child::x`, `text()`).
    pub test: String,
    /// The step's predicates.
    pub predicates: Vec<Expr>,
}

/// Binary operators, loosest binding first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Union,
}

/// A `${name}` reference and, once the instrument is built, the path of the
/// question it names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldRef {
    /// The name between the braces (without `last-saved#`).
    pub name: String,
    /// `${last-saved#name}`: the value from the last saved submission.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub last_saved: bool,
    /// The path of the question (`/group/q`), filled in when the instrument is built.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// Why an expression could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("invalid expression at character {position}: {reason}")]
pub struct ExpressionError {
    /// Character offset in the expression.
    pub position: usize,
    pub reason: String,
}

impl From<Expression> for String {
    fn from(e: Expression) -> String {
        e.source
    }
}

impl TryFrom<String> for Expression {
    type Error = ExpressionError;
    fn try_from(source: String) -> Result<Self, ExpressionError> {
        Expression::parse(&source)
    }
}

/// The longest expression accepted, in characters.
pub const MAX_EXPRESSION_CHARS: usize = 8192;
/// How deep parentheses, calls, predicates and signs may nest.
const MAX_NESTING: usize = 64;

impl Expression {
    /// Parses `source` as an XPath 1.0 expression with `${name}` references.
    pub fn parse(source: &str) -> Result<Expression, ExpressionError> {
        let len = source.chars().count();
        if len > MAX_EXPRESSION_CHARS {
            return Err(ExpressionError {
                position: MAX_EXPRESSION_CHARS,
                reason: format!("longer than {MAX_EXPRESSION_CHARS} characters"),
            });
        }
        let tokens = lex(source)?;
        let mut parser = Parser {
            tokens,
            pos: 0,
            len,
            depth: 0,
        };
        let ast = parser.expr()?;
        if let Some(t) = parser.tokens.get(parser.pos) {
            return Err(ExpressionError {
                position: t.at,
                reason: format!("unexpected {}", t.kind.describe()),
            });
        }
        Ok(Expression {
            source: source.to_owned(),
            ast,
        })
    }

    /// Every `${...}` reference in the expression, in order.
    pub fn fields(&self) -> Vec<&FieldRef> {
        let mut out = Vec::new();
        self.ast.walk(&mut |e| {
            if let Expr::Field(f) = e {
                out.push(f);
            }
        });
        out
    }

    /// Every `${...}` reference, mutably (used to resolve their paths).
    pub(crate) fn fields_mut(&mut self) -> Vec<&mut FieldRef> {
        let mut out = Vec::new();
        self.ast.walk_mut(&mut out);
        out
    }
}

impl Expr {
    fn walk<'a>(&'a self, f: &mut dyn FnMut(&'a Expr)) {
        f(self);
        match self {
            Expr::Call { args, .. } => args.iter().for_each(|a| a.walk(f)),
            Expr::Negate(e) => e.walk(f),
            Expr::Binary { left, right, .. } => {
                left.walk(f);
                right.walk(f);
            }
            Expr::Path { base, steps, .. } => {
                if let Some(b) = base {
                    b.walk(f);
                }
                steps
                    .iter()
                    .flat_map(|s| &s.predicates)
                    .for_each(|p| p.walk(f));
            }
            Expr::Filter { base, predicates } => {
                base.walk(f);
                predicates.iter().for_each(|p| p.walk(f));
            }
            Expr::Number(_) | Expr::Literal(_) | Expr::Field(_) | Expr::Variable(_) => {}
        }
    }

    fn walk_mut<'a>(&'a mut self, out: &mut Vec<&'a mut FieldRef>) {
        match self {
            Expr::Field(r) => out.push(r),
            Expr::Call { args, .. } => args.iter_mut().for_each(|a| a.walk_mut(out)),
            Expr::Negate(e) => e.walk_mut(out),
            Expr::Binary { left, right, .. } => {
                left.walk_mut(out);
                right.walk_mut(out);
            }
            Expr::Path { base, steps, .. } => {
                if let Some(b) = base {
                    b.walk_mut(out);
                }
                steps
                    .iter_mut()
                    .flat_map(|s| &mut s.predicates)
                    .for_each(|p| p.walk_mut(out));
            }
            Expr::Filter { base, predicates } => {
                base.walk_mut(out);
                predicates.iter_mut().for_each(|p| p.walk_mut(out));
            }
            Expr::Number(_) | Expr::Literal(_) | Expr::Variable(_) => {}
        }
    }
}

/// The `${...}` references in a piece of text (a label, a hint, a default),
/// with their character offsets; text outside the braces is not parsed.
pub fn text_references(text: &str) -> Vec<(usize, FieldRef)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 1 < chars.len() {
        if chars[i] == '$'
            && chars[i + 1] == '{'
            && let Some(len) = chars[i + 2..].iter().position(|&c| c == '}')
        {
            let inner: String = chars[i + 2..i + 2 + len].iter().collect();
            out.push((i, field_ref(&inner)));
            i += len + 3;
            continue;
        }
        i += 1;
    }
    out
}

fn field_ref(inner: &str) -> FieldRef {
    let inner = inner.trim();
    match inner.strip_prefix("last-saved#") {
        Some(name) => FieldRef {
            name: name.to_owned(),
            last_saved: true,
            path: None,
        },
        None => FieldRef {
            name: inner.to_owned(),
            last_saved: false,
            path: None,
        },
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Field(FieldRef),
    Literal(String),
    Number(String),
    Name(String),
    Variable(String),
    Op(&'static str),
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::Field(f) => format!("${{{}}}", f.name),
            Tok::Literal(_) => "string".to_owned(),
            Tok::Number(n) => format!("number {n}"),
            Tok::Name(n) => format!("name {n:?}"),
            Tok::Variable(v) => format!("${v}"),
            Tok::Op(o) => format!("{o:?}"),
        }
    }
}

#[derive(Debug, Clone)]
struct Token {
    kind: Tok,
    at: usize,
}

const OPS: [&str; 19] = [
    "!=", "<=", ">=", "//", "..", "::", "(", ")", "[", "]", ",", "/", "|", "+", "-", "=", "<", ">",
    "@",
];

fn is_name_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':' | '\u{b7}')
}

/// Whether the previous token lets a name or `*` be an operator (XPath 1.0 §3.7).
fn after_operand(prev: Option<&Token>) -> bool {
    match prev.map(|t| &t.kind) {
        None => false,
        Some(Tok::Op(o)) => matches!(*o, ")" | "]" | ".."),
        Some(Tok::Name(_)) => true,
        Some(_) => true,
    }
}

fn lex(src: &str) -> Result<Vec<Token>, ExpressionError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out: Vec<Token> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let at = i;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let err = |reason: &str| ExpressionError {
            position: at,
            reason: reason.to_owned(),
        };
        let kind = if c == '$' && chars.get(i + 1) == Some(&'{') {
            let len = chars[i + 2..]
                .iter()
                .position(|&c| c == '}')
                .ok_or_else(|| err("unclosed ${"))?;
            let inner: String = chars[i + 2..i + 2 + len].iter().collect();
            i += len + 3;
            Tok::Field(field_ref(&inner))
        } else if c == '$' {
            let start = i + 1;
            i = start;
            while i < chars.len() && is_name_char(chars[i]) {
                i += 1;
            }
            if i == start {
                return Err(err("a variable needs a name after $"));
            }
            Tok::Variable(chars[start..i].iter().collect())
        } else if c == '\'' || c == '"' || c == '‘' || c == '’' || c == '“' || c == '”' {
            let close: &[char] = match c {
                '\'' => &['\''],
                '"' => &['"'],
                _ => &['’', '‘', '”', '“'],
            };
            let len = chars[i + 1..]
                .iter()
                .position(|c| close.contains(c))
                .ok_or_else(|| err("unclosed string"))?;
            let s: String = chars[i + 1..i + 1 + len].iter().collect();
            i += len + 2;
            Tok::Literal(s)
        } else if c.is_ascii_digit()
            || (c == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()))
        {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            Tok::Number(chars[start..i].iter().collect())
        } else if c == '*' {
            i += 1;
            if after_operand(out.last()) {
                Tok::Op("*")
            } else {
                Tok::Name("*".to_owned())
            }
        } else if is_name_start(c) {
            let start = i;
            while i < chars.len() && is_name_char(chars[i]) {
                // `a::b` is an axis, not a QName: stop before `::`.
                if chars[i] == ':' && chars.get(i + 1) == Some(&':') {
                    break;
                }
                // a name does not end with `.` followed by nothing name-like
                i += 1;
            }
            // `prefix:*`
            if chars.get(i) == Some(&'*') && chars.get(i - 1) == Some(&':') {
                i += 1;
            }
            let name: String = chars[start..i].iter().collect();
            if after_operand(out.last()) && matches!(name.as_str(), "and" | "or" | "div" | "mod") {
                Tok::Op(match name.as_str() {
                    "and" => "and",
                    "or" => "or",
                    "div" => "div",
                    _ => "mod",
                })
            } else {
                Tok::Name(name)
            }
        } else {
            let rest: String = chars[i..chars.len().min(i + 2)].iter().collect();
            let op = OPS
                .iter()
                .find(|op| rest.starts_with(**op))
                .copied()
                .or(if c == '.' { Some(".") } else { None })
                .ok_or_else(|| err(&format!("unexpected character {c:?}")))?;
            i += op.chars().count();
            Tok::Op(op)
        };
        out.push(Token { kind, at });
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    /// The expression's length in characters (where "too early" ends point).
    len: usize,
    /// Current nesting, bounded by [`MAX_NESTING`].
    depth: usize,
}

const NODE_TYPES: [&str; 4] = ["node", "text", "comment", "processing-instruction"];

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos).map(|t| &t.kind)
    }

    fn peek_at(&self, n: usize) -> Option<&Tok> {
        self.tokens.get(self.pos + n).map(|t| &t.kind)
    }

    fn at(&self) -> usize {
        self.tokens.get(self.pos).map_or(self.len, |t| t.at)
    }

    fn error(&self, reason: impl Into<String>) -> ExpressionError {
        ExpressionError {
            position: self.at(),
            reason: reason.into(),
        }
    }

    fn eat(&mut self, op: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Op(o)) if *o == op) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, op: &str) -> Result<(), ExpressionError> {
        if self.eat(op) {
            Ok(())
        } else {
            Err(self.error(match self.peek() {
                Some(t) => format!("expected {op:?}, found {}", t.describe()),
                None => format!("expected {op:?} at the end"),
            }))
        }
    }

    fn expr(&mut self) -> Result<Expr, ExpressionError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(self.error(format!("nested deeper than {MAX_NESTING} levels")));
        }
        let e = self.binary(0);
        self.depth -= 1;
        e
    }

    fn binary(&mut self, level: usize) -> Result<Expr, ExpressionError> {
        const LEVELS: [&[(&str, BinaryOp)]; 6] = [
            &[("or", BinaryOp::Or)],
            &[("and", BinaryOp::And)],
            &[("=", BinaryOp::Eq), ("!=", BinaryOp::NotEq)],
            &[
                ("<=", BinaryOp::LtEq),
                (">=", BinaryOp::GtEq),
                ("<", BinaryOp::Lt),
                (">", BinaryOp::Gt),
            ],
            &[("+", BinaryOp::Add), ("-", BinaryOp::Sub)],
            &[
                ("*", BinaryOp::Mul),
                ("div", BinaryOp::Div),
                ("mod", BinaryOp::Mod),
            ],
        ];
        let Some(ops) = LEVELS.get(level) else {
            return self.unary();
        };
        let mut left = self.binary(level + 1)?;
        'outer: loop {
            for (sym, op) in ops.iter() {
                if self.eat(sym) {
                    let right = self.binary(level + 1)?;
                    left = Expr::Binary {
                        op: *op,
                        left: Box::new(left),
                        right: Box::new(right),
                    };
                    continue 'outer;
                }
            }
            return Ok(left);
        }
    }

    fn unary(&mut self) -> Result<Expr, ExpressionError> {
        let mut negations = 0;
        while self.eat("-") {
            negations += 1;
            if negations > MAX_NESTING {
                return Err(self.error(format!("more than {MAX_NESTING} signs in a row")));
            }
        }
        if negations > 0 {
            let mut e = self.unary()?;
            for _ in 0..negations {
                e = Expr::Negate(Box::new(e));
            }
            return Ok(e);
        }
        let mut left = self.path_expr()?;
        while self.eat("|") {
            let right = self.path_expr()?;
            left = Expr::Binary {
                op: BinaryOp::Union,
                left: Box::new(left),
                right: Box::new(right),
            };
        }
        Ok(left)
    }

    fn starts_step(&self) -> bool {
        match self.peek() {
            Some(Tok::Name(n)) => {
                // a function call is not a step, unless it is a node type test
                !matches!(self.peek_at(1), Some(Tok::Op("("))) || NODE_TYPES.contains(&n.as_str())
            }
            Some(Tok::Op(o)) => matches!(*o, "." | ".." | "@"),
            _ => false,
        }
    }

    fn path_expr(&mut self) -> Result<Expr, ExpressionError> {
        if matches!(self.peek(), Some(Tok::Op("/" | "//"))) {
            let descendant = self.eat("//");
            if !descendant {
                self.expect("/")?;
            }
            let mut steps = Vec::new();
            if descendant || self.starts_step() {
                steps.push(self.step(descendant)?);
                self.more_steps(&mut steps)?;
            }
            return Ok(Expr::Path {
                base: None,
                absolute: true,
                steps,
            });
        }
        if self.starts_step() {
            let mut steps = vec![self.step(false)?];
            self.more_steps(&mut steps)?;
            return Ok(Expr::Path {
                base: None,
                absolute: false,
                steps,
            });
        }
        let primary = self.primary()?;
        let mut predicates = Vec::new();
        while self.eat("[") {
            predicates.push(self.expr()?);
            self.expect("]")?;
        }
        let base = if predicates.is_empty() {
            primary
        } else {
            Expr::Filter {
                base: Box::new(primary),
                predicates,
            }
        };
        if matches!(self.peek(), Some(Tok::Op("/" | "//"))) {
            let mut steps = Vec::new();
            self.more_steps(&mut steps)?;
            return Ok(Expr::Path {
                base: Some(Box::new(base)),
                absolute: false,
                steps,
            });
        }
        Ok(base)
    }

    fn more_steps(&mut self, steps: &mut Vec<Step>) -> Result<(), ExpressionError> {
        loop {
            let descendant = if self.eat("//") {
                true
            } else if self.eat("/") {
                false
            } else {
                return Ok(());
            };
            steps.push(self.step(descendant)?);
        }
    }

    fn step(&mut self, descendant: bool) -> Result<Step, ExpressionError> {
        let test = if self.eat("..") {
            "..".to_owned()
        } else if self.eat(".") {
            ".".to_owned()
        } else {
            let mut test = String::new();
            if self.eat("@") {
                test.push('@');
            } else if let (Some(Tok::Name(axis)), Some(Tok::Op("::"))) =
                (self.peek(), self.peek_at(1))
            {
                test.push_str(axis);
                test.push_str("::");
                self.pos += 2;
            }
            match self.peek().cloned() {
                Some(Tok::Name(n)) => {
                    self.pos += 1;
                    test.push_str(&n);
                    if NODE_TYPES.contains(&n.as_str()) && self.eat("(") {
                        if let Some(Tok::Literal(l)) = self.peek().cloned() {
                            self.pos += 1;
                            test.push_str(&format!("('{l}')"));
                        } else {
                            test.push_str("()");
                        }
                        self.expect(")")?;
                    }
                }
                _ => return Err(self.error("expected a name in a path")),
            }
            test
        };
        let mut predicates = Vec::new();
        while self.eat("[") {
            predicates.push(self.expr()?);
            self.expect("]")?;
        }
        Ok(Step {
            descendant,
            test,
            predicates,
        })
    }

    fn primary(&mut self) -> Result<Expr, ExpressionError> {
        let Some(tok) = self.peek().cloned() else {
            return Err(self.error("expression ends too early"));
        };
        self.pos += 1;
        match tok {
            Tok::Field(f) => Ok(Expr::Field(f)),
            Tok::Literal(s) => Ok(Expr::Literal(s)),
            Tok::Number(n) => Ok(Expr::Number(n)),
            Tok::Variable(v) => Ok(Expr::Variable(v)),
            Tok::Op("(") => {
                let e = self.expr()?;
                self.expect(")")?;
                Ok(e)
            }
            Tok::Name(function) => {
                self.expect("(")?;
                let mut args = Vec::new();
                if !self.eat(")") {
                    loop {
                        args.push(self.expr()?);
                        if self.eat(")") {
                            break;
                        }
                        self.expect(",")?;
                    }
                }
                Ok(Expr::Call { function, args })
            }
            other => {
                self.pos -= 1;
                Err(self.error(format!("unexpected {}", other.describe())))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(src: &str) -> Vec<String> {
        Expression::parse(src)
            .map(|e| e.fields().iter().map(|f| f.name.clone()).collect())
            .unwrap_or_else(|e| vec![format!("error: {e}")])
    }

    #[test]
    fn parses_common_xlsform_expressions() {
        assert_eq!(names("${age} >= 18 and ${age} < 120"), ["age", "age"]);
        assert_eq!(names("selected(${q}, 'a') or . != ''"), ["q"]);
        assert_eq!(
            names("instance('cities')/root/item[state=${state} and name != '']/label"),
            ["state"]
        );
        assert_eq!(
            names("count(../x[. = 'y']) div 2 mod 3 * -1"),
            Vec::<String>::new()
        );
        assert_eq!(names("jr:choice-name(${c}, '${c}')"), ["c"]);
        assert_eq!(names("${last-saved#village}"), ["village"]);
        assert_eq!(names("/data/g/q | //item/@id"), Vec::<String>::new());
        assert_eq!(names("position(..)"), Vec::<String>::new());
    }

    #[test]
    fn keeps_precedence() {
        let e = Expression::parse("1 + 2 * 3").map(|e| e.ast);
        let Ok(Expr::Binary { op, right, .. }) = e else {
            panic!("not a binary: {e:?}");
        };
        assert_eq!(op, BinaryOp::Add);
        assert!(matches!(
            *right,
            Expr::Binary {
                op: BinaryOp::Mul,
                ..
            }
        ));
    }

    #[test]
    fn refuses_broken_expressions() {
        for bad in ["(1 + 2", "${a", "'open", "1 +", "f(1,", "a b"] {
            assert!(Expression::parse(bad).is_err(), "{bad} accepted");
        }
        let deep = format!("{}1{}", "(".repeat(200), ")".repeat(200));
        assert!(Expression::parse(&deep).is_err());
        assert!(Expression::parse(&"-".repeat(500)).is_err());
        assert!(Expression::parse(&"1+".repeat(5000)).is_err());
    }

    #[test]
    fn stored_as_text() -> Result<(), serde_json::Error> {
        let e = Expression::parse("${a} + 1").map_err(serde::de::Error::custom)?;
        assert_eq!(serde_json::to_string(&e)?, r#""${a} + 1""#);
        let back: Expression = serde_json::from_str(r#""${a} + 1""#)?;
        assert_eq!(back, e);
        assert!(serde_json::from_str::<Expression>(r#""(""#).is_err());
        Ok(())
    }

    #[test]
    fn finds_references_in_text() {
        let refs = text_references("Hello ${name}, ${ last-saved#x } $5");
        assert_eq!(refs.len(), 2);
        assert_eq!(refs[0].0, 6);
        assert_eq!(refs[1].1.name, "x");
        assert!(refs[1].1.last_saved);
    }
}
