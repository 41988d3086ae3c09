"""How many RL batches per second the client decodes, in each wire format.

    /usr/bin/python3 clients/python/benchmark.py [--groups 8] [--samples 8] [--tokens 512] [--seconds 3]

Builds one RL batch of the given shape (every sample with response token ids and log-probs, as a
producer that sends them makes it), encodes it in Avro single-object encoding and in plain JSON with
the client's codec (byte for byte what the pipeline writes), and decodes each repeatedly on one core.
The baseline, measured in the same run, is the Avro body decoded by the avro package's own generic
reader; the figures to compare are the ratios. It also times the verl tensor layout of a decoded
batch. Not a test: tests assert behaviour, not speed.
"""

import argparse
import io
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import avro.io  # noqa: E402

from lodestar_client import AVRO, JSON, RecordCodec, SchemaLibrary, to_verl  # noqa: E402


def make_batch(groups, samples, tokens):
    def sample(g, s):
        scored = s % 4 != 3
        return {
            "generationId": "bench-g%d-s%d" % (g, s),
            "response": "Let me think step by step... the answer is %d." % (s * 7),
            "reward": float(s % 2) if scored else None,
            "advantage": (0.866 if s % 2 else -0.866) if scored else 0.0,
            "scored": scored,
            "components": [{"name": "math_equivalence", "value": float(s % 2) if scored else None,
                            "status": "OK" if scored else "TIMEOUT", "source": "VERIFIER", "version": "math/1",
                            "detail": None}],
            "policy": {"modelId": "policy-7b", "policyVersion": 3, "temperature": 0.7, "topP": None,
                       "maxTokens": None, "samplingParams": {}},
            "responseTokenIds": [1000 + (g * 7919 + s * 104729 + t * 31) % 150000 for t in range(tokens)],
            "responseLogprobs": [-((t % 17) + 1) / 8.0 for t in range(tokens)],
            "finishReason": "STOP",
            "createdAtMs": 1767225595000,
            "consentToTrain": True,
        }

    return {
        "batchId": "bench", "modelId": "policy-7b", "sequence": 0, "sampleCount": groups * samples,
        "minPolicyVersion": 3, "maxPolicyVersion": 3, "closedAtMs": 1767225600000, "tokenCount": 0,
        "trainerPolicyVersion": None,
        "groups": [{
            "groupId": "bench-g%d" % g, "promptId": "prompt-%d" % g,
            "prompt": [{"role": "user", "content": "Problem %d: what is %d times 7?" % (g, g)}],
            "task": {"dataSource": "gsm8k", "kind": "MATH", "groundTruth": str(g * 7), "unitTests": [], "extra": {}},
            "samples": [sample(g, s) for s in range(samples)],
            "estimator": "grpo", "estimatorParams": {"compat": "verl", "eps": "1e-6"}, "completion": "FULL",
            "expectedSize": samples, "scoredCount": samples, "unscoredCount": 0, "rewardMean": 0.5,
            "rewardStd": 0.7071, "minPolicyVersion": 3, "maxPolicyVersion": 3, "closedAtMs": 1767225600000,
            "diversity": None, "promptTokenIds": list(range(1, 17)), "reason": None,
        } for g in range(groups)],
    }


def rate(work, seconds):
    """Calls per CPU second of ``work`` (process time, so other load on the machine counts less), the
    best of three rounds of about ``seconds`` / 3 each."""
    best = 0.0
    for _ in range(3):
        calls, start = 0, time.process_time()
        while True:
            work()
            calls += 1
            elapsed = time.process_time() - start
            if elapsed >= seconds / 3:
                break
        best = max(best, calls / elapsed)
    return best


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--groups", type=int, default=8)
    parser.add_argument("--samples", type=int, default=8, help="samples per group")
    parser.add_argument("--tokens", type=int, default=512, help="response tokens per sample")
    parser.add_argument("--seconds", type=float, default=3.0, help="time spent on each measurement")
    args = parser.parse_args(argv)

    schemas = SchemaLibrary()
    codec = RecordCodec(schemas, "RLBatch")
    batch = make_batch(args.groups, args.samples, args.tokens)
    avro_bytes = codec.encode(batch, AVRO)
    json_bytes = codec.encode(batch, JSON)
    assert codec.decode(avro_bytes).value == codec.decode(json_bytes).value

    reader = avro.io.DatumReader(schemas.reader("RLBatch"))
    body = avro_bytes[10:]
    decoded = codec.decode(avro_bytes).value

    results = [
        ("avro package, generic reader (baseline)", len(body), rate(
            lambda: reader.read(avro.io.BinaryDecoder(io.BytesIO(body))), args.seconds)),
        ("client, Avro single-object", len(avro_bytes), rate(lambda: codec.decode(avro_bytes), args.seconds)),
        ("client, plain JSON", len(json_bytes), rate(lambda: codec.decode(json_bytes), args.seconds)),
        ("verl layout of a decoded batch (numpy)", None, rate(
            lambda: to_verl(decoded, as_torch=False), args.seconds)),
    ]
    baseline = results[0][2]
    print("RL batch: %d groups x %d samples x %d response tokens; Avro %d bytes, JSON %d bytes"
          % (args.groups, args.samples, args.tokens, len(avro_bytes), len(json_bytes)))
    print("%-42s %12s %12s %10s" % ("", "batches/s", "MB/s", "x baseline"))
    for name, size, per_second in results:
        megabytes = "%12.1f" % (per_second * size / 1e6) if size else "%12s" % "-"
        print("%-42s %12.1f %s %10.2f" % (name, per_second, megabytes, per_second / baseline))
    return results


if __name__ == "__main__":
    main()
