import unittest

from calc import add, divide


class TestAdd(unittest.TestCase):
    def test_add(self):
        self.assertEqual(add(2, 3), 5)


class TestDivide(unittest.TestCase):
    def test_divide(self):
        self.assertEqual(divide(7, 2), 3.5)

    def test_divide_by_zero(self):
        with self.assertRaisesRegex(ValueError, "division by zero"):
            divide(1, 0)


if __name__ == "__main__":
    unittest.main()
