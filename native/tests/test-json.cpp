// Tests for the JSON reader/writer and the engine config parser (types, defaults, errors naming the key).
#include "core/json.h"
#include "engine/config.h"
#include "test-util.h"

static void test_roundtrip() {
  json_value j;
  std::string err;
  CHECK(json_parse(R"({"a": [1, 2.5, -3e2, true, false, null], "b": {"c": "x\"y\\n\u00e9\ud83d\ude00"}, "e": ""})", j, err));
  CHECK(j.get("a")->size() == 6);
  CHECK(j.get("a")->items()[1].as_number() == 2.5);
  CHECK(j.get("a")->items()[2].as_number() == -300);
  CHECK(j.get("b")->get("c")->as_string() == "x\"y\\n\xc3\xa9\xf0\x9f\x98\x80");
  json_value k;
  CHECK(json_parse(j.dump(), k, err));
  CHECK(k.dump() == j.dump());
  CHECK(json_value(0.1).dump() == "0.10000000000000001");
  CHECK(json_value(3).dump() == "3");
}

static void test_errors() {
  json_value j;
  std::string err;
  CHECK(!json_parse("{\"a\": 1,}", j, err));
  CHECK(err.find("line 1") != std::string::npos);
  CHECK(!json_parse("[1 2]", j, err));
  CHECK(!json_parse("\"abc", j, err));
  CHECK(!json_parse("{} x", j, err));
  CHECK(!json_parse("", j, err));
  CHECK(!json_parse("{\"a\":\n tru}", j, err));
  CHECK(err.find("line 2") != std::string::npos);
}

static void test_config() {
  json_value j;
  std::string err;
  CHECK(json_parse(R"({"model_dir":"m","train_file":"t.ltok","output_dir":"o","lora_rank":4,"lora_target":"q,v",
    "lr_scheduler_type":"cosine","warmup_ratio":0.1,"packing":true,"extra":1})", j, err));
  engine_config c;
  CHECK_OK(engine_config_parse(j, c));
  CHECK(c.lora.r == 4);
  CHECK(c.lora.targets[LORA_TARGET_Q] && c.lora.targets[LORA_TARGET_V] && !c.lora.targets[LORA_TARGET_K]);
  CHECK(c.scheduler == LR_SCHEDULE_COSINE);
  CHECK(c.packing);
  CHECK(c.ignored_keys.size() == 1 && c.ignored_keys[0] == "extra");
  CHECK(c.per_device_eval_batch_size == 1);

  engine_config d;
  CHECK(json_parse(R"({"model_dir":"m","train_file":"t","output_dir":"o","lora_rank":"8"})", j, err));
  lathe_status s = engine_config_parse(j, d);
  CHECK(s.code == LATHE_STATUS_CONFIG && s.message.find("lora_rank") != std::string::npos);
  engine_config e;
  CHECK(json_parse(R"({"model_dir":"m","output_dir":"o"})", j, err));
  s = engine_config_parse(j, e);
  CHECK(s.code == LATHE_STATUS_CONFIG && s.message.find("train_file") != std::string::npos);
  engine_config f;
  CHECK(json_parse(R"({"model_dir":"m","train_file":"t","output_dir":"o","lora_target":"qq"})", j, err));
  s = engine_config_parse(j, f);
  CHECK(s.code == LATHE_STATUS_CONFIG && s.message.find("qq") != std::string::npos);
  engine_config g;
  CHECK(json_parse(R"({"model_dir":"m","train_file":"t","output_dir":"o","learning_rate":-1})", j, err));
  CHECK(engine_config_parse(j, g).code == LATHE_STATUS_CONFIG);
}

// Mutated documents must parse or fail cleanly, never crash or hang.
static void test_fuzz() {
  const std::string seed = R"({"a":[1,2.5e-3,{"b":"c\u00e9\n"},true,null],"d":{"e":-0.0,"f":"\ud83d\ude00"}})";
  uint64_t x = 88172645463325252ULL;
  int parsed = 0;
  for (int iter = 0; iter < 20000; iter++) {
    std::string s = seed;
    int edits = 1 + (int)(x % 4);
    for (int e = 0; e < edits; e++) {
      x ^= x << 13; x ^= x >> 7; x ^= x << 17;
      size_t pos = (size_t)(x % (s.size() + 1));
      char c = (char)((x >> 20) & 0xff);
      switch ((x >> 40) % 3) {
        case 0: if (pos < s.size()) s[pos] = c; break;
        case 1: s.insert(pos, 1, c); break;
        default: if (pos < s.size()) s.erase(pos, 1); break;
      }
    }
    json_value j;
    std::string err;
    if (json_parse(s, j, err)) { parsed++; j.dump(); }
    else CHECK(!err.empty());
  }
  std::printf("fuzz: %d of 20000 mutated documents still parsed\n", parsed);
  std::string deep(100000, '[');
  json_value j;
  std::string err;
  CHECK(!json_parse(deep, j, err) && err.find("deep") != std::string::npos);
}

int main() {
  test_fuzz();
  test_roundtrip();
  test_errors();
  test_config();
  return test_finish("test-json");
}
