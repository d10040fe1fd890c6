// JSON parser (recursive descent, RFC 8259 subset: no duplicate-key checks) and compact writer.
// Does not preserve number formatting: numbers are written with enough digits to round-trip a double.
#include "core/json.h"
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

const json_value* json_value::get(const std::string& key) const {
  if (type_ != JSON_TYPE_OBJECT) return nullptr;
  for (const auto& kv : obj_)
    if (kv.first == key) return &kv.second;
  return nullptr;
}

json_value& json_value::set(const std::string& key, json_value v) {
  if (type_ != JSON_TYPE_OBJECT) { *this = object(); }
  for (auto& kv : obj_)
    if (kv.first == key) { kv.second = std::move(v); return kv.second; }
  obj_.emplace_back(key, std::move(v));
  return obj_.back().second;
}

std::string json_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += (char)c;
        }
    }
  }
  out += '"';
  return out;
}

void json_value::dump_to(std::string& out) const {
  switch (type_) {
    case JSON_TYPE_NULL: out += "null"; break;
    case JSON_TYPE_BOOL: out += bool_ ? "true" : "false"; break;
    case JSON_TYPE_NUMBER: {
      if (!std::isfinite(num_)) { out += "null"; break; }  // JSON has no NaN/Inf
      char buf[32];
      if (num_ == std::floor(num_) && std::fabs(num_) < 9.007199254740992e15)
        std::snprintf(buf, sizeof buf, "%lld", (long long)num_);
      else
        std::snprintf(buf, sizeof buf, "%.17g", num_);
      out += buf;
      break;
    }
    case JSON_TYPE_STRING: out += json_escape(str_); break;
    case JSON_TYPE_ARRAY:
      out += '[';
      for (size_t i = 0; i < arr_.size(); i++) {
        if (i) out += ',';
        arr_[i].dump_to(out);
      }
      out += ']';
      break;
    case JSON_TYPE_OBJECT:
      out += '{';
      for (size_t i = 0; i < obj_.size(); i++) {
        if (i) out += ',';
        out += json_escape(obj_[i].first);
        out += ':';
        obj_[i].second.dump_to(out);
      }
      out += '}';
      break;
  }
}

std::string json_value::dump() const {
  std::string out;
  dump_to(out);
  return out;
}

namespace {

struct parser {
  const std::string& s;
  size_t i = 0;
  std::string err;
  int depth = 0;

  explicit parser(const std::string& text) : s(text) {}

