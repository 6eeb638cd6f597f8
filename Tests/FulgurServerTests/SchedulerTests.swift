import Testing
@testable import FulgurServer

@Suite struct SchedulerTests {
    @Test func admitsInArrivalOrderWithoutOvertaking() {
        let s = Scheduler(maxBatch: 8, prefillBudget: 16)
        #expect(s.admissions(occupied: 0, waiting: [1, 1, 1]) == 3)
        #expect(s.admissions(occupied: 5, waiting: [2, 1, 1]) == 2)   // 5 + 2 + 1 = 8
        #expect(s.admissions(occupied: 5, waiting: [4, 1, 1]) == 0)   // the n=4 request waits; no overtaking
        #expect(s.admissions(occupied: 8, waiting: [1]) == 0)
        #expect(s.admissions(occupied: 0, waiting: [8, 1]) == 1)
        #expect(s.admissions(occupied: 0, waiting: [Int]()) == 0)
    }

    @Test func prefillBudgetIsSharedInArrivalOrder() {
        let s = Scheduler(maxBatch: 8, prefillBudget: 16)
        #expect(s.prefillChunks(remaining: [40]) == [16])
        #expect(s.prefillChunks(remaining: [5, 3, 20, 7]) == [5, 3, 8, 0])
        #expect(s.prefillChunks(remaining: []) == [])
        // A long prompt finishes in ceil(n / budget) steps.
        var remaining = 50, steps = 0
        while remaining > 0 { remaining -= s.prefillChunks(remaining: [remaining])[0]; steps += 1 }
        #expect(steps == 4)
    }
}
