#!/usr/bin/python3
"""Builds the tiny reward model that tests, the demo and the benchmark use.

A BERT-like sequence classifier (one attention layer, hidden size 32) is trained for a few
seconds on a synthetic preference: a response that ends in a final answer (a number, boxed or
stated) should score higher than an empty, evasive or rambling one. It is exported as ONNX with
inputs input_ids, attention_mask, token_type_ids and output logits [batch, 1], next to a
tokenizer.json in the Hugging Face tokenizers format (WordPiece) that this script writes itself,
a reward-model.json with the settings the model expects, and samples.json: texts with the token
ids and scores the PyTorch model gives them, so Java tests can check tokenizer and runtime parity.

Run from the repository root:  /usr/bin/python3 operators/src/main/python/make_tiny_reward_model.py
Needs PyTorch and onnx; the output is deterministic for a given PyTorch version (fixed seed).
"""

import json
import math
import os
import random
import string
import sys
import unicodedata

import torch
from torch import nn

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       "..", "resources", "lodestar", "models", "tiny-reward")
MODEL_NAME = "tiny-reward"
MODEL_VERSION = "1"
MAX_LENGTH = 128
HIDDEN = 32
HEADS = 2
FFN = 64
SEED = 20240611

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
WORDS = """the a an is are was be to of and or in on it that this so let me we i you think
answer final result therefore thus equals total sum product difference hence get gives
what how many much times plus minus divided by step first then next finally because
not sure maybe perhaps hmm well um know cannot can't help sorry anyway really interesting
question good great nice about thing things stuff lot kind sort like just some more
user assistant system number with as for at which boxed compute calculate""".split()


# ---------------------------------------------------------------- tokenizer (BERT WordPiece)

def is_punctuation(ch):
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def pre_tokenize(text):
    """Lower-cases, splits on whitespace and isolates punctuation, as BertNormalizer and
    BertPreTokenizer do for ASCII text."""
    words, current = [], []
    for ch in text.lower():
        if ch.isspace():
            if current:
                words.append("".join(current))
                current = []
        elif is_punctuation(ch):
            if current:
                words.append("".join(current))
                current = []
            words.append(ch)
        else:
            current.append(ch)
    if current:
        words.append("".join(current))
    return words


def build_vocab():
    tokens = list(SPECIALS)
    chars = string.ascii_lowercase + string.digits + string.punctuation
    tokens += [c for c in chars]
    tokens += ["##" + c for c in string.ascii_lowercase + string.digits]
    tokens += [w for w in WORDS if w not in tokens and all(c.isalpha() for c in w)]
    return {t: i for i, t in enumerate(tokens)}


def wordpiece(word, vocab):
    pieces, start = [], 0
    while start < len(word):
        end, found = len(word), None
        while start < end:
            piece = word[start:end] if start == 0 else "##" + word[start:end]
            if piece in vocab:
                found = piece
                break
            end -= 1
        if found is None:
            return ["[UNK]"]
        pieces.append(found)
        start = end
    return pieces


def encode(text, vocab, max_length=MAX_LENGTH):
    ids = [vocab["[CLS]"]]
    for word in pre_tokenize(text):
        ids += [vocab[p] for p in wordpiece(word, vocab)]
    ids = ids[: max_length - 1] + [vocab["[SEP]"]]
    return ids


def tokenizer_json(vocab):
    def special(token):
        return {"id": vocab[token], "content": token, "single_word": False, "lstrip": False,
                "rstrip": False, "normalized": False, "special": True}

    def tok(token, type_id):
        return {"SpecialToken": {"id": token, "type_id": type_id}}

    def seq(name, type_id):
        return {"Sequence": {"id": name, "type_id": type_id}}

    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [special(t) for t in SPECIALS],
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": None, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [tok("[CLS]", 0), seq("A", 0), tok("[SEP]", 0)],
            "pair": [tok("[CLS]", 0), seq("A", 0), tok("[SEP]", 0), seq("B", 1), tok("[SEP]", 1)],
            "special_tokens": {t: {"id": t, "ids": [vocab[t]], "tokens": [t]} for t in ("[CLS]", "[SEP]")},
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": vocab},
    }


# ---------------------------------------------------------------- synthetic preference data

def render(prompt, response):
    """The role-prefixed chat template (ChatTemplate.ROLE_PREFIXED on the Java side)."""
    return "".join(f"{role}: {content}\n" for role, content in prompt) + "assistant: " + response


def example(rng):
    """One (good, bad) pair for a random arithmetic prompt, built from interchangeable parts so the
    model learns the pattern (a final number) rather than a few fixed sentences."""
    a, b = rng.randint(2, 99), rng.randint(2, 99)
    op, value = rng.choice([("+", a + b), ("-", a - b), ("*", a * b)])
    prompt = [("system", "Answer with a number."), ("user", f"What is {a} {op} {b}?")]
    steps = rng.choice(["", f"{a} {op} {b} = {value}. ", f"{a} {op} {b} = {value}, ", f"First compute {a} {op} {b}. ",
                        "Let me think step by step. ", f"We have {a} {op} {b}. "])
    connector = rng.choice(["", "so ", "So ", "Thus ", "Hence ", "therefore ", "Finally, "])
    final = rng.choice([f"the answer is {value}.", f"\\boxed{{{value}}}", f"the final answer is \\boxed{{{value}}}.",
                        f"the result is {value}.", f"{value}", f"the answer is \\boxed{{{value}}}.", f"it equals {value}."])
    filler = rng.sample(["hmm", "well", "maybe", "i think", "not sure", "it is interesting", "let me think",
                         "anyway", "a lot of things", "kind of", "really", "so", "about numbers", "and so on",
                         "good question", "perhaps"], rng.randint(2, 6))
    bad = rng.choice(["", "I am not sure.", "Sorry, I cannot help with that.", ", ".join(filler) + "...",
                      steps + ", ".join(filler), "That is a good question about numbers, and so on and so on.",
                      connector + ", ".join(filler) + "."])
    return [(render(prompt, steps + connector + final), 1.0), (render(prompt, bad), 0.0)]