  bool fail(const char* what) {
    if (!err.empty()) return false;
    int line = 1, col = 1;
    for (size_t k = 0; k < i && k < s.size(); k++) {
      if (s[k] == '\n') { line++; col = 1; } else col++;
    }
    err = "line " + std::to_string(line) + " col " + std::to_string(col) + ": " + what;
    return false;
  }
  void ws() {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
  }
  bool lit(const char* w) {
    size_t n = std::strlen(w);
    if (s.compare(i, n, w) != 0) return fail("invalid literal");
    i += n;
    return true;
  }
  static void utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) out += (char)cp;
    else if (cp < 0x800) { out += (char)(0xC0 | (cp >> 6)); out += (char)(0x80 | (cp & 0x3F)); }
    else if (cp < 0x10000) { out += (char)(0xE0 | (cp >> 12)); out += (char)(0x80 | ((cp >> 6) & 0x3F)); out += (char)(0x80 | (cp & 0x3F)); }
    else { out += (char)(0xF0 | (cp >> 18)); out += (char)(0x80 | ((cp >> 12) & 0x3F)); out += (char)(0x80 | ((cp >> 6) & 0x3F)); out += (char)(0x80 | (cp & 0x3F)); }
  }
  bool hex4(uint32_t& v) {
    if (i + 4 > s.size()) return fail("truncated \\u escape");
    v = 0;
    for (int k = 0; k < 4; k++) {
      char c = s[i++];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= (uint32_t)(c - '0');
      else if (c >= 'a' && c <= 'f') v |= (uint32_t)(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= (uint32_t)(c - 'A' + 10);
      else return fail("bad hex digit in \\u escape");
    }
    return true;
  }
  bool str(std::string& out) {
    if (s[i] != '"') return fail("expected string");
    i++;
    while (true) {
      if (i >= s.size()) return fail("unterminated string");
      char c = s[i++];
      if (c == '"') return true;
      if ((unsigned char)c < 0x20) return fail("control character in string");
      if (c != '\\') { out += c; continue; }
      if (i >= s.size()) return fail("unterminated escape");
      char e = s[i++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          uint32_t cp = 0;
          if (!hex4(cp)) return false;
          if (cp >= 0xD800 && cp < 0xDC00 && i + 6 <= s.size() && s[i] == '\\' && s[i + 1] == 'u') {
            i += 2;
            uint32_t lo = 0;
            if (!hex4(lo)) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          utf8(out, cp);
          break;
        }
        default: return fail("bad escape");
      }
    }
  }
  bool num(json_value& out) {
    size_t start = i;
    if (s[i] == '-') i++;
    while (i < s.size() && (std::isdigit((unsigned char)s[i]) || s[i] == '.' || s[i] == 'e' || s[i] == 'E' || s[i] == '+' || s[i] == '-')) i++;
    std::string tok = s.substr(start, i - start);
    char* end = nullptr;
    double d = std::strtod(tok.c_str(), &end);
    if (tok.empty() || end != tok.c_str() + tok.size()) { i = start; return fail("invalid number"); }
    out = json_value(d);
    return true;
  }
  bool val(json_value& out) {
    if (++depth > 512) return fail("nesting too deep");
    ws();
    if (i >= s.size()) return fail("unexpected end of input");
    char c = s[i];
    bool ok;
    if (c == '{') ok = obj(out);
    else if (c == '[') ok = arr(out);
    else if (c == '"') { std::string t; ok = str(t); if (ok) out = json_value(std::move(t)); }
    else if (c == 't') { ok = lit("true"); out = json_value(true); }
    else if (c == 'f') { ok = lit("false"); out = json_value(false); }
    else if (c == 'n') { ok = lit("null"); out = json_value(); }
    else if (c == 'N') { ok = lit("NaN"); out = json_value(std::nan("")); }  // Python's json writes NaN
    else if (c == '-' || std::isdigit((unsigned char)c)) ok = num(out);
    else ok = fail("unexpected character");
    depth--;
    return ok;
  }
  bool arr(json_value& out) {
    out = json_value::array();
    i++;
    ws();
    if (i < s.size() && s[i] == ']') { i++; return true; }
    while (true) {
      json_value v;
      if (!val(v)) return false;
      out.push(std::move(v));
      ws();
      if (i >= s.size()) return fail("unterminated array");
      if (s[i] == ',') { i++; continue; }
      if (s[i] == ']') { i++; return true; }
      return fail("expected ',' or ']'");
    }
  }
  bool obj(json_value& out) {
    out = json_value::object();
    i++;
    ws();
    if (i < s.size() && s[i] == '}') { i++; return true; }
    while (true) {
      ws();
      if (i >= s.size()) return fail("unterminated object");
      std::string key;
      if (!str(key)) return false;
      ws();
      if (i >= s.size() || s[i] != ':') return fail("expected ':'");
      i++;
      json_value v;
      if (!val(v)) return false;
      out.set(key, std::move(v));
      ws();
      if (i >= s.size()) return fail("unterminated object");
      if (s[i] == ',') { i++; continue; }
      if (s[i] == '}') { i++; return true; }
      return fail("expected ',' or '}'");
    }
  }
};

}  // namespace

bool json_parse(const std::string& text, json_value& out, std::string& err) {
  parser p(text);
  if (!p.val(out)) { err = p.err; return false; }
  p.ws();
  if (p.i != text.size()) { p.fail("trailing characters after JSON value"); err = p.err; return false; }
  return true;
}
