"""The decoding benchmark still runs (a smoke test of its code, not a measurement)."""

import contextlib
import io
import unittest

import benchmark


class BenchmarkSmokeTest(unittest.TestCase):
    def test_a_tiny_run_reports_every_measurement(self):
        with contextlib.redirect_stdout(io.StringIO()) as out:
            results = benchmark.main(["--groups", "2", "--samples", "2", "--tokens", "64", "--seconds", "0.03"])
        self.assertEqual(len(results), 4)
        self.assertTrue(all(per_second > 0 for _, _, per_second in results))
        self.assertIn("client, Avro single-object", out.getvalue())
        self.assertIn("client, plain JSON", out.getvalue())


if __name__ == "__main__":
    unittest.main()