# ---------------------------------------------------------------- model

class TinyRewardModel(nn.Module):
    def __init__(self, vocab_size):
        super().__init__()
        self.tokens = nn.Embedding(vocab_size, HIDDEN)
        self.positions = nn.Embedding(MAX_LENGTH, HIDDEN)
        self.types = nn.Embedding(2, HIDDEN)
        self.norm_in = nn.LayerNorm(HIDDEN)
        self.qkv = nn.Linear(HIDDEN, 3 * HIDDEN)
        self.attn_out = nn.Linear(HIDDEN, HIDDEN)
        self.norm_attn = nn.LayerNorm(HIDDEN)
        self.ffn = nn.Sequential(nn.Linear(HIDDEN, FFN), nn.GELU(), nn.Linear(FFN, HIDDEN))
        self.norm_ffn = nn.LayerNorm(HIDDEN)
        self.head = nn.Linear(HIDDEN, 1)

    def forward(self, input_ids, attention_mask, token_type_ids):
        batch, length = input_ids.shape
        positions = torch.arange(length, device=input_ids.device).unsqueeze(0)
        x = self.norm_in(self.tokens(input_ids) + self.positions(positions) + self.types(token_type_ids))
        q, k, v = self.qkv(x).split(HIDDEN, dim=-1)
        head = HIDDEN // HEADS

        def heads(t):
            return t.reshape(batch, length, HEADS, head).transpose(1, 2)

        scores = heads(q) @ heads(k).transpose(-1, -2) / math.sqrt(head)
        mask = attention_mask.to(x.dtype)
        scores = scores + (1.0 - mask)[:, None, None, :] * -10000.0
        attended = (scores.softmax(-1) @ heads(v)).transpose(1, 2).reshape(batch, length, HIDDEN)
        x = self.norm_attn(x + self.attn_out(attended))
        x = self.norm_ffn(x + self.ffn(x))
        pooled = (x * mask.unsqueeze(-1)).sum(1) / mask.sum(1, keepdim=True).clamp(min=1.0)
        return self.head(pooled)


def batch_tensors(encoded):
    length = max(len(ids) for ids in encoded)
    input_ids = torch.zeros(len(encoded), length, dtype=torch.long)
    attention_mask = torch.zeros(len(encoded), length, dtype=torch.long)
    for row, ids in enumerate(encoded):
        input_ids[row, : len(ids)] = torch.tensor(ids)
        attention_mask[row, : len(ids)] = 1
    return input_ids, attention_mask, torch.zeros_like(input_ids)


def main():
    random.seed(SEED)
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    rng = random.Random(SEED)
    vocab = build_vocab()
    data = [pair for _ in range(3000) for pair in example(rng)]
    model = TinyRewardModel(len(vocab))
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = nn.BCEWithLogitsLoss()
    for step in range(600):
        chosen = rng.sample(data, 64)
        inputs = batch_tensors([encode(text, vocab) for text, _ in chosen])
        labels = torch.tensor([[label] for _, label in chosen])
        loss = loss_fn(model(*inputs), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % 100 == 0:
            print(f"step {step} loss {loss.item():.4f}", file=sys.stderr)
    model.eval()

    os.makedirs(OUT_DIR, exist_ok=True)
    example_inputs = batch_tensors([encode("user: hi\nassistant: 42", vocab)])
    torch.onnx.export(
        model, example_inputs, os.path.join(OUT_DIR, "model.onnx"),
        input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["logits"],
        dynamic_axes={"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"},
                      "token_type_ids": {0: "batch", 1: "sequence"}, "logits": {0: "batch"}},
        opset_version=14, do_constant_folding=True)
    with open(os.path.join(OUT_DIR, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer_json(vocab), f, indent=1, sort_keys=True)
        f.write("\n")
    with open(os.path.join(OUT_DIR, "reward-model.json"), "w", encoding="utf-8") as f:
        json.dump({"name": MODEL_NAME, "version": MODEL_VERSION, "maxLength": MAX_LENGTH,
                   "inputs": ["input_ids", "attention_mask", "token_type_ids"], "template": "role-prefixed",
                   "description": "Synthetic preference: a final numeric answer beats empty, evasive or rambling text."},
                  f, indent=1)
        f.write("\n")

    prompt = [("system", "Answer with a number."), ("user", "What is 6 * 7?")]
    responses = ["6 * 7 = 42. The answer is \\boxed{42}.", "The answer is 42.", "",
                 "Hmm, well, maybe, I am not sure, it is interesting, anyway...",
                 "Sorry, I cannot help with that."]
    samples = []
    with torch.no_grad():
        for response in responses:
            ids = encode(render(prompt, response), vocab)
            score = model(*batch_tensors([ids])).item()
            samples.append({"prompt": [{"role": r, "content": c} for r, c in prompt], "response": response,
                            "inputIds": ids, "logit": round(score, 6)})
            print(f"{score:8.3f}  {response!r}", file=sys.stderr)
    with open(os.path.join(OUT_DIR, "samples.json"), "w", encoding="utf-8") as f:
        json.dump(samples, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
