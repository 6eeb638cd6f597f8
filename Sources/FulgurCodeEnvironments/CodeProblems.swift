import Foundation
import FulgurSandbox
import FulgurRewards
import FulgurSupport

/// Built-in competitive-programming problem families for `CodeEnvironment.generate`. Each
/// family has a statement, a reference solution in Python (the task's `answer`) and a Swift
/// solver that computes the expected outputs of generated tests — two independent
/// implementations, checked against each other by the tests.
enum CodeProblems {
    struct Family: Sendable {
        var name: String
        var difficulties: ClosedRange<Int>
        var statement: String
        var reference: String
        var compare: ComparisonMode = .whitespace
        /// Random test inputs for a difficulty (edge cases first).
        var inputs: @Sendable (_ difficulty: Int, _ rng: inout SplitMix64) -> [String]
        var solve: @Sendable (String) -> String
    }

    static func make(index: Int, difficulty: Int, rng: inout SplitMix64) -> TaskInstance {
        let eligible = families.filter { $0.difficulties.contains(difficulty) }
        let f = eligible[Int(rng.next() % UInt64(eligible.count))]
        let inputs = f.inputs(difficulty, &rng)
        let tests: [JSONValue] = inputs.map { .object(["input": .string($0), "output": .string(f.solve($0))]) }
        let example = inputs[min(1, inputs.count - 1)]
        let prompt = """
            \(f.statement)

            Example input:
            \(example)
            Example output:
            \(f.solve(example))
            Read from standard input and write to standard output. Answer with a Python 3 program in a ```python code block.
            """
        return TaskInstance(
            id: "code-\(f.name)-d\(difficulty)-\(index)-\(String(rng.next() % 1_000_000, radix: 36))", prompt: prompt,
            answer: f.reference, task: "code", difficulty: difficulty,
            metadata: ["family": .string(f.name), "tests": .array(tests), "compare": .string(f.compare.rawValue),
                       "language": "python", "timeout": 5, "memory": 512])
    }

    /// The input format "n\n x1 x2 … xn\n" of the list problems.
    static func listInput(_ xs: [Int]) -> String { "\(xs.count)\n" + xs.map(String.init).joined(separator: " ") + "\n" }

    /// A random list input: n drawn from 1…maxCount, then n values from `range`.
    static func randomListInput(maxCount: Int, _ range: ClosedRange<Int>, _ rng: inout SplitMix64) -> String {
        let n = Int.random(in: 1...maxCount, using: &rng)
        return listInput((0..<n).map { _ in Int.random(in: range, using: &rng) })
    }

    static func numbers(_ s: String) -> [Int] { s.split(whereSeparator: \.isWhitespace).compactMap { Int($0) } }

