#!/usr/bin/env python3
"""Parity fixtures for Lathe's TypeScript tokenizer, made with the Python `tokenizers` library (the judge).

Trains small BPE tokenizers in the exact pipeline configurations of Qwen2/Qwen3, Llama 3, Llama 2/Mistral
(SentencePiece-style, byte fallback) and a Metaspace variant, encodes a fixed corpus with each, and does the
same for the tiny demo model's tokenizer.json (also checked with transformers). Deterministic; no network.

usage: python3 test/reference/tokenizer_fixture.py OUT_DIR
"""
import json
import os
import sys

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

QWEN2_RE = r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
LLAMA3_RE = r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""


def training_texts():
    with open(os.path.join(REPO, "scripts", "make-tiny-model.corpus.txt"), encoding="utf-8") as f:
        lines = [l for l in f.read().split("\n") if l and not l.startswith("## ")]
    # Glossary lines are long word lists; cut them into sentences so BPE sees words in context.
    out = []
    for l in lines:
        words = l.split(" ")
        if len(words) > 40:
            out += [" ".join(words[i : i + 12]) for i in range(0, len(words), 12)]
        else:
            out.append(l)
    return out * 3


LONG = (
    "Lathe fine-tunes open models on your own data. " * 12
    + "它会在训练之前向您展示模型将看到的确切内容，包括哪些词元参与训练、哪些被屏蔽。" * 6
)

CORPUS = [
    "Hello world! How are you today?",
    "I'LL do it, she'd said; they're here. You've GOT it. It's fine, isn't it? O'Neil's.",
    "Numbers: 1 12 123 1234 12345 1234567890 3.14159 -42 +7 1,000,000 2024-11-28 07:30:15",
    "你好，世界。我的账户无法登录，请帮忙看看。",
    "繁體中文：資料、帳號、軟體。日本語：こんにちは、カタカナ。한국어: 안녕하세요",
    "def f(x):\n    return x ** 2  # it's squared\n\n\n\tprint(f(3))\n",
    "function add(a, b) {\r\n  return a + b;\r\n}\r\nconst o = {\"key\": [1, 2, {\"nested\": null}]};",
    '{\n  "name": "lathe",\n  "version": "0.1.0",\n  "tags": ["llm", "lora"]\n}',
    "Emoji: 😀👍🏽 🇩🇪 👨‍👩‍👧‍👦 ❤️ — “quotes” and naïve café, ﬁnance, Ωmega",
    "combining: e\u0301 a\u0308 Ω \u212b fullwidth：ＡＢＣ１２３",
    "spaces:  two   three    four\tand\t\ttabs   ",
    "   leading spaces",
    "trailing spaces   ",
    "\n\n\nnewlines\n\n \n  \n",
    "nbsp\u00a0and ideographic\u3000space, NEL\u0085here, BOM\ufeffthere, zwsp\u200bhere",
    "controls \x00\x01\x1f\x7f end",
    "math 𝕏 𝔸 ∑∫√ and rare 龘 𠀀 𪚥",
    "",
    " ",
    "  ",
    "\n",
    "a" * 200,
    "ab" * 150 + " " + "的" * 60,
    LONG,
    "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n",
    "foo<|im_end|>bar<|endoftext|>baz <|im_start|> spaced <|im_e partial",
    "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
    "<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST] Hello</s><s>[INST] again [/INST]",
    "<unk> literal <0x41> byte token text </s>",
    "<tool_call>\n{\"name\": \"f\", \"arguments\": {}}\n</tool_call>",
    "mixed 中文English混合123测试test！？。，",
    "'s 's 'S 'll 'LL 're",
]


def byte_level(regex, specials_, extra_tokens, post, ignore_merges=False, vocab=3000):
    tok = Tokenizer(models.BPE(ignore_merges=ignore_merges))
    tok.normalizer = normalizers.NFC() if regex == QWEN2_RE else None
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(regex), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False),
        ]
    )
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab, min_frequency=2, special_tokens=specials_, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False
    )
    tok.train_from_iterator(training_texts(), trainer)
    if extra_tokens:
        tok.add_tokens([AddedToken(t, special=False, normalized=False) for t in extra_tokens])
    tok.post_processor = post(tok)
    return tok


