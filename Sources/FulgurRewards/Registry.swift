/// The environments the CLI and the RL loop can look up by name (`fulgur verify TASK`,
/// `fulgur tasks generate TASK`). One flat list, fixed at compile time: adding a task family means
/// adding its environment value(s) to `builtIn` below — no global mutable state, no registration order.
public enum Environments {
    /// Every built-in environment, in the order `fulgur tasks list` shows them.
    /// Task families living in other folders (Logic/, …) append their environments here.
    public static let builtIn: [any Environment] = [
        MathEnvironment(),
        ArithmeticEnvironment(),
        ArithmeticEnvironment(operations: [.addition]),
        ArithmeticEnvironment(operations: [.subtraction]),
        ArithmeticEnvironment(operations: [.multiplication]),
    ] + LogicTasks.all

    /// The names of all built-in environments.
    public static var names: [String] { builtIn.map(\.name) }

    /// The environment whose `name` is `name`, or nil.
    public static func named(_ name: String) -> (any Environment)? {
        builtIn.first { $0.name == name }
    }
}
