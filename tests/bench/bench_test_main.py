"""Runs one TestCase class of a benchmark test module for ctest:
exit 0 when it passed, 1 when something failed, 77 (ctest's SKIP_RETURN_CODE)
when every test of it was skipped (e.g. not root)."""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.join(os.path.dirname(os.path.dirname(HERE)), "scripts")
sys.path.insert(0, SCRIPTS)
sys.path.insert(0, HERE)

SKIPPED = 77


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: bench_test_main.py MODULE.CLASS")
    suite = unittest.defaultTestLoader.loadTestsFromName(sys.argv[1])
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    if not result.wasSuccessful():
        sys.exit(1)
    if result.testsRun and len(result.skipped) == result.testsRun:
        sys.exit(SKIPPED)
    sys.exit(0)


if __name__ == "__main__":
    main()