def sentencepiece_style():
    byte_tokens = ["<0x%02X>" % b for b in range(256)]
    tok = Tokenizer(models.BPE(unk_token="<unk>", byte_fallback=True, fuse_unk=True))
    tok.normalizer = normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="never", split=True)
    trainer = trainers.BpeTrainer(
        vocab_size=2500, min_frequency=2, special_tokens=["<unk>", "<s>", "</s>"] + byte_tokens, limit_alphabet=400, show_progress=False
    )
    tok.train_from_iterator(training_texts(), trainer)
    j = json.loads(tok.to_str())
    # Llama 2's tokenizer.json: byte tokens live in the vocabulary only, and there is no pre-tokenizer.
    j["added_tokens"] = [t for t in j["added_tokens"] if t["content"] in ("<unk>", "<s>", "</s>")]
    j["pre_tokenizer"] = None
    j["decoder"] = {
        "type": "Sequence",
        "decoders": [
            {"type": "Replace", "pattern": {"String": "▁"}, "content": " "},
            {"type": "ByteFallback"},
            {"type": "Fuse"},
            {"type": "Strip", "content": " ", "start": 1, "stop": 0},
        ],
    }
    j["post_processor"] = {
        "type": "TemplateProcessing",
        "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
        "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "<s>", "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
        "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}},
    }
    llama2 = Tokenizer.from_str(json.dumps(j))
    # The newer Metaspace form (legacy=False conversions): no normalizer, Metaspace prepend_scheme "first".
    m = json.loads(json.dumps(j))
    m["normalizer"] = None
    m["pre_tokenizer"] = {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": False}
    m["decoder"] = {"type": "Sequence", "decoders": [{"type": "ByteFallback"}, {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": False}]}
    m["added_tokens"].append({"id": len(m["model"]["vocab"]), "content": "[INST]", "single_word": False, "lstrip": True, "rstrip": True, "normalized": False, "special": True})
    metaspace = Tokenizer.from_str(json.dumps(m))
    return llama2, metaspace


def encode_cases(tok):
    cases = []
    for text in CORPUS:
        a = tok.encode(text, add_special_tokens=False)
        b = tok.encode(text, add_special_tokens=True)
        cases.append({"text": text, "ids": a.ids, "ids_special": b.ids, "decoded": tok.decode(a.ids, skip_special_tokens=False)})
    return cases


def write(out_dir, name, tok, extra=None):
    doc = {"style": name, "tokenizer": json.loads(tok.to_str()), "cases": encode_cases(tok)}
    if extra:
        doc.update(extra)
    with open(os.path.join(out_dir, f"{name}.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False)
    print(name, "vocab", tok.get_vocab_size(), "cases", len(doc["cases"]))


def tiny_extra(tiny_dir):
    """transformers' view of the tiny model: chat template renderings and a forward pass of the weights."""
    extra = {}
    try:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        tk = AutoTokenizer.from_pretrained(tiny_dir)
        convs = [
            [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}],
            [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "你好"}, {"role": "assistant", "content": "您好！"}, {"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}],
        ]
        extra["chat"] = [
            {"messages": c, "text": tk.apply_chat_template(c, tokenize=False), "generation_prompt": tk.apply_chat_template(c[:-1], tokenize=False, add_generation_prompt=True)}
            for c in convs
        ]
        extra["transformers_ids"] = [tk(t, add_special_tokens=False)["input_ids"] for t in CORPUS]
        model = AutoModelForCausalLM.from_pretrained(tiny_dir, torch_dtype=torch.float32)
        ids = torch.tensor([tk("Hello world", add_special_tokens=False)["input_ids"]])
        with torch.no_grad():
            logits = model(ids).logits
        extra["forward"] = {"shape": list(logits.shape), "finite": bool(torch.isfinite(logits).all()), "parameters": sum(p.numel() for p in model.parameters())}
    except Exception as e:  # recorded, not fatal: the tokenizer fixture still stands
        extra["transformers_error"] = repr(e)
    return extra


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)

    def qwen_post(tok):
        return processors.ByteLevel(trim_offsets=False)

    qwen = byte_level(QWEN2_RE, ["<|endoftext|>", "<|im_start|>", "<|im_end|>"], ["<tool_call>", "</tool_call>"], qwen_post)
    write(out_dir, "qwen2", qwen)

    def llama3_post(tok):
        bos = tok.token_to_id("<|begin_of_text|>")
        return processors.Sequence(
            [processors.ByteLevel(trim_offsets=False), processors.TemplateProcessing(single="<|begin_of_text|> $A", pair="<|begin_of_text|> $A <|begin_of_text|> $B", special_tokens=[("<|begin_of_text|>", bos)])]
        )

    llama3 = byte_level(
        LLAMA3_RE, ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"], [], llama3_post, ignore_merges=True
    )
    write(out_dir, "llama3", llama3)

    llama2, metaspace = sentencepiece_style()
    write(out_dir, "llama2", llama2)
    write(out_dir, "metaspace", metaspace)

    tiny_dir = os.path.join(REPO, "data", "models", "lathe-tiny-llama")
    tiny = Tokenizer.from_file(os.path.join(tiny_dir, "tokenizer.json"))
    write(out_dir, "tiny", tiny, tiny_extra(tiny_dir))


if __name__ == "__main__":
    main()
