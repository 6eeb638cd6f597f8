/// The logic tasks (SynLogic-style), in the order `fulgur tasks list` shows them.
public enum LogicTasks {
    public static let all: [any LogicEnvironment] = [
        SudokuTask(),
        CountdownTask(),
        CryptarithmTask(),
        ZebraTask(),
        WebOfLiesTask(),
        ArrowMazeTask(),
        FutoshikiTask(),
        KukurasuTask(),
        DyckCompletionTask(),
        BooleanExpressionsTask(),
        CipherTask(),
        WordSortingTask(),
        ObjectCountingTask(),
    ]

    /// The task called `name`, or nil.
    public static func named(_ name: String) -> (any LogicEnvironment)? {
        all.first { $0.name == name }
    }
}