    static let families: [Family] = [
        Family(
            name: "sum", difficulties: 1...2,
            statement: "The first line holds n (1 ≤ n ≤ 1000); the second holds n integers. Print their sum.",
            reference: "n = int(input())\nprint(sum(map(int, input().split())))\n",
            inputs: { d, rng in
                [[5], [1, 2, 3], [-7, 7, 0]].map(listInput)
                    + (0..<3).map { _ in randomListInput(maxCount: 100 * d, -1_000_000...1_000_000, &rng) }
            },
            solve: { s in String(numbers(s).dropFirst().reduce(0, +)) + "\n" }),
        Family(
            name: "reverse-words", difficulties: 1...3,
            statement: "Read one line of words separated by single spaces and print the words in reverse order, separated by single spaces.",
            reference: "print(' '.join(reversed(input().split())))\n",
            inputs: { _, rng in
                let vocab = ["alpha", "beta", "gamma", "delta", "sigma", "omega", "x", "yy", "lambda", "mu"]
                return ["one\n", "hello world\n"] + (0..<4).map { _ in
                    (0..<Int.random(in: 2...20, using: &rng)).map { _ in vocab[Int(rng.next() % UInt64(vocab.count))] }.joined(separator: " ") + "\n"
                }
            },
            solve: { s in s.split(whereSeparator: \.isWhitespace).reversed().joined(separator: " ") + "\n" }),
        Family(
            name: "mean", difficulties: 2...4,
            statement: "The first line holds n (1 ≤ n ≤ 10^5); the second holds n integers. Print their mean with at least 6 digits after the decimal point (answers within 1e-6 relative error are accepted).",
            reference: "n = int(input())\nxs = list(map(int, input().split()))\nprint('%.9f' % (sum(xs) / n))\n",
            compare: .float,
            inputs: { d, rng in
                ["1\n5\n", "3\n1 2 4\n"] + (0..<4).map { _ in randomListInput(maxCount: 500 * d, -1000...1000, &rng) }
            },
            solve: { s in
                let xs = numbers(s).dropFirst()
                return String(format: "%.9f\n", Double(xs.reduce(0, +)) / Double(xs.count))
            }),
        Family(
            name: "max-subarray", difficulties: 3...5,
            statement: "The first line holds n (1 ≤ n ≤ 2·10^5); the second holds n integers. Print the largest sum of a non-empty contiguous subarray.",
            reference: "n = int(input())\nbest = cur = None\nfor x in map(int, input().split()):\n    cur = x if cur is None or cur < 0 else cur + x\n    best = cur if best is None else max(best, cur)\nprint(best)\n",
            inputs: { d, rng in
                ["1\n-5\n", "5\n-2 1 -3 4 -1\n", "4\n-3 -1 -2 -4\n"] + (0..<4).map { _ in randomListInput(maxCount: 2000 * d, -10_000...10_000, &rng) }
            },
            solve: { s in
                var best = Int.min, cur = 0, first = true
                for x in numbers(s).dropFirst() {
                    cur = first || cur < 0 ? x : cur + x
                    best = max(best, cur)
                    first = false
                }
                return "\(best)\n"
            }),
        Family(
            name: "count-primes", difficulties: 4...7,
            statement: "Read n (0 ≤ n ≤ 2·10^6). Print how many primes are ≤ n.",
            reference: "n = int(input())\nif n < 2:\n    print(0)\nelse:\n    s = bytearray([1]) * (n + 1)\n    s[0] = s[1] = 0\n    for i in range(2, int(n ** 0.5) + 1):\n        if s[i]:\n            s[i * i::i] = bytearray(len(range(i * i, n + 1, i)))\n    print(sum(s))\n",
            inputs: { d, rng in ["0\n", "1\n", "2\n", "10\n"] + (0..<3).map { _ in "\(Int.random(in: 100...(d * 250_000), using: &rng))\n" } },
            solve: { s in
                let n = numbers(s).first ?? 0
                guard n >= 2 else { return "0\n" }
                var sieve = [Bool](repeating: true, count: n + 1)
                sieve[0] = false; sieve[1] = false
                var i = 2
                while i * i <= n {
                    if sieve[i] { var j = i * i; while j <= n { sieve[j] = false; j += i } }
                    i += 1
                }
                return "\(sieve.filter { $0 }.count)\n"
            }),
        Family(
            name: "fibonacci-mod", difficulties: 5...8,
            statement: "Read n (0 ≤ n ≤ 10^18). Print F(n) mod 1000000007, where F(0) = 0, F(1) = 1, F(n) = F(n−1) + F(n−2).",
            reference: "M = 10**9 + 7\ndef fib(n):\n    if n == 0:\n        return (0, 1)\n    a, b = fib(n // 2)\n    c = a * (2 * b - a) % M\n    d = (a * a + b * b) % M\n    return (d, (c + d) % M) if n % 2 else (c, d)\nprint(fib(int(input()))[0])\n",
            inputs: { d, rng in
                ["0\n", "1\n", "10\n", "90\n"] + (0..<3).map { _ in
                    "\(UInt64.random(in: 1...(d >= 7 ? 1_000_000_000_000_000_000 : 1_000_000_000), using: &rng))\n"
                }
            },
            solve: { s in
                let m: UInt64 = 1_000_000_007
                func fib(_ n: UInt64) -> (UInt64, UInt64) {
                    if n == 0 { return (0, 1) }
                    let (a, b) = fib(n / 2)
                    let c = a * ((2 * b + m - a) % m) % m
                    let d = (a * a + b * b) % m
                    return n % 2 == 1 ? (d, (c + d) % m) : (c, d)
                }
                let n = UInt64(s.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
                return "\(fib(n).0)\n"
            }),
        Family(
            name: "lis", difficulties: 6...9,
            statement: "The first line holds n (1 ≤ n ≤ 2·10^5); the second holds n integers. Print the length of the longest strictly increasing subsequence.",
            reference: "import bisect\nn = int(input())\ntails = []\nfor x in map(int, input().split()):\n    i = bisect.bisect_left(tails, x)\n    if i == len(tails):\n        tails.append(x)\n    else:\n        tails[i] = x\nprint(len(tails))\n",
            inputs: { d, rng in
                ["1\n7\n", "6\n10 9 2 5 3 7\n", "5\n3 3 3 3 3\n"] + (0..<4).map { _ in randomListInput(maxCount: 5000 * d, -100_000...100_000, &rng) }
            },
            solve: { s in
                var tails: [Int] = []
                for x in numbers(s).dropFirst() {
                    var lo = 0, hi = tails.count
                    while lo < hi { let mid = (lo + hi) / 2; if tails[mid] < x { lo = mid + 1 } else { hi = mid } }
                    if lo == tails.count { tails.append(x) } else { tails[lo] = x }
                }
                return "\(tails.count)\n"
            }),
        Family(
            name: "grid-path", difficulties: 7...10,
            statement: "The first line holds r and c (1 ≤ r, c ≤ 500); then r lines of c characters, '.' open and '#' wall. Print the length (number of moves) of the shortest 4-directional path from the top-left to the bottom-right cell, or -1 if there is none (or either end is a wall).",
            reference: "import sys\nfrom collections import deque\ndata = sys.stdin.read().split()\nr, c = int(data[0]), int(data[1])\ng = data[2:2 + r]\nif g[0][0] == '#' or g[r - 1][c - 1] == '#':\n    print(-1)\n    sys.exit()\ndist = [[-1] * c for _ in range(r)]\ndist[0][0] = 0\nq = deque([(0, 0)])\nwhile q:\n    y, x = q.popleft()\n    for dy, dx in ((1, 0), (-1, 0), (0, 1), (0, -1)):\n        ny, nx = y + dy, x + dx\n        if 0 <= ny < r and 0 <= nx < c and g[ny][nx] == '.' and dist[ny][nx] < 0:\n            dist[ny][nx] = dist[y][x] + 1\n            q.append((ny, nx))\nprint(dist[r - 1][c - 1])\n",
            inputs: { d, rng in
                ["1 1\n.\n", "2 2\n.#\n#.\n", "3 3\n...\n.#.\n...\n"] + (0..<4).map { _ in
                    let r = Int.random(in: 2...(d * 40), using: &rng), c = Int.random(in: 2...(d * 40), using: &rng)
                    let rows = (0..<r).map { _ in String((0..<c).map { _ in rng.next() % 100 < 25 ? "#" : "." }) }
                    return "\(r) \(c)\n" + rows.joined(separator: "\n") + "\n"
                }
            },
            solve: { s in
                let tok = s.split(whereSeparator: \.isWhitespace)
                let r = Int(tok[0])!, c = Int(tok[1])!
                let g = tok[2..<(2 + r)].map { Array($0.utf8) }
                if g[0][0] == UInt8(ascii: "#") || g[r - 1][c - 1] == UInt8(ascii: "#") { return "-1\n" }
                var dist = [Int](repeating: -1, count: r * c)
                dist[0] = 0
                var queue = [0], head = 0
                while head < queue.count {
                    let cur = queue[head]; head += 1
                    let y = cur / c, x = cur % c
                    for (dy, dx) in [(1, 0), (-1, 0), (0, 1), (0, -1)] {
                        let ny = y + dy, nx = x + dx
                        guard ny >= 0, ny < r, nx >= 0, nx < c, g[ny][nx] == UInt8(ascii: "."), dist[ny * c + nx] < 0 else { continue }
                        dist[ny * c + nx] = dist[cur] + 1
                        queue.append(ny * c + nx)
                    }
                }
                return "\(dist[r * c - 1])\n"
            }),
    ]
}
