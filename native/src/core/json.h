// Minimal JSON value, parser and writer for configs, HF config.json, safetensors headers and protocol events.
// Does not aim at streaming or huge documents; numbers are doubles (int64 values up to 2^53 are exact).
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

enum json_type { JSON_TYPE_NULL, JSON_TYPE_BOOL, JSON_TYPE_NUMBER, JSON_TYPE_STRING, JSON_TYPE_ARRAY, JSON_TYPE_OBJECT };

class json_value {
 public:
  json_value() = default;
  json_value(std::nullptr_t) {}
  json_value(bool b) : type_(JSON_TYPE_BOOL), bool_(b) {}
  json_value(double d) : type_(JSON_TYPE_NUMBER), num_(d) {}
  json_value(int v) : type_(JSON_TYPE_NUMBER), num_(v) {}
  json_value(int64_t v) : type_(JSON_TYPE_NUMBER), num_((double)v) {}
  json_value(uint64_t v) : type_(JSON_TYPE_NUMBER), num_((double)v) {}
  json_value(const char* s) : type_(JSON_TYPE_STRING), str_(s) {}
  json_value(std::string s) : type_(JSON_TYPE_STRING), str_(std::move(s)) {}

  static json_value array() { json_value v; v.type_ = JSON_TYPE_ARRAY; return v; }
  static json_value object() { json_value v; v.type_ = JSON_TYPE_OBJECT; return v; }

  json_type type() const { return type_; }
  bool is_null() const { return type_ == JSON_TYPE_NULL; }
  bool is_bool() const { return type_ == JSON_TYPE_BOOL; }
  bool is_number() const { return type_ == JSON_TYPE_NUMBER; }
  bool is_string() const { return type_ == JSON_TYPE_STRING; }
  bool is_array() const { return type_ == JSON_TYPE_ARRAY; }
  bool is_object() const { return type_ == JSON_TYPE_OBJECT; }

  bool as_bool() const { return bool_; }
  double as_number() const { return num_; }
  int64_t as_int() const { return (int64_t)num_; }
  const std::string& as_string() const { return str_; }
  const std::vector<json_value>& items() const { return arr_; }
  std::vector<json_value>& items() { return arr_; }
  // Object members in insertion order (writers keep key order stable for diffs and tests).
  const std::vector<std::pair<std::string, json_value>>& members() const { return obj_; }

  // Object access: get returns nullptr when absent.
  const json_value* get(const std::string& key) const;
  bool has(const std::string& key) const { return get(key) != nullptr; }
  json_value& set(const std::string& key, json_value v);
  void push(json_value v) { arr_.push_back(std::move(v)); }
  size_t size() const { return type_ == JSON_TYPE_ARRAY ? arr_.size() : obj_.size(); }

  std::string dump() const;  // compact, one line

 private:
  void dump_to(std::string& out) const;
  json_type type_ = JSON_TYPE_NULL;
  bool bool_ = false;
  double num_ = 0.0;
  std::string str_;
  std::vector<json_value> arr_;
  std::vector<std::pair<std::string, json_value>> obj_;
};

// Parses text; on failure returns false and sets err to "line L col C: what".
bool json_parse(const std::string& text, json_value& out, std::string& err);
std::string json_escape(const std::string& s);
