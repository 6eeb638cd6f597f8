import unittest

from textutil import slugify


class TestSlugify(unittest.TestCase):
    def test_simple(self):
        self.assertEqual(slugify("Hello World"), "hello-world")

    def test_strips_edges(self):
        self.assertEqual(slugify("  hi  "), "hi")

    def test_collapses_runs(self):
        self.assertEqual(slugify("Hello,  World!  Again"), "hello-world-again")


if __name__ == "__main__":
    unittest.main()
